//! The default stack in one recipe: [`StackLayer`] builds it over a transport, and [`Stack`]
//! names its type.
//!
//! The order, top-down (outermost first), and why each layer sits where it does, are in the one
//! diagram of the project, `ARCHITECTURE.md` (*A request's path*); every default of
//! [`StackConfig`], and how to change it, is in the *Defaults* table of the `okta-client` crate
//! docs.
//!
//! The result is `Clone + Send + Sync` with a `Send` future when the transport is, holds no
//! `Buffer`, and allocates nothing per call on its fast path beyond one clone of the request,
//! kept by the retry layer both for retries and for re-sends after a 429 (the rate-limit layer
//! paces and annotates a 429 with [`RateLimited`](crate::rate_limit::RateLimited) but does not
//! re-send), and the [`Redactor`](okta_users::Redactor) auth puts in each response.
//!
//! ```
//! use http::Uri;
//! use okta_layers::{Credentials, OrgUrl, StackConfig, StackLayer};
//! use tower::Layer;
//! # fn transport() -> impl tower::Service<http::Request<okta_users::RequestBody>, Response = http::Response<okta_users::RequestBody>, Error = okta_users::BoxError, Future: Send + 'static> + Clone + Send + Sync + 'static {
//! #     tower::service_fn(|_| async { Ok(http::Response::new(okta_users::RequestBody::default())) })
//! # }
//! # fn main() -> Result<(), okta_layers::ConfigError> {
//! let org = OrgUrl::from_uri(&Uri::from_static("https://dev-123.okta.com"))?;
//! let stack = StackLayer::new(&StackConfig::default(), org, &Credentials::api_token("00abc…"))?;
//! let service = stack.layer(transport());
//! # fn is_http_service<S: okta_users::HttpService>(_: &S) {}
//! # is_http_service(&service);
//! # Ok(()) }
//! ```

use std::time::Duration;

use okta_users::TimeoutKind;
use tower::ServiceBuilder;
use tower::layer::util::Identity;
use tower_layer::Layer;

use crate::ConfigError;
use crate::auth::{Auth, AuthLayer, Credentials};
use crate::base_uri::{BaseUri, BaseUriLayer, OrgUrl};
use crate::headers::{DefaultHeaders, DefaultHeadersLayer};
use crate::rate_limit::{RateLimit, RateLimitConfig, RateLimitLayer, RateLimiter};
use crate::retry::{Retry, RetryConfig, RetryLayer, RetryPolicy};
use crate::timeout::{Timeout, TimeoutLayer};
use crate::trace::{AttemptTrace, AttemptTraceLayer, Trace, TraceLayer};

/// Settings of the default stack's middleware. Its defaults (`StackConfig::default()`) are
/// listed, once, in the *Defaults* table of the `okta-client` crate docs. Start from the
/// defaults and change fields (`let mut config = StackConfig::default(); config.… = …`): new
/// settings may come.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StackConfig {
    /// Timeout of the whole call, retries and rate-limit waits included (`None`: none).
    pub call_timeout: Option<Duration>,
    /// Timeout of one attempt (`None`: none).
    pub attempt_timeout: Option<Duration>,
    /// The retry policy.
    pub retry: RetryConfig,
    /// The rate limiter.
    pub rate_limit: RateLimitConfig,
    /// An application's `name/version`, sent after the default `User-Agent` (see
    /// [`DefaultHeadersLayer::user_agent_suffix`]).
    pub user_agent_suffix: Option<String>,
    /// Whether spans record `url.full` whole, user ids and logins in the path and search
    /// terms in the query included (see [`crate::trace`]); off by default, as they are
    /// personal data.
    pub record_url_pii: bool,
}

impl Default for StackConfig {
    fn default() -> Self {
        StackConfig {
            call_timeout: Some(Duration::from_secs(120)),
            attempt_timeout: Some(Duration::from_secs(30)),
            retry: RetryConfig::default(),
            rate_limit: RateLimitConfig::default(),
            user_agent_suffix: None,
            record_url_pii: false,
        }
    }
}

/// The default stack over a transport `T`, with `A` around each attempt (nothing by default):
/// what [`StackLayer`] makes.
pub type Stack<T, A = Identity> = DefaultHeaders<
    BaseUri<
        Trace<Timeout<Retry<RateLimit<AttemptTrace<Timeout<<A as Layer<Auth<T>>>::Service>>>>>>,
    >,
>;

