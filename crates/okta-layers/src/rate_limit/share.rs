//! The adaptive mode's estimator: what share of a bucket this process uses, inferred from how
//! `X-Rate-Limit-Remaining` falls between its own responses. Pure: time is passed in.
//!
//! Between two of our responses of the same window, `Remaining` fell by what the whole principal
//! (every replica, every process with the same token or OAuth app) was admitted in between, and
//! our own part of that is the one request the second response answers; our first response of a
//! window counts the fall from the full budget (the burst at each window's start). So over any
//! stretch, `our responses ÷ Σ falls` is our share of the bucket's consumption. The sums telescope (a
//! response overtaken by a later one gives a negative fall, the next one a larger fall), so
//! reordering does not bias them. Both sums decay with a half-life of half a window, so the
//! estimate follows replicas that come and go; what the decay takes away is replaced by the
//! last estimate with a weight of one response, so a quiet stretch keeps the belief rather than
//! forgetting it.

use std::time::Duration;

use tokio::time::Instant;

/// The smallest share the estimator reports: with a hundred replicas or more, each still gets
/// its turn (rounding is dithered, see the pacing).
pub(crate) const MIN_SHARE: f64 = 0.01;

/// The weight, in responses, of the belief that survives decay.
const PRIOR: f64 = 1.0;

/// The weight, in responses, of the first response's hint.
const BOOTSTRAP: f64 = 0.5;

/// See the [module docs](self).
#[derive(Debug, Clone)]
pub(crate) struct ShareEstimator {
    /// Our admitted responses counted in `total` (decayed).
    own: f64,
    /// What the principal consumed over the same stretches (decayed).
    total: f64,
    /// The window and `Remaining` of our previous admitted response.
    last: Option<(u64, u32)>,
    /// When the sums were last decayed.
    decayed_at: Option<Instant>,
    /// `own ÷ total`, clamped: read on every decision, so computed once per response.
    share: f64,
}

impl Default for ShareEstimator {
    fn default() -> Self {
        // Alone until a response tells otherwise: one process is what most users run.
        ShareEstimator {
            own: PRIOR,
            total: PRIOR,
            last: None,
            decayed_at: None,
            share: 1.0,
        }
    }
}

impl ShareEstimator {
    /// One of our requests was admitted; its response said `remaining` of `limit` in the
    /// window ending at `epoch` (epoch seconds). A response of an earlier window than the last
    /// one is ignored; the first of a new window starts the next stretch. The very first
    /// response is a hint with half a response's weight: our one request (the probe) against
    /// what the window has consumed so far — replicas that start together each see the others'
    /// probes, so the share starts near `1 / replicas` rather than at 1.
    pub(crate) fn observe(
        &mut self,
        epoch: u64,
        remaining: u32,
        limit: u32,
        now: Instant,
        half_life: Duration,
    ) {
        self.decay(now, half_life);
        match self.last {
            Some((last_epoch, _)) if epoch < last_epoch => return,
            Some((last_epoch, last_remaining)) if epoch == last_epoch => {
                self.own += 1.0;
                self.total += f64::from(last_remaining) - f64::from(remaining);
            }
            Some(_) => {
                // A new window began full: the fall to our first response of it is what the
                // principal spent since (leaving it out would miss the burst at each start).
                self.own += 1.0;
                self.total += f64::from(limit.saturating_sub(remaining));
            }
            None => {
                let consumed = f64::from(limit.saturating_sub(remaining)).max(1.0);
                self.own = BOOTSTRAP;
                self.total = BOOTSTRAP * consumed;
            }
        }
        self.last = Some((epoch, remaining));
        self.share = if self.total <= self.own {
            1.0
        } else {
            (self.own / self.total).max(MIN_SHARE)
        };
    }

    /// Our estimated share of the bucket, in `[MIN_SHARE, 1]`.
    pub(crate) fn share(&self) -> f64 {
        self.share
    }

