//! [`TokenProvider`]: access tokens from wherever you keep them — a vault, a sidecar, your own
//! refresh — cached, fetched once for any number of concurrent calls, and refreshed by the auth
//! layer exactly as the tokens it fetches itself.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, Uri};
use okta_users::{BoxError, Error};

use super::SecretToken;
use super::dpop::{Dpop, htu};

/// Where access tokens come from, for [`Credentials::token_provider`](super::Credentials::token_provider).
///
/// The auth layer asks for a token when it has none, shortly before the one it has expires
/// (a minute before, or half the lifetime of a short token; [`AccessToken::expires_in`]), and
/// after the API refused it (401, [`TokenRequest::after_refusal`]) — once for all the calls
/// waiting, never concurrently. A provider's error fails the calls that waited for it: an
/// `okta_users::Error` as it is (return `Error::Transport { not_sent: true, .. }` for the
/// retry layer to try again), anything else as [`Error::Auth`](okta_users::Error::Auth).
///
/// A closure makes one with [`token_fn`]:
///
/// ```
/// use okta_layers::auth::{AccessToken, Credentials, token_fn};
/// # async fn read_from_vault() -> Result<String, okta_users::BoxError> { Ok("eyJ…".into()) }
/// let credentials = Credentials::token_provider(token_fn(|_request| async {
///     let token = read_from_vault().await?;
///     Ok(AccessToken::bearer(token).expires_in(std::time::Duration::from_secs(300)))
/// }));
/// # drop(credentials);
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// A fresh access token.
    fn fetch_token(&self, request: TokenRequest) -> TokenProviderFuture;
}

/// The future of [`TokenProvider::fetch_token`].
pub type TokenProviderFuture = Pin<Box<dyn Future<Output = Result<AccessToken, BoxError>> + Send>>;

/// What the auth layer knows when it asks a [`TokenProvider`] for a token.
#[derive(Clone)]
pub struct TokenRequest {
    after_refusal: bool,
    dpop: Option<Arc<Dpop>>,
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenRequest")
            .field("after_refusal", &self.after_refusal)
            .field("dpop", &self.dpop.is_some())
            .finish()
    }
}

impl TokenRequest {
    pub(crate) fn new(after_refusal: bool, dpop: Option<Arc<Dpop>>) -> Self {
        TokenRequest {
            after_refusal,
            dpop,
        }
    }

    /// Whether the API refused the previous token (a 401): a cached copy of it will not do.
    pub fn after_refusal(&self) -> bool {
        self.after_refusal
    }

    /// The JWK thumbprint (RFC 7638) of the client's DPoP key, when DPoP is not off: a
    /// [DPoP token](AccessToken::dpop) must be bound to it (`cnf.jkt`).
    pub fn dpop_thumbprint(&self) -> Option<&str> {
        self.dpop.as_deref().map(Dpop::thumbprint)
    }

    /// A DPoP proof signed by the client's key for a request of yours (a token request to
    /// bind a token to this key), with the server's `nonce` if it asked for one; `None` when
    /// DPoP is off. A proof is single-use: make one per request.
    pub fn dpop_proof(
        &self,
        method: &Method,
        uri: &Uri,
        nonce: Option<&str>,
    ) -> Option<Result<String, Error>> {
        let dpop = self.dpop.as_deref()?;
        Some(dpop.proof(method, &htu(uri), None, nonce))
    }
}

/// How an access token is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// `Authorization: Bearer <token>`.
    Bearer,
    /// `Authorization: DPoP <token>` and a proof of the client's key.
    Dpop,
}

/// An access token from a [`TokenProvider`]. Its `Debug` output hides the token.
#[derive(Clone)]
pub struct AccessToken {
    pub(crate) token: SecretToken,
    pub(crate) kind: TokenKind,
    pub(crate) expires_in: Option<Duration>,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &self.token)
            .field("kind", &self.kind)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

impl AccessToken {
    /// A bearer token, sent as `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<SecretToken>) -> Self {
        AccessToken {
            token: token.into(),
            kind: TokenKind::Bearer,
            expires_in: None,
        }
    }

    /// A DPoP-bound token (bound to the client's key: [`TokenRequest::dpop_thumbprint`]),
    /// sent as `Authorization: DPoP <token>` with a fresh proof on every request.
    pub fn dpop(token: impl Into<SecretToken>) -> Self {
        AccessToken {
            kind: TokenKind::Dpop,
            ..AccessToken::bearer(token)
        }
    }

    /// How long the token is valid from now (without it: an hour, Okta's default, or until the
    /// API refuses it).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expires_in = Some(lifetime);
        self
    }
}

/// A [`TokenProvider`] made of a closure: see [`token_fn`].
#[derive(Clone)]
pub struct TokenFn<F>(F);

impl<F> fmt::Debug for TokenFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenFn(..)")
    }
}

/// A [`TokenProvider`] calling `fetch` for each token.
pub fn token_fn<F, Fut>(fetch: F) -> TokenFn<F>
where
    F: Fn(TokenRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
{
    TokenFn(fetch)
}

impl<F, Fut> TokenProvider for TokenFn<F>
where
    F: Fn(TokenRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AccessToken, BoxError>> + Send + 'static,
{
    fn fetch_token(&self, request: TokenRequest) -> TokenProviderFuture {
        Box::pin((self.0)(request))
    }
}
