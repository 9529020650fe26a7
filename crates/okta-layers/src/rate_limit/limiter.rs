//! The rate limiter itself: per-bucket budgets, permits and pacing, with no HTTP service in sight.
//!
//! A request [acquires](RateLimiter::acquire) a [`Permit`] for its [`Bucket`] (perhaps after a
//! wait) and [completes](Permit::complete) it with the response's status and headers; the limiter
//! learns the bucket's budget from every response and tells a 429's caller how long to wait.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::{HeaderMap, StatusCode};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::{Bucket, RateLimitEvent, RateLimitHeaders, RateLimitObserver, WaitReason};
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

/// `at + duration`, saturating: thirty years stand for "never" (as in tokio's own timers).
pub(crate) fn later(at: Instant, duration: Duration) -> Instant {
    at.checked_add(duration)
        .unwrap_or_else(|| at + Duration::from_secs(30 * 365 * 86_400))
}

/// The first `reset_at + n × window` after `now` (`now ≥ reset_at`), in one step however long
/// the bucket was idle.
fn next_boundary(reset_at: Instant, window: Duration, now: Instant) -> Instant {
    let window_nanos = window.as_nanos().max(1);
    let into_window = (now - reset_at).as_nanos() % window_nanos;
    let left = u64::try_from(window_nanos - into_window).unwrap_or(u64::MAX);
    later(now, Duration::from_nanos(left))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// No response yet.
    Unknown,
    /// Responses come without rate-limit headers: nothing to pace on.
    NoHeaders,
    /// The budget is known.
    Tracked,
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Go,
    GoAt(Instant),
    Wait(Instant, WaitReason),
}

/// One bucket's budget as the limiter knows it. Pure: time is passed in.
#[derive(Debug, Clone)]
pub(crate) struct BucketState {
    mode: Mode,
    limit: u32,
    remaining: u32,
    /// The reset (epoch seconds) that `remaining` belongs to.
    epoch: u64,
    /// Whether `epoch` came from a plausible reset (within a window of its response's `Date`).
    /// Only a trusted epoch ranks responses (a smaller reset is a straggler); an untrusted one
    /// is replaced by the next plausible response, so a lying header cannot freeze the bucket.
    trusted: bool,
    /// Whether the window was rolled over locally (the reset instant passed with no news since).
    rolled: bool,
    /// The reset as a local instant: the earliest of `arrival + (reset − date)` over the window's
    /// responses, an upper bound of the true reset (`Date` is truncated to the second).
    reset_at: Option<Instant>,
    /// The window's length as learnt from the step between two trusted epochs (at most
    /// `max_window`): when the local estimate of the reset passes, the next one is this later.
    window: Duration,
    /// The configured window: the cap of every wait and of the learnt window.
    max_window: Duration,
    in_flight: u32,
    next_slot: Option<Instant>,
    blocked_until: Option<Instant>,
    probe_deadline: Option<Instant>,
}

impl BucketState {
    pub(crate) fn new(window: Duration) -> Self {
        let window = window.max(Duration::from_secs(1));
        BucketState {
            mode: Mode::Unknown,
            limit: 0,
            remaining: 0,
            epoch: 0,
            trusted: false,
            rolled: false,
            reset_at: None,
            window,
            max_window: window,
            in_flight: 0,
            next_slot: None,
            blocked_until: None,
            probe_deadline: None,
        }
    }

    /// Decides whether a request may go now; `Go` and `GoAt` count it as in flight.
    pub(crate) fn decide(&mut self, now: Instant, config: &RateLimitConfig) -> Decision {
        let decision = self.decide_inner(now, config);
        if !matches!(decision, Decision::Wait(..)) {
            self.in_flight += 1;
        }
        decision
    }

