//! One bucket's budget as a process knows it, and the pacing decision: pure, time passed in.
//!
//! [`BucketState`] is the brain of the in-process state ([`InProcessState`](super::InProcessState))
//! and of any shared state that keeps a local view (such as okta-fleet's Redis state, which paces
//! from it and falls back to it when its store is away).

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::share::ShareEstimator;
use super::{BucketSnapshot, Decision, RateLimitConfig, RateLimitHeaders, WaitReason};

/// The share estimate decays with a half-life of half a window: of the half-lives measured
/// with 8 replicas on one bucket (BENCHMARKS.md, fleet: ¼, ½, 1 and 2 windows), it used the
/// most of the budget.
const SHARE_HALF_LIVES_PER_WINDOW: u32 = 2;

/// `at + duration`, saturating: thirty years stand for "never" (as in tokio's own timers).
pub(crate) fn later(at: Instant, duration: Duration) -> Instant {
    at.checked_add(duration)
        .unwrap_or_else(|| at + Duration::from_secs(30 * 365 * 86_400))
}

/// How fast a bucket's `Remaining` falls, from our responses: see [`BucketState`]'s `fall`.
#[derive(Debug, Clone, Copy, Default)]
struct FallRate {
    /// The window, and the first of our responses in it: `Remaining` then, and when.
    first: Option<(u64, u32, Instant)>,
    /// When the latest of our responses of that window arrived.
    last: Option<Instant>,
    /// Per second; kept from the previous window until this one has 50 ms of history.
    per_second: f64,
}

impl FallRate {
    fn observe(&mut self, epoch: u64, remaining: u32, now: Instant) {
        match self.first {
            Some((first_epoch, first, at)) if first_epoch == epoch => {
                let span = now.saturating_duration_since(at).as_secs_f64();
                if span >= 0.05 {
                    self.per_second = f64::from(first.saturating_sub(remaining)) / span;
                }
            }
            Some((first_epoch, ..)) if first_epoch > epoch => return,
            _ => self.first = Some((epoch, remaining, now)),
        }
        self.last = Some(now);
    }

