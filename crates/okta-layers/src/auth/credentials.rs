//! [`Credentials`] and the [`SecretToken`] that never prints itself.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use okta_users::Error;

/// A secret (an API token, an access token) that never shows in `Debug` or `Display` output:
/// both print `<redacted>`. Read it with [`SecretToken::expose`].
#[derive(Clone)]
pub struct SecretToken(Arc<str>);

impl SecretToken {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        SecretToken(Arc::from(secret.into()))
    }

    /// The secret itself; call this only to send it.
    pub fn expose(&self) -> &str {
        &self.0
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

/// How the client authenticates to Okta.
///
/// More ways (such as OAuth 2.0 client credentials with `private_key_jwt`) will be added, so
/// matches need a wildcard arm.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An Okta API token, sent as `Authorization: SSWS <token>`.
    ApiToken(SecretToken),
    /// An OAuth 2.0 access token obtained elsewhere, sent as `Authorization: Bearer <token>`.
    AccessToken(SecretToken),
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

    /// The `Authorization` header for a static token, marked sensitive; never names the token
    /// in its error.
    pub(crate) fn static_header(&self) -> Result<HeaderValue, Error> {
        let (scheme, token) = match self {
            Credentials::ApiToken(token) => ("SSWS", token),
            Credentials::AccessToken(token) => ("Bearer", token),
        };
        authorization_header(scheme, token)
    }
}

/// `<scheme> <token>` as a sensitive header value.
pub(crate) fn authorization_header(
    scheme: &str,
    token: &SecretToken,
) -> Result<HeaderValue, Error> {
    let invalid = |reason: &str| Error::InvalidInput {
        what: "credentials",
        reason: reason.to_owned(),
    };
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
    fn headers_are_ssws_or_bearer_and_sensitive() {
        let ssws = Credentials::api_token("00abc").static_header().unwrap();
        assert_eq!(ssws, "SSWS 00abc");
        assert!(ssws.is_sensitive());
        let bearer = Credentials::access_token("eyJ.x.y")
            .static_header()
            .unwrap();
        assert_eq!(bearer, "Bearer eyJ.x.y");
        assert!(bearer.is_sensitive());
    }

    #[test]
    fn unusable_tokens_are_refused_without_naming_them() {
        for bad in ["", "00abc\n", " 00abc", "00a bc", "00abc\u{7f}x"] {
            let error = Credentials::api_token(bad).static_header().unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::InvalidInput {
                        what: "credentials",
                        ..
                    }
                ),
                "{bad:?}: {error:?}"
            );
            if !bad.trim().is_empty() {
                assert!(!error.to_string().contains(bad.trim()), "{error}");
            }
        }
    }
}
