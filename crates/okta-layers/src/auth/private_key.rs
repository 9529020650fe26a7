//! [`PrivateKey`]: a key pair signing JWTs with RS256 or ES256 — the client assertions of
//! `private_key_jwt` and DPoP proofs — read from PEM (PKCS#8, PKCS#1, SEC1) or a JWK, or
//! generated (ES256).
//!
//! The key is held parsed by *ring*, so a signature costs no key parsing (jsonwebtoken would
//! parse the DER again for every signature, and a DPoP client signs once per request).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use okta_users::{AuthError, Error};
use rand::TryRngCore;
use ring::digest::{SHA256, digest};
use ring::rand::SystemRandom;
use ring::rsa::PublicKeyComponents;
use ring::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use serde::Serialize;

use super::key_formats::{self, KeyPair, ReadKey};
use crate::ConfigError;

/// How long a client assertion is valid: Okta accepts at most one hour; five minutes is plenty
/// for one token request.
pub(crate) const ASSERTION_LIFETIME: Duration = Duration::from_secs(300);

/// A private key: an OAuth 2.0 service app's, signing its client assertions
/// (`private_key_jwt`), or a client's DPoP key, signing its proofs. Its `Debug` output never
/// shows the key.
///
/// RSA keys (2048 to 8192 bits) sign with RS256, EC P-256 keys with ES256; the algorithm is
/// read from the key. Read one with [`from_pem`](Self::from_pem) (PKCS#8, PKCS#1 or SEC1),
/// [`from_jwk`](Self::from_jwk) (as Okta's admin console exports it), or
/// [`from_pem_or_jwk`](Self::from_pem_or_jwk); make a new one with
/// [`generate_es256`](Self::generate_es256).
#[derive(Clone)]
pub struct PrivateKey {
    pair: Arc<KeyPair>,
    public: Arc<PublicJwk>,
    key_id: Option<Arc<str>>,
}

