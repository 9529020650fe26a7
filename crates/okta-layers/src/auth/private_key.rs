//! [`PrivateKey`]: the key signing `private_key_jwt` client assertions (RS256 or ES256).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use okta_users::{AuthError, Error};

use crate::ConfigError;
use rand::TryRngCore;
use serde::Serialize;

/// How long a client assertion is valid: Okta accepts at most one hour; five minutes is plenty
/// for one token request.
pub(crate) const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// The private key of an OAuth 2.0 service app, signing its client assertions
/// (`private_key_jwt`). Its `Debug` output never shows the key.
///
/// RSA keys sign with RS256, EC P-256 keys with ES256; the algorithm is read from the key.
#[derive(Clone)]
pub struct PrivateKey {
    key: Arc<EncodingKey>,
    algorithm: Algorithm,
    key_id: Option<Arc<str>>,
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, RSA or EC P-256) or
    /// PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`). SEC1 EC keys (`EC PRIVATE KEY`) are not
    /// supported: convert them with `openssl pkcs8 -topk8 -nocrypt`.
    ///
    /// Fails ([`ConfigError::InvalidPrivateKey`], never quoting the key) when the PEM is not one of those,
    /// or cannot sign (an RSA key shorter than 2048 bits, an EC key on another curve).
    ///
    /// ```no_run
    /// use okta_layers::auth::PrivateKey;
    /// # fn run() -> Result<(), okta_layers::ConfigError> {
    /// let pem = std::fs::read_to_string("okta-service-app.pem").expect("the key file");
    /// let key = PrivateKey::from_pem(&pem)?.with_key_id("kid-from-the-okta-admin-console");
    /// # drop(key); Ok(()) }
    /// ```
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<PrivateKey, ConfigError> {
        let pem = pem.as_ref();
        let invalid = ConfigError::private_key;
        let text = String::from_utf8_lossy(pem);
        if !text.contains("-----BEGIN") {
            return Err(invalid("not a PEM key (no -----BEGIN line)"));
        }
        if text.contains("-----BEGIN EC PRIVATE KEY-----") {
            return Err(invalid(
                "SEC1 `EC PRIVATE KEY` PEM is not supported; convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt`",
            ));
        }
        if text.contains("ENCRYPTED") {
            return Err(invalid("encrypted private keys are not supported"));
        }
        let (key, algorithm) = if let Ok(key) = EncodingKey::from_rsa_pem(pem) {
            (key, Algorithm::RS256)
        } else if let Ok(key) = EncodingKey::from_ec_pem(pem) {
            (key, Algorithm::ES256)
        } else {
            return Err(invalid(
                "not an RSA or EC private key in PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`) PEM",
            ));
        };
        let key = PrivateKey {
            key: Arc::new(key),
            algorithm,
            key_id: None,
        };
        // Sign once now, so that an unusable key fails here rather than at the first call.
        jsonwebtoken::encode(&Header::new(algorithm), &serde_json::json!({}), &key.key).map_err(
            |_| match algorithm {
                Algorithm::ES256 => invalid("the EC key cannot sign ES256 (it must be on P-256)"),
                _ => invalid("the RSA key cannot sign RS256 (it must have at least 2048 bits)"),
            },
        )?;
        Ok(key)
    }

    /// Sets the `kid` header of the assertions: the key's id as registered with the app in
    /// Okta (optional; Okta then tries each of the app's keys).
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(Arc::from(key_id.into()));
        self
    }

    /// The signing algorithm, read from the key: `RS256` or `ES256`.
    pub fn algorithm(&self) -> &'static str {
        match self.algorithm {
            Algorithm::ES256 => "ES256",
            _ => "RS256",
        }
    }

    /// The `kid` header, if set.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// A signed client assertion for `client_id` at `audience` (the token endpoint):
    /// iss = sub = client id, `iat` now, `exp` in five minutes, a fresh random `jti`.
    pub(crate) fn assertion(&self, client_id: &str, audience: &str) -> Result<String, Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = AssertionClaims {
            iss: client_id,
            sub: client_id,
            aud: audience,
            iat: now,
            exp: now + ASSERTION_LIFETIME.as_secs(),
            jti: &random_id()?,
        };
        let mut header = Header::new(self.algorithm);
        header.typ = Some("JWT".to_owned());
        header.kid = self.key_id.as_deref().map(str::to_owned);
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|error| {
            AuthError::new(format!("could not sign the client assertion: {error}")).into()
        })
    }
}

#[derive(Serialize)]
struct AssertionClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: &'a str,
}

