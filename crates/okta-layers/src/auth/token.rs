//! [`TokenSource`]: access tokens from the org's `/oauth2/v1/token` (client credentials with
//! `private_key_jwt`), cached until shortly before they expire and fetched once for any number
//! of concurrent callers.
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
//! [`MaxResponseSize`] (64 KiB), so the transport refuses a larger answer while reading it.
//!
//! A failure in transit, before any answer (connect, reset, timeout), becomes
//! `Error::Transport { not_sent: true }` — the API request was never sent, so the retry layer
//! may retry the attempt, fetching a token again. Anything the token endpoint answered that is
//! not a token — an error status, a body too large, malformed or unreadable, a body that is not
//! a token response — is the endpoint's fault, not the network's: [`Error::Auth`], not retried,
//! with Okta's `error` and `error_description` cut of every secret we sent (the client assertion,
//! the access tokens).
//!
//! # Secrets in answers
//!
//! Each cached token carries a [`Redactor`] holding the secrets the layer may have sent: the
//! access token, the one before it, and the last client assertion. The auth layer puts it in
//! every response's extensions and cuts those secrets out of the response's headers.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use okta_users::headers::X_OKTA_REQUEST_ID;
use okta_users::{AuthError, BoxError, Error, MaxResponseSize, Redactor, TimeoutKind};
use serde::Deserialize;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;
use tower::ServiceExt;
use tower_service::Service;

