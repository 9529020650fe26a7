//! [`Credentials`] and the [`SecretToken`] that never prints itself.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use super::dpop::{DpopMode, DpopSettings};
use super::{PrivateKey, TokenProvider};
use crate::ConfigError;

/// A secret (an API token, an access token) that never shows in `Debug` or `Display` output:
/// both print `<redacted>`. Read it with [`SecretToken::expose`]. Held in `secrecy`'s
/// `SecretString`: its memory is zeroed when it is dropped.
#[derive(Clone)]
pub struct SecretToken(SecretString);

impl SecretToken {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        SecretToken(SecretString::from(secret.into()))
    }

    /// The secret itself; call this only to send it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for SecretToken {
    fn from(secret: String) -> Self {
        SecretToken::new(secret)
    }
}

impl From<&str> for SecretToken {
    fn from(secret: &str) -> Self {
        SecretToken::new(secret)
    }
}

impl fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for SecretToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the client authenticates to Okta. More ways may be added: matches need a wildcard arm.
///
/// The three modes: an API token ([`api_token`](Self::api_token), `SSWS`), OAuth 2.0 with the
/// client's own tokens ([`private_key`](Self::private_key): `private_key_jwt`, DPoP-bound when
/// the app requires it), or OAuth 2.0 tokens from elsewhere ([`access_token`](Self::access_token),
/// fixed; [`token_provider`](Self::token_provider), refreshed through your code).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An Okta API token, sent as `Authorization: SSWS <token>`.
    ApiToken(SecretToken),
    /// An OAuth 2.0 access token obtained elsewhere, sent as `Authorization: Bearer <token>`.
    AccessToken(SecretToken),
    /// OAuth 2.0 client credentials with `private_key_jwt`: access tokens are fetched from the
    /// org's `/oauth2/v1/token`, cached and refreshed (see [`AuthLayer`](super::AuthLayer)),
    /// DPoP-bound as [its mode](PrivateKeyJwt::dpop_mode) says.
    PrivateKey(PrivateKeyJwt),
    /// OAuth 2.0 access tokens from a [`TokenProvider`] of yours, cached and refreshed by the
    /// layer as its own.
    TokenProvider(ProvidedTokens),
}

/// An OAuth 2.0 service app authenticating with a signed client assertion (`private_key_jwt`):
/// its client id, its private key, the scopes to ask for, and DPoP. `Debug` hides the keys.
#[derive(Debug, Clone)]
pub struct PrivateKeyJwt {
    client_id: String,
    key: PrivateKey,
    scopes: Vec<String>,
    dpop: DpopSettings,
}

/// Access tokens from a [`TokenProvider`], and the DPoP key they may be bound to.
#[derive(Clone)]
pub struct ProvidedTokens {
    pub(crate) provider: Arc<dyn TokenProvider>,
    pub(crate) dpop: DpopSettings,
}

impl fmt::Debug for ProvidedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProvidedTokens")
            .field("provider", &"..")
            .field("dpop", &self.dpop)
            .finish()
    }
}

impl PrivateKeyJwt {
    /// The app's client id (`0oa…`).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The key signing the assertions.
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }

    /// The scopes asked for, such as `okta.users.read`.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// Whether its tokens are DPoP-bound ([`DpopMode::Auto`] unless set).
    pub fn dpop_mode(&self) -> DpopMode {
        self.dpop.mode
    }

    pub(crate) fn dpop(&self) -> &DpopSettings {
        &self.dpop
    }

    /// The scopes as the `scope` parameter wants them (space separated), once checked: at
    /// least one, each a non-empty run of printable ASCII other than space, `"` and `\`
    /// (RFC 6749 §3.3).
    pub(crate) fn scope_parameter(&self) -> Result<String, ConfigError> {
        if self.client_id.is_empty()
            || !self
                .client_id
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        {
            return Err(ConfigError::credentials(
                "the client id is empty or contains characters a client id cannot have",
            ));
        }
        if self.scopes.is_empty() {
            return Err(ConfigError::credentials(
                "no scopes: ask for at least one, such as okta.users.read",
            ));
        }
        for scope in &self.scopes {
            let valid = !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
            if !valid {
                return Err(ConfigError::credentials(format!("invalid scope {scope:?}")));
            }
        }
        Ok(self.scopes.join(" "))
    }
}

impl Credentials {
    /// An Okta API token (`SSWS`).
    pub fn api_token(token: impl Into<SecretToken>) -> Self {
        Credentials::ApiToken(token.into())
    }

    /// An OAuth 2.0 access token (`Bearer`).
    pub fn access_token(token: impl Into<SecretToken>) -> Self {
        Credentials::AccessToken(token.into())
    }

    /// OAuth 2.0 client credentials with `private_key_jwt`: the service app `client_id`, its
    /// `key`, and the `scopes` to ask for (such as `okta.users.read`, `okta.users.manage`;
    /// checked when the [`AuthLayer`](super::AuthLayer) is built).
    ///
    /// ```no_run
    /// use okta_layers::auth::{Credentials, PrivateKey};
    /// # fn run(pem: &str) -> Result<(), okta_layers::ConfigError> {
    /// let credentials = Credentials::private_key(
    ///     "0oa1b2c3d4e5f6g7h8i9",
    ///     PrivateKey::from_pem(pem)?,
    ///     ["okta.users.read", "okta.users.manage"],
    /// );
    /// # drop(credentials); Ok(()) }
    /// ```
    pub fn private_key(
        client_id: impl Into<String>,
        key: PrivateKey,
        scopes: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Credentials::PrivateKey(PrivateKeyJwt {
            client_id: client_id.into(),
            key,
            scopes: scopes.into_iter().map(Into::into).collect(),
            dpop: DpopSettings::default(),
        })
    }

