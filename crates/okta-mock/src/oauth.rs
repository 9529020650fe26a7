//! `POST /oauth2/v1/token` with `client_credentials` and a signed JWT client assertion
//! (RS256 or ES256), and the access tokens it issues.

use crate::error::MockError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::StatusCode;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::Duration;
use tokio::time::Instant;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const KNOWN_SCOPES: &[&str] = &[
    "okta.users.read",
    "okta.users.manage",
    "okta.users.read.self",
    "okta.users.manage.self",
    "okta.groups.read",
    "okta.groups.manage",
    "okta.roles.read",
    "okta.roles.manage",
];

/// Scopes granted to one access token, and when it expires.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub expires: Instant,
    pub client_id: String,
    pub scopes: Vec<String>,
}

/// Registered clients, spent assertion ids and live access tokens.
pub(crate) struct OAuth {
    clients: HashMap<String, (DecodingKey, Algorithm)>,
    used_jti: Mutex<HashSet<String>>,
    tokens: RwLock<HashMap<String, Grant>>,
    ttl: Duration,
    /// Also accept an assertion addressed to another loopback origin (a proxy in front).
    loopback_audiences: bool,
}

/// The form body of a token request.
fn form(body: &[u8]) -> HashMap<String, String> {
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (crate::api::decode(k), crate::api::decode(v)))
        .collect()
}

/// An OAuth error response.
fn error(status: StatusCode, code: &str, description: &str) -> (StatusCode, Bytes) {
    let body = json!({ "error": code, "error_description": description });
    (
        status,
        Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
    )
}

impl OAuth {
    /// Parse each client's PEM public key (SPKI RSA → RS256, EC P-256 → ES256).
    pub fn new(
        clients: &[(String, String)],
        ttl: Duration,
        loopback_audiences: bool,
    ) -> Result<Self, MockError> {
        let mut map = HashMap::new();
        for (id, pem) in clients {
            let key = DecodingKey::from_rsa_pem(pem.as_bytes())
                .map(|k| (k, Algorithm::RS256))
                .or_else(|_| {
                    DecodingKey::from_ec_pem(pem.as_bytes()).map(|k| (k, Algorithm::ES256))
                })
                .map_err(|e| MockError::InvalidKey {
                    client_id: id.clone(),
                    reason: e.to_string(),
                })?;
            map.insert(id.clone(), key);
        }
        Ok(Self {
            clients: map,
            used_jti: Mutex::new(HashSet::new()),
            tokens: RwLock::new(HashMap::new()),
            ttl,
            loopback_audiences,
        })
    }

    /// The client and scopes of a live access token.
    pub fn check(&self, token: &str, now: Instant) -> Option<Grant> {
        let tokens = self.tokens.read().ok()?;
        tokens.get(token).filter(|g| g.expires > now).cloned()
    }

    /// Answer a token request; `audience` is `{base_url}/oauth2/v1/token`.
    pub fn token(&self, body: &[u8], audience: &str, now: Instant) -> (StatusCode, Bytes, bool) {
        match self.issue(body, audience, now) {
            Ok(b) => (StatusCode::OK, b, true),
            Err((s, b)) => (s, b, false),
        }
    }

    fn issue(
        &self,
        body: &[u8],
        audience: &str,
        now: Instant,
    ) -> Result<Bytes, (StatusCode, Bytes)> {
        let f = form(body);
        let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
        if get("grant_type") != "client_credentials" {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            ));
        }
        if get("client_assertion_type") != ASSERTION_TYPE || get("client_assertion").is_empty() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The client_assertion and client_assertion_type parameters are required.",
            ));
        }
        let assertion = get("client_assertion");
        let scopes: Vec<String> = get("scope")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if scopes.is_empty() || scopes.iter().any(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            ));
        }
        let unauthorized = |d: &str| error(StatusCode::UNAUTHORIZED, "invalid_client", d);
        // The client is named by client_id or, as Okta allows, by the assertion's iss.
        let client_id = match f.get("client_id") {
            Some(id) => id.clone(),
            None => unverified_issuer(assertion)
                .ok_or_else(|| unauthorized("The client_assertion token is malformed."))?,
        };
        let (key, alg) = self
            .clients
            .get(&client_id)
            .ok_or_else(|| unauthorized("Invalid value for 'client_id' parameter."))?;
        let mut v = Validation::new(*alg);
        v.leeway = 0;
        let mut audiences = vec![audience.to_owned()];
        // Behind a proxy on loopback (prism-check, say), clients address the proxy's port.
        if self.loopback_audiences {
            audiences.extend(
                unverified_claim(assertion, "aud").filter(|aud| is_loopback_token_url(aud)),
            );
        }
        v.set_audience(&audiences);
        v.set_issuer(&[&client_id]);
        v.sub = Some(client_id.clone());
        v.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        let claims = jsonwebtoken::decode::<Value>(assertion, key, &v)
            .map_err(|e| unauthorized(&format!("The client_assertion token is invalid: {e}")))?
            .claims;
        let jti = claims
            .get("jti")
            .and_then(Value::as_str)
            .ok_or_else(|| unauthorized("The client_assertion token has no jti."))?;
        let fresh = self
            .used_jti
            .lock()
            .map(|mut u| u.insert(jti.to_owned()))
            .unwrap_or(false);
        if !fresh {
            return Err(unauthorized(
                "The client_assertion token has already been used.",
            ));
        }
        let access = format!("mock.{}", crate::ids::token(40));
        let scope = scopes.join(" ");
        if let Ok(mut t) = self.tokens.write() {
            t.retain(|_, g| g.expires > now);
            t.insert(
                access.clone(),
                Grant {
                    // A TTL past what an Instant holds never expires.
                    expires: now
                        .checked_add(self.ttl)
                        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400)),
                    client_id: client_id.clone(),
                    scopes,
                },
            );
        }
        let body = json!({
            "token_type": "Bearer",
            "expires_in": self.ttl.as_secs(),
            "access_token": access,
            "scope": scope,
        });
        Ok(Bytes::from(serde_json::to_vec(&body).unwrap_or_default()))
    }
}

fn unverified_issuer(jwt: &str) -> Option<String> {
    unverified_claim(jwt, "iss")
}

/// A string claim of a JWT, read before its signature is checked (to know what to check it with).
fn unverified_claim(jwt: &str, name: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get(name)?.as_str().map(String::from)
}

/// `http(s)://127.x.x.x:PORT/oauth2/v1/token` or `localhost`.
fn is_loopback_token_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let Some(authority) = rest.strip_suffix("/oauth2/v1/token") else {
        return false;
    };
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(host, _port)| host);
    host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::is_loopback_token_url as loopback;

    #[test]
    fn only_loopback_token_urls_count_as_loopback_audiences() {
        assert!(loopback("http://127.0.0.1:4010/oauth2/v1/token"));
        assert!(loopback("https://localhost/oauth2/v1/token"));
        assert!(!loopback("https://evil.example:443/oauth2/v1/token"));
        assert!(!loopback("http://127.0.0.1:4010/oauth2/v1/other"));
        assert!(!loopback("http://10.0.0.1/oauth2/v1/token"));
    }
}