    /// What `Remaining` of window `epoch` has likely fallen by since our latest response of
    /// it (0 for another window).
    fn since_last(&self, epoch: u64, now: Instant) -> f64 {
        match (self.first, self.last) {
            (Some((first_epoch, ..)), Some(at)) if first_epoch == epoch => {
                self.per_second * now.saturating_duration_since(at).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

/// A response's limit (0 when absent).
fn limit_of(info: &RateLimitHeaders) -> u32 {
    info.limit.unwrap_or(0)
}

/// The first `reset_at + n × window` after `now` (`now ≥ reset_at`), in one step however long
/// the bucket was idle, and `n`.
fn next_boundary(reset_at: Instant, window: Duration, now: Instant) -> (Instant, u64) {
    let window_nanos = window.as_nanos().max(1);
    let into_window = (now - reset_at).as_nanos() % window_nanos;
    let left = u64::try_from(window_nanos - into_window).unwrap_or(u64::MAX);
    let passed = u64::try_from((now - reset_at).as_nanos() / window_nanos).unwrap_or(u64::MAX);
    (
        later(now, Duration::from_nanos(left)),
        passed.saturating_add(1),
    )
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

/// One bucket's budget as the limiter knows it. Pure: time is passed in.
#[derive(Debug, Clone)]
pub struct BucketState {
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
    /// The window the bucket is in now (epoch seconds of its reset): `epoch` until the reset
    /// passes, then `epoch + n × window` as the window rolls over locally.
    window_epoch: u64,
    /// Our share of the bucket (the adaptive mode).
    share: ShareEstimator,
    /// How fast `Remaining` falls (per second), from the first and the latest of our responses
    /// of a window: between two of our responses the others go on spending, so the adaptive
    /// mode counts their part of the fall since our last response as spent.
    fall: FallRate,
    /// A splitmix64 state: dithers the rounding of a share of the budget, so that replicas
    /// whose shares of the last few requests are fractions still use them all, on average.
    dither: u64,
    /// The current draw in `[0, 1)`: drawn again only when the budget changes, so that
    /// deciding again (every wake-up) cannot round up more often than the draw says.
    dither_unit: f64,
}

impl BucketState {
    /// A bucket whose budget is not known yet; `window` is the longest window believed
    /// (`RateLimitConfig::window`), `seed` seeds the dithering.
    pub fn new(window: Duration, seed: u64) -> Self {
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
            window_epoch: 0,
            share: ShareEstimator::default(),
            fall: FallRate::default(),
            dither: seed,
            dither_unit: 0.5,
        }
    }

    /// Decides whether a request may go now; `Go` and `GoAt` count it as in flight. Never
    /// [`Decision::Refresh`].
    pub fn decide(&mut self, now: Instant, config: &RateLimitConfig) -> Decision {
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
                    let (next, passed) = next_boundary(reset_at, self.window, now);
                    reset_at = next;
                    self.window_epoch = self
                        .window_epoch
                        .saturating_add(passed.saturating_mul(self.window.as_secs()));
                    self.reset_at = Some(reset_at);
                    self.remaining = self.limit;
                    self.rolled = true;
                    self.probe_deadline = None;
                }
                let share = if config.adaptive {
                    self.share.share()
                } else {
                    1.0
                };
                let reserve =
                    (f64::from(self.limit) * share * config.reserve.clamp(0.0, 1.0)) as u32;
                let ours = if share < 1.0 {
                    // Only within the window our responses described: a rolled window starts
                    // afresh.
                    let others_since = if self.rolled {
                        0.0
                    } else {
                        self.fall.since_last(self.epoch, now) * (1.0 - share)
                    };
                    let remaining = (f64::from(self.remaining) - others_since).max(0.0);
                    (remaining * share + self.dither_unit) as u32
                } else {
                    self.remaining
                };
                let allowance = ours.saturating_sub(self.in_flight).saturating_sub(reserve);
                if allowance == 0 {
                    return Decision::Wait(reset_at, WaitReason::Exhausted);
                }
                if f64::from(allowance) > f64::from(self.limit) * share * config.burst_fraction {
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

    /// A new draw for the dithered rounding.
    fn redraw(&mut self) {
        self.dither = self.dither.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.dither;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        self.dither_unit = (z >> 11) as f64 / (1u64 << 53) as f64;
    }

    /// A request finished (or was abandoned) without reporting anything.
    pub fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Counts a request granted elsewhere (a shared state's lease) as in flight.
    pub fn admit(&mut self) {
        self.in_flight = self.in_flight.saturating_add(1);
    }

    /// Learns from a response's headers, received at `now`. `own`: the response answers one of
    /// this state's requests and was no 429, so the share estimator learns from it too (a
    /// budget heard from other replicas only updates the budget).
    pub fn update(
        &mut self,
        info: &RateLimitHeaders,
        now: Instant,
        wall: SystemTime,
        own: bool,
    ) -> bool {
        let before = (self.epoch, self.remaining);
        let updated = self.update_budget(info, now, wall);
        if (self.epoch, self.remaining) != before {
            self.redraw();
        }
        if own
            && updated
            && let (Some(remaining), Some(reset)) = (info.remaining, info.reset)
            && reset == self.epoch
        {
            self.share.observe(
                reset,
                remaining,
                limit_of(info),
                now,
                self.window / SHARE_HALF_LIVES_PER_WINDOW,
            );
            self.fall.observe(reset, remaining, now);
        }
        updated
    }

    fn update_budget(&mut self, info: &RateLimitHeaders, now: Instant, wall: SystemTime) -> bool {
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
        self.window_epoch = reset;
        self.rolled = false;
        self.reset_at = Some(local_reset);
        true
    }

    /// A 429 that is not the concurrency limit: nobody in this bucket goes before `until`.
    /// The other requests wait at most until the window's reset as this state knows it (the
    /// earliest `arrival + Reset − Date` of the window: `Date` is whole seconds, so one response
    /// alone may overstate the wait by up to a second).
    pub fn block(&mut self, until: Instant) {
        let until = match self.reset_at {
            Some(reset_at) if self.mode == Mode::Tracked && !self.rolled => until.min(reset_at),
            _ => until,
        };
        self.blocked_until = Some(self.blocked_until.map_or(until, |at| at.max(until)));
        if self.mode == Mode::Tracked && !self.rolled {
            self.remaining = 0;
        }
    }

    /// What the state knows, for metrics, tests and shared states.
    pub fn snapshot(&self) -> BucketSnapshot {
        let tracked = self.mode == Mode::Tracked;
        BucketSnapshot {
            limit: tracked.then_some(self.limit),
            remaining: tracked.then_some(self.remaining),
            in_flight: self.in_flight,
            reset_at: self.reset_at,
            window_epoch: tracked.then_some(self.window_epoch),
            window: self.window,
            share: self.share.share(),
            blocked_until: self.blocked_until,
        }
    }
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
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        assert_eq!(state.decide(now, &config), Decision::Go);
        assert!(matches!(
            state.decide(now, &config),
            Decision::Wait(_, WaitReason::Probe)
        ));
        state.release();
        state.update_budget(&RateLimitHeaders::default(), now, wall());
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
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        // 11 left of 20, 10 s to the reset.
        state.update_budget(&info(20, 11, T + 10, T), now, wall());
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
    fn a_replica_seen_using_a_quarter_of_the_bucket_paces_to_a_quarter() {
        let config = RateLimitConfig {
            reserve: 0.0,
            burst_fraction: 0.5,
            ..Default::default()
        };
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        // Each of our responses sees Remaining fall by four: three other replicas between ours.
        let mut remaining = 100;
        for _ in 0..10 {
            remaining -= 4;
            state.update(&info(100, remaining, T + 10, T), now, wall(), true);
        }
        assert!(
            (state.snapshot().share - 0.25).abs() < 1e-9,
            "{}",
            state.share.share()
        );
        // 60 left, 15 of them ours: while above half our share of the limit (12.5) requests go
        // at once, then the rest of our share is spread over the rest of the window.
        let at_once = (0..20)
            .take_while(|_| state.decide(now, &config) == Decision::Go)
            .count();
        assert_eq!(
            at_once, 4,
            "three above the threshold, and the first spread slot"
        );
        // Without the adaptive mode the whole 60 is believed ours: 10 more go at once.
        let solo = RateLimitConfig {
            adaptive: false,
            ..config
        };
        let mut alone = BucketState::new(solo.window, 7);
        alone.update(&info(100, 60, T + 10, T), now, wall(), true);
        for _ in 0..10 {
            assert_eq!(alone.decide(now, &solo), Decision::Go);
        }
    }

    #[test]
    fn the_reset_estimate_only_tightens_and_stragglers_are_ignored() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        state.update_budget(&info(100, 50, T + 10, T), now, wall());
        // Half a second later Date ticked: a tighter upper bound of the reset.
        let later = now + Duration::from_millis(500);
        state.update_budget(&info(100, 60, T + 10, T + 1), later, wall());
        assert_eq!(state.reset_at, Some(later + Duration::from_secs(9)));
        assert_eq!(
            state.remaining, 50,
            "an older, larger remaining does not raise it"
        );
        state.update_budget(&info(100, 99, T - 50, T - 60), later, wall());
        assert_eq!(
            state.remaining, 50,
            "a previous window's straggler is ignored"
        );
        // A new window replaces the budget and teaches the window's length.
        state.update_budget(&info(100, 99, T + 20, T + 11), later, wall());
        assert_eq!(
            (state.remaining, state.window),
            (99, Duration::from_secs(10))
        );
    }

    #[test]
    fn a_reset_beyond_the_window_is_clamped_and_replaced_by_the_next_sane_response() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        state.update_budget(&info(100, 80, u64::MAX, T), now, wall());
        assert_eq!(
            state.reset_at,
            Some(now + config.window),
            "clamped to the window"
        );
        assert!(!state.trusted);
        // A sane response, a smaller reset: not a straggler, the window's truth.
        let later = now + Duration::from_secs(1);
        assert!(state.update_budget(&info(100, 40, T + 30, T + 1), later, wall()));
        assert_eq!(state.remaining, 40);
        assert_eq!(state.epoch, T + 30);
        assert_eq!(state.reset_at, Some(later + Duration::from_secs(29)));
        assert!(state.trusted);
        // Once a sane window is known, another lie cannot move it; its budget counts only if
        // smaller.
        assert!(state.update_budget(&info(100, 70, T + 9_999_999, T + 2), later, wall()));
        assert_eq!(
            (state.epoch, state.remaining),
            (T + 30, 40),
            "the sane window stays"
        );
        state.update_budget(&info(100, 39, T + 30, T + 2), later, wall());
        assert_eq!(state.remaining, 39, "and its later responses still count");
    }

    #[test]
    fn without_date_the_local_clock_judges_the_reset_and_nothing_overflows() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        let no_date = |remaining, reset| RateLimitHeaders {
            limit: Some(100),
            remaining: Some(remaining),
            reset: Some(reset),
            date: None,
        };
        state.update_budget(&no_date(80, u64::MAX), now, wall());
        assert_eq!(state.reset_at, Some(now + config.window));
        state.update_budget(&no_date(50, T + 20), now, wall());
        assert_eq!(state.remaining, 50);
        assert_eq!(state.reset_at, Some(now + Duration::from_secs(20)));
    }

    #[test]
    fn the_learnt_window_follows_the_latest_step_so_a_wrong_one_is_corrected() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        state.update_budget(&info(100, 99, T + 60, T), now, wall());
        // A window one second long (a proxy's odd reset)…
        state.update_budget(&info(100, 99, T + 61, T + 1), now, wall());
        assert_eq!(state.window, Duration::from_secs(1));
        // …is forgotten at the next step.
        state.update_budget(&info(100, 99, T + 121, T + 61), now, wall());
        assert_eq!(state.window, Duration::from_secs(60));
    }

    #[test]
    fn an_idle_bucket_rolls_to_the_next_reset_in_one_step() {
        let config = RateLimitConfig::default();
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        state.update_budget(&info(100, 10, T + 10, T), now, wall());
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
        let mut state = BucketState::new(config.window, 7);
        let now = Instant::now();
        assert_eq!(state.decide(now, &config), Decision::Go);
        assert!(matches!(
            state.decide(now, &config),
            Decision::Wait(_, WaitReason::Probe)
        ));
        let limiter = super::super::RateLimiter::new(config);
        let headers = RateLimitHeaders {
            reset: Some(u64::MAX),
            ..RateLimitHeaders::default()
        };
        let (wait, _) = limiter.wait_after_429(&headers, u32::MAX, wall());
        assert_eq!(wait, Duration::MAX);
    }
}
