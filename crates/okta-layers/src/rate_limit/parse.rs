//! Reading Okta's rate-limit headers: pure functions over a `HeaderMap`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::DATE;
use http::{HeaderMap, HeaderValue};
use okta_users::headers::{X_RATE_LIMIT_LIMIT, X_RATE_LIMIT_REMAINING, X_RATE_LIMIT_RESET};

/// The rate-limit headers of one response.
///
/// Duplicated headers (two `X-Rate-Limit-Reset` lines, or a proxy's comma-joined value) are
/// resolved conservatively: the **latest** reset, the **smallest** remaining and limit. Waiting
/// for the latest reset is never too early — retrying before the later of two announced resets
/// would most likely earn another 429, and every 429 counts against the org — while the cost of
/// being wrong the other way is at most one window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimitHeaders {
    /// `X-Rate-Limit-Limit`.
    pub limit: Option<u32>,
    /// `X-Rate-Limit-Remaining`.
    pub remaining: Option<u32>,
    /// `X-Rate-Limit-Reset`, epoch seconds.
    pub reset: Option<u64>,
    /// The response's `Date`, epoch seconds.
    pub date: Option<u64>,
}

/// Folds every number of one header value into `result` with `pick`: usually one number, but a
/// proxy's comma-joined value gives several (and a duplicated header several values).
fn fold_numbers(result: &mut Option<u64>, value: &HeaderValue, pick: fn(u64, u64) -> u64) {
    for part in value.as_bytes().split(|&byte| byte == b',') {
        if let Some(n) = parse_u64(part.trim_ascii()) {
            *result = Some(result.map_or(n, |previous| pick(previous, n)));
        }
    }
}

/// A decimal number of at most 19 digits (so it cannot overflow).
fn parse_u64(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &byte| {
        byte.is_ascii_digit()
            .then(|| n * 10 + u64::from(byte - b'0'))
    })
}

/// A `Date` value in epoch seconds. It changes once a second while every response carries it,
/// so the last one parsed on this thread is remembered (an HTTP date is ~29 bytes).
fn date_seconds(value: &HeaderValue) -> Option<u64> {
    thread_local! {
        static LAST: std::cell::RefCell<(Vec<u8>, u64)> = const { std::cell::RefCell::new((Vec::new(), 0)) };
    }
    let value = value.as_bytes();
    LAST.with_borrow_mut(|(text, seconds)| {
        if text.as_slice() != value {
            let parsed = std::str::from_utf8(value)
                .ok()
                .and_then(|value| httpdate::parse_http_date(value).ok())?;
            *seconds = parsed.duration_since(UNIX_EPOCH).ok()?.as_secs();
            text.clear();
            text.extend_from_slice(value);
        }
        Some(*seconds)
    })
}

impl RateLimitHeaders {
    /// Reads the headers; absent or unparsable values are `None`.
    ///
    /// One pass over the headers: cheaper than four lookups in the map, each hashing a custom
    /// name (this runs on every response; measured with `benches/callgrind-stack.sh`).
    pub fn parse(headers: &HeaderMap) -> RateLimitHeaders {
        let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        let (mut limit, mut remaining, mut reset) = (None, None, None);
        let mut date = None;
        for (name, value) in headers {
            // The first `Date` counts, as `HeaderMap::get` would give.
            if name == DATE {
                if date.is_none() {
                    date = Some(value);
                }
            } else if name == X_RATE_LIMIT_LIMIT {
                fold_numbers(&mut limit, value, u64::min);
            } else if name == X_RATE_LIMIT_REMAINING {
                fold_numbers(&mut remaining, value, u64::min);
            } else if name == X_RATE_LIMIT_RESET {
                fold_numbers(&mut reset, value, u64::max);
            }
        }
        RateLimitHeaders {
            limit: limit.map(clamp),
            remaining: remaining.map(clamp),
            reset,
            date: date.and_then(date_seconds),
        }
    }

    /// Whether the response carries a usable budget (limit, remaining and reset).
    pub fn is_complete(&self) -> bool {
        self.limit.is_some() && self.remaining.is_some() && self.reset.is_some()
    }

    /// Whether this is Okta's concurrency-limit 429 (`Limit: 0`, `Remaining: 0`), which clears as
    /// soon as other requests finish rather than at the window's end.
    pub fn is_concurrency_limit(&self) -> bool {
        self.limit == Some(0) && self.remaining == Some(0)
    }

    /// How long until the window resets, as seen from the moment the response arrived.
    ///
    /// With a `Date` header this is `reset − date`, measured entirely on Okta's clock, so a
    /// skewed local clock does not matter; it is clamped to `[0, window]`. Without `Date` it falls
    /// back to `reset − wall_now`, clamped to `[1 s, window]` (the local clock may be off, so
    /// neither hammer nor stall). `None` without a reset header. Any number saturates: a reset
    /// centuries away is a wait of one window.
    pub fn time_to_reset(&self, wall_now: SystemTime, window: Duration) -> Option<Duration> {
        let reset = self.reset?;
        Some(match self.date {
            Some(date) => Duration::from_secs(reset.saturating_sub(date)).min(window),
            None => {
                let left = match UNIX_EPOCH.checked_add(Duration::from_secs(reset)) {
                    Some(reset) => reset.duration_since(wall_now).unwrap_or(Duration::ZERO),
                    // Beyond what the clock can hold.
                    None => window,
                };
                left.clamp(Duration::from_secs(1).min(window), window)
            }
        })
    }

