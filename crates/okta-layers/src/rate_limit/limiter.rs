//! The rate limiter itself: per-bucket budgets, permits and pacing, with no HTTP service in sight.
//!
//! A request [acquires](RateLimiter::acquire) a [`Permit`] for its [`Bucket`] (perhaps after a
//! wait) and [completes](Permit::complete) it with the response's status and headers; the limiter
//! learns the bucket's budget from every response and tells a 429's caller how long to wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::state::{Observed, Scope, SharedState, StateStore};
use super::{
    Bucket, Decision, InProcessState, RateLimitEvent, RateLimitHeaders, RateLimitObserver,
    WaitReason,
};
use crate::backoff::{Jitter, full_jitter};

/// Settings of the rate limiter. Its defaults are in the *Defaults* table of the `okta-client` crate docs.
#[derive(Clone)]
pub struct RateLimitConfig {
    /// How many times one request is re-sent after a 429 before the 429 is returned.
    pub max_429_retries: u32,
    /// The largest random delay added to a wait for a window's reset, so that the clients of
    /// one org do not all come back in the same millisecond.
    pub reset_jitter: Duration,
    /// Okta's rate-limit window, also the cap of any wait for a reset.
    pub window: Duration,
    /// The first backoff after a concurrency-limit 429; doubled on each further one, with full
    /// jitter.
    pub concurrency_backoff: Duration,
    /// The cap of that backoff.
    pub concurrency_backoff_max: Duration,
    /// Whether to pace requests from the budget the responses report.
    pub pacing: bool,
    /// The fraction of each bucket's budget left unused, for other clients of the org (rounded
    /// down: nothing is kept back from a budget under `1 / reserve`).
    pub reserve: f64,
    /// While more than this fraction of the budget is available, requests go at once; below it
    /// they are spread evenly over the rest of the window.
    pub burst_fraction: f64,
    /// While a bucket's budget is unknown, one request goes first and the others wait for its
    /// answer, at most this long.
    pub probe_timeout: Duration,
    /// Seed of the jitter's random numbers (`None`: seeded from the OS).
    pub seed: Option<u64>,
    /// The adaptive mode: pace each bucket to the share of it this process is seen to use
    /// (inferred from how `X-Rate-Limit-Remaining` falls between its own responses), so that
    /// replicas sharing a token or OAuth app do not each spend the whole budget. Alone, the
    /// share is 1 and pacing is as without it.
    pub adaptive: bool,
    /// The most requests in flight at once, every bucket together (`None`: no limit). Shared
    /// like the rest of the state: fleet-wide with a fleet store. Okta's concurrency limit is
    /// per org; set this below it to stay clear of its 429s.
    pub concurrency_limit: Option<u32>,
    /// Receives every wait, 429 and budget update.
    pub observer: Option<Arc<dyn RateLimitObserver>>,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            max_429_retries: 3,
            reset_jitter: Duration::from_millis(500),
            window: Duration::from_secs(60),
            concurrency_backoff: Duration::from_millis(100),
            concurrency_backoff_max: Duration::from_secs(5),
            pacing: true,
            reserve: 0.02,
            burst_fraction: 0.5,
            probe_timeout: Duration::from_secs(2),
            seed: None,
            adaptive: true,
            concurrency_limit: None,
            observer: None,
        }
    }
}

impl std::fmt::Debug for RateLimitConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimitConfig")
            .field("max_429_retries", &self.max_429_retries)
            .field("reset_jitter", &self.reset_jitter)
            .field("window", &self.window)
            .field("concurrency_backoff", &self.concurrency_backoff)
            .field("concurrency_backoff_max", &self.concurrency_backoff_max)
            .field("pacing", &self.pacing)
            .field("reserve", &self.reserve)
            .field("burst_fraction", &self.burst_fraction)
            .field("probe_timeout", &self.probe_timeout)
            .field("seed", &self.seed)
            .field("adaptive", &self.adaptive)
            .field("concurrency_limit", &self.concurrency_limit)
            .field("observer", &self.observer.as_ref().map(|_| "…"))
            .finish()
    }
}

