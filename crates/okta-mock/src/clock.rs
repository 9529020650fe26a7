//! One clock for windows, `Date` and `X-Rate-Limit-Reset`: monotonic `Instant`s mapped onto wall
//! time from a single reading, so `Reset - Date` is always the whole seconds left in a window.

use http::HeaderValue;
use std::cell::RefCell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Maps `Instant`s to epoch time using one (Instant, SystemTime) pair taken at start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    base: Instant,
    base_epoch: Duration,
}

impl Clock {
    /// A clock anchored now.
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
            base_epoch: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default(),
        }
    }

    /// Wall time of `at` as a duration since the epoch.
    pub fn epoch(&self, at: Instant) -> Duration {
        self.base_epoch + at.saturating_duration_since(self.base)
    }

    /// Whole epoch seconds of `at` (what the `Date` header shows).
    pub fn epoch_secs(&self, at: Instant) -> u64 {
        self.epoch(at).as_secs()
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
}
