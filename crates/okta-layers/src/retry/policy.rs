//! The retry decisions (pure functions) and the policy that applies them.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Method, Request, Response, StatusCode};
use okta_users::headers::{X_OKTA_RETRY_COUNT, X_OKTA_RETRY_FOR};
use okta_users::{BoxError, Error, TimeoutKind};

use super::{RetryBudget, RetryBudgetConfig};
use crate::backoff::{Jitter, full_jitter};
use crate::rate_limit::{RateLimitEvent, RateLimited};

/// Settings of the retry policy. Its defaults are in the *Defaults* table of the `okta-client` crate docs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryConfig {
    /// Attempts per call, the first included (1: never retry).
    pub max_attempts: u32,
    /// Ceiling of the first backoff; doubled for each further retry.
    pub backoff_min: Duration,
    /// Cap of the backoff's ceiling.
    pub backoff_max: Duration,
    /// The retry budget shared by all calls.
    pub budget: RetryBudgetConfig,
    /// Seed of the jitter's random numbers (`None`: seeded from the OS).
    pub seed: Option<u64>,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: 3,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(10),
            budget: RetryBudgetConfig::default(),
            seed: None,
        }
    }
}

/// What one attempt's result says about retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// A response that is final for these rules (2xx–4xx, and any other 5xx than
    /// 502/503/504). A 429 too: its re-send is decided from the rate limiter's
    /// [`RateLimited`] annotation, before these rules.
    Success,
    /// The request certainly never reached the server (`Transport { not_sent: true }`, a
    /// connect timeout).
    NotSent,
    /// The attempt timed out (or its body stalled): the server may have processed it.
    Timeout,
    /// 502, 503, 504, or a transport failure after sending: the server may have processed it.
    Ambiguous,
    /// An error no retry can fix (authentication, refused, body too large, a malformed
    /// response, the call timeout…).
    Fatal,
}

/// Classifies an attempt's result.
pub fn classify<B>(result: &Result<Response<B>, BoxError>) -> Outcome {
    match result {
        Ok(response) => match response.status() {
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => Outcome::Ambiguous,
            _ => Outcome::Success,
        },
        Err(error) => classify_error(&**error),
    }
}

fn classify_error(error: &(dyn std::error::Error + 'static)) -> Outcome {
    if let Some(error) = error.downcast_ref::<Error>() {
        return match error {
            Error::Transport { not_sent: true, .. } => Outcome::NotSent,
            Error::Transport {
                not_sent: false, ..
            } => Outcome::Ambiguous,
            Error::Timeout {
                kind: TimeoutKind::Connect,
            } => Outcome::NotSent,
            Error::Timeout {
                kind: TimeoutKind::Call,
            } => Outcome::Fatal,
            Error::Timeout { .. } => Outcome::Timeout,
            // Not valid HTTP: sent, so perhaps processed, and a re-send gets the same answer.
            Error::MalformedResponse { .. } => Outcome::Fatal,
            _ => Outcome::Fatal,
        };
    }
    if error.is::<tower::timeout::error::Elapsed>() {
        return Outcome::Timeout;
    }
    // An error from below that is not ours (hyper, io): the request may have been sent, unless
    // the connection was refused (as `Error::from_service` reads it too).
    if okta_users::error::connection_refused(error) {
        return Outcome::NotSent;
    }
    Outcome::Ambiguous
}

/// Whether a method may be repeated without changing the result (RFC 9110 §9.2.2).
pub fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// Whether `request` may be repeated after an ambiguous failure: its method is idempotent and
/// its [`Operation`](okta_users::Operation) is not marked otherwise (Okta's user DELETE).
pub fn is_repeatable<B>(request: &http::Request<B>) -> bool {
    is_idempotent(request.method())
        && !request
            .extensions()
            .get::<okta_users::Operation>()
            .is_some_and(|operation| operation.non_idempotent)
}

/// Why a failed attempt is not retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GiveUp {
    /// The outcome is not retryable at all.
    NotRetryable,
    /// The server may have processed a non-idempotent request (a POST after a timeout).
    NotIdempotent,
    /// `max_attempts` reached.
    MaxAttempts,
    /// The shared retry budget is empty.
    BudgetExhausted,
}