/// The public half as a JWK with only its required members, in the lexicographic order of
/// RFC 7638 (so the same text is the thumbprint's input), and that thumbprint.
pub(crate) struct PublicJwk {
    pub(crate) json: String,
    pub(crate) thumbprint: String,
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, RSA or EC P-256),
    /// PKCS#1 (`-----BEGIN RSA PRIVATE KEY-----`) or SEC1 (`-----BEGIN EC PRIVATE KEY-----`,
    /// P-256, with its public key as OpenSSL writes it). Blocks before the key
    /// (`EC PARAMETERS`) are skipped.
    ///
    /// Fails ([`ConfigError::InvalidPrivateKey`], never quoting the key) when the PEM holds
    /// none of those, an encrypted key, or a key that cannot sign (an RSA key shorter than
    /// 2048 bits, an EC key on another curve).
    ///
    /// ```no_run
    /// use okta_layers::auth::PrivateKey;
    /// # fn run() -> Result<(), okta_layers::ConfigError> {
    /// let pem = std::fs::read_to_string("okta-service-app.pem").expect("the key file");
    /// let key = PrivateKey::from_pem(&pem)?.with_key_id("kid-from-the-okta-admin-console");
    /// # drop(key); Ok(()) }
    /// ```
    pub fn from_pem(pem: impl AsRef<[u8]>) -> Result<PrivateKey, ConfigError> {
        PrivateKey::new(key_formats::from_pem(pem.as_ref())?)
    }

    /// Reads a private JSON Web Key, as Okta's admin console generates it for a service app
    /// (and Okta's Go and Python SDKs accept it): `kty` `RSA` with `n`, `e`, `d`, `p`, `q`,
    /// `dp`, `dq`, `qi`, or `kty` `EC` with `crv` `P-256`, `x`, `y`, `d`; a JWK set holding
    /// exactly one key is read as that key. Its `kid`, if any, becomes the
    /// [key id](Self::key_id).
    pub fn from_jwk(jwk: impl AsRef<[u8]>) -> Result<PrivateKey, ConfigError> {
        PrivateKey::new(key_formats::from_jwk(jwk.as_ref())?)
    }

    /// A JWK when the text starts with `{` (after white space), a PEM key otherwise.
    pub fn from_pem_or_jwk(text: impl AsRef<[u8]>) -> Result<PrivateKey, ConfigError> {
        let text = text.as_ref();
        if text.trim_ascii_start().starts_with(b"{") {
            PrivateKey::from_jwk(text)
        } else {
            PrivateKey::from_pem(text)
        }
    }

    /// A new EC P-256 key (ES256) from the operating system's randomness: what a client makes
    /// for its DPoP proofs unless given a key.
    pub fn generate_es256() -> Result<PrivateKey, ConfigError> {
        PrivateKey::new(ReadKey {
            pair: key_formats::generate_es256()?,
            key_id: None,
        })
    }

    fn new(read: ReadKey) -> Result<PrivateKey, ConfigError> {
        let public = public_jwk(&read.pair);
        Ok(PrivateKey {
            pair: Arc::new(read.pair),
            public: Arc::new(public),
            key_id: read.key_id.map(Arc::from),
        })
    }

    /// Sets the `kid` header of the client assertions: the key's id as registered with the
    /// app in Okta (optional; Okta then tries each of the app's keys).
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(Arc::from(key_id.into()));
        self
    }

    /// The signing algorithm, read from the key: `RS256` or `ES256`.
    pub fn algorithm(&self) -> &'static str {
        match *self.pair {
            KeyPair::Es256(_) => "ES256",
            KeyPair::Rs256(_) => "RS256",
        }
    }

    /// The key id (`kid`), if set or read from a JWK.
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// The JWK SHA-256 thumbprint of the public key (RFC 7638), base64url: what an
    /// authorization server binds DPoP tokens to (`cnf.jkt`).
    pub fn thumbprint(&self) -> &str {
        &self.public.thumbprint
    }

    /// The public key as a JWK (required members only).
    pub(crate) fn public_jwk(&self) -> &str {
        &self.public.json
    }

    /// `message` signed (the raw JWS signature: r‖s for ES256).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
        let random = SystemRandom::new();
        match &*self.pair {
            KeyPair::Es256(pair) => Ok(pair.sign(&random, message)?.as_ref().to_vec()),
            KeyPair::Rs256(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &random, message, &mut signature)?;
                Ok(signature)
            }
        }
    }

    /// The base64url JOSE header `{"alg":…,"typ":typ}` plus `kid` (when `with_kid` and one is
    /// set) or the public `jwk` (when `with_jwk`).
    pub(crate) fn jose_header(&self, typ: &str, with_kid: bool, with_jwk: bool) -> String {
        let mut header = format!(r#"{{"alg":"{}","typ":"{typ}""#, self.algorithm());
        if with_kid && let Some(kid) = &self.key_id {
            header.push_str(",\"kid\":");
            header.push_str(&serde_json::Value::from(&**kid).to_string());
        }
        if with_jwk {
            header.push_str(",\"jwk\":");
            header.push_str(self.public_jwk());
        }
        header.push('}');
        URL_SAFE_NO_PAD.encode(header)
    }

    /// A compact JWS of `claims` under the base64url `header`.
    pub(crate) fn sign_jwt(&self, header: &str, claims: &impl Serialize) -> Result<String, Error> {
        let claims = serde_json::to_vec(claims).map_err(|error| {
            Error::from(AuthError::new(format!(
                "could not encode the JWT claims: {error}"
            )))
        })?;
        let mut jwt = String::with_capacity(header.len() + claims.len() * 4 / 3 + 360);
        jwt.push_str(header);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut jwt);
        let signature = self.sign(jwt.as_bytes()).map_err(|_| {
            Error::from(AuthError::new(format!(
                "could not sign a JWT with the {} key",
                self.algorithm()
            )))
        })?;
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);
        Ok(jwt)
    }

    /// A signed client assertion for `client_id` at `audience` (the token endpoint):
    /// iss = sub = client id, `iat` now, `exp` in five minutes, a fresh random `jti`.
    pub(crate) fn assertion(&self, client_id: &str, audience: &str) -> Result<String, Error> {
        let now = unix_now();
        let claims = AssertionClaims {
            iss: client_id,
            sub: client_id,
            aud: audience,
            iat: now,
            exp: now + ASSERTION_LIFETIME.as_secs(),
            jti: &random_id()?,
        };
        self.sign_jwt(&self.jose_header("JWT", true, false), &claims)
    }
}

/// Seconds since the epoch on the wall clock (what `iat` and `exp` are measured in).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// base64url of the SHA-256 of `bytes`.
pub(crate) fn sha256_b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(digest(&SHA256, bytes))
}