    /// OAuth 2.0 access tokens from `provider` (a vault, a sidecar, your own refresh; a
    /// closure with [`token_fn`](super::token_fn)): the layer caches them, asks once for any
    /// number of concurrent calls, and asks again shortly before one expires or after the API
    /// refused it.
    pub fn token_provider(provider: impl TokenProvider) -> Self {
        Credentials::TokenProvider(ProvidedTokens {
            provider: Arc::new(provider),
            dpop: DpopSettings::default(),
        })
    }

    /// Sets the DPoP mode of OAuth credentials the client gets tokens for
    /// ([`private_key`](Self::private_key), [`token_provider`](Self::token_provider));
    /// [`DpopMode::Auto`] by default. An API token is not OAuth and a fixed access token is
    /// sent as given: for those it changes nothing ([`dpop_mode`](Self::dpop_mode) is `None`).
    pub fn with_dpop(mut self, mode: DpopMode) -> Self {
        if let Some(settings) = self.dpop_settings_mut() {
            settings.mode = mode;
        }
        self
    }

    /// Signs DPoP proofs with `key` (RS256 or ES256) instead of an ES256 key generated when the
    /// layer is built. Like [`with_dpop`](Self::with_dpop), for OAuth credentials the client
    /// gets tokens for.
    pub fn with_dpop_key(mut self, key: PrivateKey) -> Self {
        if let Some(settings) = self.dpop_settings_mut() {
            settings.key = Some(key);
        }
        self
    }

    /// The DPoP mode, for credentials that can be DPoP-bound.
    pub fn dpop_mode(&self) -> Option<DpopMode> {
        match self {
            Credentials::PrivateKey(client) => Some(client.dpop.mode),
            Credentials::TokenProvider(provided) => Some(provided.dpop.mode),
            Credentials::ApiToken(_) | Credentials::AccessToken(_) => None,
        }
    }

    fn dpop_settings_mut(&mut self) -> Option<&mut DpopSettings> {
        match self {
            Credentials::PrivateKey(client) => Some(&mut client.dpop),
            Credentials::TokenProvider(provided) => Some(&mut provided.dpop),
            Credentials::ApiToken(_) | Credentials::AccessToken(_) => None,
        }
    }
}

/// `<scheme> <token>` as a sensitive header value.
pub(crate) fn authorization_header(
    scheme: &str,
    token: &SecretToken,
) -> Result<HeaderValue, ConfigError> {
    let invalid = ConfigError::credentials;
    let token = token.expose();
    if token.is_empty() {
        return Err(invalid("the token is empty"));
    }
    if token.trim() != token || token.contains(' ') {
        return Err(invalid("the token contains white space"));
    }
    let mut value = HeaderValue::try_from(format!("{scheme} {token}"))
        .map_err(|_| invalid("the token contains characters not allowed in an HTTP header"))?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_prints_itself() {
        let credentials = Credentials::api_token("00s3cr3t");
        assert_eq!(format!("{credentials:?}"), "ApiToken(<redacted>)");
        let token = SecretToken::new("00s3cr3t");
        assert_eq!(
            format!("{token} {token:?} {token:#?}"),
            "<redacted> <redacted> <redacted>"
        );
        assert_eq!(token.expose(), "00s3cr3t");
    }

    #[test]
    fn dpop_keys_providers_and_provided_tokens_never_print_themselves() {
        let key = PrivateKey::generate_es256().unwrap();
        let credentials = Credentials::token_provider(super::super::token_fn(|_| async {
            Ok(super::super::AccessToken::dpop("eyJs3cr3t-access-token"))
        }))
        .with_dpop(DpopMode::On)
        .with_dpop_key(key.clone());
        let text = format!("{credentials:?} {key:?}");
        assert!(text.contains("<redacted>") && text.contains("On"), "{text}");
        let token = super::super::AccessToken::bearer("eyJs3cr3t-access-token");
        assert!(!format!("{token:?}").contains("s3cr3t"));
        // DPoP settings change nothing for an API token.
        let api = Credentials::api_token("00abc").with_dpop(DpopMode::On);
        assert_eq!(api.dpop_mode(), None);
    }

    #[test]
    fn headers_are_ssws_or_bearer_and_sensitive() {
        let ssws = authorization_header("SSWS", &"00abc".into()).unwrap();
        assert_eq!(ssws, "SSWS 00abc");
        assert!(ssws.is_sensitive());
        let bearer = authorization_header("Bearer", &"eyJ.x.y".into()).unwrap();
        assert_eq!(bearer, "Bearer eyJ.x.y");
        assert!(bearer.is_sensitive());
    }

    #[test]
    fn unusable_tokens_are_refused_without_naming_them() {
        for bad in ["", "00abc\n", " 00abc", "00a bc", "00abc\u{7f}x"] {
            let error = authorization_header("SSWS", &bad.into()).unwrap_err();
            assert!(
                matches!(error, ConfigError::InvalidCredentials { .. }),
                "{bad:?}: {error:?}"
            );
            if !bad.trim().is_empty() {
                assert!(!error.to_string().contains(bad.trim()), "{error}");
            }
        }
    }
}