use super::credentials::{PrivateKeyJwt, SecretToken, authorization_header};
use crate::ConfigError;
use crate::base_uri::OrgUrl;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The largest token response read (Okta's are well under 2 KiB).
const MAX_TOKEN_RESPONSE: usize = 64 * 1024;
/// Refresh this long before the expiry Okta announced (at most half the token's lifetime).
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// Assumed lifetime when the answer has no `expires_in` (Okta's access tokens last an hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// The longest lifetime believed: a larger `expires_in` is a broken answer, not a reason to
/// keep a token for years (or to overflow the clock).
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How long before its expiry a token of `lifetime` is refreshed: 60 s, or half the lifetime
/// for tokens shorter than two minutes.
pub(crate) fn refresh_margin(lifetime: Duration) -> Duration {
    REFRESH_MARGIN.min(lifetime / 2)
}

/// What a request is sent with: the header, its token's generation, and the secrets the layer
/// may have sent so far (this token, the previous one, the last client assertion).
#[derive(Clone)]
pub(crate) struct Authorization {
    pub(crate) header: HeaderValue,
    pub(crate) generation: u64,
    pub(crate) redactor: Redactor,
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

/// Client credentials, the org's token endpoint, and the cached token. Shared (`Arc`) by every
/// clone of the auth layer and its services.
pub(crate) struct TokenSource {
    client: PrivateKeyJwt,
    scope: String,
    token_uri: Uri,
    audience: String,
    cache: RwLock<Option<Cached>>,
    guard: Arc<Mutex<()>>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("client_id", &self.client.client_id())
            .field("scope", &self.scope)
            .field("token_uri", &self.token_uri)
            .field("key", self.client.key())
            .field("access_token", &"<redacted>")
            .finish()
    }
}

impl TokenSource {
    /// A source for `client` at `org`; fails on an unusable client id or scopes.
    pub(crate) fn new(org: &OrgUrl, client: &PrivateKeyJwt) -> Result<TokenSource, ConfigError> {
        let scope = client.scope_parameter()?;
        let audience = format!("{org}/oauth2/v1/token");
        let token_uri = Uri::try_from(audience.as_str())
            .map_err(|error| ConfigError::org_url(format!("no token endpoint URI: {error}")))?;
        Ok(TokenSource {
            client: client.clone(),
            scope,
            token_uri,
            audience,
            cache: RwLock::new(None),
            guard: Arc::new(Mutex::new(())),
        })
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
        S: Service<Request<B>, Response = Response<RB>>,
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
            lifetime,
            assertion,
        } = match self.fetch(service, previous_token).await {
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
        let header = authorization_header("Bearer", &token).map_err(|_| {
            Error::from(AuthError::new(
                "the token endpoint returned an access token that cannot be sent in a header",
            ))
        })?;
        let redactor = Redactor::new(
            [
                Some(token.expose()),
                previous_token.map(SecretToken::expose),
                Some(assertion.as_str()),
            ]
            .into_iter()
            .flatten(),
        );
        let generation = previous.map_or(1, |cached| cached.authorization.generation + 1);
        let lifetime = lifetime.min(MAX_LIFETIME);
        let expires_at = sent_at + lifetime;
        let authorization = Authorization {
            header,
            generation,
            redactor,
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

    /// One token request: the access token, its lifetime, and the client assertion sent.
    /// `previous` is the access token it replaces (redacted from the answer, as the assertion is).
    async fn fetch<S, B, RB>(
        &self,
        service: S,
        previous: Option<&SecretToken>,
    ) -> Result<Fetched, Error>
    where
        S: Service<Request<B>, Response = Response<RB>>,
        S::Error: Into<BoxError>,
        B: From<Bytes>,
        RB: http_body::Body<Data = Bytes>,
        RB::Error: Into<BoxError>,
    {
        let assertion = self
            .client
            .key()
            .assertion(self.client.client_id(), &self.audience)?;
        let redactor = Redactor::new(
            [Some(assertion.as_str()), previous.map(SecretToken::expose)]
                .into_iter()
                .flatten(),
        );
        let body = token_request_body(&self.scope, &assertion);
        let mut request = Request::post(self.token_uri.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .body(B::from(Bytes::from(body)))
            .map_err(|error| {
                Error::from(AuthError::new(format!(
                    "could not build the token request: {error}"
                )))
            })?;
        request
            .extensions_mut()
            .insert(MaxResponseSize(MAX_TOKEN_RESPONSE));
        let response = service
            .oneshot(request)
            .await
            .map_err(|error| self.no_answer(error.into(), &redactor))?;
        let (parts, body) = response.into_parts();
        let request_id = parts
            .headers
            .get(X_OKTA_REQUEST_ID)
            .and_then(|id| id.to_str().ok());
        let unreadable = |reason: String| {
            Error::from(
                AuthError::new(redactor.redact_owned(reason))
                    .with_status(parts.status)
                    .with_request_id(request_id.map(|id| redactor.redact(id).into_owned())),
            )
        };
        let body = Limited::new(body, MAX_TOKEN_RESPONSE)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<LengthLimitError>() {
                    unreadable(format!(
                        "the token endpoint's answer is larger than {MAX_TOKEN_RESPONSE} bytes"
                    ))
                } else {
                    unreadable(format!(
                        "the token endpoint's answer could not be read: {error}"
                    ))
                }
            })?
            .to_bytes();
        let (token, lifetime) = parse_token_response(parts.status, &body, request_id, &redactor)?;
        Ok(Fetched {
            token,
            lifetime,
            assertion,
        })
    }

    /// The token request failed without a usable answer. In transit (connect, reset, timeout,
    /// before any answer): the API request was certainly not sent, so the attempt may be
    /// retried whatever its method (a token request is safe to repeat). An answer that could
    /// not be read (too large, malformed, stalled): the token endpoint's fault, an auth error.
    fn no_answer(&self, error: BoxError, redactor: &Redactor) -> Error {
        match Error::from_service(error) {
            error @ (Error::BodyTooLarge { .. }
            | Error::MalformedResponse { .. }
            | Error::Timeout {
                kind: TimeoutKind::BodyStalled,
            }) => Error::from(AuthError::new(redactor.redact_owned(format!(
                "the token endpoint's answer could not be read: {error}"
            )))),
            error @ (Error::Transport { .. } | Error::Timeout { .. }) => Error::Transport {
                not_sent: true,
                source: Box::new(TokenRequestFailed {
                    token_uri: self.token_uri.to_string(),
                    source: error,
                }),
            },
            error => Error::from(AuthError::new(redactor.redact_owned(format!(
                "the token request to {} failed: {error}",
                self.token_uri
            )))),
        }
    }
}

/// A token request's result.
struct Fetched {
    token: SecretToken,
    lifetime: Duration,
    /// The client assertion it carried (a secret: it goes into the redactor, nowhere else).
    assertion: String,
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

/// `grant_type=client_credentials&scope=…&client_assertion_type=…&client_assertion=…`.
pub(crate) fn token_request_body(scope: &str, assertion: &str) -> String {
    form_urlencoded::Serializer::new(String::with_capacity(assertion.len() + scope.len() + 160))
        .append_pair("grant_type", "client_credentials")
        .append_pair("scope", scope)
        .append_pair("client_assertion_type", ASSERTION_TYPE)
        .append_pair("client_assertion", assertion)
        .finish()
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
}

/// An OAuth error body (`error`, `error_description`), or Okta's API error shape, which its
/// rate limiter and front end answer with.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: Option<String>,
    error_description: Option<String>,
    #[serde(rename = "errorCode")]
    error_code: Option<String>,
    #[serde(rename = "errorSummary")]
    error_summary: Option<String>,
}

/// The token and its lifetime from a token endpoint's answer, or why there is none (never
/// quoting the body of a successful answer, which may hold a token; every server-supplied text
/// kept goes through `redactor`).
pub(crate) fn parse_token_response(
    status: http::StatusCode,
    body: &[u8],
    request_id: Option<&str>,
    redactor: &Redactor,
) -> Result<(SecretToken, Duration), Error> {
    let failure = |reason: String| {
        AuthError::new(reason)
            .with_status(status)
            .with_request_id(request_id.map(|id| redactor.redact(id).into_owned()))
    };
    if !status.is_success() {
        let error = match serde_json::from_slice::<ErrorAnswer>(body) {
            Ok(answer) => failure(format!("the token endpoint answered {status}"))
                .with_oauth_error(
                    answer
                        .error
                        .or(answer.error_code)
                        .map(|text| redactor.redact_owned(text)),
                    answer
                        .error_description
                        .or(answer.error_summary)
                        .map(|text| redactor.redact_owned(text)),
                ),
            Err(_) => failure(format!(
                "the token endpoint answered {status} (without an OAuth error body)"
            )),
        };
        return Err(error.into());
    }
    let answer: TokenAnswer = serde_json::from_slice(body).map_err(|_| {
        failure(format!(
            "the token endpoint answered {status} without a token response (access_token, token_type)"
        ))
    })?;
    if !answer.token_type.eq_ignore_ascii_case("bearer") {
        return Err(failure(format!(
            "the token endpoint issued a {:?} token; only Bearer tokens are supported (is DPoP required for this app?)",
            redactor.redact(&answer.token_type)
        ))
        .into());
    }
    let lifetime = answer
        .expires_in
        .map_or(DEFAULT_LIFETIME, Duration::from_secs);
    Ok((SecretToken::new(answer.access_token), lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn the_form_is_encoded() {
        let body = token_request_body("okta.users.read okta.users.manage", "eyJ.a-b_c.d");
        assert_eq!(
            body,
            "grant_type=client_credentials&scope=okta.users.read+okta.users.manage\
             &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
             &client_assertion=eyJ.a-b_c.d"
        );
        assert_eq!(
            token_request_body("a+b=c&d/é", "x"),
            "grant_type=client_credentials&scope=a%2Bb%3Dc%26d%2F%C3%A9\
             &client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer\
             &client_assertion=x"
        );
    }

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

    #[test]
    fn token_answers_are_parsed() {
        let (token, lifetime) = parse_token_response(
            StatusCode::OK,
            br#"{"token_type":"Bearer","expires_in":3600,"access_token":"eyJ.tok.en","scope":"okta.users.read"}"#,
            None,
            &Redactor::default(),
        )
        .unwrap();
        assert_eq!(token.expose(), "eyJ.tok.en");
        assert_eq!(lifetime, Duration::from_secs(3600));
        let (_, lifetime) = parse_token_response(
            StatusCode::OK,
            br#"{"token_type":"bearer","access_token":"t"}"#,
            None,
            &Redactor::default(),
        )
        .unwrap();
        assert_eq!(lifetime, DEFAULT_LIFETIME);
    }

    fn reason(result: Result<(SecretToken, Duration), Error>) -> String {
        match result {
            Err(error @ Error::Auth(_)) => error.to_string(),
            other => panic!("{:?}", other.map(|(_, lifetime)| lifetime)),
        }
    }

    #[test]
    fn error_answers_keep_okta_error_and_description_but_no_token() {
        let text = reason(parse_token_response(
            StatusCode::UNAUTHORIZED,
            br#"{"error":"invalid_client","error_description":"The client_assertion token is invalid."}"#,
            Some("req-9"),
            &Redactor::default(),
        ));
        assert_eq!(
            text,
            "authentication failed: the token endpoint answered 401 Unauthorized: invalid_client: The client_assertion token is invalid. [request id req-9]"
        );
        let text = reason(parse_token_response(
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}"#,
            None,
            &Redactor::default(),
        ));
        assert!(text.contains("429") && text.contains("E0000047"), "{text}");
        let text = reason(parse_token_response(
            StatusCode::BAD_GATEWAY,
            b"<html>s3cr3t</html>",
            None,
            &Redactor::default(),
        ));
        assert!(text.contains("502") && !text.contains("s3cr3t"), "{text}");
        // A 200 whose body is not a token response is not quoted: it may hold a token.
        let text = reason(parse_token_response(
            StatusCode::OK,
            br#"{"access_token":"s3cr3t"}"#,
            None,
            &Redactor::default(),
        ));
        assert!(!text.contains("s3cr3t"), "{text}");
        let text = reason(parse_token_response(
            StatusCode::OK,
            br#"{"access_token":"s3cr3t","token_type":"DPoP"}"#,
            None,
            &Redactor::default(),
        ));
        assert!(text.contains("DPoP") && !text.contains("s3cr3t"), "{text}");
    }
}
