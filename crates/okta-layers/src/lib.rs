//! tower middleware for Okta's management API.
//!
//! Each concern is one layer in its own module (`FooLayer` + `Foo<S>`), usable alone or in the
//! default stack: [`StackLayer`] is its one recipe (over any transport), [`Stack`] its type.
//! The order and why are drawn once, in
//! [ARCHITECTURE.md](https://github.com/okta-users-rs/okta-users-rs/blob/main/ARCHITECTURE.md);
//! the defaults are listed once, in the *Defaults* table of the `okta-client` crate docs.
//!
//! # Cargo features
//! `metrics`: the default stack reports request durations, retries, 429s, rate-limit waits
//! and each bucket's budget through the `metrics` facade (see the `metrics` module).

pub mod auth;
pub mod backoff;
pub mod base_uri;
mod error;
pub mod headers;
#[cfg(feature = "metrics")]
pub mod metrics;

pub use auth::{Auth, AuthLayer, Credentials, SecretToken};
pub use base_uri::{BaseUri, BaseUriLayer, OrgUrl};
pub use error::ConfigError;
pub use headers::{DefaultHeaders, DefaultHeadersLayer};

pub mod rate_limit;
pub mod retry;
pub mod stack;
pub mod timeout;
pub mod trace;

pub use rate_limit::{Bucket, RateLimit, RateLimitConfig, RateLimitLayer, RateLimiter};
pub use retry::{RetryConfig, RetryLayer, RetryPolicy};
pub use stack::{Stack, StackConfig, StackLayer};
pub use timeout::{Timeout, TimeoutLayer};
pub use trace::{AttemptTrace, AttemptTraceLayer, Trace, TraceLayer};