/// The decision after one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The attempt succeeded: nothing to do.
    Done,
    /// Send again after this delay.
    RetryAfter(Duration),
    /// Return the attempt's result.
    GiveUp(GiveUp),
}

/// Decides, purely: `attempts` made so far (1 after the first), whether the request may be
/// repeated after an ambiguous failure ([`is_repeatable`]), the outcome, and `unit` ∈ [0, 1] for the full jitter (the delay is `unit × min(max, min × 2^(attempts−1))`).
/// The budget is checked by the caller.
pub fn decide(
    attempts: u32,
    repeatable: bool,
    outcome: Outcome,
    config: &RetryConfig,
    unit: f64,
) -> Decision {
    match outcome {
        Outcome::Success => return Decision::Done,
        Outcome::Fatal => return Decision::GiveUp(GiveUp::NotRetryable),
        Outcome::NotSent => {}
        Outcome::Timeout | Outcome::Ambiguous if repeatable => {}
        Outcome::Timeout | Outcome::Ambiguous => return Decision::GiveUp(GiveUp::NotIdempotent),
    }
    if attempts >= config.max_attempts {
        return Decision::GiveUp(GiveUp::MaxAttempts);
    }
    Decision::RetryAfter(full_jitter(
        attempts.saturating_sub(1),
        config.backoff_min,
        config.backoff_max,
        unit,
    ))
}

struct Shared {
    config: RetryConfig,
    budget: RetryBudget,
    jitter: Jitter,
}

/// The policy applying [`decide`] with the shared [`RetryBudget`], and re-sending after a 429
/// that the rate-limit layer below annotated with [`RateLimited`]: what [`Retry`](super::Retry)
/// runs. It is also a `tower::retry::Policy`, for `tower::retry::Retry` (which clones it per
/// call; the counts of attempts and of 429 re-sends are per clone). Cheap to clone.
#[derive(Clone)]
pub struct RetryPolicy {
    shared: Arc<Shared>,
    counts: Counts,
}

/// One call's counts: attempts made, budget withdrawn, re-sends after a 429.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    attempts: u32,
    withdrawn: u32,
    resends_429: u32,
}

impl std::fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("config", &self.shared.config)
            .field("attempts", &self.counts.attempts)
            .field("resends_429", &self.counts.resends_429)
            .finish()
    }
}

