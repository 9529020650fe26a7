//! `POST /oauth2/v1/token` with `client_credentials` and a signed JWT client assertion
//! (RS256 or ES256), with a DPoP proof for the apps that require one (and for any app whose
//! client sends one), the access tokens it issues — `Bearer`, or `DPoP` bound to the proof's key
//! — and the DPoP checks of API requests made with them.

use crate::dpop::{self, Nonces, Proof, SeenProofs};
use crate::error::{ApiError, MockError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, RwLock};
use std::time::Duration;
use tokio::time::Instant;

/// Extra response headers (`DPoP-Nonce`, `WWW-Authenticate`).
pub(crate) type Headers = Vec<(HeaderName, HeaderValue)>;

/// DPoP settings of the org.
#[derive(Debug, Clone)]
pub(crate) struct DpopConfig {
    /// The OAuth clients whose token requests must carry a proof.
    pub required: Vec<String>,
    /// How often the nonce changes.
    pub nonce_lifetime: Duration,
    /// Whether API requests must carry the nonce too.
    pub api_nonce: bool,
}

impl Default for DpopConfig {
    fn default() -> Self {
        Self {
            required: Vec::new(),
            nonce_lifetime: Duration::from_secs(86_400),
            api_nonce: false,
        }
    }
}

/// A token endpoint's answer.
pub(crate) struct TokenAnswer {
    pub status: StatusCode,
    pub body: Bytes,
    pub issued: bool,
    pub headers: Headers,
}

/// An OAuth error: status, body, headers.
struct Refusal {
    status: StatusCode,
    body: Bytes,
    headers: Headers,
}

impl From<(StatusCode, Bytes)> for Refusal {
    fn from((status, body): (StatusCode, Bytes)) -> Self {
        Refusal {
            status,
            body,
            headers: Vec::new(),
        }
    }
}

/// Why an API request's DPoP proof is refused: the status, the body (Okta sends none with a
/// refused proof) and the headers (the challenge, a nonce).
pub(crate) struct ApiRefusal {
    pub status: StatusCode,
    pub body: Bytes,
    pub headers: Headers,
}

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

/// Scopes granted to one access token, when it expires, and the thumbprint of the key it is
/// bound to (`cnf.jkt`) when it is a DPoP token.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub expires: Instant,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub jkt: Option<String>,
}