    fn decide_inner(&mut self, now: Instant, config: &RateLimitConfig) -> Decision {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Decision::Wait(until, WaitReason::Blocked);
            }
            self.blocked_until = None;
        }
        match self.mode {
            Mode::NoHeaders => Decision::Go,
            Mode::Unknown => {
                if !config.pacing || self.in_flight == 0 {
                    self.probe_deadline = Some(later(now, config.probe_timeout));
                    return Decision::Go;
                }
                match self.probe_deadline {
                    Some(deadline) if now < deadline => Decision::Wait(deadline, WaitReason::Probe),
                    _ => Decision::Go,
                }
            }
            Mode::Tracked if !config.pacing => Decision::Go,
            Mode::Tracked => {
                let Some(mut reset_at) = self.reset_at else {
                    return Decision::Go;
                };
                if now >= reset_at {
                    // The window is over (reset_at is an upper bound): assume a fresh budget until
                    // a response of the new window says otherwise.
                    reset_at = next_boundary(reset_at, self.window, now);
                    self.reset_at = Some(reset_at);
                    self.remaining = self.limit;
                    self.rolled = true;
                    self.probe_deadline = None;
                }
                let reserve = (f64::from(self.limit) * config.reserve.clamp(0.0, 1.0)) as u32;
                let allowance = self
                    .remaining
                    .saturating_sub(self.in_flight)
                    .saturating_sub(reserve);
                if allowance == 0 {
                    return Decision::Wait(reset_at, WaitReason::Exhausted);
                }
                if f64::from(allowance) > f64::from(self.limit) * config.burst_fraction {
                    return Decision::Go;
                }
                if self.rolled {
                    // Spreading needs the new window's reset: wait for its first answer.
                    let deadline = *self
                        .probe_deadline
                        .get_or_insert_with(|| later(now, config.probe_timeout));
                    if now < deadline {
                        return Decision::Wait(deadline, WaitReason::Probe);
                    }
                }
                let base = self.next_slot.map_or(now, |slot| slot.max(now));
                let interval = reset_at.saturating_duration_since(base) / allowance;
                self.next_slot = Some(base + interval);
                if base <= now {
                    Decision::Go
                } else {
                    Decision::GoAt(base)
                }
            }
        }
    }

    /// A request finished (or was abandoned) without reporting anything.
    pub(crate) fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Learns from a response's headers, received at `now`.
    pub(crate) fn update(
        &mut self,
        info: &RateLimitHeaders,
        now: Instant,
        wall: SystemTime,
    ) -> bool {
        let (Some(limit), Some(remaining), Some(reset)) = (info.limit, info.remaining, info.reset)
        else {
            if self.mode == Mode::Unknown {
                self.mode = Mode::NoHeaders;
            }
            return false;
        };
        if info.is_concurrency_limit() {
            return false;
        }
        let remaining = remaining.min(limit);
        let to_reset = info
            .time_to_reset(wall, self.max_window)
            .unwrap_or_default();
        let local_reset = later(now, to_reset);
        let plausible = info.reset_is_plausible(wall, self.max_window);
        if self.mode == Mode::Tracked && self.trusted {
            if !plausible {
                // A reset beyond a window from now: the budget is taken, conservatively, but the
                // window stays the one a sane response announced.
                self.remaining = self.remaining.min(remaining);
                return true;
            }
            if reset < self.epoch || (reset == self.epoch && self.rolled) {
                return false; // a straggler from a window already over
            }
            if reset == self.epoch {
                self.limit = limit;
                self.remaining = self.remaining.min(remaining);
                self.reset_at = Some(self.reset_at.map_or(local_reset, |at| at.min(local_reset)));
                return true;
            }
            // The latest step, not the smallest ever seen: a wrong step is corrected by the next.
            self.window = Duration::from_secs(reset - self.epoch)
                .clamp(Duration::from_secs(1), self.max_window);
        }
        self.mode = Mode::Tracked;
        self.trusted = plausible;
        self.next_slot = None;
        self.limit = limit;
        self.remaining = remaining;
        self.epoch = reset;
        self.rolled = false;
        self.reset_at = Some(local_reset);
        true
    }

    /// A 429 that is not the concurrency limit: nobody in this bucket goes before `until`.
    pub(crate) fn block(&mut self, until: Instant) {
        self.blocked_until = Some(self.blocked_until.map_or(until, |at| at.max(until)));
        if self.mode == Mode::Tracked && !self.rolled {
            self.remaining = 0;
        }
    }
}

