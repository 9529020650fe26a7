//! Okta's fixed-window rate limits per bucket, and the in-flight concurrency limit.
//! Pure logic: time is passed in, so windows are tested without waiting.

use crate::clock::Clock;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The rate-limit bucket a request counts against (Okta's management buckets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Bucket {
    /// `GET` and `POST /api/v1/users`.
    UsersCollection,
    /// `GET /api/v1/users/{idOrLogin}`.
    UserGet,
    /// `POST`, `PUT`, `DELETE /api/v1/users/{idOrLogin}`.
    UserWrite,
    /// Everything else under `/api/v1/users/`.
    UsersOther,
    /// `POST /oauth2/v1/token`.
    Token,
    /// Any other path.
    Other,
}

impl Bucket {
    /// All buckets, in counter order.
    pub const ALL: [Bucket; 6] = [
        Bucket::UsersCollection,
        Bucket::UserGet,
        Bucket::UserWrite,
        Bucket::UsersOther,
        Bucket::Token,
        Bucket::Other,
    ];

    /// Position in [`Bucket::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The bucket of a request, from its method and path.
    pub fn classify(method: &http::Method, path: &str) -> Bucket {
        let Some(rest) = path.strip_prefix("/api/v1/users") else {
            return if path == "/oauth2/v1/token" {
                Bucket::Token
            } else {
                Bucket::Other
            };
        };
        if rest.is_empty() || rest == "/" {
            return Bucket::UsersCollection;
        }
        let Some(rest) = rest.strip_prefix('/') else {
            return Bucket::Other;
        };
        if rest.contains('/') {
            return Bucket::UsersOther;
        }
        match *method {
            http::Method::GET => Bucket::UserGet,
            http::Method::POST | http::Method::PUT | http::Method::DELETE => Bucket::UserWrite,
            _ => Bucket::UsersOther,
        }
    }
}

/// Per-bucket request limits and the window they apply to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// Length of each fixed window (Okta: one minute).
    pub window: Duration,
    /// Limit for `GET`/`POST /api/v1/users`.
    pub users_collection: u32,
    /// Limit for `GET /api/v1/users/{idOrLogin}`.
    pub user_get: u32,
    /// Limit for writes to `/api/v1/users/{idOrLogin}`.
    pub user_write: u32,
    /// Limit for everything else under `/api/v1/users/`.
    pub users_other: u32,
    /// Limit for `POST /oauth2/v1/token`.
    pub token: u32,
    /// Limit for any other path.
    pub other: u32,
    /// When false, nothing is limited: the headers still report each bucket's limit and
    /// window, with the whole budget always remaining (so a pacing client never slows down).
    pub enabled: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(60),
            users_collection: 600,
            user_get: 600,
            user_write: 600,
            users_other: 600,
            token: 600,
            other: 600,
            enabled: true,
        }
    }
}

impl RateLimits {
    /// No limiting at all (for benchmarks).
    pub fn disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// The same `limit` for every bucket, over `window`.
    pub fn uniform(limit: u32, window: Duration) -> Self {
        Self {
            window,
            users_collection: limit,
            user_get: limit,
            user_write: limit,
            users_other: limit,
            token: limit,
            other: limit,
            enabled: true,
        }
    }

    /// The limit configured for `bucket`.
    pub fn limit(&self, bucket: Bucket) -> u32 {
        match bucket {
            Bucket::UsersCollection => self.users_collection,
            Bucket::UserGet => self.user_get,
            Bucket::UserWrite => self.user_write,
            Bucket::UsersOther => self.users_other,
            Bucket::Token => self.token,
            Bucket::Other => self.other,
        }
    }
}

/// What the rate-limit headers of one response say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    /// The ceiling that binds the caller: its principal's share of the bucket (the whole bucket
    /// for a request from no known principal).
    pub limit: u32,
    /// What is left of that ceiling: the smaller of the principal's and the org's remaining.
    pub remaining: u32,
    /// Epoch seconds at which the window resets.
    pub reset: u64,
    pub allowed: bool,
}