/// Registered clients, spent assertion and proof ids, nonces and live access tokens.
pub(crate) struct OAuth {
    clients: HashMap<String, (DecodingKey, Algorithm)>,
    used_jti: Mutex<HashSet<String>>,
    tokens: RwLock<HashMap<String, Grant>>,
    ttl: Duration,
    /// Also accept an assertion or proof addressed to another loopback origin (a proxy in front).
    loopback_audiences: bool,
    dpop_required: HashSet<String>,
    api_nonce: bool,
    nonces: Nonces,
    seen_proofs: SeenProofs,
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
        dpop: &DpopConfig,
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
        if let Some(unknown) = dpop.required.iter().find(|id| !map.contains_key(*id)) {
            return Err(MockError::Config(format!(
                "DPoP required for {unknown}, which is no OAuth client"
            )));
        }
        Ok(Self {
            clients: map,
            used_jti: Mutex::new(HashSet::new()),
            tokens: RwLock::new(HashMap::new()),
            ttl,
            loopback_audiences,
            dpop_required: dpop.required.iter().cloned().collect(),
            api_nonce: dpop.api_nonce,
            nonces: Nonces::new(dpop.nonce_lifetime),
            seen_proofs: SeenProofs::default(),
        })
    }

    /// Forgets every DPoP nonce handed out: the next proof needs the new one.
    pub fn rotate_dpop_nonce(&self) {
        self.nonces.rotate();
    }

    /// Whether `htu` names `origin`'s `path` (or, behind a proxy, any loopback origin's).
    fn htu_matches(&self, htu: &str, origin: &str, path: &str) -> bool {
        htu == dpop::expected_htu(origin, path)
            || (self.loopback_audiences
                && loopback_origin(htu)
                    .is_some_and(|origin| htu == dpop::expected_htu(origin, path)))
    }

    /// Checks the DPoP proof of an API request made with `token`, bound to `jkt`; the headers
    /// to answer with (a new nonce) when it passes.
    #[allow(clippy::too_many_arguments)]
    pub fn check_api_proof(
        &self,
        proofs: &[String],
        method: &Method,
        origin: &str,
        path: &str,
        token: &str,
        jkt: &str,
        now: Instant,
    ) -> Result<Headers, ApiRefusal> {
        let refused = |status: StatusCode, error: &str, description: &str| ApiRefusal {
            status,
            body: Bytes::new(),
            headers: vec![dpop::challenge(error, description)],
        };
        let proof = match proofs {
            [] => {
                return Err(refused(
                    StatusCode::BAD_REQUEST,
                    "invalid_dpop_proof",
                    "The DPoP proof JWT header is missing.",
                ));
            }
            [proof] => proof,
            _ => {
                return Err(refused(
                    StatusCode::BAD_REQUEST,
                    "invalid_dpop_proof",
                    "Multiple DPoP proof JWT headers.",
                ));
            }
        };
        let proof = dpop::verify(
            proof,
            method,
            |htu| self.htu_matches(htu, origin, path),
            Some(token),
        )
        .map_err(|description| {
            refused(StatusCode::BAD_REQUEST, "invalid_dpop_proof", description)
        })?;
        if proof.jkt != jkt {
            return Err(ApiRefusal {
                body: ApiError::invalid_token().body(),
                ..refused(
                    StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "The access token is bound to another key than the DPoP proof's.",
                )
            });
        }
        let mut headers = Vec::new();
        if self.api_nonce {
            if !self.nonce_accepted(&proof, now) {
                let mut refusal = refused(
                    StatusCode::UNAUTHORIZED,
                    "use_dpop_nonce",
                    "Resource server requires nonce in DPoP proof.",
                );
                refusal
                    .headers
                    .push(dpop::nonce_header(&self.nonces.current(now)));
                return Err(refusal);
            }
            headers.extend(self.newer_nonce(&proof, now));
        }
        if !self.seen_proofs.first_use(&proof) {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                "invalid_dpop_proof",
                "The DPoP proof JWT has already been used.",
            ));
        }
        Ok(headers)
    }

    fn nonce_accepted(&self, proof: &Proof, now: Instant) -> bool {
        proof
            .nonce
            .as_deref()
            .is_some_and(|nonce| self.nonces.accepts(nonce, now))
    }

    /// The current nonce, when the proof carried an older one.
    fn newer_nonce(&self, proof: &Proof, now: Instant) -> Option<(HeaderName, HeaderValue)> {
        let current = self.nonces.current(now);
        (proof.nonce.as_deref() != Some(current.as_str())).then(|| dpop::nonce_header(&current))
    }

    /// The client and scopes of a live access token.
    pub fn check(&self, token: &str, now: Instant) -> Option<Grant> {
        let tokens = self.tokens.read().ok()?;
        tokens.get(token).filter(|g| g.expires > now).cloned()
    }

    /// Answer a token request to `origin` (`{base_url}`) carrying the DPoP `proofs` (the
    /// values of its `DPoP` headers).
    pub fn token(&self, body: &[u8], proofs: &[String], origin: &str, now: Instant) -> TokenAnswer {
        match self.issue(body, proofs, origin, now) {
            Ok((body, headers)) => TokenAnswer {
                status: StatusCode::OK,
                body,
                issued: true,
                headers,
            },
            Err(refusal) => TokenAnswer {
                status: refusal.status,
                body: refusal.body,
                issued: false,
                headers: refusal.headers,
            },
        }
    }

    fn issue(
        &self,
        body: &[u8],
        proofs: &[String],
        origin: &str,
        now: Instant,
    ) -> Result<(Bytes, Headers), Refusal> {
        let audience = &format!("{origin}/oauth2/v1/token");
        let f = form(body);
        let get = |k: &str| f.get(k).map(String::as_str).unwrap_or_default();
        if get("grant_type") != "client_credentials" {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server.",
            )
            .into());
        }
        if get("client_assertion_type") != ASSERTION_TYPE || get("client_assertion").is_empty() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "The client_assertion and client_assertion_type parameters are required.",
            )
            .into());
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
            )
            .into());
        }
        let unauthorized =
            |d: &str| Refusal::from(error(StatusCode::UNAUTHORIZED, "invalid_client", d));
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
        // Like Okta, the assertion is spent before the proof is looked at: a `use_dpop_nonce`
        // answer costs the client a new assertion.
        let (proof, headers) = self.token_proof(&client_id, proofs, origin, now)?;
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
                    jkt: proof.as_ref().map(|proof| proof.jkt.clone()),
                },
            );
        }
        let body = json!({
            "token_type": if proof.is_some() { "DPoP" } else { "Bearer" },
            "expires_in": self.ttl.as_secs(),
            "access_token": access,
            "scope": scope,
        });
        Ok((
            Bytes::from(serde_json::to_vec(&body).unwrap_or_default()),
            headers,
        ))
    }

    /// The token request's DPoP proof, checked: none for an app that does not require DPoP
    /// and got none; else a valid one, with a nonce of the org's, used once.
    fn token_proof(
        &self,
        client_id: &str,
        proofs: &[String],
        origin: &str,
        now: Instant,
    ) -> Result<(Option<Proof>, Headers), Refusal> {
        let invalid = |description: &str| {
            Refusal::from(error(
                StatusCode::BAD_REQUEST,
                "invalid_dpop_proof",
                description,
            ))
        };
        let proof = match proofs {
            [] if self.dpop_required.contains(client_id) => {
                return Err(invalid("The DPoP proof JWT header is missing."));
            }
            [] => return Ok((None, Vec::new())),
            [proof] => proof,
            _ => return Err(invalid("Multiple DPoP proof JWT headers.")),
        };
        let proof = dpop::verify(
            proof,
            &Method::POST,
            |htu| self.htu_matches(htu, origin, "/oauth2/v1/token"),
            None,
        )
        .map_err(invalid)?;
        if !self.nonce_accepted(&proof, now) {
            let mut refusal = Refusal::from(error(
                StatusCode::BAD_REQUEST,
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof.",
            ));
            refusal
                .headers
                .push(dpop::nonce_header(&self.nonces.current(now)));
            return Err(refusal);
        }
        if !self.seen_proofs.first_use(&proof) {
            return Err(invalid("The DPoP proof JWT has already been used."));
        }
        let headers = self.newer_nonce(&proof, now).into_iter().collect();
        Ok((Some(proof), headers))
    }
}

/// The origin (`http(s)://host[:port]`) of a URL on a loopback host.
fn loopback_origin(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let authority_end = url[scheme_end..]
        .find('/')
        .map_or(url.len(), |at| scheme_end + at);
    let origin = &url[..authority_end];
    is_loopback_token_url(&format!("{origin}/oauth2/v1/token")).then_some(origin)
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
