//! Okta's fixed-window rate limits per bucket, and the in-flight concurrency limit.
//! Pure logic: time is passed in, so windows are tested without waiting.

use crate::clock::Clock;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    pub limit: u32,
    pub remaining: u32,
    /// Epoch seconds at which the window resets.
    pub reset: u64,
    pub allowed: bool,
}

#[derive(Debug, Default)]
struct Window {
    end: Option<Instant>,
    reset: u64,
    used: u32,
}

/// Fixed windows aligned to whole wall-clock seconds, one per bucket.
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

    /// Count one request against `bucket` at `now`.
    pub fn acquire(&self, bucket: Bucket, now: Instant, clock: &Clock) -> Quota {
        let limit = self.limits.limit(bucket);
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
        }
        let allowed = !self.limits.enabled || w.used < limit;
        if allowed {
            w.used = w.used.saturating_add(1);
        }
        let remaining = if self.limits.enabled {
            limit.saturating_sub(w.used)
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
        let a = limiter.acquire(Bucket::UserGet, t0, &clock);
        let b = limiter.acquire(Bucket::UserGet, t0, &clock);
        let c = limiter.acquire(Bucket::UserGet, t0, &clock);
        assert_eq!((a.remaining, b.remaining, c.remaining), (1, 0, 0));
        assert!(a.allowed && b.allowed && !c.allowed);
        // Reset - Date is the whole seconds left in the window.
        let date = clock.epoch_secs(t0);
        assert!(a.reset > date && a.reset - date <= 60);
        assert_eq!(a.reset, c.reset);
        // Another bucket is independent.
        assert!(limiter.acquire(Bucket::UserWrite, t0, &clock).allowed);
        // After the window, a fresh one starts.
        let later = t0 + Duration::from_secs(61);
        let d = limiter.acquire(Bucket::UserGet, later, &clock);
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
            let quota = limiter.acquire(Bucket::UsersCollection, t0, &clock);
            assert!(quota.allowed);
            // The headers say the whole budget remains, so no client paces itself down.
            assert_eq!((quota.limit, quota.remaining), (1, 1));
        }
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