/// 128 bits from the OS, base64url: a `jti` no one can guess or repeat.
fn random_id() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|error| {
            Error::from(AuthError::new(format!(
                "no randomness for the assertion's jti: {error}"
            )))
        })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .field("key_id", &self.key_id)
            .field("key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};
    use serde_json::Value;

    const RSA: &str = include_str!("../../../okta-mock/tests/keys/rsa_private.pem");
    const RSA_PUBLIC: &str = include_str!("../../../okta-mock/tests/keys/rsa_public.pem");
    const EC: &str = include_str!("../../../okta-mock/tests/keys/ec_private.pem");
    const EC_PUBLIC: &str = include_str!("../../../okta-mock/tests/keys/ec_public.pem");
    const AUD: &str = "https://dev-123.okta.com/oauth2/v1/token";

    fn decode(jwt: &str, key: &DecodingKey, algorithm: Algorithm) -> (Header, Value) {
        let mut validation = Validation::new(algorithm);
        validation.leeway = 0;
        validation.set_audience(&[AUD]);
        validation.set_issuer(&["0oa-client"]);
        validation.sub = Some("0oa-client".to_owned());
        validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        let data = jsonwebtoken::decode::<Value>(jwt, key, &validation).unwrap();
        (data.header, data.claims)
    }

    #[test]
    fn rsa_keys_sign_rs256_assertions_with_the_okta_claims() {
        let key = PrivateKey::from_pem(RSA).unwrap().with_key_id("kid-1");
        assert_eq!(key.algorithm(), "RS256");
        let jwt = key.assertion("0oa-client", AUD).unwrap();
        let public = DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap();
        let (header, claims) = decode(&jwt, &public, Algorithm::RS256);
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some("kid-1"));
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(claims["iss"], "0oa-client");
        assert_eq!(claims["sub"], "0oa-client");
        assert_eq!(claims["aud"], AUD);
        let iat = claims["iat"].as_u64().unwrap();
        let exp = claims["exp"].as_u64().unwrap();
        assert_eq!(exp - iat, 300);
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!(iat.abs_diff(now.as_secs()) <= 5, "{iat}");
        assert!(claims["jti"].as_str().unwrap().len() >= 22);
    }

    #[test]
    fn ec_keys_sign_es256_assertions_with_distinct_jti_and_no_kid_unless_set() {
        let key = PrivateKey::from_pem(EC.as_bytes()).unwrap();
        assert_eq!(key.algorithm(), "ES256");
        let public = DecodingKey::from_ec_pem(EC_PUBLIC.as_bytes()).unwrap();
        let (first_header, first) = decode(
            &key.assertion("0oa-client", AUD).unwrap(),
            &public,
            Algorithm::ES256,
        );
        let (_, second) = decode(
            &key.assertion("0oa-client", AUD).unwrap(),
            &public,
            Algorithm::ES256,
        );
        assert_eq!(first_header.kid, None);
        assert_ne!(first["jti"], second["jti"]);
    }

    #[test]
    fn pkcs1_rsa_keys_are_read_too() {
        // The PKCS#1 body is inside the PKCS#8 one: re-wrap it by hand.
        let der = pem_body(RSA);
        // PKCS#8 PrivateKeyInfo: SEQUENCE { version, algorithm, OCTET STRING { RSAPrivateKey } }.
        // For a 2048-bit key the header is 26 bytes long.
        let pkcs1 = &der[26..];
        let pem = format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
            base64::engine::general_purpose::STANDARD.encode(pkcs1)
        );
        let key = PrivateKey::from_pem(&pem).unwrap();
        assert_eq!(key.algorithm(), "RS256");
        let public = DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap();
        decode(
            &key.assertion("0oa-client", AUD).unwrap(),
            &public,
            Algorithm::RS256,
        );
    }

    fn pem_body(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap()
    }

    #[test]
    fn unusable_keys_are_refused_without_quoting_them() {
        let public = RSA_PUBLIC;
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n";
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAAs3cr3tAAAA\n-----END PRIVATE KEY-----\n";
        for bad in ["", "s3cr3t", public, sec1, garbage] {
            let error = PrivateKey::from_pem(bad).unwrap_err();
            assert!(
                matches!(error, ConfigError::InvalidPrivateKey { .. }),
                "{error:?}"
            );
            let text = format!("{error} {error:?}");
            assert!(!text.contains("s3cr3t") && !text.contains("MII"), "{text}");
        }
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = PrivateKey::from_pem(RSA).unwrap().with_key_id("kid-1");
        let text = format!("{key:?}");
        assert_eq!(
            text,
            r#"PrivateKey { algorithm: "RS256", key_id: Some("kid-1"), key: "<redacted>" }"#
        );
    }
}
