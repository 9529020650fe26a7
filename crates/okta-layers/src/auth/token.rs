//! [`TokenSource`]: access tokens — from the org's `/oauth2/v1/token` (client credentials with
//! `private_key_jwt`, see [`TokenEndpoint`]) or from a [`TokenProvider`] — cached until shortly
//! before they expire and fetched once for any number of concurrent callers.
//!
//! # Cache and single flight
//!
//! The current token is a sensitive `Authorization` header in a `std::sync::RwLock`, read
//! (never held across an `.await`) on every call: while it is fresh a call costs a read lock and
//! a clone of the header (a reference count). A token is *fresh* until [`refresh_margin`]
//! before its expiry, then *ageing* until it expires.
//!
//! Fetches are serialized by one `tokio::sync::Mutex` (the single-flight guard):
//! - no token, or an expired one: the caller waits for the guard, looks at the cache again (a
//!   caller before it may have fetched meanwhile) and fetches only if it must. Fifty callers
//!   arriving together make one token request; the others wait for it and reuse its token.
//! - an ageing token: the first caller to take the guard without waiting refreshes it; every
//!   other caller keeps using the still valid token meanwhile, so nobody waits. Should that
//!   refresh fail, its caller too uses the current token, and a later call tries again.
//! - after a 401 the caller asks for a token newer than the one refused (tokens carry a
//!   generation number): the first such caller fetches, the others find the newer one.
//!
//! A caller dropped mid-fetch (a timeout) releases the guard; the next waiter then fetches.
//!
//! # Where the token request goes
//!
//! `POST {org}/oauth2/v1/token`, built from the org URL (so it cannot go anywhere else), through
//! the service the auth layer wraps — in `okta-client` the `HyperTransport` itself, below the
//! retry and rate-limit layers: a token request is neither retried nor paced by them, but it
//! counts against the call's attempt and call timeouts, which are outside. It carries
//! [`MaxResponseSize`](okta_users::MaxResponseSize) (64 KiB), so the transport refuses a larger
//! answer while reading it.
//!
//! A failure in transit, before any answer (connect, reset, timeout), becomes
//! `Error::Transport { not_sent: true }` — the API request was never sent, so the retry layer
//! may retry the attempt, fetching a token again. Anything the token endpoint answered that is
//! not a token — an error status, a body too large, malformed or unreadable, a body that is not
//! a token response — is the endpoint's fault, not the network's: [`Error::Auth`], not retried,
//! with Okta's `error` and `error_description` cut of every secret we sent (the client
//! assertion, the DPoP proof, the access tokens).
//!
//! # Secrets in answers
//!
//! Each cached token carries a [`Redactor`] holding the secrets the layer may have sent: the
//! access token, the one before it, and the last client assertion and token request proof. The
//! auth layer puts it (plus the request's own DPoP proof) in every response's extensions and
//! cuts those secrets out of the response's headers.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderValue;
use http::{Request, Response};
use okta_users::{AuthError, BoxError, Error, Redactor};
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;
use tower_service::Service;

use super::credentials::{PrivateKeyJwt, ProvidedTokens, SecretToken, authorization_header};
use super::dpop::{Dpop, access_token_hash};
use super::provider::{TokenKind, TokenProvider, TokenRequest};
use super::token_endpoint::{DEFAULT_LIFETIME, Fetched, TokenEndpoint};
use crate::ConfigError;
use crate::base_uri::OrgUrl;

/// Refresh this long before the expiry Okta announced (at most half the token's lifetime).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The longest lifetime believed: a larger `expires_in` is a broken answer, not a reason to
/// keep a token for years (or to overflow the clock).
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How long before its expiry a token of `lifetime` is refreshed: 60 s, or half the lifetime
/// for tokens shorter than two minutes.
pub(crate) fn refresh_margin(lifetime: Duration) -> Duration {
    REFRESH_MARGIN.min(lifetime / 2)
}

/// What a request is sent with: the header, its token's generation, the secrets the layer
/// may have sent so far (this token, the previous one, the last client assertion and proof),
/// and for a DPoP-bound token what each request's proof needs.
#[derive(Clone)]
pub(crate) struct Authorization {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
    pub(crate) redactor: Redactor,
    pub(crate) bound: Option<Arc<Bound>>,
}

/// A DPoP-bound token's `ath`, and the secrets each response's redactor holds besides the
/// request's own proof.
pub(crate) struct Bound {
    pub(crate) ath: String,
    pub(crate) secrets: Vec<SecretToken>,
}

impl Bound {
    /// The redactor of a request sent with `proof`.
    pub(crate) fn redactor_with(&self, proof: &str) -> Redactor {
        Redactor::new(
            self.secrets
                .iter()
                .map(SecretToken::expose)
                .chain(std::iter::once(proof)),
        )
    }
}