/// A principal's ceiling in a bucket of `limit`: `share` percent, rounded up (so any share of a
/// non-empty bucket allows at least one request).
pub(crate) fn share_of(limit: u32, share: u8) -> u32 {
    let scaled = (u64::from(limit) * u64::from(share)).div_ceil(100);
    u32::try_from(scaled).unwrap_or(u32::MAX)
}

#[derive(Debug, Default)]
struct Window {
    end: Option<Instant>,
    reset: u64,
    /// Requests admitted in this window, org-wide.
    used: u32,
    /// Requests admitted in this window, per principal.
    by_principal: Vec<u32>,
}

/// Fixed windows aligned to whole wall-clock seconds, one per bucket; within each, a count for
/// the whole org and one per principal.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    windows: [Mutex<Window>; 6],
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            windows: Default::default(),
        }
    }

    /// Count one request against `bucket` at `now`, for `principal` (its index and share).
    pub fn acquire(
        &self,
        bucket: Bucket,
        principal: Option<(usize, u8)>,
        now: Instant,
        clock: &Clock,
    ) -> Quota {
        let org_limit = self.limits.limit(bucket);
        let limit = principal.map_or(org_limit, |(_, share)| share_of(org_limit, share));
        let Ok(mut w) = self.windows[bucket.index()].lock() else {
            return Quota {
                limit,
                remaining: limit,
                reset: clock.epoch_secs(now),
                allowed: true,
            };
        };
        if w.end.is_none_or(|end| now >= end) {
            // Start the window at the current whole second so Reset is an exact epoch second.
            let wall = clock.epoch(now);
            let into_second = Duration::from_nanos(u64::from(wall.subsec_nanos()));
            let window = self.limits.window.max(Duration::from_millis(1));
            let end_wall = wall - into_second + window;
            w.end = Some(now + (end_wall - wall));
            w.reset = end_wall.as_secs() + u64::from(end_wall.subsec_nanos() > 0);
            w.used = 0;
            w.by_principal.iter_mut().for_each(|n| *n = 0);
        }
        let index = principal.map(|(index, _)| index);
        if let Some(index) = index
            && w.by_principal.len() <= index
        {
            w.by_principal.resize(index + 1, 0);
        }
        let own_used = |w: &Window| index.map_or(w.used, |i| w.by_principal[i]);
        let allowed = !self.limits.enabled || (w.used < org_limit && own_used(&w) < limit);
        if allowed {
            w.used = w.used.saturating_add(1);
            if let Some(i) = index {
                w.by_principal[i] = w.by_principal[i].saturating_add(1);
            }
        }
        let remaining = if self.limits.enabled {
            limit
                .saturating_sub(own_used(&w))
                .min(org_limit.saturating_sub(w.used))
        } else {
            limit
        };
        Quota {
            limit,
            remaining,
            reset: w.reset,
            allowed,
        }
    }
}

/// Counts requests in flight; a permit is released when dropped.
#[derive(Debug)]
pub(crate) struct Concurrency {
    limit: Option<usize>,
    in_flight: AtomicUsize,
}

/// One admitted in-flight request.
pub(crate) struct Permit<'a>(&'a AtomicUsize);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Concurrency {
    pub fn new(limit: Option<usize>) -> Self {
        Self {
            limit,
            in_flight: AtomicUsize::new(0),
        }
    }