impl RateLimitConfig {
    /// Sets the observer.
    #[must_use]
    pub fn observer(mut self, observer: impl RateLimitObserver) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Sets the seed of the jitter.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

/// A snapshot of one bucket, for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSnapshot {
    /// The budget per window, once a response told it.
    pub limit: Option<u32>,
    /// What the limiter believes is left of it.
    pub remaining: Option<u32>,
    /// Requests granted and not completed yet.
    pub in_flight: u32,
    /// The reset, as a local instant.
    pub reset_at: Option<Instant>,
    /// The window the bucket is in (the epoch seconds of its reset, as Okta numbers it), once
    /// known: rolled forward locally when the reset passes with no news.
    pub window_epoch: Option<u64>,
    /// The window's length, as learnt from successive resets (at most the configured one).
    pub window: Duration,
    /// The share of the bucket this process is seen to use (1 alone; see
    /// [`RateLimitConfig::adaptive`]).
    pub share: f64,
    /// Held back until then after a 429.
    pub blocked_until: Option<Instant>,
}

/// Where a bucket's waiting requests are woken.
struct Waiters {
    notify: Notify,
    count: AtomicUsize,
}

struct Inner {
    config: RateLimitConfig,
    state: Arc<dyn SharedState>,
    waiters: [Waiters; 5],
    jitter: Jitter,
}

/// Okta's rate limits, bucket by bucket: cheap to clone, shared by every clone.
#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// What a finished request tells its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Anything but a 429: pass the response on.
    Done,
    /// A 429: wait this long, then re-send.
    RateLimited {
        /// How long to wait.
        wait: Duration,
        /// Why (reset or concurrency).
        reason: WaitReason,
    },
}

pub(crate) enum Step {
    Go(Permit),
    GoAt(Permit, Instant),
    Wait(Instant, WaitReason),
    Refresh,
}

impl RateLimiter {
    /// A limiter with the given settings and its state in this process
    /// ([`InProcessState`]); every clone shares it.
    pub fn new(config: RateLimitConfig) -> Self {
        let state = Arc::new(InProcessState::new(&config));
        RateLimiter::with_state(config, state)
    }

    /// A limiter over `state`, such as a fleet store's (see [`SharedState`]).
    pub fn with_state(config: RateLimitConfig, state: Arc<dyn SharedState>) -> Self {
        let waiters = || Waiters {
            notify: Notify::new(),
            count: AtomicUsize::new(0),
        };
        RateLimiter {
            inner: Arc::new(Inner {
                state,
                waiters: [waiters(), waiters(), waiters(), waiters(), waiters()],
                jitter: Jitter::new(config.seed),
                config,
            }),
        }
    }

    /// A limiter over the state `store` opens for `scope`.
    pub fn with_store(config: RateLimitConfig, store: &dyn StateStore, scope: &Scope) -> Self {
        let state = store.open(scope, &config);
        RateLimiter::with_state(config, state)
    }

    /// The settings.
    pub fn config(&self) -> &RateLimitConfig {
        &self.inner.config
    }

    /// The state the limiter decides with.
    pub fn state(&self) -> &Arc<dyn SharedState> {
        &self.inner.state
    }

    /// What the limiter knows of a bucket.
    pub fn snapshot(&self, bucket: Bucket) -> BucketSnapshot {
        self.inner.state.snapshot(bucket)
    }

    pub(crate) fn step(&self, bucket: Bucket, now: Instant) -> Step {
        match self.inner.state.decide(bucket, now, &self.inner.config) {
            Decision::Go => Step::Go(self.permit(bucket)),
            Decision::GoAt(at) => Step::GoAt(self.permit(bucket), at),
            Decision::Wait(until, reason) => Step::Wait(until, reason),
            Decision::Refresh => Step::Refresh,
        }
    }

    fn permit(&self, bucket: Bucket) -> Permit {
        Permit {
            limiter: self.clone(),
            bucket,
            armed: true,
        }
    }

