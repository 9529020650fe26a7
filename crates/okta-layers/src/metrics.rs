//! Metrics through the [`metrics`] facade (cargo feature `metrics`): install any recorder —
//! Prometheus, StatsD, an OpenTelemetry bridge, or `metrics-util`'s debugging recorder in a
//! test — and the default [stack](crate::stack) reports to it. Without a recorder each
//! measurement is one atomic load.
//!
//! Why `metrics` rather than OpenTelemetry's metrics API: it is a facade like `log` and
//! `tracing` (one small crate, one dependency), so a library does not pin its users to one
//! exporter or to the `opentelemetry` crate's version (which breaks every few months), and
//! exporters to Prometheus, StatsD and OpenTelemetry exist for it.
//!
//! | name | kind, unit | labels | what |
//! | --- | --- | --- | --- |
//! | `http.client.request.duration` | histogram, s | `okta.operation`, `http.request.method`, `url.template`, `server.address`, `server.port`, `http.response.status_code`, `error.type` | each HTTP request (attempt), as OpenTelemetry's HTTP client metric: no rate-limit wait inside |
//! | `okta.client.call.duration` | histogram, s | `okta.operation`, `http.response.status_code`, `error.type` | each call, retries and every wait included |
//! | `okta.client.retries` | counter | `okta.operation` | re-sends (after an error, a 5xx or a 429) |
//! | `okta.client.rate_limit.responses` | counter | `okta.bucket`, `okta.rate_limit.kind` (`rate` / `concurrency`), `okta.retried` | 429s |
//! | `okta.client.rate_limit.wait.duration` | histogram, s | `okta.bucket`, `okta.rate_limit.reason` | each wait in the rate limiter ([`WaitReason`](crate::rate_limit::WaitReason)) |
//! | `okta.client.rate_limit.remaining` | gauge | `okta.bucket` | the bucket's budget left, as the last response said |
//! | `okta.client.rate_limit.limit` | gauge | `okta.bucket` | the bucket's budget per window |
//!
//! `error.type` follows the span's (a status ≥ 400 as its number, else the error's kind);
//! `okta.operation` is the operation's name (`okta.users.list`), `_OTHER` for a request sent
//! without one. The rate-limit metrics come from the limiter's [`RateLimitObserver`] hook:
//! [`observe_rate_limits`] chains [`RateLimitMetrics`] to a configuration's own observer, as
//! the default stack does.

use std::sync::Arc;
use std::time::Duration;

use http::{Method, Response, Uri};
use metrics::{Label, Unit};
use okta_users::{BoxError, Operation};
use tokio::time::Instant;

use crate::rate_limit::{RateLimitConfig, RateLimitEvent, RateLimitObserver};

/// Each HTTP request (attempt): histogram in seconds.
pub const REQUEST_DURATION: &str = "http.client.request.duration";
/// Each call, retries and waits included: histogram in seconds.
pub const CALL_DURATION: &str = "okta.client.call.duration";
/// Re-sends: counter.
pub const RETRIES: &str = "okta.client.retries";
/// 429 responses: counter.
pub const RATE_LIMITED: &str = "okta.client.rate_limit.responses";
/// Waits in the rate limiter: histogram in seconds.
pub const RATE_LIMIT_WAIT: &str = "okta.client.rate_limit.wait.duration";
/// A bucket's remaining budget: gauge.
pub const RATE_LIMIT_REMAINING: &str = "okta.client.rate_limit.remaining";
/// A bucket's budget per window: gauge.
pub const RATE_LIMIT_LIMIT: &str = "okta.client.rate_limit.limit";
/// Gauge: 1 while the rate limiter's shared store (such as Redis) coordinates, 0 while this
/// process paces on its own view because the store failed.
pub const RATE_LIMIT_STORE_AVAILABLE: &str = "okta.client.rate_limit.store.available";

/// `okta.operation` for a request without an [`Operation`].
const NO_OPERATION: &str = "_OTHER";

/// Describes every metric above (unit and help text) to the installed recorder. The default
/// stack calls it whenever one is built; call it yourself after installing a recorder later.
pub fn describe() {
    metrics::describe_histogram!(
        REQUEST_DURATION,
        Unit::Seconds,
        "Duration of HTTP client requests (each attempt)."
    );
    metrics::describe_histogram!(
        CALL_DURATION,
        Unit::Seconds,
        "Duration of Okta API calls, retries and waits included."
    );
    metrics::describe_counter!(RETRIES, "Requests re-sent after an error, a 5xx or a 429.");
    metrics::describe_counter!(RATE_LIMITED, "Responses 429 Too Many Requests.");
    metrics::describe_histogram!(
        RATE_LIMIT_WAIT,
        Unit::Seconds,
        "Time requests waited in the rate limiter."
    );
    metrics::describe_gauge!(
        RATE_LIMIT_REMAINING,
        "Requests left in the rate-limit bucket's window."
    );
    metrics::describe_gauge!(RATE_LIMIT_LIMIT, "Requests allowed per rate-limit window.");
    metrics::describe_gauge!(
        RATE_LIMIT_STORE_AVAILABLE,
        "1 while the rate limiter's shared store coordinates, 0 while it is unavailable."
    );
}

