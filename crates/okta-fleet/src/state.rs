//! [`RedisState`]: one org's and principal's [`SharedState`] in Redis, with a local view that
//! paces alone while Redis is away.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use okta_layers::rate_limit::{
    Bucket, BucketSnapshot, Decision, InProcessState, Observed, RateLimitConfig, RateLimitEvent,
    RateLimitHeaders, RefreshFuture, Scope, SharedState, WaitReason,
};
use tokio::sync::Notify;
use tokio::time::Instant;

use crate::breaker::{Breaker, Transition};
use crate::scripts::Keys;
use crate::store::StoreInner;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Permits leased from Redis: `permits` more, the next at `next_at`, then one every
/// `interval`, usable until `expires`.
#[derive(Debug, Clone, Copy)]
struct Lease {
    permits: u32,
    next_at: Instant,
    interval: Duration,
    expires: Instant,
    /// How many were granted, and the window they count against.
    size: u32,
    epoch: u64,
}

/// The fleet's word on one bucket, as this replica last heard it.
#[derive(Debug, Default)]
struct FleetBucket {
    lease: Option<Lease>,
    /// The lease fetched ahead, when the current one was half used with requests coming: the
    /// round trip overlaps the current lease's use instead of delaying a request.
    next: Option<Lease>,
    /// Another replica's 429 (or ours): nobody goes before then.
    blocked_until: Option<Instant>,
    /// The fleet spent the window: nobody goes before its reset.
    exhausted_until: Option<Instant>,
    /// A grant is under way (one round trip at a time per bucket).
    refreshing: bool,
    /// Requests that asked for a refresh since the last one.
    demand: u32,
    /// How many permits to ask for beyond the demand: doubled when a lease is used up,
    /// shrunk by what a lease left unused (so an idle replica asks for one at a time).
    appetite: u32,
    /// Requests sent without a permit (probes of an unknown budget), to count at the next grant.
    unpermitted: u32,
    /// Requests in flight with a permit, by the window it counts against: a response from a
    /// later window (the request landed after the reset) counts it there.
    in_flight: std::collections::BTreeMap<u64, u32>,
    /// The newest budget heard and not yet written, and whether a writer is running.
    pending: Option<Record>,
    writing: bool,
}

/// A response's budget, to record in Redis.
#[derive(Debug, Clone, Copy)]
struct Record {
    epoch: u64,
    limit: u32,
    remaining: u32,
    to_reset: Duration,
    /// The response's `Date`, epoch seconds.
    date: Option<u64>,
}

/// This replica's concurrency slots.
#[derive(Debug, Default)]
struct Slots {
    /// Slots Redis says this replica holds.
    held: u32,
    /// Of which in use.
    used: u32,
    /// The lease's end, as last renewed.
    expires: Option<Instant>,
    refreshing: bool,
    heartbeat: bool,
    /// The fleet had no slot to spare: ask again after then.
    exhausted_until: Option<Instant>,
}

/// Runs its closure when dropped: a refresh cut short (its caller gave up) still ends.
struct OnDrop<F: FnMut()>(F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)();
    }
}

struct Core {
    store: Arc<StoreInner>,
    keys: Keys,
    config: RateLimitConfig,
    local: InProcessState,
    breaker: Mutex<Breaker>,
    buckets: [Mutex<FleetBucket>; 5],
    refreshed: [Notify; 5],
    slots: Mutex<Slots>,
    slots_refreshed: Notify,
    /// How many windows the keys outlive their last write.
    ttl: Duration,
    /// Round trips that failed or timed out since the store was built (for tests and metrics).
    failures: AtomicU32,
}

/// One org's and principal's rate-limit state in Redis (made by
/// [`RedisStore`](crate::RedisStore)): see the [crate docs](crate) for what it shares and how
/// it fails.
pub struct RedisState {
    core: Arc<Core>,
}

impl std::fmt::Debug for RedisState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisState")
            .field("keys", &self.core.keys)
            .field("coordinating", &self.is_coordinating())
            .finish_non_exhaustive()
    }
}

