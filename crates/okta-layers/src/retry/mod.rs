//! Retrying failed attempts: [`Retry`], a retry service whose decisions are pure functions.
//!
//! [`decide`] takes the number of attempts made, the request's method and the attempt's
//! [`Outcome`] (from [`classify`]) and answers retry-after-delay or give-up; [`RetryPolicy`]
//! applies it under a [`RetryBudget`] shared by every call, so an org that fails everything
//! gets a trickle of retries rather than a storm. It also re-sends after a 429 that the
//! rate-limit layer below annotated with [`RateLimited`](crate::rate_limit::RateLimited),
//! waiting the time the rate limiter decided. Waits are `tokio::time` sleeps (they run
//! under `tokio::time::pause`), with exponential backoff and full jitter.
//!
//! # Rules
//! | outcome of the attempt | GET, HEAD, OPTIONS, PUT, DELETE | POST, PATCH | a write whose call ends on it, in the façade ([reconciliation](okta_users::reconcile)) |
//! | --- | --- | --- | --- |
//! | `Transport { not_sent: true }`, connect timeout (never reached the server, or the OAuth token request failed in transit) | retry | retry | none: not sent |
//! | attempt timeout, stalled body | retry | give up | reconciled by the operation's rule |
//! | 502, 503, 504 | retry | give up | 502, 504: reconciled; 503: none (Okta's answer: not applied) |
//! | `Transport { not_sent: false }` (reset after sending), unknown errors | retry | give up | reconciled |
//! | 429 with [`RateLimited`](crate::rate_limit::RateLimited) (from the rate-limit layer below) | wait its `wait`, re-send with `X-Okta-Retry-Count` / `X-Okta-Retry-For`, up to `max_429_retries` times; no budget spent, not an attempt | same | none: not applied |
//! | 429 without it (no rate-limit layer below), or no 429 re-send left | done | done | none: not applied |
//! | any other response (2xx, 4xx, 500, 501…) | done | done | none: Okta's answer |
//! | malformed response (not valid HTTP: a garbage status line, too many headers) | give up | give up | reconciled |
//! | call timeout, auth, refused, body too large | give up | give up | call timeout: reconciled; the others: none |
//!
//! The last column is `okta_users`' (it runs above this layer, once the call has given up):
//! a write whose error is [outcome-unknown](okta_users::Error::is_outcome_unknown) is read back
//! and, where its rule allows, re-sent once through the whole stack, so that the call returns
//! what happened; reads and writes with rule `none` keep the error. Every operation's rule is in
//! [`okta_users::reconcile`].
//!
//! A POST may have been processed when the answer is lost, and creating a user twice is worse
//! than an error; a 429 and a connection that never opened are certain not to have been. When
//! the retry gives up after such an ambiguous failure, the caller gets the attempt's error (a
//! `Timeout { Attempt }`, a `Transport` error after sending, a `MalformedResponse`), for which
//! `Error::is_outcome_unknown()` is true: the write may have landed.
//! An operation marked [`non_idempotent`](okta_users::Operation::non_idempotent) is treated like
//! a POST whatever its method: Okta's `DELETE /api/v1/users/{id}` deactivates the first time and
//! deletes the second, so it is never repeated after an ambiguous failure.

mod budget;
mod policy;
mod service;

pub use budget::{RetryBudget, RetryBudgetConfig};
pub use policy::{
    Decision, GiveUp, Outcome, RetryConfig, RetryPolicy, classify, decide, is_idempotent,
    is_repeatable,
};
pub use service::{Retry, RetryFuture, RetryLayer};

#[cfg(test)]
mod tests;
