//! The org's one clock, on tokio's time: windows, `Date`, `X-Rate-Limit-Reset`, token expiry,
//! latency faults and every timestamp the org writes (`created`, `lastUpdated`, …) read it, so a
//! test on paused time (`#[tokio::test(start_paused = true)]`, `tokio::time::advance`) drives them
//! all. Wall time is one anchor — the epoch reading taken at start — plus tokio's elapsed time, so
//! `Reset - Date` is always the whole seconds left in a window.

use http::HeaderValue;
use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use time::OffsetDateTime;
use tokio::time::Instant;

/// Maps tokio `Instant`s to epoch time from one (Instant, SystemTime) pair taken at start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    base: Instant,
    base_epoch: Duration,
}

impl Clock {
    /// A clock anchored now (tokio's now: the paused clock in a paused test).
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
            base_epoch: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        }
    }

    /// tokio's now.
    pub fn now(&self) -> Instant {
        Instant::now()
    }

    /// Wall time of `at` as a duration since the epoch.
    pub fn epoch(&self, at: Instant) -> Duration {
        self.base_epoch
            .saturating_add(at.saturating_duration_since(self.base))
    }

    /// Whole epoch seconds of `at` (what the `Date` header shows).
    pub fn epoch_secs(&self, at: Instant) -> u64 {
        self.epoch(at).as_secs()
    }

    /// Wall time of `at` as a timestamp (for `created`, `lastUpdated`, …).
    pub fn datetime(&self, at: Instant) -> OffsetDateTime {
        let nanos = i128::try_from(self.epoch(at).as_nanos()).unwrap_or(i128::MAX);
        OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// The `Date` header for `at`, formatted once per second per thread.
    pub fn date_header(&self, at: Instant) -> HeaderValue {
        let secs = self.epoch_secs(at);
        DATE_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((s, v)) = cache.as_ref()
                && *s == secs
            {
                return v.clone();
            }
            let text = httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs));
            let value = HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(""));
            *cache = Some((secs, value.clone()));
            value
        })
    }
}

thread_local! {
    static DATE_CACHE: RefCell<Option<(u64, HeaderValue)>> = const { RefCell::new(None) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_header_matches_epoch_seconds() {
        let clock = Clock::new();
        let now = Instant::now();
        let header = clock.date_header(now);
        let parsed = httpdate::parse_http_date(header.to_str().unwrap()).unwrap();
        let secs = parsed.duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(secs, clock.epoch_secs(now));
    }

    #[tokio::test(start_paused = true)]
    async fn paused_time_moves_the_wall_clock() {
        let clock = Clock::new();
        let before = clock.epoch(clock.now());
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.epoch(clock.now()) - before, Duration::from_secs(90));
        let stamp = clock.datetime(clock.now());
        assert_eq!(stamp.unix_timestamp() as u64, clock.epoch_secs(clock.now()));
    }
}