impl RedisState {
    pub(crate) fn new(store: Arc<StoreInner>, scope: &Scope, config: &RateLimitConfig) -> Self {
        let settings = &store.settings;
        let keys = Keys::new(&settings.namespace, &scope.org, &scope.principal);
        let breaker = Breaker::new(settings.failures_to_open, settings.cool_down);
        let bucket = || Mutex::new(FleetBucket::default());
        RedisState {
            core: Arc::new(Core {
                keys,
                config: config.clone(),
                local: InProcessState::new(config),
                breaker: Mutex::new(breaker),
                buckets: [bucket(), bucket(), bucket(), bucket(), bucket()],
                refreshed: Default::default(),
                slots: Mutex::new(Slots::default()),
                slots_refreshed: Notify::new(),
                ttl: config.window.max(Duration::from_secs(1)) * 2 + Duration::from_secs(1),
                failures: AtomicU32::new(0),
                store,
            }),
        }
    }

    /// Whether the replicas are coordinating through Redis (false while Redis is away and
    /// requests are paced locally).
    pub fn is_coordinating(&self) -> bool {
        lock(&self.core.breaker).is_closed()
    }

    /// Round trips to Redis that failed or timed out so far.
    pub fn failures(&self) -> u32 {
        self.core.failures.load(Ordering::Relaxed)
    }

    /// The concurrency slots this replica holds in Redis, and how many of them are in use.
    pub fn slots(&self) -> (u32, u32) {
        let slots = lock(&self.core.slots);
        (slots.held, slots.used)
    }
}

