//! DPoP (RFC 9449) as Okta implements it: the client's key, its proofs, the server's nonces,
//! and the `WWW-Authenticate: DPoP` challenges of the API.
//!
//! A proof is a JWT (`typ: dpop+jwt`, the public `jwk` in its header) signed by the client's
//! DPoP key, with `htm` (the method), `htu` (the URL without query and fragment), `iat`, a
//! random `jti`, `ath` (base64url SHA-256 of the access token) on API requests, and `nonce`
//! once the server gave one. One proof per request sent: a proof is single-use.
//!
//! Okta's nonces: the token endpoint answers a proof without one `400 use_dpop_nonce` with a
//! `DPoP-Nonce` header; a nonce lasts about a day (the old one is accepted for a while after).
//! Each is kept until a response brings another, so a nonce costs one round trip, not one per
//! token. The API's nonce (RFC 9449 §9: a resource server may ask for its own) is kept apart.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use http::header::{HeaderMap, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use http::{Method, Request, Uri};
use okta_users::{AuthError, Error};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde::Serialize;

use super::PrivateKey;
use super::private_key::{random_id, sha256_b64, unix_now};
use crate::ConfigError;

/// The request header carrying a proof.
static DPOP: HeaderName = HeaderName::from_static("dpop");
/// The response header carrying a server's nonce.
pub(crate) static DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");
/// The longest nonce believed (Okta's are well under 200 bytes).
const MAX_NONCE_LEN: usize = 1024;

/// Whether OAuth access tokens are bound to the client's key with DPoP (RFC 9449). Okta turns
/// "Require DPoP" on by default for new API service apps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopMode {
    /// Never: no token request carries a proof (an app requiring DPoP then refuses them with
    /// `invalid_dpop_proof`).
    Off,
    /// Always: every token request carries a proof from its first attempt, and a DPoP-bound
    /// token is used with a fresh proof on every API request.
    On,
    /// Off until the token endpoint asks for it — answering `invalid_dpop_proof` to a request
    /// without a proof, which then is sent again with one — and on from then on, for the
    /// client's lifetime: one refused token request per client, not one per token. The
    /// default.
    #[default]
    Auto,
}

impl FromStr for DpopMode {
    type Err = ConfigError;

    /// `true`, `on`, `yes`, `1`, `enabled` → [`On`](DpopMode::On); `false`, `off`, `no`, `0`,
    /// `disabled` → [`Off`](DpopMode::Off); `auto` → [`Auto`](DpopMode::Auto); any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "on" | "yes" | "1" | "enabled" => Ok(DpopMode::On),
            "false" | "off" | "no" | "0" | "disabled" => Ok(DpopMode::Off),
            "auto" => Ok(DpopMode::Auto),
            _ => Err(ConfigError::credentials(format!(
                "DPoP mode {text:?}: expected true, false or auto"
            ))),
        }
    }
}

/// The DPoP settings of OAuth credentials: the mode, and the key (generated when none given).
#[derive(Debug, Clone, Default)]
pub(crate) struct DpopSettings {
    pub(crate) mode: DpopMode,
    pub(crate) key: Option<PrivateKey>,
}

/// A client's DPoP state, shared by every clone of its auth layer.
pub(crate) struct Dpop {
    mode: DpopMode,
    /// Auto: the token endpoint asked for DPoP.
    learned: AtomicBool,
    key: PrivateKey,
    /// The proofs' base64url JOSE header (the same for every proof of this key).
    header: String,
    token_nonce: Nonce,
    api_nonce: Nonce,
}

impl std::fmt::Debug for Dpop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dpop")
            .field("mode", &self.mode)
            .field("active", &self.active())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct ProofClaims<'a> {
    jti: &'a str,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ath: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
}

impl Dpop {
    /// The state for `settings`: `None` when DPoP is off; the given key, or a new ES256 one.
    pub(crate) fn new(settings: &DpopSettings) -> Result<Option<Arc<Dpop>>, ConfigError> {
        if settings.mode == DpopMode::Off {
            return Ok(None);
        }
        let key = match &settings.key {
            Some(key) => key.clone(),
            None => PrivateKey::generate_es256()?,
        };
        Ok(Some(Arc::new(Dpop {
            mode: settings.mode,
            learned: AtomicBool::new(false),
            header: key.jose_header("dpop+jwt", false, true),
            key,
            token_nonce: Nonce::default(),
            api_nonce: Nonce::default(),
        })))
    }

    /// Whether token requests carry proofs: on, or auto once learned.
    pub(crate) fn active(&self) -> bool {
        self.mode == DpopMode::On || self.learned.load(Ordering::Relaxed)
    }

    /// Auto: the token endpoint asked for DPoP; true when this turned it on.
    pub(crate) fn learn(&self) -> bool {
        self.mode == DpopMode::Auto && !self.learned.swap(true, Ordering::Relaxed)
    }

    /// The key's JWK thumbprint (what a DPoP-bound token's `cnf.jkt` names).
    pub(crate) fn thumbprint(&self) -> &str {
        self.key.thumbprint()
    }

