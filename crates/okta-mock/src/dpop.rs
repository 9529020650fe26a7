//! DPoP (RFC 9449) as Okta checks it: proofs (signature by the header's `jwk`, `typ`, `htm`,
//! `htu`, `iat`, `jti` not replayed, `ath`), the key's thumbprint a token is bound to
//! (`cnf.jkt`), the org's nonces, and the challenges Okta answers with.
//!
//! `iat` is measured against the host's wall clock, as the client assertions' `exp` is (a
//! paused test may advance the org's clock by hours without making every proof stale); the
//! nonces live on the org's clock, so advancing it rotates them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderName, HeaderValue, Method};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use ring::digest::{SHA256, digest};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// The `DPoP-Nonce` response header.
pub(crate) static DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");
/// How far in the past a proof's `iat` may be (Okta: five minutes).
const MAX_AGE_SECS: u64 = 300;
/// How far in the future a proof's `iat` may be (clock skew).
const MAX_AHEAD_SECS: u64 = 60;
/// The algorithms a proof may be signed with (the asymmetric ones Okta lists in `algs`).
pub(crate) const ALGS: &str = "RS256 RS384 RS512 ES256 ES384";

/// What a valid proof says.
#[derive(Debug, Clone)]
pub(crate) struct Proof {
    /// The JWK SHA-256 thumbprint of the key that signed it.
    pub jkt: String,
    pub nonce: Option<String>,
    pub jti: String,
    pub iat: u64,
}

/// base64url SHA-256.
pub(crate) fn sha256_b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest(&SHA256, bytes))
}

fn wall_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The RFC 7638 thumbprint of a public JWK (its required members, in lexicographic order).
fn thumbprint(jwk: &Value) -> Option<String> {
    let member = |name: &str| jwk.get(name)?.as_str().map(|s| Value::from(s).to_string());
    let canonical = match jwk.get("kty")?.as_str()? {
        "RSA" => format!(
            r#"{{"e":{},"kty":"RSA","n":{}}}"#,
            member("e")?,
            member("n")?
        ),
        "EC" => format!(
            r#"{{"crv":{},"kty":"EC","x":{},"y":{}}}"#,
            member("crv")?,
            member("x")?,
            member("y")?
        ),
        _ => return None,
    };
    Some(sha256_b64(canonical.as_bytes()))
}

/// Checks a proof for a request of `method` whose `htu` `htu_ok` accepts; `access_token`: the
/// token it must be bound to (`ath`) on an API request. The error is Okta's description.
pub(crate) fn verify(
    proof: &str,
    method: &Method,
    htu_ok: impl Fn(&str) -> bool,
    access_token: Option<&str>,
) -> Result<Proof, &'static str> {
    const MALFORMED: &str = "The DPoP proof JWT is malformed.";
    let header = proof.split('.').next().ok_or(MALFORMED)?;
    let header: Value = URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or(MALFORMED)?;
    if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err("The DPoP proof JWT 'typ' header is invalid.");
    }
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .filter(|alg| ALGS.split(' ').any(|known| known == *alg))
        .and_then(|alg| alg.parse::<Algorithm>().ok())
        .ok_or("The DPoP proof JWT 'alg' header is not supported.")?;
    let jwk = header
        .get("jwk")
        .filter(|jwk| jwk.is_object())
        .ok_or("The DPoP proof JWT 'jwk' header is missing.")?;
    if jwk.get("d").is_some() {
        return Err("The DPoP proof JWT 'jwk' header contains a private key.");
    }
    let jkt = thumbprint(jwk).ok_or("The DPoP proof JWT 'jwk' header is invalid.")?;
    let key = serde_json::from_value::<Jwk>(jwk.clone())
        .ok()
        .and_then(|jwk| DecodingKey::from_jwk(&jwk).ok())
        .ok_or("The DPoP proof JWT 'jwk' header is invalid.")?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.set_required_spec_claims::<&str>(&[]);
    let claims = jsonwebtoken::decode::<Value>(proof, &key, &validation)
        .map_err(|_| "The DPoP proof JWT signature is invalid.")?
        .claims;
    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("htm") != Some(method.as_str()) {
        return Err("'htm' claim in the DPoP proof JWT is invalid.");
    }
    if !text("htu").is_some_and(&htu_ok) {
        return Err("'htu' claim in the DPoP proof JWT is invalid.");
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_u64)
        .ok_or("'iat' claim in the DPoP proof JWT is missing.")?;
    let now = wall_secs();
    if iat.saturating_add(MAX_AGE_SECS) < now {
        return Err("The DPoP proof JWT is issued more than five minutes in the past.");
    }
    if iat > now.saturating_add(MAX_AHEAD_SECS) {
        return Err("The DPoP proof JWT is issued in the future.");
    }
    let jti = text("jti")
        .filter(|jti| !jti.is_empty() && jti.len() <= 256)
        .ok_or("'jti' claim in the DPoP proof JWT is missing.")?;
    if let Some(token) = access_token
        && text("ath") != Some(sha256_b64(token.as_bytes()).as_str())
    {
        return Err("'ath' claim in the DPoP proof JWT is invalid.");
    }
    Ok(Proof {
        jkt,
        nonce: text("nonce").map(str::to_owned),
        jti: jti.to_owned(),
        iat,
    })
}

