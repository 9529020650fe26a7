//! Okta's rate limits: proactive pacing from the budget every response reports, and the wait
//! after a 429.
//!
//! The logic lives in [`RateLimiter`], which knows nothing of tower or HTTP services: a request
//! [acquires](RateLimiter::acquire) a [`Permit`] for its [`Bucket`] and
//! [completes](Permit::complete) it with the response's status and headers.
//! [`RateLimitLayer`] / [`RateLimit`] is the thin tower wrapper: it is `Clone` (state shared in
//! an `Arc`, each bucket behind a `std::sync::Mutex` held for a few instructions) and allocates
//! nothing on the fast path (a permit granted at once, a response that is not a 429), nor
//! clones the request.
//!
//! # Who re-sends after a 429
//! The [`RateLimit`] layer paces and annotates; it does **not** re-send. On a 429 it completes
//! the permit (the limiter learns the budget and blocks the bucket), emits
//! [`RateLimitEvent::Got429`] and attaches a [`RateLimited`] extension to the response: the
//! wait the limiter decided, the reason, the 429's request id and `max_429_retries`. The
//! [`RetryPolicy`](crate::retry::RetryPolicy) above it (in the default
//! [stack](crate::stack)) keeps the one copy of the request, waits that long and re-sends it
//! with the retry headers; those re-sends spend no retry budget and are not attempts. Used
//! alone, the layer returns the 429 with its extension.
//!
//! # Buckets
//! [`Bucket::classify`] maps method + path to Okta's buckets: `GET`/`POST /api/v1/users`;
//! `POST`/`PUT`/`DELETE /api/v1/users/{id}`; `GET /api/v1/users/{idOrLogin}`; every other
//! `/api/v1/users…`; anything else.
//!
//! # After a 429
//! * **Rate limit**: wait `X-Rate-Limit-Reset − Date` seconds — both Okta's clock, so a skewed
//!   local clock does not matter — plus a random jitter in `[0, reset_jitter]`. Without `Date`,
//!   `reset − local now`, clamped to `[1 s, window]`. A duplicated reset header: the latest
//!   (see [`RateLimitHeaders`]). The whole bucket is blocked until then, so the other requests
//!   of the bucket wait instead of collecting their own 429s.
//! * **Concurrency limit** (`X-Rate-Limit-Limit: 0`, `X-Rate-Limit-Remaining: 0`): the org has
//!   too many requests in flight; wait `concurrency_backoff × 2^n`, capped, with full jitter.
//! * Then the retry policy re-sends the request with `X-Okta-Retry-For: <the 429's
//!   X-Okta-Request-Id>` and `X-Okta-Retry-Count: <n>` (the layer reads `n` back to grow the
//!   concurrency backoff); after `max_429_retries` re-sends the 429 is returned as the
//!   response (the façade turns it into `Error::Api` with status 429).
//!
//! # Pacing
//! Every response's `Limit`/`Remaining`/`Reset` update the bucket (the smallest remaining and
//! the earliest reset instant of a window win, since responses arrive out of order; a
//! straggler of a previous window is ignored). Every number is untrusted: a reset more than a
//! `window` after the response's `Date` (a lie, a broken proxy) is clamped to the window and
//! never becomes the window that ranks later responses, so the next sane response corrects
//! it; time arithmetic saturates. Before sending:
//! 1. While the budget is unknown, one request goes first and the others wait (at most
//!    `probe_timeout`) for its answer. Responses without rate-limit headers switch pacing off
//!    for the bucket.
//! 2. `allowance = remaining − in flight − reserve`; requests in flight have not reported yet.
//! 3. Above `burst_fraction × limit`, a request goes at once. Below, the rest of the allowance
//!    is spread evenly over the rest of the window: each request takes the next slot,
//!    `(reset − slot) / allowance` after the previous one. At zero, wait for the reset (or
//!    for a request in flight to finish).
//! 4. Once the reset instant passes, the window is assumed fresh (`remaining = limit`) until a
//!    response of the new window tells otherwise.
//!
//! # Many replicas
//! The limiter decides with a [`SharedState`]: by default [`InProcessState`], shared by every
//! clone of the limiter (so by every client built over one limiter, see
//! [`RateLimitLayer::from_limiter`]). With [`RateLimitConfig::adaptive`] (the default) each
//! bucket paces to the share of it this process is seen to use: between two of its own
//! responses, `Remaining` falls by what every replica of the principal consumed, so the share
//! is `own requests ÷ Σ falls` (decayed with a half-life of half a window); the allowance of
//! step 2 below becomes `(remaining − the others' likely spending since our last response) ×
//! share − in flight − reserve × share` (rounded at random, so fractions of a request add up
//! across replicas), and the burst threshold `burst_fraction × limit × share`.
//! A [`StateStore`] such as okta-fleet's Redis store shares permits, budgets, blocks and
//! in-flight slots between processes.
//!
//! Every wait is a `tracing` event (`okta rate limit: waiting`, debug; after a 429, info, from
//! the retry policy) and a [`RateLimitEvent::Waited`] for the observer.

mod bucket;
mod in_process;
mod layer;
mod limiter;
mod observer;
mod pacing;
mod parse;
mod share;
mod state;

pub use bucket::Bucket;
pub use in_process::InProcessState;
pub use layer::{RateLimit, RateLimitLayer, RateLimited, ResponseFuture};
pub use limiter::{BucketSnapshot, Completion, Permit, RateLimitConfig, RateLimiter};
pub use observer::{RateLimitEvent, RateLimitObserver, WaitReason};
pub use pacing::BucketState;
pub use parse::RateLimitHeaders;
pub use state::{Decision, Observed, RefreshFuture, Scope, SharedState, StateStore};

#[cfg(test)]
mod tests;