    /// A permit if the request may go right now (without waiting for a shared store either).
    pub fn try_acquire(&self, bucket: Bucket) -> Option<Permit> {
        match self.step(bucket, Instant::now()) {
            Step::Go(permit) => Some(permit),
            Step::GoAt(..) | Step::Wait(..) | Step::Refresh => None,
        }
    }

    /// Waits until the bucket's budget allows one more request (see the [module docs](super)).
    pub async fn acquire(&self, bucket: Bucket) -> Permit {
        self.acquire_from(bucket, None).await
    }

    pub(crate) async fn acquire_from(&self, bucket: Bucket, first: Option<Step>) -> Permit {
        let slot = &self.inner.waiters[bucket.index()];
        let started = Instant::now();
        // A wait decided before a waiter was registered could miss a wake-up: decide again.
        let mut first = first.filter(|step| !matches!(step, Step::Wait(..)));
        let mut reason = None;
        // Time spent waiting for the shared store; reported if the request then goes at once.
        let mut store_wait = Duration::ZERO;
        loop {
            slot.count.fetch_add(1, Ordering::SeqCst);
            let notified = slot.notify.notified();
            let step = match first.take() {
                Some(step) => step,
                None => self.step(bucket, Instant::now()),
            };
            match step {
                Step::Go(permit) => {
                    slot.count.fetch_sub(1, Ordering::SeqCst);
                    if !store_wait.is_zero() {
                        self.emit(|| RateLimitEvent::Waited {
                            bucket,
                            duration: store_wait,
                            reason: WaitReason::SharedState,
                        });
                    }
                    self.waited(bucket, started, reason);
                    return permit;
                }
                Step::GoAt(permit, at) => {
                    slot.count.fetch_sub(1, Ordering::SeqCst);
                    drop(notified);
                    let reason = *reason.get_or_insert(WaitReason::Pacing);
                    announce(bucket, at.saturating_duration_since(Instant::now()), reason);
                    tokio::time::sleep_until(at).await;
                    self.waited(bucket, started, Some(reason));
                    return permit;
                }
                Step::Wait(until, why) => {
                    if reason.is_none() {
                        announce(bucket, until.saturating_duration_since(Instant::now()), why);
                    }
                    reason = Some(why);
                    let sleep = std::pin::pin!(tokio::time::sleep_until(until));
                    let notified = std::pin::pin!(notified);
                    futures_util::future::select(sleep, notified).await;
                    slot.count.fetch_sub(1, Ordering::SeqCst);
                }
                Step::Refresh => {
                    slot.count.fetch_sub(1, Ordering::SeqCst);
                    drop(notified);
                    let asked = Instant::now();
                    self.inner.state.refresh(bucket).await;
                    store_wait += asked.elapsed();
                }
            }
        }
    }

    fn waited(&self, bucket: Bucket, started: Instant, reason: Option<WaitReason>) {
        if let Some(reason) = reason {
            let duration = started.elapsed();
            self.emit(|| RateLimitEvent::Waited {
                bucket,
                duration,
                reason,
            });
        }
    }

    pub(crate) fn emit(&self, event: impl FnOnce() -> RateLimitEvent) {
        if let Some(observer) = &self.inner.config.observer {
            observer.on_event(&event());
        }
    }

    fn wake(&self, bucket: Bucket) {
        if self.inner.config.concurrency_limit.is_some() {
            // A slot was freed: a request of any bucket may be waiting for one.
            for slot in &self.inner.waiters {
                if slot.count.load(Ordering::SeqCst) > 0 {
                    slot.notify.notify_waiters();
                }
            }
            return;
        }
        let slot = &self.inner.waiters[bucket.index()];
        if slot.count.load(Ordering::SeqCst) > 0 {
            slot.notify.notify_waiters();
        }
    }

    fn unit(&self) -> f64 {
        self.inner.jitter.unit()
    }