/// The window `snapshot` is in at `now`, rolled forward when its reset passed, and the time
/// left of it (`None`: the budget is not known yet).
fn current_window(snapshot: &BucketSnapshot, now: Instant) -> Option<(u64, Duration)> {
    let epoch = snapshot.window_epoch?;
    let reset_at = snapshot.reset_at?;
    if now < reset_at {
        return Some((epoch, reset_at - now));
    }
    let window = snapshot.window.max(Duration::from_secs(1));
    let nanos = window.as_nanos();
    let over = (now - reset_at).as_nanos();
    let passed = u64::try_from(over / nanos + 1).unwrap_or(u64::MAX);
    let left = u64::try_from(nanos - over % nanos).unwrap_or(u64::MAX);
    Some((
        epoch.saturating_add(passed.saturating_mul(window.as_secs())),
        Duration::from_nanos(left),
    ))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Core {
    fn coordinating(&self, now: Instant) -> bool {
        lock(&self.breaker).allows(now)
    }

    fn emit(&self, event: RateLimitEvent) {
        if let Some(observer) = &self.config.observer {
            observer.on_event(&event);
        }
    }

    /// One round trip, bounded by the timeout; the breaker learns how it went.
    async fn call<T>(
        &self,
        what: &'static str,
        round_trip: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Option<T> {
        let error = match tokio::time::timeout(self.store.settings.timeout, round_trip).await {
            Ok(Ok(value)) => {
                if lock(&self.breaker).succeeded() == Transition::Closed {
                    tracing::warn!(
                        okta.fleet.keys = ?self.keys,
                        "okta fleet: the shared rate-limit store answers again, coordination resumed"
                    );
                    self.emit(RateLimitEvent::StoreRestored);
                }
                return Some(value);
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!(
                "no answer within {} ms",
                self.store.settings.timeout.as_millis()
            ),
        };
        self.failures.fetch_add(1, Ordering::Relaxed);
        if lock(&self.breaker).failed(Instant::now()) == Transition::Opened {
            tracing::warn!(
                okta.fleet.keys = ?self.keys,
                okta.fleet.call = what,
                error = %error,
                "okta fleet: the shared rate-limit store is unavailable, pacing locally until it is back"
            );
            self.emit(RateLimitEvent::StoreUnavailable { error });
        }
        None
    }

    /// The bucket's fleet decision, `None` when it must refresh first.
    fn decide_bucket(
        self: &Arc<Self>,
        bucket: Bucket,
        now: Instant,
        config: &RateLimitConfig,
    ) -> Decision {
        let mut fleet = lock(&self.buckets[bucket.index()]);
        if let Some(until) = fleet.blocked_until {
            if now < until {
                return Decision::Wait(until, WaitReason::Blocked);
            }
            fleet.blocked_until = None;
        }
        for _ in 0..2 {
            if let Some(lease) = &mut fleet.lease
                && lease.permits > 0
                && now < lease.expires
                && lease.next_at < lease.expires
            {
                lease.permits -= 1;
                let at = lease.next_at.max(now);
                lease.next_at = at + lease.interval;
                let (left, size, epoch) = (lease.permits, lease.size, lease.epoch);
                *fleet.in_flight.entry(epoch).or_default() += 1;
                if left == 0 {
                    fleet.appetite = size.saturating_mul(2);
                }
                if left <= size / 2 && fleet.next.is_none() && !fleet.refreshing {
                    // Half used: fetch the next lease while this one lasts.
                    fleet.refreshing = true;
                    let core = self.clone();
                    spawn(async move { core.refresh_bucket_claimed(bucket).await });
                }
                self.local.admit(bucket);
                return if at > now {
                    Decision::GoAt(at)
                } else {
                    Decision::Go
                };
            }
            if let Some(lease) = fleet.lease.take()
                && lease.permits > 0
            {
                // Expired unused: give the permits back to the fleet, ask for fewer next time.
                fleet.appetite = lease.size - lease.permits;
                self.give_back(bucket, lease);
            }
            fleet.lease = fleet.next.take();
        }
        if let Some(until) = fleet.exhausted_until {
            if now < until {
                return Decision::Wait(until, WaitReason::Exhausted);
            }
            fleet.exhausted_until = None;
        }
        if self.local.snapshot(bucket).window_epoch.is_none() {
            // Nobody here knows the budget yet: the local probe (one request goes first),
            // counted as granted at the next grant.
            let decision = self.local.decide_pacing(bucket, now, config);
            if !matches!(decision, Decision::Wait(..)) {
                fleet.unpermitted = fleet.unpermitted.saturating_add(1);
            }
            return decision;
        }
        fleet.demand = fleet.demand.saturating_add(1);
        Decision::Refresh
    }

    /// Takes one of the slots held: `Ok`, or the decision (a backoff or a refresh).
    fn take_slot(&self, now: Instant) -> Result<(), Decision> {
        let mut slots = lock(&self.slots);
        if slots.used < slots.held && slots.expires.is_some_and(|expires| now < expires) {
            slots.used += 1;
            return Ok(());
        }
        match slots.exhausted_until {
            Some(until) if now < until => Err(Decision::Wait(until, WaitReason::InFlight)),
            _ => {
                slots.exhausted_until = None;
                Err(Decision::Refresh)
            }
        }
    }

    fn give_slot(self: &Arc<Self>) {
        let spare = {
            let mut slots = lock(&self.slots);
            slots.used = slots.used.saturating_sub(1);
            // Keep one spare; give the rest back to the fleet.
            slots.held.saturating_sub(slots.used).saturating_sub(1)
        };
        if spare > 0 {
            let core = self.clone();
            spawn(async move {
                core.change_slots(-i64::from(spare)).await;
            });
        }
    }

    /// Takes (`change > 0`), gives back (`< 0`) or renews (`0`) slots; updates what is held.
    async fn change_slots(self: &Arc<Self>, change: i64) -> bool {
        let Some(limit) = self.config.concurrency_limit else {
            return false;
        };
        if change < 0 {
            // Given back at once here: the slots are no longer ours to use.
            let mut slots = lock(&self.slots);
            slots.held = slots
                .held
                .saturating_sub(u32::try_from(-change).unwrap_or(u32::MAX));
        }
        let (key, counts) = self.keys.slots();
        let lease = self.store.settings.slot_lease;
        let mut connection = self.store.connection();
        let mut invocation = self.store.scripts.slots.prepare_invoke();
        invocation
            .key(key)
            .key(counts)
            .arg(&self.store.replica)
            .arg(change)
            .arg(limit)
            .arg(millis(lease).max(1));
        let asked = Instant::now();
        let answer: Option<(i64, i64)> = self
            .call("slots", invocation.invoke_async(&mut connection))
            .await;
        let Some((_, held)) = answer else {
            return false;
        };
        let mut slots = lock(&self.slots);
        slots.held = u32::try_from(held.max(0)).unwrap_or(u32::MAX);
        slots.expires = Some(asked + lease);
        true
    }

    /// Starts the heartbeat if slots are held and none runs.
    fn keep_slots_alive(self: &Arc<Self>) {
        let start = {
            let mut slots = lock(&self.slots);
            let start = slots.held > 0 && !slots.heartbeat;
            slots.heartbeat |= start;
            start
        };
        if start {
            let core = self.clone();
            spawn(async move { core.heartbeat().await });
        }
    }

    /// Renews the slots' lease every third of it while any are held.
    async fn heartbeat(self: Arc<Self>) {
        let period = self.store.settings.slot_lease / 3;
        loop {
            tokio::time::sleep(period).await;
            if lock(&self.slots).held == 0 {
                break;
            }
            self.change_slots(0).await;
        }
        lock(&self.slots).heartbeat = false;
    }

    async fn refresh_slots(self: &Arc<Self>) {
        let notified = self.slots_refreshed.notified();
        let underway = std::mem::replace(&mut lock(&self.slots).refreshing, true);
        if underway {
            let _ = tokio::time::timeout(self.store.settings.timeout, notified).await;
            return;
        }
        let wanted = {
            let slots = lock(&self.slots);
            // What is in use, plus this request and one spare, minus what is held.
            (slots.used + 2).saturating_sub(slots.held).max(1)
        };
        let _done = OnDrop(|| {
            lock(&self.slots).refreshing = false;
            self.slots_refreshed.notify_waiters();
        });
        // If Redis is away, the breaker now sends requests to the local state.
        if self.change_slots(i64::from(wanted)).await {
            let mut slots = lock(&self.slots);
            if slots.held <= slots.used {
                // The fleet's slots are all taken: try again after a backoff (or when one of
                // ours is freed).
                slots.exhausted_until = Some(Instant::now() + self.config.concurrency_backoff);
            }
            drop(slots);
            self.keep_slots_alive();
        }
    }

    async fn refresh_bucket(self: &Arc<Self>, bucket: Bucket) {
        let index = bucket.index();
        let notified = self.refreshed[index].notified();
        let underway = std::mem::replace(&mut lock(&self.buckets[index]).refreshing, true);
        if underway {
            let _ = tokio::time::timeout(self.store.settings.timeout, notified).await;
            return;
        }
        self.refresh_bucket_claimed(bucket).await;
    }

    /// A grant by the caller that set `refreshing`; clears it and wakes the waiters when done.
    async fn refresh_bucket_claimed(self: &Arc<Self>, bucket: Bucket) {
        let index = bucket.index();
        let (wanted, unpermitted) = {
            let mut fleet = lock(&self.buckets[index]);
            let wanted = std::mem::take(&mut fleet.demand).max(fleet.appetite);
            let unpermitted = std::mem::take(&mut fleet.unpermitted);
            (
                wanted.clamp(1, self.store.settings.max_lease.max(1)),
                unpermitted,
            )
        };
        let _done = OnDrop(|| {
            lock(&self.buckets[index]).refreshing = false;
            self.refreshed[index].notify_waiters();
        });
        self.grant(bucket, wanted, unpermitted).await;
    }

    /// Asks Redis for a lease of `wanted` permits of the bucket's current window.
    async fn grant(self: &Arc<Self>, bucket: Bucket, wanted: u32, unpermitted: u32) {
        let now = Instant::now();
        let snapshot = self.local.snapshot(bucket);
        let Some((epoch, to_reset)) = current_window(&snapshot, now) else {
            return;
        };
        let limit = snapshot.limit.unwrap_or(0);
        let seen = match (snapshot.window_epoch, snapshot.remaining) {
            (Some(known), Some(remaining)) if known == epoch => limit.saturating_sub(remaining),
            _ => 0,
        };
        let config = &self.config;
        let reserve = (f64::from(limit) * config.reserve.clamp(0.0, 1.0)) as u32;
        let burst = (f64::from(limit) * config.burst_fraction.clamp(0.0, 1.0)) as u32;
        let name = bucket.as_str();
        let guard = self.store.settings.boundary_guard;
        let mut connection = self.store.connection();
        let mut invocation = self.store.scripts.grant.prepare_invoke();
        invocation
            .key(self.keys.bucket(name))
            .key(self.keys.budget(name))
            .key(self.keys.block(name))
            .arg(wanted)
            .arg(limit)
            .arg(limit.saturating_sub(reserve))
            .arg(burst)
            .arg(epoch)
            .arg(seen)
            .arg(millis(to_reset))
            .arg(snapshot.window.as_secs().max(1))
            .arg(millis(self.ttl))
            .arg(unpermitted)
            .arg(millis(guard));
        let answer: Option<Vec<i64>> = self
            .call("grant", invocation.invoke_async(&mut connection))
            .await;
        let Some(answer) = answer.filter(|answer| answer.len() == 10) else {
            return;
        };
        let now = Instant::now();
        let positive = |n: i64| u64::try_from(n).unwrap_or(0);
        let [
            granted,
            delay,
            interval,
            blocked,
            fleet_epoch,
            fleet_limit,
            fleet_remaining,
            left,
            lease_epoch,
            lease_left,
        ] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(|i| positive(answer[i]));
        let left = Duration::from_millis(left);
        let lease_left = Duration::from_millis(lease_left);
        // The fleet's view of the budget: a later window, or less remaining.
        let fresher = fleet_epoch > epoch
            || (fleet_epoch == epoch
                && snapshot
                    .remaining
                    .is_some_and(|remaining| fleet_remaining < u64::from(remaining)));
        if fresher {
            let budget = RateLimitHeaders {
                limit: u32::try_from(fleet_limit).ok(),
                remaining: u32::try_from(fleet_remaining).ok(),
                reset: Some(fleet_epoch),
                date: Some(fleet_epoch.saturating_sub(left.as_millis().div_ceil(1000) as u64)),
            };
            self.local.merge(bucket, &budget, now, SystemTime::now());
        }
        let mut fleet = lock(&self.buckets[bucket.index()]);
        if blocked > 0 {
            let until = now + Duration::from_millis(blocked);
            fleet.blocked_until = Some(fleet.blocked_until.map_or(until, |at| at.max(until)));
            // Leases are void under a block: their window is spent.
            let (lease, next) = (fleet.lease.take(), fleet.next.take());
            drop(fleet);
            self.local.block(bucket, until);
            for old in [lease, next].into_iter().flatten() {
                if old.permits > 0 {
                    self.give_back(bucket, old);
                }
            }
            return;
        }
        if granted == 0 {
            // The window is spent, or about to reset: ask again at its reset, or sooner, as
            // leases other replicas leave unused come back to it.
            let again = (self.store.settings.lease_ttl / 2).max(Duration::from_millis(1));
            fleet.exhausted_until = Some(now + left.min(again));
            return;
        }
        let granted = u32::try_from(granted).unwrap_or(u32::MAX);
        let next_at = now + Duration::from_millis(delay);
        let interval = Duration::from_millis(interval);
        let last = next_at + interval * (granted - 1);
        let expires = (now + self.store.settings.lease_ttl).max(last + Duration::from_millis(1));
        let lease = Lease {
            permits: granted,
            next_at,
            interval,
            expires: expires.min(now + lease_left.saturating_sub(guard)),
            size: granted,
            epoch: lease_epoch,
        };
        let current = fleet
            .lease
            .is_some_and(|lease| lease.permits > 0 && now < lease.expires);
        let replaced = if current {
            fleet.next.replace(lease)
        } else {
            fleet.lease.replace(lease)
        };
        drop(fleet);
        if let Some(old) = replaced.filter(|old| old.permits > 0) {
            self.give_back(bucket, old);
        }
    }

    /// Gives a lease's unused permits back to its window (in the background).
    fn give_back(self: &Arc<Self>, bucket: Bucket, lease: Lease) {
        self.adjust(bucket, lease.epoch, -i64::from(lease.permits));
    }

    /// Adds `change` to the permits granted in window `epoch` (in the background).
    fn adjust(self: &Arc<Self>, bucket: Bucket, epoch: u64, change: i64) {
        let core = self.clone();
        spawn(async move {
            let mut connection = core.store.connection();
            let mut invocation = core.store.scripts.adjust.prepare_invoke();
            invocation
                .key(format!("{}:w:{epoch}", core.keys.bucket(bucket.as_str())))
                .arg(change)
                .arg(millis(core.ttl));
            let _: Option<i64> = core
                .call("adjust", invocation.invoke_async(&mut connection))
                .await;
        });
    }

    /// A request with a permit ended; `landed`: the window its response reported. Its permit is
    /// taken as the oldest in flight; one of an earlier window than where it landed is counted
    /// in that window too.
    fn ended(self: &Arc<Self>, bucket: Bucket, landed: Option<u64>) {
        let spilled = {
            let mut fleet = lock(&self.buckets[bucket.index()]);
            let Some(mut oldest) = fleet.in_flight.first_entry() else {
                return;
            };
            let epoch = *oldest.key();
            *oldest.get_mut() -= 1;
            if *oldest.get() == 0 {
                oldest.remove();
            }
            landed.filter(|&landed| landed > epoch)
        };
        if let Some(landed) = spilled {
            self.adjust(bucket, landed, 1);
        }
    }

    /// Queues a response's budget for Redis; one writer per bucket, writing the newest.
    fn record(self: &Arc<Self>, bucket: Bucket, record: Record) {
        let start = {
            let mut fleet = lock(&self.buckets[bucket.index()]);
            fleet.pending = Some(match fleet.pending {
                Some(older)
                    if older.epoch > record.epoch
                        || (older.epoch == record.epoch && older.remaining < record.remaining) =>
                {
                    older
                }
                _ => record,
            });
            !std::mem::replace(&mut fleet.writing, true)
        };
        if start {
            let core = self.clone();
            spawn(async move { core.write_records(bucket).await });
        }
    }

    async fn write_records(self: Arc<Self>, bucket: Bucket) {
        let name = bucket.as_str();
        loop {
            let Some(mut record) = lock(&self.buckets[bucket.index()]).pending.take() else {
                break;
            };
            // The local estimate of the reset is the earliest over all our responses of the
            // window: tighter than this one response's.
            let snapshot = self.local.snapshot(bucket);
            if snapshot.window_epoch == Some(record.epoch)
                && let Some(reset_at) = snapshot.reset_at
            {
                record.to_reset = record
                    .to_reset
                    .min(reset_at.saturating_duration_since(Instant::now()));
            }
            let mut connection = self.store.connection();
            let mut invocation = self.store.scripts.record.prepare_invoke();
            invocation
                .key(self.keys.budget(name))
                .key(self.keys.bucket(name))
                .arg(record.epoch)
                .arg(record.limit)
                .arg(record.remaining)
                .arg(millis(record.to_reset))
                .arg(millis(self.ttl))
                .arg(record.date.unwrap_or(0));
            let written: Option<i64> = self
                .call("record", invocation.invoke_async(&mut connection))
                .await;
            if written.is_none() {
                // Redis is away: what it missed is stale by the time it is back.
                lock(&self.buckets[bucket.index()]).pending = None;
                break;
            }
        }
        lock(&self.buckets[bucket.index()]).writing = false;
    }

    /// Blocks the bucket fleet-wide for `wait`, or until `reset` (the 429's, epoch seconds)
    /// on Redis's clock if the fleet knows it and it is sooner.
    async fn block(self: Arc<Self>, bucket: Bucket, wait: Duration, reset: Option<u64>) {
        let name = bucket.as_str();
        let mut connection = self.store.connection();
        let mut invocation = self.store.scripts.block.prepare_invoke();
        invocation
            .key(self.keys.block(name))
            .key(self.keys.budget(name))
            .arg(millis(wait).max(1))
            .arg(reset.unwrap_or(0))
            .arg(millis(self.config.reset_jitter));
        let _: Option<i64> = self
            .call("block", invocation.invoke_async(&mut connection))
            .await;
    }
}

/// Runs `task` on the current Tokio runtime, if any (the state's methods are called from
/// requests' futures, so there is one; without, the write is skipped).
fn spawn(task: impl std::future::Future<Output = ()> + Send + 'static) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(task);
    }
}

impl SharedState for RedisState {
    fn decide(&self, bucket: Bucket, now: Instant, config: &RateLimitConfig) -> Decision {
        let core = &self.core;
        if !core.coordinating(now) {
            let d = core.local.decide(bucket, now, config);
            return d;
        }
        let slotted = config.concurrency_limit.is_some();
        if slotted && let Err(decision) = core.take_slot(now) {
            return decision;
        }
        let decision = core.decide_bucket(bucket, now, config);
        if slotted && matches!(decision, Decision::Wait(..) | Decision::Refresh) {
            let mut slots = lock(&core.slots);
            slots.used = slots.used.saturating_sub(1);
        }
        decision
    }

    fn refresh(&self, bucket: Bucket) -> RefreshFuture {
        let core = self.core.clone();
        Box::pin(async move {
            let now = Instant::now();
            let short_of_slots = core.config.concurrency_limit.is_some() && {
                let slots = lock(&core.slots);
                slots.used >= slots.held || slots.expires.is_none_or(|expires| now >= expires)
            };
            if short_of_slots {
                core.refresh_slots().await;
            }
            let short_of_permits = {
                let fleet = lock(&core.buckets[bucket.index()]);
                let usable = |lease: Option<Lease>| {
                    lease.is_some_and(|lease| lease.permits > 0 && now < lease.expires)
                };
                fleet.demand > 0 && !usable(fleet.lease) && !usable(fleet.next)
            };
            if short_of_permits {
                core.refresh_bucket(bucket).await;
            }
        })
    }

    fn release(&self, bucket: Bucket) {
        self.core.local.release(bucket);
        self.core.ended(bucket, None);
        if self.core.config.concurrency_limit.is_some() {
            self.core.give_slot();
        }
    }

    fn complete(&self, bucket: Bucket, observed: &Observed<'_>) -> bool {
        let core = &self.core;
        let updated = core.local.complete(bucket, observed);
        let landed = observed.budget.reset.filter(|_| {
            observed
                .budget
                .reset_is_plausible(observed.wall, core.config.window)
        });
        core.ended(bucket, landed);
        if core.config.concurrency_limit.is_some() {
            core.give_slot();
        }
        if !lock(&core.breaker).is_closed() {
            return updated;
        }
        if let Some(wait) = observed.block_for {
            lock(&core.buckets[bucket.index()]).lease = None;
            let reset = observed.budget.reset.filter(|_| {
                observed
                    .budget
                    .reset_is_plausible(observed.wall, core.config.window)
            });
            spawn(core.clone().block(bucket, wait, reset));
        }
        let budget = observed.budget;
        if let (Some(limit), Some(remaining), Some(reset), true) = (
            budget.limit,
            budget.remaining,
            budget.reset,
            observed.admitted && !budget.is_concurrency_limit(),
        ) && budget.reset_is_plausible(observed.wall, core.config.window)
        {
            let to_reset = budget
                .time_to_reset(observed.wall, core.config.window)
                .unwrap_or_default();
            core.record(
                bucket,
                Record {
                    epoch: reset,
                    limit,
                    remaining: remaining.min(limit),
                    to_reset,
                    date: budget.date,
                },
            );
        }
        updated
    }

    fn snapshot(&self, bucket: Bucket) -> BucketSnapshot {
        self.core.local.snapshot(bucket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(epoch: u64, reset_in: Duration, now: Instant) -> BucketSnapshot {
        BucketSnapshot {
            limit: Some(100),
            remaining: Some(50),
            in_flight: 0,
            reset_at: Some(now + reset_in),
            window_epoch: Some(epoch),
            window: Duration::from_secs(1),
            share: 1.0,
            blocked_until: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_current_window_rolls_forward_from_the_last_known_one() {
        let now = Instant::now();
        let known = snapshot(1_000, Duration::from_millis(300), now);
        assert_eq!(
            current_window(&known, now),
            Some((1_000, Duration::from_millis(300)))
        );
        let later = now + Duration::from_millis(2_500);
        assert_eq!(
            current_window(&known, later),
            Some((1_003, Duration::from_millis(800)))
        );
        let unknown = BucketSnapshot {
            window_epoch: None,
            ..known
        };
        assert_eq!(current_window(&unknown, now), None);
    }
}