/// A snapshot of one bucket, for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketSnapshot {
    /// The budget per window, once a response told it.
    pub limit: Option<u32>,
    /// What the limiter believes is left of it.
    pub remaining: Option<u32>,
    /// Requests granted and not completed yet.
    pub in_flight: u32,
    /// The reset, as a local instant.
    pub reset_at: Option<Instant>,
}

struct Slot {
    state: Mutex<BucketState>,
    notify: Notify,
    waiters: AtomicUsize,
}

struct Inner {
    config: RateLimitConfig,
    buckets: [Slot; 5],
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

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) enum Step {
    Go(Permit),
    GoAt(Permit, Instant),
    Wait(Instant, WaitReason),
}

impl RateLimiter {
    /// A limiter with the given settings; every clone shares its state.
    pub fn new(config: RateLimitConfig) -> Self {
        let slot = || Slot {
            state: Mutex::new(BucketState::new(config.window)),
            notify: Notify::new(),
            waiters: AtomicUsize::new(0),
        };
        RateLimiter {
            inner: Arc::new(Inner {
                buckets: [slot(), slot(), slot(), slot(), slot()],
                jitter: Jitter::new(config.seed),
                config,
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &RateLimitConfig {
        &self.inner.config
    }

    /// What the limiter knows of a bucket.
    pub fn snapshot(&self, bucket: Bucket) -> BucketSnapshot {
        let state = lock(&self.inner.buckets[bucket.index()].state);
        let tracked = state.mode == Mode::Tracked;
        BucketSnapshot {
            limit: tracked.then_some(state.limit),
            remaining: tracked.then_some(state.remaining),
            in_flight: state.in_flight,
            reset_at: state.reset_at,
        }
    }

    pub(crate) fn step(&self, bucket: Bucket, now: Instant) -> Step {
        let decision =
            lock(&self.inner.buckets[bucket.index()].state).decide(now, &self.inner.config);
        match decision {
            Decision::Go => Step::Go(self.permit(bucket)),
            Decision::GoAt(at) => Step::GoAt(self.permit(bucket), at),
            Decision::Wait(until, reason) => Step::Wait(until, reason),
        }
    }

    fn permit(&self, bucket: Bucket) -> Permit {
        Permit {
            limiter: self.clone(),
            bucket,
            armed: true,
        }
    }

    /// A permit if the request may go right now.
    pub fn try_acquire(&self, bucket: Bucket) -> Option<Permit> {
        match self.step(bucket, Instant::now()) {
            Step::Go(permit) => Some(permit),
            Step::GoAt(..) | Step::Wait(..) => None,
        }
    }

    /// Waits until the bucket's budget allows one more request (see the [module docs](super)).
    pub async fn acquire(&self, bucket: Bucket) -> Permit {
        self.acquire_from(bucket, None).await
    }

    pub(crate) async fn acquire_from(&self, bucket: Bucket, first: Option<Step>) -> Permit {
        let slot = &self.inner.buckets[bucket.index()];
        let started = Instant::now();
        // A wait decided before a waiter was registered could miss a wake-up: decide again.
        let mut first = first.filter(|step| !matches!(step, Step::Wait(..)));
        let mut reason = None;
        loop {
            slot.waiters.fetch_add(1, Ordering::SeqCst);
            let notified = slot.notify.notified();
            let step = match first.take() {
                Some(step) => step,
                None => self.step(bucket, Instant::now()),
            };
            match step {
                Step::Go(permit) => {
                    slot.waiters.fetch_sub(1, Ordering::SeqCst);
                    self.waited(bucket, started, reason);
                    return permit;
                }
                Step::GoAt(permit, at) => {
                    slot.waiters.fetch_sub(1, Ordering::SeqCst);
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
                    slot.waiters.fetch_sub(1, Ordering::SeqCst);
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
        let slot = &self.inner.buckets[bucket.index()];
        if slot.waiters.load(Ordering::SeqCst) > 0 {
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
        self.complete_at(status, headers, retries, Instant::now(), SystemTime::now())
    }

    /// [`complete`](Self::complete) with the clocks passed in.
    pub fn complete_at(
        mut self,
        status: StatusCode,
        headers: &HeaderMap,
        retries: u32,
        now: Instant,
        wall_now: SystemTime,
    ) -> Completion {
        self.armed = false;
        let limiter = &self.limiter;
        let bucket = self.bucket;
        let info = RateLimitHeaders::parse(headers);
        let too_many = status == StatusCode::TOO_MANY_REQUESTS;
        let wait = too_many.then(|| limiter.wait_after_429(&info, retries, wall_now));
        let updated = {
            let mut state = lock(&limiter.inner.buckets[bucket.index()].state);
            state.release();
            let updated = state.update(&info, now, wall_now);
            if let Some((wait, WaitReason::RateLimited)) = wait {
                state.block(later(now, wait));
            }
            updated
        };
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
            lock(&self.limiter.inner.buckets[self.bucket.index()].state).release();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn info(limit: u32, remaining: u32, reset: u64, date: u64) -> RateLimitHeaders {
        RateLimitHeaders {
            limit: Some(limit),
            remaining: Some(remaining),
            reset: Some(reset),
            date: Some(date),
        }
    }

    const T: u64 = 1_751_371_200;

    fn wall() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(T)
    }

    #[test]
    fn unknown_bucket_sends_one_probe_first() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        assert_eq!(state.decide(now, &config), Decision::Go);
        assert!(matches!(
            state.decide(now, &config),
            Decision::Wait(_, WaitReason::Probe)
        ));
        state.release();
        state.update(&RateLimitHeaders::default(), now, wall());
        assert_eq!(
            state.decide(now, &config),
            Decision::Go,
            "no headers: nothing to pace"
        );
    }

    #[test]
    fn plenty_of_budget_goes_at_once_then_spreads_then_waits_for_the_reset() {
        let config = RateLimitConfig {
            reserve: 0.05,
            burst_fraction: 0.5,
            ..Default::default()
        };
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        // 11 left of 20, 10 s to the reset.
        state.update(&info(20, 11, T + 10, T), now, wall());
        // allowance 10 = 0.5 × 20: not above the burst threshold → spread 10 s over 10 requests.
        assert_eq!(state.decide(now, &config), Decision::Go);
        let mut slots = vec![];
        for _ in 0..9 {
            match state.decide(now, &config) {
                Decision::GoAt(at) => slots.push(at - now),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(slots.first(), Some(&Duration::from_secs(1)));
        assert_eq!(slots.last(), Some(&Duration::from_secs(9)));
        // Everything but the reserve is in flight: wait for the reset.
        assert_eq!(
            state.decide(now, &config),
            Decision::Wait(now + Duration::from_secs(10), WaitReason::Exhausted)
        );
        // At the reset the budget is fresh again.
        let later = now + Duration::from_secs(10);
        for _ in 0..10 {
            state.release();
        }
        assert_eq!(state.decide(later, &config), Decision::Go);
    }

    #[test]
    fn the_reset_estimate_only_tightens_and_stragglers_are_ignored() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        state.update(&info(100, 50, T + 10, T), now, wall());
        // Half a second later Date ticked: a tighter upper bound of the reset.
        let later = now + Duration::from_millis(500);
        state.update(&info(100, 60, T + 10, T + 1), later, wall());
        assert_eq!(state.reset_at, Some(later + Duration::from_secs(9)));
        assert_eq!(
            state.remaining, 50,
            "an older, larger remaining does not raise it"
        );
        state.update(&info(100, 99, T - 50, T - 60), later, wall());
        assert_eq!(
            state.remaining, 50,
            "a previous window's straggler is ignored"
        );
        // A new window replaces the budget and teaches the window's length.
        state.update(&info(100, 99, T + 20, T + 11), later, wall());
        assert_eq!(
            (state.remaining, state.window),
            (99, Duration::from_secs(10))
        );
    }

    #[test]
    fn a_reset_beyond_the_window_is_clamped_and_replaced_by_the_next_sane_response() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        state.update(&info(100, 80, u64::MAX, T), now, wall());
        assert_eq!(
            state.reset_at,
            Some(now + config.window),
            "clamped to the window"
        );
        assert!(!state.trusted);
        // A sane response, a smaller reset: not a straggler, the window's truth.
        let later = now + Duration::from_secs(1);
        assert!(state.update(&info(100, 40, T + 30, T + 1), later, wall()));
        assert_eq!(state.remaining, 40);
        assert_eq!(state.epoch, T + 30);
        assert_eq!(state.reset_at, Some(later + Duration::from_secs(29)));
        assert!(state.trusted);
        // Once a sane window is known, another lie cannot move it; its budget counts only if
        // smaller.
        assert!(state.update(&info(100, 70, T + 9_999_999, T + 2), later, wall()));
        assert_eq!(
            (state.epoch, state.remaining),
            (T + 30, 40),
            "the sane window stays"
        );
        state.update(&info(100, 39, T + 30, T + 2), later, wall());
        assert_eq!(state.remaining, 39, "and its later responses still count");
    }

    #[test]
    fn without_date_the_local_clock_judges_the_reset_and_nothing_overflows() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        let no_date = |remaining, reset| RateLimitHeaders {
            limit: Some(100),
            remaining: Some(remaining),
            reset: Some(reset),
            date: None,
        };
        state.update(&no_date(80, u64::MAX), now, wall());
        assert_eq!(state.reset_at, Some(now + config.window));
        state.update(&no_date(50, T + 20), now, wall());
        assert_eq!(state.remaining, 50);
        assert_eq!(state.reset_at, Some(now + Duration::from_secs(20)));
    }

    #[test]
    fn the_learnt_window_follows_the_latest_step_so_a_wrong_one_is_corrected() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        state.update(&info(100, 99, T + 60, T), now, wall());
        // A window one second long (a proxy's odd reset)…
        state.update(&info(100, 99, T + 61, T + 1), now, wall());
        assert_eq!(state.window, Duration::from_secs(1));
        // …is forgotten at the next step.
        state.update(&info(100, 99, T + 121, T + 61), now, wall());
        assert_eq!(state.window, Duration::from_secs(60));
    }

    #[test]
    fn an_idle_bucket_rolls_to_the_next_reset_in_one_step() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        state.update(&info(100, 10, T + 10, T), now, wall());
        state.window = Duration::from_secs(1);
        // A year later, the next boundary is found without stepping through every second.
        let year = now + Duration::from_secs(365 * 86_400) + Duration::from_millis(300);
        assert_eq!(state.decide(year, &config), Decision::Go);
        assert_eq!(
            state.reset_at,
            Some(year + Duration::from_millis(700)),
            "{:?}",
            state.reset_at.map(|at| at - now)
        );
        assert_eq!(state.remaining, 100);
    }

    #[test]
    fn huge_settings_saturate() {
        let config = RateLimitConfig {
            probe_timeout: Duration::MAX,
            reset_jitter: Duration::MAX,
            window: Duration::MAX,
            ..RateLimitConfig::default()
        };
        let mut state = BucketState::new(config.window);
        let now = Instant::now();
        assert_eq!(state.decide(now, &config), Decision::Go);
        assert!(matches!(
            state.decide(now, &config),
            Decision::Wait(_, WaitReason::Probe)
        ));
        let limiter = RateLimiter::new(config);
        let headers = RateLimitHeaders {
            reset: Some(u64::MAX),
            ..RateLimitHeaders::default()
        };
        let (wait, _) = limiter.wait_after_429(&headers, u32::MAX, wall());
        assert_eq!(wait, Duration::MAX);
    }
}