impl RetryPolicy {
    /// A policy with its own budget; clones share it.
    pub fn new(config: RetryConfig) -> Self {
        let shared = Shared {
            budget: RetryBudget::new(config.budget.capacity),
            jitter: Jitter::new(config.seed),
            config,
        };
        RetryPolicy {
            shared: Arc::new(shared),
            counts: Counts::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &RetryConfig {
        &self.shared.config
    }

    /// The shared retry budget.
    pub fn budget(&self) -> &RetryBudget {
        &self.shared.budget
    }

    /// After a 429 annotated by the rate-limit layer with a re-send left: sets the retry
    /// headers on `request` and returns the wait. Neither spends the budget nor counts as an
    /// attempt.
    fn resend_after_429<B>(
        counts: &mut Counts,
        request: &mut Request<B>,
        limited: &RateLimited,
    ) -> Option<Duration> {
        if counts.resends_429 >= limited.max_resends {
            return None;
        }
        counts.resends_429 += 1;
        let retries = counts.resends_429;
        let headers = request.headers_mut();
        headers.insert(X_OKTA_RETRY_COUNT, HeaderValue::from(retries));
        match &limited.request_id {
            Some(id) => headers.insert(X_OKTA_RETRY_FOR, id.clone()),
            None => headers.remove(X_OKTA_RETRY_FOR),
        };
        let (bucket, wait, reason) = (limited.bucket, limited.wait, limited.reason);
        tracing::info!(
            okta.rate_limit.bucket = bucket.as_str(),
            okta.rate_limit.reason = reason.as_str(),
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            retry = retries,
            "okta rate limit: 429, waiting before re-sending"
        );
        limited.limiter().emit(|| RateLimitEvent::Waited {
            bucket,
            duration: wait,
            reason,
        });
        Some(wait)
    }
}

impl RetryPolicy {
    /// Judges one attempt's `result` for a call with `counts` so far: the wait before sending
    /// `request` (a copy, whose retry headers it may set) again, or `None` when `result` is
    /// the call's answer.
    pub(crate) fn judge<B, RB>(
        &self,
        counts: &mut Counts,
        request: &mut Request<B>,
        result: &Result<Response<RB>, BoxError>,
    ) -> Option<Duration> {
        let limited = result
            .as_ref()
            .ok()
            .and_then(|response| response.extensions().get::<RateLimited>());
        if let Some(wait) =
            limited.and_then(|limited| Self::resend_after_429(counts, request, limited))
        {
            return Some(wait);
        }
        counts.attempts += 1;
        let outcome = classify(result);
        let config = &self.shared.config;
        if outcome == Outcome::Success {
            let refund = if counts.withdrawn > 0 {
                counts.withdrawn
            } else {
                config.budget.success_refund
            };
            self.shared.budget.deposit(refund);
            return None;
        }
        let unit = self.shared.jitter.unit();
        let delay = match decide(
            counts.attempts,
            is_repeatable(request),
            outcome,
            config,
            unit,
        ) {
            Decision::Done => return None,
            Decision::GiveUp(reason) => {
                tracing::debug!(
                    attempts = counts.attempts,
                    ?outcome,
                    ?reason,
                    "okta retry: giving up"
                );
                return None;
            }
            Decision::RetryAfter(delay) => delay,
        };
        let cost = if outcome == Outcome::Timeout {
            config.budget.timeout_retry_cost
        } else {
            config.budget.retry_cost
        };
        if !self.shared.budget.try_withdraw(cost) {
            tracing::warn!(attempts = counts.attempts, ?outcome, reason = ?GiveUp::BudgetExhausted, "okta retry: giving up");
            return None;
        }
        counts.withdrawn += cost;
        tracing::info!(
            attempt = counts.attempts + 1,
            ?outcome,
            wait_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "okta retry: waiting before the next attempt"
        );
        Some(delay)
    }
}

impl<B, RB> tower::retry::Policy<Request<B>, Response<RB>, BoxError> for RetryPolicy
where
    B: Clone,
{
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        request: &mut Request<B>,
        result: &mut Result<Response<RB>, BoxError>,
    ) -> Option<Self::Future> {
        let mut counts = self.counts;
        let wait = self.judge(&mut counts, request, result);
        self.counts = counts;
        wait.map(tokio::time::sleep)
    }

    fn clone_request(&mut self, request: &Request<B>) -> Option<Request<B>> {
        Some(request.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(error: Error) -> Result<Response<()>, BoxError> {
        Err(Box::new(error))
    }

    fn status(code: u16) -> Result<Response<()>, BoxError> {
        let mut response = Response::new(());
        *response.status_mut() = StatusCode::from_u16(code).unwrap();
        Ok(response)
    }

    #[test]
    fn classification() {
        assert_eq!(classify(&status(200)), Outcome::Success);
        assert_eq!(
            classify(&status(429)),
            Outcome::Success,
            "a 429 is re-sent from the rate limiter's annotation, not by these rules"
        );
        assert_eq!(classify(&status(500)), Outcome::Success);
        for code in [502, 503, 504] {
            assert_eq!(classify(&status(code)), Outcome::Ambiguous);
        }
        let io = || Box::new(std::io::Error::other("reset")) as BoxError;
        // A foreign error: ambiguous, unless the connection was refused (never sent).
        assert_eq!(classify::<()>(&Err(io())), Outcome::Ambiguous);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(classify::<()>(&Err(Box::new(refused))), Outcome::NotSent);
        assert_eq!(
            classify(&err(Error::Transport {
                not_sent: true,
                source: io()
            })),
            Outcome::NotSent
        );
        assert_eq!(
            classify(&err(Error::Transport {
                not_sent: false,
                source: io()
            })),
            Outcome::Ambiguous
        );
        assert_eq!(
            classify(&err(Error::Timeout {
                kind: TimeoutKind::Attempt
            })),
            Outcome::Timeout
        );
        assert_eq!(
            classify(&err(Error::Timeout {
                kind: TimeoutKind::Connect
            })),
            Outcome::NotSent
        );
        assert_eq!(
            classify(&err(Error::Timeout {
                kind: TimeoutKind::Call
            })),
            Outcome::Fatal
        );
        assert_eq!(
            classify(&err(Error::BodyTooLarge { limit: 1 })),
            Outcome::Fatal
        );
        assert_eq!(
            classify(&err(okta_users::AuthError::new("no").into())),
            Outcome::Fatal
        );
        assert_eq!(
            classify(&err(Error::MalformedResponse {
                source: "invalid HTTP status-code parsed".into()
            })),
            Outcome::Fatal,
            "no re-send can change how the server answers"
        );
    }

    #[test]
    fn a_delete_marked_non_idempotent_is_not_repeatable() {
        let delete = |operation: Option<okta_users::Operation>| {
            let mut request = http::Request::delete("/api/v1/users/00u1")
                .body(())
                .unwrap();
            if let Some(operation) = operation {
                request.extensions_mut().insert(operation);
            }
            is_repeatable(&request)
        };
        assert!(delete(None));
        assert!(delete(Some(okta_users::Operation::new(
            "okta.users.revoke_grants",
            "revokeUserGrants"
        ))));
        assert!(!delete(Some(
            okta_users::Operation::new("okta.users.delete", "deleteUser").non_idempotent()
        )));
    }

    #[test]
    fn the_rules_table() {
        let config = RetryConfig::default();
        let retry = |method: Method, outcome| {
            matches!(
                decide(1, is_idempotent(&method), outcome, &config, 1.0),
                Decision::RetryAfter(_)
            )
        };
        for method in [Method::GET, Method::PUT, Method::DELETE] {
            for outcome in [Outcome::NotSent, Outcome::Timeout, Outcome::Ambiguous] {
                assert!(retry(method.clone(), outcome), "{method} {outcome:?}");
            }
        }
        assert!(retry(Method::POST, Outcome::NotSent));
        assert!(!retry(Method::POST, Outcome::Timeout));
        assert!(!retry(Method::POST, Outcome::Ambiguous));
        assert!(!retry(Method::GET, Outcome::Fatal));
        assert_eq!(
            decide(
                1,
                is_idempotent(&Method::GET),
                Outcome::Success,
                &config,
                1.0
            ),
            Decision::Done
        );
    }

    #[test]
    fn backoff_is_exponential_with_full_jitter_and_attempts_are_capped() {
        let config = RetryConfig::default();
        let delay = |attempts, unit| {
            decide(
                attempts,
                is_idempotent(&Method::GET),
                Outcome::Ambiguous,
                &config,
                unit,
            )
        };
        assert_eq!(
            delay(1, 1.0),
            Decision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(
            delay(2, 1.0),
            Decision::RetryAfter(Duration::from_millis(200))
        );
        assert_eq!(
            delay(2, 0.25),
            Decision::RetryAfter(Duration::from_millis(50))
        );
        assert_eq!(delay(3, 1.0), Decision::GiveUp(GiveUp::MaxAttempts));
        let long = RetryConfig {
            max_attempts: 100,
            ..config
        };
        assert_eq!(
            decide(
                30,
                is_idempotent(&Method::GET),
                Outcome::Ambiguous,
                &long,
                1.0
            ),
            Decision::RetryAfter(Duration::from_secs(10))
        );
    }
}
