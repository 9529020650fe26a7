//! [`InProcessState`]: the limiter's state in this process's memory, shared by every clone of
//! its [`RateLimiter`](super::RateLimiter) — the default.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use tokio::time::Instant;

use super::pacing::{BucketState, later};
use super::state::{Observed, SharedState};
use super::{Bucket, BucketSnapshot, Decision, RateLimitConfig, RateLimitHeaders, WaitReason};

/// Each bucket's [`BucketState`] behind a `std::sync::Mutex` held for a few instructions, and
/// a count of requests in flight for [`RateLimitConfig::concurrency_limit`]. Fleet-aware
/// without infrastructure when [`RateLimitConfig::adaptive`] is on (the default): each bucket
/// paces to the share of it this process is seen to use.
#[derive(Debug)]
pub struct InProcessState {
    buckets: [Mutex<BucketState>; 5],
    /// Requests granted and not finished, every bucket together (counted only with a
    /// concurrency limit: the fast path of the default pays nothing for it).
    in_flight: AtomicU32,
    counts_slots: bool,
}

fn lock(mutex: &Mutex<BucketState>) -> MutexGuard<'_, BucketState> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl InProcessState {
    /// An empty state for the limiter's settings (budgets unknown until responses tell them).
    pub fn new(config: &RateLimitConfig) -> Self {
        let seed = config.seed.unwrap_or_else(|| {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        });
        let bucket = |i: u64| Mutex::new(BucketState::new(config.window, seed.wrapping_add(i)));
        InProcessState {
            buckets: [bucket(0), bucket(1), bucket(2), bucket(3), bucket(4)],
            in_flight: AtomicU32::new(0),
            counts_slots: config.concurrency_limit.is_some(),
        }
    }

    /// Learns a budget that another replica observed (a shared state's freshest view): the
    /// budget and reset are updated as by a response, the share estimate is not.
    pub fn merge(&self, bucket: Bucket, budget: &RateLimitHeaders, now: Instant, wall: SystemTime) {
        lock(&self.buckets[bucket.index()]).update(budget, now, wall, false);
    }

    /// Counts a request granted by a shared store (a lease) as in flight, without deciding.
    pub fn admit(&self, bucket: Bucket) {
        lock(&self.buckets[bucket.index()]).admit();
        if self.counts_slots {
            self.in_flight.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Holds `bucket` back until `until` (a 429 another replica received).
    pub fn block(&self, bucket: Bucket, until: Instant) {
        lock(&self.buckets[bucket.index()]).block(until);
    }

    /// Decides with the bucket's own pacing only, leaving the concurrency limit to the caller.
    pub fn decide_pacing(
        &self,
        bucket: Bucket,
        now: Instant,
        config: &RateLimitConfig,
    ) -> Decision {
        lock(&self.buckets[bucket.index()]).decide(now, config)
    }

    /// Takes an in-flight slot if fewer than `limit` are taken.
    fn take_slot(&self, limit: u32) -> bool {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .is_ok()
    }

    fn give_slot(&self) {
        if !self.counts_slots {
            return;
        }
        let _ = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// Requests in flight, every bucket together, when a concurrency limit is set (else 0).
    pub fn in_flight(&self) -> u32 {
        self.in_flight.load(Ordering::Acquire)
    }
}

impl SharedState for InProcessState {
    fn decide(&self, bucket: Bucket, now: Instant, config: &RateLimitConfig) -> Decision {
        let Some(limit) = config.concurrency_limit.filter(|_| self.counts_slots) else {
            return self.decide_pacing(bucket, now, config);
        };
        if !self.take_slot(limit) {
            // Woken when a request ends; the backoff bounds the wait should a wake-up be missed.
            return Decision::Wait(later(now, config.concurrency_backoff), WaitReason::InFlight);
        }
        let decision = self.decide_pacing(bucket, now, config);
        if matches!(decision, Decision::Wait(..)) {
            self.give_slot();
        }
        decision
    }

    fn release(&self, bucket: Bucket) {
        lock(&self.buckets[bucket.index()]).release();
        self.give_slot();
    }

    fn complete(&self, bucket: Bucket, observed: &Observed<'_>) -> bool {
        let updated = {
            let mut state = lock(&self.buckets[bucket.index()]);
            state.release();
            let updated = state.update(
                observed.budget,
                observed.now,
                observed.wall,
                observed.admitted,
            );
            if let Some(wait) = observed.block_for {
                state.block(later(observed.now, wait));
            }
            updated
        };
        self.give_slot();
        updated
    }

    fn snapshot(&self, bucket: Bucket) -> BucketSnapshot {
        lock(&self.buckets[bucket.index()]).snapshot()
    }
}