/// A cached token.
#[derive(Clone)]
struct Cached {
    authorization: Authorization,
    /// The access token itself, to redact it from the answers to the next token's requests.
    token: SecretToken,
    refresh_at: Instant,
    expires_at: Instant,
}

/// What the cache says for a call.
pub(crate) enum Lookup {
    /// Use this authorization.
    Use(Authorization),
    /// Fetch a token first; holding the guard already when `Some`.
    Fetch(Option<OwnedMutexGuard<()>>),
}

/// Where tokens come from.
enum Fetcher {
    /// The org's token endpoint, with client credentials.
    Endpoint(Box<TokenEndpoint>),
    /// The user's provider.
    Provider(Arc<dyn TokenProvider>),
}

/// Where tokens come from, the client's DPoP state, and the cached token. Shared (`Arc`) by
/// every clone of the auth layer and its services.
pub(crate) struct TokenSource {
    fetcher: Fetcher,
    dpop: Option<Arc<Dpop>>,
    cache: RwLock<Option<Cached>>,
    guard: Arc<Mutex<()>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("TokenSource");
        match &self.fetcher {
            Fetcher::Endpoint(endpoint) => debug.field("endpoint", endpoint),
            Fetcher::Provider(_) => debug.field("provider", &".."),
        };
        debug
            .field("dpop", &self.dpop)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

impl TokenSource {
    /// Tokens from `org`'s token endpoint for `client`; fails on an unusable client id or
    /// scopes.
    pub(crate) fn for_client(
        org: &OrgUrl,
        client: &PrivateKeyJwt,
    ) -> Result<TokenSource, ConfigError> {
        Ok(TokenSource::new(
            Fetcher::Endpoint(Box::new(TokenEndpoint::new(org, client)?)),
            Dpop::new(client.dpop())?,
        ))
    }

    /// Tokens from a provider.
    pub(crate) fn for_provider(provided: &ProvidedTokens) -> Result<TokenSource, ConfigError> {
        Ok(TokenSource::new(
            Fetcher::Provider(provided.provider.clone()),
            Dpop::new(&provided.dpop)?,
        ))
    }

    fn new(fetcher: Fetcher, dpop: Option<Arc<Dpop>>) -> TokenSource {
        TokenSource {
            fetcher,
            dpop,
            cache: RwLock::new(None),
            guard: Arc::new(Mutex::new(())),
        }
    }

    /// The client's DPoP state, unless DPoP is off.
    pub(crate) fn dpop(&self) -> Option<&Arc<Dpop>> {
        self.dpop.as_ref()
    }
    /// The fast path: the cached header while it is fresh (or ageing, when another caller is
    /// refreshing it); otherwise what to fetch. Never waits, never allocates.
    pub(crate) fn lookup(&self) -> Lookup {
        let now = Instant::now();
        let cache = self.cache.read().unwrap_or_else(PoisonError::into_inner);
        match &*cache {
            Some(cached) if now < cached.refresh_at => Lookup::Use(cached.authorization.clone()),
            Some(cached) if now < cached.expires_at => match self.guard.clone().try_lock_owned() {
                Ok(guard) => Lookup::Fetch(Some(guard)),
                // Someone is refreshing: the token is still valid, use it meanwhile.
                Err(_) => Lookup::Use(cached.authorization.clone()),
            },
            _ => Lookup::Fetch(None),
        }
    }

