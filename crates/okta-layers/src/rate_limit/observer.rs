//! A metrics hook: every wait, every 429 and every budget update, as events.

use std::time::Duration;

use super::Bucket;

/// Why a request waited in the rate limiter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// Proactive pacing: the rest of the bucket's budget is being spread over the rest of the window.
    Pacing,
    /// The bucket's budget (minus the reserve and the requests in flight) is used up until the reset.
    Exhausted,
    /// The bucket's budget is not known yet; waiting for the first response to tell it.
    Probe,
    /// Another request of the bucket received a 429; waiting for the reset it announced.
    Blocked,
    /// This request received a 429; waiting for the window's reset before re-sending it.
    RateLimited,
    /// This request received a concurrency-limit 429; a short exponential backoff.
    ConcurrencyLimited,
    /// [`RateLimitConfig::concurrency_limit`](super::RateLimitConfig::concurrency_limit)
    /// requests are in flight already (fleet-wide with a fleet store).
    InFlight,
    /// Waiting for the shared state's store (such as Redis) to grant permits, when the request
    /// then went at once: the latency the store added to it (its round trips, together). A
    /// request the store gave a later paced slot was not delayed by the round trip, and
    /// reports no such wait.
    SharedState,
}

impl WaitReason {
    /// A stable name for logs and metrics.
    pub const fn as_str(self) -> &'static str {
        match self {
            WaitReason::Pacing => "pacing",
            WaitReason::Exhausted => "exhausted",
            WaitReason::Probe => "probe",
            WaitReason::Blocked => "blocked",
            WaitReason::RateLimited => "rate_limited",
            WaitReason::ConcurrencyLimited => "concurrency_limited",
            WaitReason::InFlight => "in_flight",
            WaitReason::SharedState => "shared_state",
        }
    }
}

impl std::fmt::Display for WaitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something the rate limiter did or learned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimitEvent {
    /// A request waited (reported once the wait is over, with the time actually waited — for a
    /// 429, the planned sleep).
    Waited {
        /// The bucket.
        bucket: Bucket,
        /// How long.
        duration: Duration,
        /// Why.
        reason: WaitReason,
    },
    /// Okta answered 429.
    Got429 {
        /// The bucket.
        bucket: Bucket,
        /// Whether it was the concurrency limit (`Limit: 0`, `Remaining: 0`).
        concurrency: bool,
        /// How many times this request had already been re-sent for a 429.
        retries: u32,
        /// Whether the request will be re-sent (false: the 429 goes back to the caller).
        will_retry: bool,
    },
    /// A response reported the bucket's budget.
    Updated {
        /// The bucket.
        bucket: Bucket,
        /// `X-Rate-Limit-Limit`.
        limit: u32,
        /// `X-Rate-Limit-Remaining`.
        remaining: u32,
        /// `X-Rate-Limit-Reset`, epoch seconds.
        reset: u64,
    },
    /// The shared state's store (such as Redis) failed or is too slow: requests are paced from
    /// this process's own view until it answers again. Reported when coordination stops.
    StoreUnavailable {
        /// What failed (never a secret).
        error: String,
    },
    /// The store answers again: coordination resumed.
    StoreRestored,
}

/// Receives [`RateLimitEvent`]s, e.g. to export metrics. Called synchronously on the request's
/// path: keep it cheap (increment a counter, send on a channel).
///
/// Implemented for closures: `RateLimitConfig::default().observer(|event: &RateLimitEvent| …)`.
pub trait RateLimitObserver: Send + Sync + 'static {
    /// One event.
    fn on_event(&self, event: &RateLimitEvent);
}

impl<F> RateLimitObserver for F
where
    F: Fn(&RateLimitEvent) + Send + Sync + 'static,
{
    fn on_event(&self, event: &RateLimitEvent) {
        self(event)
    }
}
