//! The default stack, in one call: [`layers`].
//!
//! ```text
//! Trace (okta.call span)                     outermost
//!  └ Timeout (whole call, TimeoutKind::Call)
//!     └ Retry (RetryPolicy, shared budget; re-sends after a 429, waiting what RateLimit attached)
//!        └ RateLimit (pacing of every attempt; on a 429 blocks the bucket, attaches the wait)
//!           └ AttemptTrace (okta.attempt span)
//!              └ Timeout (one attempt, TimeoutKind::Attempt)
//!                 └ S: base URI → auth → transport   (wired by okta-client)
//! ```
//!
//! The result is `Clone + Send + Sync` with a `Send` future when `S` is, holds no `Buffer`, and
//! allocates nothing per call on its fast path beyond one clone of the request, kept by the
//! retry layer both for retries and for re-sends after a 429: the rate-limit layer paces and
//! annotates a 429 with [`RateLimited`](crate::rate_limit::RateLimited) but does not re-send.
//!
//! # Defaults ([`StackConfig`])
//! | setting | default |
//! | --- | --- |
//! | `call_timeout` | 120 s (covers retries and rate-limit waits) |
//! | `attempt_timeout` | 30 s |
//! | `retry.max_attempts` | 3 |
//! | `retry.backoff_min` .. `backoff_max` | 100 ms .. 10 s, full jitter |
//! | `retry.budget` | 500 tokens, 5 per retry, 10 per retry after a timeout, 1 back per success |
//! | `rate_limit.max_429_retries` | 3 |
//! | `rate_limit.reset_jitter` | 0 .. 500 ms |
//! | `rate_limit.window` | 60 s |
//! | `rate_limit.concurrency_backoff` .. `_max` | 100 ms .. 5 s, × 2^n, full jitter |
//! | `rate_limit.pacing`, `reserve`, `burst_fraction` | on, 2 %, 0.5 |
//! | `rate_limit.seed`, `retry.seed` | OS-random |
//!
//! ```
//! use okta_layers::stack::{StackConfig, layers};
//! use tower::Layer;
//! # fn transport() -> impl tower::Service<http::Request<okta_users::RequestBody>, Response = http::Response<okta_users::RequestBody>, Error = okta_users::BoxError, Future: Send + 'static> + Clone + Send + Sync + 'static {
//! #     tower::service_fn(|_| async { Ok(http::Response::new(okta_users::RequestBody::default())) })
//! # }
//! let stack = layers(&StackConfig::default());
//! let service = stack.layer(transport());
//! # fn is_http_service<S: okta_users::HttpService>(_: &S) {}
//! # is_http_service(&service);
//! ```

use std::time::Duration;

use okta_users::TimeoutKind;
use tower_layer::Layer;

use crate::rate_limit::{RateLimit, RateLimitConfig, RateLimitLayer, RateLimiter};
use crate::retry::{Retry, RetryConfig, RetryPolicy};
use crate::timeout::{Timeout, TimeoutLayer};
use crate::trace::{AttemptTrace, Trace};

/// Settings of the default stack. See the [module docs](self) for the defaults.
#[derive(Debug, Clone)]
pub struct StackConfig {
    /// Timeout of the whole call, retries and rate-limit waits included (`None`: none).
    pub call_timeout: Option<Duration>,
    /// Timeout of one attempt (`None`: none).
    pub attempt_timeout: Option<Duration>,
    /// The retry policy.
    pub retry: RetryConfig,
    /// The rate limiter.
    pub rate_limit: RateLimitConfig,
}

impl Default for StackConfig {
    fn default() -> Self {
        StackConfig {
            call_timeout: Some(Duration::from_secs(120)),
            attempt_timeout: Some(Duration::from_secs(30)),
            retry: RetryConfig::default(),
            rate_limit: RateLimitConfig::default(),
        }
    }
}

/// The service [`layers`] makes over `S`.
pub type Stack<S> = Trace<Timeout<Retry<RateLimit<AttemptTrace<Timeout<S>>>>>>;

/// The default stack as one [`Layer`]. Every service it makes shares one rate limiter and one
/// retry budget: build it once per org.
#[derive(Debug, Clone)]
pub struct StackLayer {
    call_timeout: TimeoutLayer,
    attempt_timeout: TimeoutLayer,
    rate_limit: RateLimitLayer,
    retry: RetryPolicy,
}

impl StackLayer {
    /// Builds the layer (and its shared state) from `config`.
    pub fn new(config: &StackConfig) -> Self {
        StackLayer {
            call_timeout: TimeoutLayer::new(config.call_timeout, TimeoutKind::Call),
            attempt_timeout: TimeoutLayer::new(config.attempt_timeout, TimeoutKind::Attempt),
            rate_limit: RateLimitLayer::new(config.rate_limit.clone()),
            retry: RetryPolicy::new(config.retry),
        }
    }

    /// The shared rate limiter (for [`RateLimiter::snapshot`]).
    pub fn rate_limiter(&self) -> &RateLimiter {
        self.rate_limit.limiter()
    }

    /// The shared retry policy (for its budget).
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }
}

impl<S: Clone> Layer<S> for StackLayer {
    type Service = Stack<S>;

    fn layer(&self, inner: S) -> Stack<S> {
        // Retry sits outside the rate limiter so that every attempt, retries and re-sends after a
        // 429 included, is paced and counted against its bucket; the rate limiter tells it how
        // long to wait after a 429.
        let attempt = crate::trace::AttemptTraceLayer.layer(self.attempt_timeout.layer(inner));
        let retry = Retry::new(self.retry.clone(), self.rate_limit.layer(attempt));
        crate::trace::TraceLayer.layer(self.call_timeout.layer(retry))
    }
}

/// The default stack's layer, for `okta-client` to wire in one call:
/// `layers(&config).layer(base_uri_auth_transport)`.
pub fn layers(config: &StackConfig) -> StackLayer {
    StackLayer::new(config)
}

#[cfg(test)]
mod tests;