    /// A permit, or `None` when `limit` requests are already in flight.
    pub fn try_acquire(&self) -> Option<Permit<'_>> {
        let before = self.in_flight.fetch_add(1, Ordering::AcqRel);
        let permit = Permit(&self.in_flight);
        match self.limit {
            Some(limit) if before >= limit => None, // dropping the permit undoes the add
            _ => Some(permit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn buckets_follow_okta() {
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users"),
            Bucket::UsersCollection
        );
        assert_eq!(
            Bucket::classify(&Method::POST, "/api/v1/users"),
            Bucket::UsersCollection
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/users/00u1"),
            Bucket::UserGet
        );
        assert_eq!(
            Bucket::classify(&Method::DELETE, "/api/v1/users/00u1"),
            Bucket::UserWrite
        );
        assert_eq!(
            Bucket::classify(&Method::PUT, "/api/v1/users/00u1"),
            Bucket::UserWrite
        );
        assert_eq!(
            Bucket::classify(&Method::POST, "/api/v1/users/00u1/lifecycle/activate"),
            Bucket::UsersOther
        );
        assert_eq!(
            Bucket::classify(&Method::POST, "/oauth2/v1/token"),
            Bucket::Token
        );
        assert_eq!(
            Bucket::classify(&Method::GET, "/api/v1/groups"),
            Bucket::Other
        );
    }

    #[test]
    fn window_counts_down_then_refuses_then_resets() {
        let clock = Clock::new();
        let limiter = RateLimiter::new(RateLimits::uniform(2, Duration::from_secs(60)));
        let t0 = Instant::now();
        let a = limiter.acquire(Bucket::UserGet, None, t0, &clock);
        let b = limiter.acquire(Bucket::UserGet, None, t0, &clock);
        let c = limiter.acquire(Bucket::UserGet, None, t0, &clock);
        assert_eq!((a.remaining, b.remaining, c.remaining), (1, 0, 0));
        assert!(a.allowed && b.allowed && !c.allowed);
        // Reset - Date is the whole seconds left in the window.
        let date = clock.epoch_secs(t0);
        assert!(a.reset > date && a.reset - date <= 60);
        assert_eq!(a.reset, c.reset);
        // Another bucket is independent.
        assert!(limiter.acquire(Bucket::UserWrite, None, t0, &clock).allowed);
        // After the window, a fresh one starts.
        let later = t0 + Duration::from_secs(61);
        let d = limiter.acquire(Bucket::UserGet, None, later, &clock);
        assert!(d.allowed);
        assert_eq!(d.remaining, 1);
        assert!(d.reset > c.reset);
    }

    #[test]
    fn disabled_limits_never_refuse() {
        let clock = Clock::new();
        let limiter = RateLimiter::new(RateLimits {
            users_collection: 1,
            ..RateLimits::disabled()
        });
        let t0 = Instant::now();
        for _ in 0..5 {
            let quota = limiter.acquire(Bucket::UsersCollection, None, t0, &clock);
            assert!(quota.allowed);
            // The headers say the whole budget remains, so no client paces itself down.
            assert_eq!((quota.limit, quota.remaining), (1, 1));
        }
    }

    #[test]
    fn a_principal_is_held_to_its_share_and_to_what_the_org_has_left() {
        let clock = Clock::new();
        let limiter = RateLimiter::new(RateLimits::uniform(10, Duration::from_secs(60)));
        let t0 = Instant::now();
        let a = Some((0, 50));
        let b = Some((1, 80));
        let first = limiter.acquire(Bucket::UserGet, a, t0, &clock);
        assert_eq!((first.limit, first.remaining), (5, 4));
        for _ in 0..4 {
            assert!(limiter.acquire(Bucket::UserGet, a, t0, &clock).allowed);
        }
        // A's share is spent; B still has its own, bounded by what the org has left (5).
        assert!(!limiter.acquire(Bucket::UserGet, a, t0, &clock).allowed);
        let b1 = limiter.acquire(Bucket::UserGet, b, t0, &clock);
        assert_eq!((b1.limit, b1.remaining, b1.allowed), (8, 4, true));
        for _ in 0..4 {
            assert!(limiter.acquire(Bucket::UserGet, b, t0, &clock).allowed);
        }
        // The org's 10 are spent though B has used 5 of its 8.
        let b6 = limiter.acquire(Bucket::UserGet, b, t0, &clock);
        assert_eq!((b6.remaining, b6.allowed), (0, false));
        // A new window restores both.
        let later = t0 + Duration::from_secs(61);
        let fresh = limiter.acquire(Bucket::UserGet, a, later, &clock);
        assert_eq!((fresh.remaining, fresh.allowed), (4, true));
    }

    #[test]
    fn shares_round_up() {
        assert_eq!(share_of(600, 50), 300);
        assert_eq!(share_of(1, 50), 1);
        assert_eq!(share_of(3, 50), 2);
        assert_eq!(share_of(u32::MAX, 100), u32::MAX);
    }

    #[test]
    fn concurrency_permits_are_released() {
        let c = Concurrency::new(Some(1));
        let p = c.try_acquire();
        assert!(p.is_some());
        assert!(c.try_acquire().is_none());
        drop(p);
        assert!(c.try_acquire().is_some());
    }
}