    /// Decays the sums, in steps of at least 1/32 of the half-life (so a busy bucket does not
    /// pay for it on every response).
    fn decay(&mut self, now: Instant, half_life: Duration) {
        let Some(at) = self.decayed_at else {
            self.decayed_at = Some(now);
            return;
        };
        let elapsed = now.saturating_duration_since(at);
        if elapsed < half_life / 32 {
            return;
        }
        self.decayed_at = Some(now);
        let elapsed = elapsed.as_secs_f64();
        let half_life = half_life.as_secs_f64().max(1e-3);
        let share = self.share();
        let factor = (-elapsed / half_life).exp2();
        self.own *= factor;
        self.total *= factor;
        if self.total < PRIOR {
            self.own = share * PRIOR;
            self.total = PRIOR;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(1);

    /// A bucket of `limit` per window shared by `replicas` processes sending in turn; we are
    /// one of them. Returns our estimate after `windows` windows.
    fn round_robin(replicas: u32, limit: u32, windows: u64) -> f64 {
        let mut estimator = ShareEstimator::default();
        let mut now = Instant::now();
        for window in 0..windows {
            let epoch = 1_000 + window;
            let mut remaining = limit;
            let step = WINDOW / limit;
            for i in 0..limit {
                remaining -= 1;
                if i % replicas == replicas / 2 {
                    estimator.observe(epoch, remaining, limit, now, WINDOW);
                }
                now += step;
            }
        }
        estimator.share()
    }

    #[tokio::test(start_paused = true)]
    async fn alone_the_share_is_one() {
        assert_eq!(ShareEstimator::default().share(), 1.0);
        assert_eq!(round_robin(1, 100, 3), 1.0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_share_converges_to_one_over_the_number_of_replicas() {
        for replicas in [2, 4, 8, 16] {
            let share = round_robin(replicas, 96, 5);
            let expected = 1.0 / f64::from(replicas);
            assert!(
                (share - expected).abs() < expected * 0.1,
                "{replicas} replicas: {share}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn reordered_responses_do_not_bias_the_estimate() {
        let mut estimator = ShareEstimator::default();
        let now = Instant::now();
        // We are one of two: our responses see Remaining fall by two each, but pairs arrive
        // swapped (98 after 96, …).
        let mut seen = vec![];
        for pair in 0..20u32 {
            let (a, b) = (98 - 4 * pair, 96 - 4 * pair);
            seen.extend([b, a]);
        }
        for remaining in seen {
            estimator.observe(7, remaining, 100, now, WINDOW);
        }
        let share = estimator.share();
        assert!((share - 0.5).abs() < 0.06, "{share}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_window_starts_a_new_stretch_and_stragglers_are_ignored() {
        let mut estimator = ShareEstimator::default();
        let now = Instant::now();
        estimator.observe(10, 50, 51, now, WINDOW);
        // The next window's first response: one of ours, and one spent since it began.
        estimator.observe(11, 99, 100, now, WINDOW);
        // A straggler of window 10.
        estimator.observe(10, 2, 100, now, WINDOW);
        estimator.observe(11, 97, 100, now, WINDOW);
        // The first response's hint (half a response: 1 of 1), the new window's start (1 of
        // 1) and one fall of two for one.
        assert_eq!(estimator.own, 2.5);
        assert_eq!(estimator.total, 3.5);
        assert!((estimator.share() - 2.5 / 3.5).abs() < 1e-9);
    }

    #[tokio::test(start_paused = true)]
    async fn replicas_starting_together_start_near_their_share() {
        let mut estimator = ShareEstimator::default();
        // Eight probes went out together: ours says 92 of 100 are left.
        estimator.observe(5, 92, 100, Instant::now(), WINDOW);
        assert_eq!(estimator.share(), 0.125);
        // Alone, the probe is the only request of the window.
        let mut alone = ShareEstimator::default();
        alone.observe(5, 99, 100, Instant::now(), WINDOW);
        assert_eq!(alone.share(), 1.0);
    }

    #[tokio::test(start_paused = true)]
    async fn the_estimate_follows_replicas_that_leave_and_keeps_its_belief_when_quiet() {
        let mut estimator = ShareEstimator::default();
        let mut now = Instant::now();
        let mut remaining = 2_000;
        // Eight replicas for ten windows: each of our responses sees a fall of eight.
        for _ in 0..200 {
            remaining -= 8;
            estimator.observe(1, remaining, 2_000, now, WINDOW);
            now += Duration::from_millis(50);
        }
        let crowded = estimator.share();
        assert!((crowded - 0.125).abs() < 0.01, "{crowded}");
        // A quiet minute: the belief stays (the decay keeps it as a prior), and the first
        // response of the next window, eight requests into it, agrees.
        tokio::time::advance(Duration::from_secs(60)).await;
        now += Duration::from_secs(60);
        estimator.observe(2, 1_992, 2_000, now, WINDOW);
        assert!(
            (estimator.share() - crowded).abs() < 0.02,
            "{}",
            estimator.share()
        );
        // Then we are alone: within three windows the share is back near one.
        let mut remaining = 1_992;
        for _ in 0..60 {
            remaining -= 1;
            estimator.observe(2, remaining, 2_000, now, WINDOW);
            now += Duration::from_millis(50);
        }
        assert!(estimator.share() > 0.9, "{}", estimator.share());
    }

    #[tokio::test(start_paused = true)]
    async fn the_share_is_never_below_the_floor_and_nothing_overflows() {
        let mut estimator = ShareEstimator::default();
        let now = Instant::now();
        estimator.observe(1, u32::MAX, u32::MAX, now, WINDOW);
        estimator.observe(1, 0, u32::MAX, now, WINDOW);
        assert_eq!(estimator.share(), MIN_SHARE);
        estimator.observe(u64::MAX, 0, 0, now + Duration::MAX / 4, Duration::ZERO);
        assert!(estimator.share() >= MIN_SHARE && estimator.share() <= 1.0);
    }
}