/// The default stack as one [`Layer`] over a transport: the one place its order is decided.
/// Every service it makes shares one rate limiter, one retry budget and one token cache: build
/// it once per org (and clone it freely).
#[derive(Debug, Clone)]
pub struct StackLayer<A = Identity> {
    default_headers: DefaultHeadersLayer,
    base_uri: BaseUriLayer,
    trace: TraceLayer,
    attempt_trace: AttemptTraceLayer,
    call_timeout: TimeoutLayer,
    retry: RetryLayer,
    rate_limit: RateLimitLayer,
    attempt_timeout: TimeoutLayer,
    attempt: A,
    auth: AuthLayer,
}

impl StackLayer {
    /// The stack for `org` with `credentials`, and its shared state, from `config`; fails when
    /// the credentials cannot be used (see [`AuthLayer::new`]) or the `User-Agent` suffix
    /// cannot be sent.
    pub fn new(
        config: &StackConfig,
        org: OrgUrl,
        credentials: &Credentials,
    ) -> Result<StackLayer, ConfigError> {
        let default_headers = match &config.user_agent_suffix {
            Some(suffix) => DefaultHeadersLayer::new().user_agent_suffix(suffix)?,
            None => DefaultHeadersLayer::new(),
        };
        Ok(StackLayer {
            default_headers,
            trace: TraceLayer::new().record_url_pii(config.record_url_pii),
            attempt_trace: AttemptTraceLayer::new().record_url_pii(config.record_url_pii),
            auth: AuthLayer::new(org.clone(), credentials)?,
            base_uri: BaseUriLayer::new(org),
            call_timeout: TimeoutLayer::new(config.call_timeout, TimeoutKind::Call),
            retry: RetryLayer::new(config.retry),
            rate_limit: RateLimitLayer::new(rate_limit_config(config)),
            attempt_timeout: TimeoutLayer::new(config.attempt_timeout, TimeoutKind::Attempt),
            attempt: Identity::new(),
        })
    }
}

/// The rate limiter's settings; with the `metrics` feature, its events feed the metrics too.
fn rate_limit_config(config: &StackConfig) -> RateLimitConfig {
    #[cfg(feature = "metrics")]
    {
        crate::metrics::describe();
        crate::metrics::observe_rate_limits(config.rate_limit.clone())
    }
    #[cfg(not(feature = "metrics"))]
    config.rate_limit.clone()
}

impl<A> StackLayer<A> {
    /// The same stack with `layer` around each attempt: inside the retry, rate-limit and
    /// attempt-timeout layers, outside auth (replacing any attempt layer given before).
    pub fn with_attempt_layer<L>(self, layer: L) -> StackLayer<L> {
        StackLayer {
            default_headers: self.default_headers,
            base_uri: self.base_uri,
            trace: self.trace,
            attempt_trace: self.attempt_trace,
            call_timeout: self.call_timeout,
            retry: self.retry,
            rate_limit: self.rate_limit,
            attempt_timeout: self.attempt_timeout,
            attempt: layer,
            auth: self.auth,
        }
    }

    /// The same stack pacing with `limiter` (shared with every stack given it) instead of its
    /// own; the limiter's settings replace `StackConfig::rate_limit`.
    pub fn with_rate_limiter(mut self, limiter: RateLimiter) -> Self {
        self.rate_limit = RateLimitLayer::from_limiter(limiter);
        self
    }

    /// The org requests go to.
    pub fn org(&self) -> &OrgUrl {
        self.base_uri.org()
    }

    /// The shared rate limiter (for [`RateLimiter::snapshot`]).
    pub fn rate_limiter(&self) -> &RateLimiter {
        self.rate_limit.limiter()
    }

    /// The shared retry policy (for its budget).
    pub fn retry_policy(&self) -> &RetryPolicy {
        self.retry.policy()
    }
}

impl<T, A> Layer<T> for StackLayer<A>
where
    A: Layer<Auth<T>> + Clone,
    A::Service: Clone,
{
    type Service = Stack<T, A>;

    fn layer(&self, transport: T) -> Stack<T, A> {
        // Why this order: ARCHITECTURE.md. In short, the base URI is set before tracing so spans
        // see the full URL; retry sits outside the rate limiter so every attempt, re-sends
        // after a 429 included, is paced; auth is innermost, next to the transport, so it only
        // ever sees the org's own origin.
        ServiceBuilder::new()
            .layer(self.default_headers.clone())
            .layer(self.base_uri.clone())
            .layer(self.trace)
            .layer(self.call_timeout)
            .layer(self.retry.clone())
            .layer(self.rate_limit.clone())
            .layer(self.attempt_trace)
            .layer(self.attempt_timeout)
            .layer(self.attempt.clone())
            .layer(self.auth.clone())
            .service(transport)
    }
}