    /// What to send: the cached authorization if a caller before this one fetched it meanwhile
    /// (and it is not the `rejected` generation), or a new one fetched through `service`.
    pub(crate) async fn obtain<S, B, RB>(
        self: Arc<Self>,
        service: S,
        guard: Option<OwnedMutexGuard<()>>,
        rejected: Option<u64>,
    ) -> Result<Authorization, Error>
    where
        S: Service<Request<B>, Response = Response<RB>> + Clone,
        S::Error: Into<BoxError>,
        B: From<Bytes>,
        RB: http_body::Body<Data = Bytes>,
        RB::Error: Into<BoxError>,
    {
        let held = guard.is_some();
        let _guard = match guard {
            Some(guard) => guard,
            None => self.guard.clone().lock_owned().await,
        };
        let previous = self.cached();
        if !held {
            let now = Instant::now();
            if let Some(cached) = &previous {
                let newer =
                    rejected.is_none_or(|generation| cached.authorization.generation != generation);
                if now < cached.refresh_at && newer {
                    return Ok(cached.authorization.clone());
                }
            }
        }
        let sent_at = Instant::now();
        let previous_token = previous.as_ref().map(|cached| &cached.token);
        let Fetched {
            token,
            kind,
            lifetime,
            sent,
        } = match self
            .fetch(service, previous_token, rejected.is_some())
            .await
        {
            Ok(fetched) => fetched,
            Err(error) => {
                tracing::debug!(error = %error, "okta: access token request failed");
                // An early refresh that failed: the current token is still good for a while.
                if let Some(cached) =
                    previous.filter(|cached| held && Instant::now() < cached.expires_at)
                {
                    return Ok(cached.authorization);
                }
                return Err(error);
            }
        };
        let scheme = match kind {
            TokenKind::Bearer => "Bearer",
            TokenKind::Dpop => "DPoP",
        };
        let header = authorization_header(scheme, &token).map_err(|_| {
            Error::from(AuthError::new(
                "the access token obtained cannot be sent in a header",
            ))
        })?;
        let secrets: Vec<SecretToken> = [Some(token.clone()), previous_token.cloned()]
            .into_iter()
            .flatten()
            .chain(sent)
            .collect();
        let redactor = Redactor::new(secrets.iter().map(SecretToken::expose));
        let bound = (kind == TokenKind::Dpop).then(|| {
            Arc::new(Bound {
                ath: access_token_hash(token.expose()),
                secrets,
            })
        });
        let generation = previous.map_or(1, |cached| cached.authorization.generation + 1);
        let lifetime = lifetime.min(MAX_LIFETIME);
        let expires_at = sent_at + lifetime;
        let authorization = Authorization {
            header,
            generation,
            redactor,
            bound,
        };
        let cached = Cached {
            authorization: authorization.clone(),
            token,
            refresh_at: expires_at - refresh_margin(lifetime),
            expires_at,
        };
        *self.cache.write().unwrap_or_else(PoisonError::into_inner) = Some(cached);
        tracing::debug!(
            expires_in = lifetime.as_secs(),
            generation,
            dpop = kind == TokenKind::Dpop,
            "okta: access token obtained"
        );
        Ok(authorization)
    }

    fn cached(&self) -> Option<Cached> {
        self.cache
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// One token: from the token endpoint, or from the provider. `previous` is the token it
    /// replaces (redacted from the endpoint's answers); `after_refusal`: the API refused it.
    async fn fetch<S, B, RB>(
        &self,
        service: S,
        previous: Option<&SecretToken>,
        after_refusal: bool,
    ) -> Result<Fetched, Error>
    where
        S: Service<Request<B>, Response = Response<RB>> + Clone,
        S::Error: Into<BoxError>,
        B: From<Bytes>,
        RB: http_body::Body<Data = Bytes>,
        RB::Error: Into<BoxError>,
    {
        match &self.fetcher {
            Fetcher::Endpoint(endpoint) => {
                endpoint
                    .fetch(service, previous, self.dpop.as_deref())
                    .await
            }
            Fetcher::Provider(provider) => {
                let request = TokenRequest::new(after_refusal, self.dpop.clone());
                let provided = provider
                    .fetch_token(request)
                    .await
                    .map_err(|error| provider_failed(error, previous))?;
                if provided.kind == TokenKind::Dpop && self.dpop.is_none() {
                    return Err(AuthError::new(
                        "the token provider returned a DPoP token, and DPoP is off for this client",
                    )
                    .into());
                }
                Ok(Fetched {
                    token: provided.token,
                    kind: provided.kind,
                    lifetime: provided.expires_in.unwrap_or(DEFAULT_LIFETIME),
                    sent: Vec::new(),
                })
            }
        }
    }
}

/// A provider's failure: an `okta_users::Error` as it is, anything else an auth error (the
/// token it replaces cut out of its text).
fn provider_failed(error: BoxError, previous: Option<&SecretToken>) -> Error {
    match error.downcast::<Error>() {
        Ok(error) => *error,
        Err(other) => {
            let redactor = Redactor::new(previous.map(SecretToken::expose));
            AuthError::new(redactor.redact_owned(format!("the token provider failed: {other}")))
                .into()
        }
    }
}

/// The token request failed in transit (connect, reset, timeout): the source of the
/// `Error::Transport { not_sent: true }` the API request fails with.
#[derive(Debug, thiserror::Error)]
#[error("the token request to {token_uri} failed: {source}")]
pub struct TokenRequestFailed {
    token_uri: String,
    #[source]
    source: Error,
}

impl TokenRequestFailed {
    pub(crate) fn new(token_uri: String, source: Error) -> Self {
        TokenRequestFailed { token_uri, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_a_minute_or_half_a_short_lifetime() {
        assert_eq!(
            refresh_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(2)),
            Duration::from_secs(1)
        );
        assert_eq!(refresh_margin(Duration::ZERO), Duration::ZERO);
    }
}