    /// The token endpoint's nonce.
    pub(crate) fn token_nonce(&self) -> &Nonce {
        &self.token_nonce
    }

    /// The API's nonce.
    pub(crate) fn api_nonce(&self) -> &Nonce {
        &self.api_nonce
    }

    /// A fresh proof for `method` `htu`, with `ath` (API requests) and `nonce` when given.
    pub(crate) fn proof(
        &self,
        method: &Method,
        htu: &str,
        ath: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<String, Error> {
        let claims = ProofClaims {
            jti: &random_id()?,
            htm: method.as_str(),
            htu,
            iat: unix_now(),
            ath,
            nonce,
        };
        self.key.sign_jwt(&self.header, &claims)
    }
}

/// A server's nonce: the last one a response brought.
#[derive(Default)]
pub(crate) struct Nonce(RwLock<Option<Arc<str>>>);

impl Nonce {
    /// The current nonce, if any.
    pub(crate) fn get(&self) -> Option<Arc<str>> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Keeps the `DPoP-Nonce` of `headers`, if any and usable (1 to 1024 visible ASCII
    /// characters, RFC 9449's `NQCHAR`s); true when it differs from the one kept.
    pub(crate) fn update(&self, headers: &HeaderMap) -> bool {
        let Some(nonce) = headers
            .get(&DPOP_NONCE)
            .and_then(|value| value.to_str().ok())
            .filter(|nonce| {
                !nonce.is_empty()
                    && nonce.len() <= MAX_NONCE_LEN
                    && nonce
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
            })
        else {
            return false;
        };
        let mut kept = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if kept.as_deref() == Some(nonce) {
            return false;
        }
        *kept = Some(Arc::from(nonce));
        true
    }
}

/// What `htu` leaves encoded after Okta's decoding of the path (as Okta's Java SDK does it,
/// tested against Okta with every character: okta-sdk-java#1526): `%`, space, `"`, `#`, and
/// control characters.
const HTU_ENCODED: &AsciiSet = &CONTROLS.add(b'%').add(b' ').add(b'"').add(b'#');

/// The `htu` of a request to `uri`: scheme, authority and path, without query and fragment.
/// Okta compares it with the request's path percent-decoded (an encoded `@` in a login would
/// not match: okta-sdk-python#541), so the path is decoded and only what must stay encoded is
/// encoded again.
pub(crate) fn htu(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("https");
    let authority = uri.authority().map_or("", |authority| authority.as_str());
    let path = uri.path();
    let path = match percent_decode_str(path).decode_utf8() {
        Ok(decoded) => utf8_percent_encode(&decoded, HTU_ENCODED).to_string(),
        // Not UTF-8 once decoded: as sent.
        Err(_) => path.to_owned(),
    };
    format!("{scheme}://{authority}{path}")
}

/// Puts `proof` in `request`'s `DPoP` header, marked sensitive.
pub(crate) fn set_proof<B>(request: &mut Request<B>, proof: &str) -> Result<(), Error> {
    let mut value = HeaderValue::try_from(proof)
        .map_err(|_| Error::from(AuthError::new("a DPoP proof is not a header value")))?;
    value.set_sensitive(true);
    request.headers_mut().insert(&DPOP, value);
    Ok(())
}

/// `ath`: base64url SHA-256 of the access token.
pub(crate) fn access_token_hash(token: &str) -> String {
    sha256_b64(token.as_bytes())
}

/// A `WWW-Authenticate: DPoP …` challenge's `error` and `error_description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) error: String,
    pub(crate) description: Option<String>,
}

/// The longest challenge text read (Okta's run about 300 bytes).
const MAX_CHALLENGE_LEN: usize = 4096;

/// The first `DPoP` challenge with an `error` among `headers`' `WWW-Authenticate` values.
pub(crate) fn challenge(headers: &HeaderMap) -> Option<Challenge> {
    headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .filter(|value| value.len() <= MAX_CHALLENGE_LEN)
        .find_map(parse_challenge)
}

fn parse_challenge(value: &str) -> Option<Challenge> {
    let value = value.trim_start();
    let (scheme, params) = value.split_at(value.find(' ').unwrap_or(value.len()));
    if !scheme.eq_ignore_ascii_case("DPoP") {
        return None;
    }
    let mut error = None;
    let mut description = None;
    for (name, value) in auth_params(params) {
        match name.to_ascii_lowercase().as_str() {
            "error" => error = Some(value),
            "error_description" => description = Some(value),
            _ => {}
        }
    }
    Some(Challenge {
        error: error?,
        description,
    })
}

/// `name=token` and `name="quoted \" string"` pairs, comma separated (RFC 9110 §11.2).
fn auth_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let Some(equals) = rest.find('=') else {
            return params;
        };
        let name = rest[..equals].trim().to_owned();
        rest = rest[equals + 1..].trim_start();
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((at, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = at + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = &quoted[end.min(quoted.len())..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        params.push((name, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_from_text() {
        for (text, mode) in [
            ("true", DpopMode::On),
            (" TRUE ", DpopMode::On),
            ("on", DpopMode::On),
            ("1", DpopMode::On),
            ("false", DpopMode::Off),
            ("Off", DpopMode::Off),
            ("auto", DpopMode::Auto),
        ] {
            assert_eq!(text.parse::<DpopMode>().unwrap(), mode, "{text}");
        }
        assert!("maybe".parse::<DpopMode>().is_err());
        assert_eq!(DpopMode::default(), DpopMode::Auto);
    }

    #[test]
    fn htu_drops_query_and_fragment_and_decodes_the_path_as_okta_does() {
        let htu = |uri: &str| htu(&uri.parse().unwrap());
        assert_eq!(
            htu("https://dev-1.okta.com/api/v1/users?limit=2&after=x#frag"),
            "https://dev-1.okta.com/api/v1/users"
        );
        assert_eq!(
            htu("https://dev-1.okta.com:8443/api/v1/users/ada%40example.com"),
            "https://dev-1.okta.com:8443/api/v1/users/ada@example.com"
        );
        assert_eq!(
            htu("http://127.0.0.1:9/api/v1/users/a%20b%25c%22d%23e%2Ff"),
            "http://127.0.0.1:9/api/v1/users/a%20b%25c%22d%23e/f"
        );
        // Not UTF-8 once decoded: kept as sent.
        assert_eq!(
            htu("https://dev-1.okta.com/api/v1/users/%FF"),
            "https://dev-1.okta.com/api/v1/users/%FF"
        );
    }

    #[test]
    fn the_access_token_hash_is_rfc_9449s() {
        // RFC 9449 §7.1's example token and its `ath`.
        assert_eq!(
            access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
            "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
        );
    }

    #[test]
    fn challenges_are_parsed_as_okta_sends_them() {
        let mut headers = HeaderMap::new();
        headers.append(WWW_AUTHENTICATE, "Bearer realm=\"x\"".parse().unwrap());
        headers.append(
            WWW_AUTHENTICATE,
            "DPoP algs=\"RS256 RS384 RS512 ES256 ES384 ES512\", authorization_uri=\"http://tenant.okta.com/oauth2/v1/authorize\", realm=\"http://tenant.okta.com\", scope=\"okta.users.read.self\", error=\"invalid_dpop_proof\", error_description=\"The DPoP proof JWT has already been used.\", resource=\"/api/v1/users\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            challenge(&headers),
            Some(Challenge {
                error: "invalid_dpop_proof".into(),
                description: Some("The DPoP proof JWT has already been used.".into()),
            })
        );
        let mut headers = HeaderMap::new();
        headers.insert(
            WWW_AUTHENTICATE,
            r#"dpop error=use_dpop_nonce, error_description="say \"nonce\"""#
                .parse()
                .unwrap(),
        );
        let parsed = challenge(&headers).unwrap();
        assert_eq!(parsed.error, "use_dpop_nonce");
        assert_eq!(parsed.description.as_deref(), Some(r#"say "nonce""#));
        for value in [
            "DPoP",
            "DPoP algs=\"ES256\"",
            "Bearer error=\"x\"",
            "DPoP error=\"unterminated",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(WWW_AUTHENTICATE, value.parse().unwrap());
            let parsed = challenge(&headers);
            if value.starts_with("DPoP error") {
                assert_eq!(parsed.unwrap().error, "unterminated");
            } else {
                assert_eq!(parsed, None, "{value}");
            }
        }
    }

    #[test]
    fn nonces_are_kept_until_another_comes_and_garbage_is_ignored() {
        let nonce = Nonce::default();
        let headers = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(&DPOP_NONCE, value.parse().unwrap());
            headers
        };
        assert!(nonce.get().is_none());
        assert!(nonce.update(&headers("n-1")));
        assert!(!nonce.update(&headers("n-1")));
        assert!(!nonce.update(&HeaderMap::new()));
        assert!(!nonce.update(&headers("with space")));
        assert!(!nonce.update(&headers(&"x".repeat(MAX_NONCE_LEN + 1))));
        assert_eq!(nonce.get().as_deref(), Some("n-1"));
        assert!(nonce.update(&headers("n-2")));
        assert_eq!(nonce.get().as_deref(), Some("n-2"));
    }

    #[test]
    fn auto_learns_once_and_on_and_off_do_not_learn() {
        let auto = Dpop::new(&DpopSettings::default()).unwrap().unwrap();
        assert!(!auto.active());
        assert!(auto.learn());
        assert!(auto.active());
        assert!(!auto.learn());
        let on = Dpop::new(&DpopSettings {
            mode: DpopMode::On,
            key: None,
        })
        .unwrap()
        .unwrap();
        assert!(on.active() && !on.learn());
        assert!(
            Dpop::new(&DpopSettings {
                mode: DpopMode::Off,
                key: None
            })
            .unwrap()
            .is_none()
        );
    }
}