    /// Whether the reset is no further than `window` from the response's `Date` (or, without
    /// one, from `wall_now`): what Okta sends. A reset beyond that is a lie or a broken proxy;
    /// it is clamped to the window and must not outrank the resets of later, sane responses.
    pub fn reset_is_plausible(&self, wall_now: SystemTime, window: Duration) -> bool {
        let Some(reset) = self.reset else {
            return false;
        };
        let now = self.date.unwrap_or_else(|| {
            wall_now
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_secs())
        });
        // Whole seconds, rounded up: `Date` is truncated to the second.
        let window = window.as_secs() + u64::from(window.subsec_nanos() > 0);
        reset <= now.saturating_add(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderName;

    fn headers(pairs: &[(&HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append((*name).clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const DATE_T: &str = "Tue, 01 Jul 2025 12:00:00 GMT";
    const T: u64 = 1_751_371_200;

    #[test]
    fn parses_budget_and_date() {
        let map = headers(&[
            (&X_RATE_LIMIT_LIMIT, "600"),
            (&X_RATE_LIMIT_REMAINING, "599"),
            (&X_RATE_LIMIT_RESET, &(T + 60).to_string()),
            (&http::header::DATE, DATE_T),
        ]);
        let parsed = RateLimitHeaders::parse(&map);
        assert_eq!(
            parsed,
            RateLimitHeaders {
                limit: Some(600),
                remaining: Some(599),
                reset: Some(T + 60),
                date: Some(T)
            }
        );
        assert!(parsed.is_complete() && !parsed.is_concurrency_limit());
    }

    #[test]
    fn duplicated_reset_takes_the_latest_and_remaining_the_smallest() {
        let map = headers(&[
            (&X_RATE_LIMIT_RESET, &(T + 30).to_string()),
            (&X_RATE_LIMIT_RESET, &(T + 45).to_string()),
            (&X_RATE_LIMIT_REMAINING, "5, 3"),
        ]);
        let parsed = RateLimitHeaders::parse(&map);
        assert_eq!(parsed.reset, Some(T + 45));
        assert_eq!(parsed.remaining, Some(3));
    }

    #[test]
    fn other_headers_are_skipped_and_the_first_date_counts() {
        let map = headers(&[
            (&http::header::CONTENT_TYPE, "application/json"),
            (&http::header::DATE, DATE_T),
            (&X_RATE_LIMIT_LIMIT, "600"),
            (&HeaderName::from_static("x-rate-limit-limits"), "1"),
            (&http::header::DATE, "Tue, 01 Jul 2025 13:00:00 GMT"),
            (&X_RATE_LIMIT_LIMIT, "abc"),
        ]);
        let parsed = RateLimitHeaders::parse(&map);
        assert_eq!(parsed.limit, Some(600));
        assert_eq!(parsed.date, Some(T));
        assert_eq!((parsed.remaining, parsed.reset), (None, None));
    }

    #[test]
    fn reset_is_measured_against_date_not_the_local_clock() {
        let parsed = RateLimitHeaders {
            reset: Some(T + 7),
            date: Some(T),
            ..Default::default()
        };
        // The local clock is an hour ahead: irrelevant when Date is present.
        let skewed = UNIX_EPOCH + Duration::from_secs(T + 3600);
        assert_eq!(
            parsed.time_to_reset(skewed, Duration::from_secs(60)),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn without_date_the_local_clock_is_used_and_clamped() {
        let window = Duration::from_secs(60);
        let parsed = RateLimitHeaders {
            reset: Some(T + 7),
            ..Default::default()
        };
        let now = UNIX_EPOCH + Duration::from_millis(T * 1000 + 2500);
        assert_eq!(
            parsed.time_to_reset(now, window),
            Some(Duration::from_millis(4500))
        );
        let late = UNIX_EPOCH + Duration::from_secs(T + 100);
        assert_eq!(
            parsed.time_to_reset(late, window),
            Some(Duration::from_secs(1))
        );
        let early = UNIX_EPOCH + Duration::from_secs(T - 3600);
        assert_eq!(parsed.time_to_reset(early, window), Some(window));
    }

    #[test]
    fn concurrency_limit_is_limit_and_remaining_zero() {
        let map = headers(&[(&X_RATE_LIMIT_LIMIT, "0"), (&X_RATE_LIMIT_REMAINING, "0")]);
        assert!(RateLimitHeaders::parse(&map).is_concurrency_limit());
    }

    #[test]
    fn resets_beyond_the_window_are_implausible_and_saturate() {
        let window = Duration::from_secs(60);
        let with_date = |reset| RateLimitHeaders {
            reset: Some(reset),
            date: Some(T),
            ..Default::default()
        };
        assert!(with_date(T + 60).reset_is_plausible(UNIX_EPOCH, window));
        assert!(with_date(T - 5).reset_is_plausible(UNIX_EPOCH, window));
        assert!(!with_date(T + 61).reset_is_plausible(UNIX_EPOCH, window));
        assert!(!with_date(u64::MAX).reset_is_plausible(UNIX_EPOCH, window));
        assert_eq!(
            with_date(u64::MAX).time_to_reset(UNIX_EPOCH, window),
            Some(window)
        );
        let now = UNIX_EPOCH + Duration::from_secs(T);
        let without = |reset| RateLimitHeaders {
            reset: Some(reset),
            ..Default::default()
        };
        assert!(without(T + 60).reset_is_plausible(now, window));
        assert!(!without(T + 61).reset_is_plausible(now, window));
        for mad in [u64::MAX, 9_999_999_999_999_999_999] {
            assert_eq!(without(mad).time_to_reset(now, window), Some(window));
            assert!(!without(mad).reset_is_plausible(now, window));
        }
        assert!(!RateLimitHeaders::default().reset_is_plausible(now, window));
    }
}