fn public_jwk(pair: &KeyPair) -> PublicJwk {
    let json = match pair {
        KeyPair::Es256(pair) => {
            // An uncompressed point: 0x04 ‖ x ‖ y, 32 bytes each on P-256.
            let point = pair.public_key().as_ref();
            format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(&point[1..33]),
                URL_SAFE_NO_PAD.encode(&point[33..65])
            )
        }
        KeyPair::Rs256(pair) => {
            let public = PublicKeyComponents::<Vec<u8>>::from(pair.public());
            format!(
                r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(&public.e),
                URL_SAFE_NO_PAD.encode(&public.n)
            )
        }
    };
    let thumbprint = sha256_b64(json.as_bytes());
    PublicJwk { json, thumbprint }
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
pub(crate) fn random_id() -> Result<String, Error> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|error| {
            Error::from(AuthError::new(format!(
                "no randomness for a JWT's jti: {error}"
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
    use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
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

    const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../okta-mock/tests/keys");

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{KEYS}/{name}")).unwrap()
    }

    #[test]
    fn every_format_of_the_same_key_signs_what_its_public_key_verifies() {
        let rsa_public = DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).unwrap();
        let ec_public = DecodingKey::from_ec_pem(EC_PUBLIC.as_bytes()).unwrap();
        let reference_rsa = PrivateKey::from_pem(RSA).unwrap();
        let reference_ec = PrivateKey::from_pem(EC).unwrap();
        for (name, kid) in [
            ("rsa_private_pkcs1.pem", None),
            ("rsa_private.jwk.json", Some("rsa-jwk-kid")),
            ("ec_private_sec1.pem", None),
            ("ec_private.jwk.json", Some("ec-jwk-kid")),
        ] {
            let key = PrivateKey::from_pem_or_jwk(fixture(name)).unwrap();
            assert_eq!(key.key_id(), kid, "{name}");
            let (public, reference, algorithm) = match key.algorithm() {
                "RS256" => (&rsa_public, &reference_rsa, Algorithm::RS256),
                _ => (&ec_public, &reference_ec, Algorithm::ES256),
            };
            decode(
                &key.assertion("0oa-client", AUD).unwrap(),
                public,
                algorithm,
            );
            assert_eq!(key.thumbprint(), reference.thumbprint(), "{name}");
        }
        // SEC1 after the EC PARAMETERS block `openssl ecparam -genkey` writes first.
        let with_parameters = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
            fixture("ec_private_sec1.pem")
        );
        assert_eq!(
            PrivateKey::from_pem(with_parameters).unwrap().algorithm(),
            "ES256"
        );
    }

    #[test]
    fn thumbprints_follow_rfc_7638() {
        // RFC 7638 §3.1's example key and thumbprint.
        let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        let expected = format!(r#"{{"e":"AQAB","kty":"RSA","n":"{n}"}}"#);
        assert_eq!(
            sha256_b64(expected.as_bytes()),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        let key = PrivateKey::from_jwk(fixture("rsa_private.jwk.json")).unwrap();
        let jwk: Value = serde_json::from_str(key.public_jwk()).unwrap();
        let members: Vec<_> = jwk.as_object().unwrap().keys().cloned().collect();
        assert_eq!(members, ["e", "kty", "n"]);
        assert_eq!(key.thumbprint(), sha256_b64(key.public_jwk().as_bytes()));
    }

    #[test]
    fn generated_keys_are_es256_and_distinct() {
        let first = PrivateKey::generate_es256().unwrap();
        let second = PrivateKey::generate_es256().unwrap();
        assert_eq!(first.algorithm(), "ES256");
        assert_ne!(first.thumbprint(), second.thumbprint());
        let jwk: Value = serde_json::from_str(first.public_jwk()).unwrap();
        let public = DecodingKey::from_jwk(&serde_json::from_value(jwk).unwrap()).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_required_spec_claims::<&str>(&[]);
        validation.validate_exp = false;
        let jwt = first
            .sign_jwt(
                &first.jose_header("dpop+jwt", false, true),
                &serde_json::json!({"a": 1}),
            )
            .unwrap();
        let data = jsonwebtoken::decode::<Value>(&jwt, &public, &validation).unwrap();
        assert_eq!(data.header.typ.as_deref(), Some("dpop+jwt"));
        assert!(data.header.jwk.is_some());
    }

    #[test]
    fn unusable_keys_are_refused_without_quoting_them() {
        let public = RSA_PUBLIC;
        let sec1 = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----\n";
        let garbage = "-----BEGIN PRIVATE KEY-----\nAAAAs3cr3tAAAA\n-----END PRIVATE KEY-----\n";
        let encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAAs3cr3t\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let public_jwk = r#"{"kty":"EC","crv":"P-256","x":"s3cr3t","y":"s3cr3t"}"#;
        let other_curve = r#"{"kty":"EC","crv":"P-384","x":"eA","y":"eQ","d":"s3cr3t"}"#;
        let no_crt = r#"{"kty":"RSA","n":"bg","e":"AQAB","d":"s3cr3t"}"#;
        let symmetric = r#"{"kty":"oct","k":"s3cr3t","d":"s3cr3t"}"#;
        let two = r#"{"keys":[{"kty":"EC"},{"kty":"EC"}]}"#;
        for bad in [
            "",
            "s3cr3t",
            public,
            sec1,
            garbage,
            encrypted,
            public_jwk,
            other_curve,
            no_crt,
            symmetric,
            two,
            "{s3cr3t",
        ] {
            let error = PrivateKey::from_pem_or_jwk(bad).unwrap_err();
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