/// The `htu` Okta expects for a request to `origin` `path`: the path percent-decoded, with `%`,
/// space, `"` and `#` encoded again (it compares decoded paths; see okta-sdk-python#541).
pub(crate) fn expected_htu(origin: &str, path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut htu = String::with_capacity(origin.len() + decoded.len());
    htu.push_str(origin);
    for c in decoded.chars() {
        match c {
            '%' => htu.push_str("%25"),
            ' ' => htu.push_str("%20"),
            '"' => htu.push_str("%22"),
            '#' => htu.push_str("%23"),
            c if c.is_control() => htu.push_str(&format!("%{:02X}", c as u32)),
            c => htu.push(c),
        }
    }
    htu
}

/// Proof `jti`s seen, forgotten once their proof could no longer be accepted anyway.
#[derive(Default)]
pub(crate) struct SeenProofs(Mutex<HashMap<String, u64>>);

impl SeenProofs {
    /// Records `proof`'s `jti`; false when it was seen before (a replay).
    pub fn first_use(&self, proof: &Proof) -> bool {
        let Ok(mut seen) = self.0.lock() else {
            return false;
        };
        let horizon = wall_secs().saturating_sub(MAX_AGE_SECS + MAX_AHEAD_SECS);
        if seen.len() > 1024 {
            seen.retain(|_, iat| *iat >= horizon);
        }
        seen.insert(proof.jti.clone(), proof.iat).is_none()
    }
}

/// The org's DPoP nonces: a new one every `lifetime` (Okta: a day), each accepted for three
/// lifetimes after it was issued (Okta: three days).
pub(crate) struct Nonces {
    lifetime: Duration,
    issued: Mutex<Vec<(String, Instant)>>,
}

impl Nonces {
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime: lifetime.max(Duration::from_secs(1)),
            issued: Mutex::new(Vec::new()),
        }
    }

    /// The nonce to hand out at `now`.
    pub fn current(&self, now: Instant) -> String {
        let Ok(mut issued) = self.issued.lock() else {
            return String::new();
        };
        let grace = self.lifetime.saturating_mul(3);
        issued.retain(|(_, at)| now.saturating_duration_since(*at) < grace);
        match issued.last() {
            Some((nonce, at)) if now.saturating_duration_since(*at) < self.lifetime => {
                nonce.clone()
            }
            _ => {
                let nonce = crate::ids::token(32);
                issued.push((nonce.clone(), now));
                nonce
            }
        }
    }

    /// Whether `nonce` is one still accepted at `now`.
    pub fn accepts(&self, nonce: &str, now: Instant) -> bool {
        self.current(now);
        self.issued
            .lock()
            .is_ok_and(|issued| issued.iter().any(|(known, _)| known == nonce))
    }

    /// Forgets every nonce: the next proof needs a new one.
    pub fn rotate(&self) {
        if let Ok(mut issued) = self.issued.lock() {
            issued.clear();
        }
    }
}

/// `WWW-Authenticate: DPoP algs="…", error="…", error_description="…"`.
pub(crate) fn challenge(error: &str, description: &str) -> (HeaderName, HeaderValue) {
    let value =
        format!(r#"DPoP algs="{ALGS}", error="{error}", error_description="{description}""#);
    (
        http::header::WWW_AUTHENTICATE,
        HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("DPoP")),
    )
}

/// The `DPoP-Nonce` header for `nonce`.
pub(crate) fn nonce_header(nonce: &str) -> (HeaderName, HeaderValue) {
    (
        DPOP_NONCE.clone(),
        HeaderValue::from_str(nonce).unwrap_or(HeaderValue::from_static("")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_is_compared_decoded_as_okta_does() {
        assert_eq!(
            expected_htu("https://o.example", "/api/v1/users/a%40b.com"),
            "https://o.example/api/v1/users/a@b.com"
        );
        assert_eq!(
            expected_htu("https://o.example", "/api/v1/users/a%20b%25"),
            "https://o.example/api/v1/users/a%20b%25"
        );
    }

    #[test]
    fn thumbprints_follow_rfc_7638() {
        let jwk: Value = serde_json::json!({
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            "e": "AQAB",
            "alg": "RS256",
            "kid": "2011-04-29"
        });
        assert_eq!(
            thumbprint(&jwk).as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn nonces_rotate_daily_and_stay_accepted_three_days() {
        let nonces = Nonces::new(Duration::from_secs(86_400));
        let first = nonces.current(Instant::now());
        assert_eq!(nonces.current(Instant::now()), first);
        tokio::time::advance(Duration::from_secs(86_400)).await;
        let second = nonces.current(Instant::now());
        assert_ne!(second, first);
        assert!(nonces.accepts(&first, Instant::now()));
        tokio::time::advance(Duration::from_secs(2 * 86_400)).await;
        assert!(!nonces.accepts(&first, Instant::now()));
        nonces.rotate();
        assert!(!nonces.accepts(&second, Instant::now()));
    }
}