    /// How long to wait after a 429 whose headers are `info`, when the request has already been
    /// re-sent `retries` times for a 429. Pure but for the jitter's random number.
    pub fn wait_after_429(
        &self,
        info: &RateLimitHeaders,
        retries: u32,
        wall_now: SystemTime,
    ) -> (Duration, WaitReason) {
        let config = &self.inner.config;
        if info.is_concurrency_limit() {
            let wait = full_jitter(
                retries,
                config.concurrency_backoff,
                config.concurrency_backoff_max,
                self.unit(),
            );
            return (wait, WaitReason::ConcurrencyLimited);
        }
        let base = match info.time_to_reset(wall_now, config.window) {
            Some(to_reset) => to_reset,
            // No reset header: back off exponentially from one second.
            None => full_jitter(
                retries,
                Duration::from_secs(1),
                config.window,
                0.5 + self.unit() / 2.0,
            ),
        };
        let jitter = full_jitter(0, config.reset_jitter, config.reset_jitter, self.unit());
        (base.saturating_add(jitter), WaitReason::RateLimited)
    }
}

/// Leave to send one request; complete it with the response, or drop it if none came.
#[must_use = "a permit counts as a request in flight until completed or dropped"]
pub struct Permit {
    limiter: RateLimiter,
    bucket: Bucket,
    armed: bool,
}

impl std::fmt::Debug for Permit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Permit")
            .field("bucket", &self.bucket)
            .finish()
    }
}

impl Permit {
    /// The bucket the permit counts against.
    pub fn bucket(&self) -> Bucket {
        self.bucket
    }

    /// The limiter that granted it.
    pub fn limiter(&self) -> &RateLimiter {
        &self.limiter
    }

    /// Completes the request with its response; `retries` is how many times it has already been
    /// re-sent for a 429.
    pub fn complete(self, status: StatusCode, headers: &HeaderMap, retries: u32) -> Completion {
        let info = RateLimitHeaders::parse(headers);
        // The wall clock only stands in for a missing `Date` (every reader of `wall` prefers
        // `Date`), so a response with one spares a clock read (~20 ns) on every call.
        let wall_now = info
            .date
            .and_then(|date| UNIX_EPOCH.checked_add(Duration::from_secs(date)))
            .unwrap_or_else(SystemTime::now);
        self.complete_parsed(status, &info, retries, Instant::now(), wall_now)
    }

    /// [`complete`](Self::complete) with the clocks passed in.
    pub fn complete_at(
        self,
        status: StatusCode,
        headers: &HeaderMap,
        retries: u32,
        now: Instant,
        wall_now: SystemTime,
    ) -> Completion {
        let info = RateLimitHeaders::parse(headers);
        self.complete_parsed(status, &info, retries, now, wall_now)
    }

    fn complete_parsed(
        mut self,
        status: StatusCode,
        info: &RateLimitHeaders,
        retries: u32,
        now: Instant,
        wall_now: SystemTime,
    ) -> Completion {
        self.armed = false;
        let limiter = &self.limiter;
        let bucket = self.bucket;
        let too_many = status == StatusCode::TOO_MANY_REQUESTS;
        let wait = too_many.then(|| limiter.wait_after_429(info, retries, wall_now));
        let updated = limiter.inner.state.complete(
            bucket,
            &Observed {
                budget: info,
                admitted: !too_many,
                block_for: match wait {
                    Some((wait, WaitReason::RateLimited)) => Some(wait),
                    _ => None,
                },
                now,
                wall: wall_now,
            },
        );
        limiter.wake(bucket);
        if updated {
            limiter.emit(|| RateLimitEvent::Updated {
                bucket,
                limit: info.limit.unwrap_or_default(),
                remaining: info.remaining.unwrap_or_default(),
                reset: info.reset.unwrap_or_default(),
            });
        }
        match wait {
            None => Completion::Done,
            Some((wait, reason)) => Completion::RateLimited { wait, reason },
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.armed {
            self.limiter.inner.state.release(self.bucket);
            self.limiter.wake(self.bucket);
        }
    }
}

fn announce(bucket: Bucket, wait: Duration, reason: WaitReason) {
    tracing::debug!(
        okta.rate_limit.bucket = bucket.as_str(),
        okta.rate_limit.reason = reason.as_str(),
        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        "okta rate limit: waiting"
    );
}