/// The rate limiter's events as metrics: 429s, waits, and each bucket's budget.
#[derive(Debug, Clone, Copy, Default)]
pub struct RateLimitMetrics;

impl RateLimitObserver for RateLimitMetrics {
    fn on_event(&self, event: &RateLimitEvent) {
        match event {
            RateLimitEvent::Waited {
                bucket,
                duration,
                reason,
            } => metrics::histogram!(
                RATE_LIMIT_WAIT,
                "okta.bucket" => bucket.as_str(),
                "okta.rate_limit.reason" => reason.as_str(),
            )
            .record(duration.as_secs_f64()),
            RateLimitEvent::Got429 {
                bucket,
                concurrency,
                will_retry,
                ..
            } => metrics::counter!(
                RATE_LIMITED,
                "okta.bucket" => bucket.as_str(),
                "okta.rate_limit.kind" => if *concurrency { "concurrency" } else { "rate" },
                "okta.retried" => if *will_retry { "true" } else { "false" },
            )
            .increment(1),
            RateLimitEvent::Updated {
                bucket,
                limit,
                remaining,
                ..
            } => {
                metrics::gauge!(RATE_LIMIT_REMAINING, "okta.bucket" => bucket.as_str())
                    .set(f64::from(*remaining));
                metrics::gauge!(RATE_LIMIT_LIMIT, "okta.bucket" => bucket.as_str())
                    .set(f64::from(*limit));
            }
            RateLimitEvent::StoreUnavailable { .. } => {
                metrics::gauge!(RATE_LIMIT_STORE_AVAILABLE).set(0.0);
            }
            RateLimitEvent::StoreRestored => metrics::gauge!(RATE_LIMIT_STORE_AVAILABLE).set(1.0),
        }
    }
}

/// Both observers, in order.
struct Both(Arc<dyn RateLimitObserver>, RateLimitMetrics);

impl RateLimitObserver for Both {
    fn on_event(&self, event: &RateLimitEvent) {
        self.0.on_event(event);
        self.1.on_event(event);
    }
}

/// `config` with [`RateLimitMetrics`] observing its limiter, after the observer it already
/// has (if any).
pub fn observe_rate_limits(mut config: RateLimitConfig) -> RateLimitConfig {
    config.observer = Some(match config.observer.take() {
        Some(existing) => Arc::new(Both(existing, RateLimitMetrics)),
        None => Arc::new(RateLimitMetrics),
    });
    config
}

/// Whether a timing measures one attempt or the whole call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Call,
    Attempt,
}

/// One call or attempt being timed: recorded when [`finish`](Timing::finish)ed, or as
/// `error.type = cancelled` if dropped first (an outer timeout, a caller giving up).
pub(crate) struct Timing {
    scope: Scope,
    started: Instant,
    labels: Vec<Label>,
    done: bool,
}

impl Timing {
    pub(crate) fn start(
        scope: Scope,
        operation: Option<&Operation>,
        method: &Method,
        uri: &Uri,
        template: Option<&'static str>,
    ) -> Timing {
        let operation = operation.map_or(NO_OPERATION, |op| op.name);
        let mut labels = vec![Label::from_static_parts("okta.operation", operation)];
        if scope == Scope::Attempt {
            labels.push(Label::new(
                "http.request.method",
                method.as_str().to_owned(),
            ));
            if let Some(template) = template {
                labels.push(Label::from_static_parts("url.template", template));
            }
            if let Some((host, port)) = super::trace::server(uri) {
                labels.push(Label::new("server.address", host.to_owned()));
                labels.push(Label::new("server.port", port.to_string()));
            }
        }
        Timing {
            scope,
            started: Instant::now(),
            labels,
            done: false,
        }
    }

    /// A re-send of the call (`attempt` > 0): counted once, by the attempt that is one.
    pub(crate) fn count_retry(operation: Option<&Operation>) {
        let operation = operation.map_or(NO_OPERATION, |op| op.name);
        metrics::counter!(RETRIES, "okta.operation" => operation).increment(1);
    }

    pub(crate) fn finish<RB>(mut self, result: &Result<Response<RB>, BoxError>) {
        match result {
            Ok(response) => {
                let status = response.status();
                self.labels.push(Label::new(
                    "http.response.status_code",
                    status.as_str().to_owned(),
                ));
                if status.as_u16() >= 400 {
                    self.labels
                        .push(Label::new("error.type", status.as_str().to_owned()));
                }
            }
            Err(error) => self.labels.push(Label::from_static_parts(
                "error.type",
                super::trace::error_type(error),
            )),
        }
        self.record();
    }

    fn record(&mut self) {
        self.done = true;
        let elapsed: Duration = self.started.elapsed();
        let labels = std::mem::take(&mut self.labels);
        let name = match self.scope {
            Scope::Call => CALL_DURATION,
            Scope::Attempt => REQUEST_DURATION,
        };
        metrics::histogram!(name, labels).record(elapsed.as_secs_f64());
    }
}

impl Drop for Timing {
    fn drop(&mut self) {
        if !self.done {
            self.labels
                .push(Label::from_static_parts("error.type", "cancelled"));
            self.record();
        }
    }
}
