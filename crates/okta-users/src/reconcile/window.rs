//! [`CallWindow`]: when a call ran, on Okta's clock, so that a timestamp Okta wrote can be
//! judged "during this call" without trusting the client's clock.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;

/// The spread allowed between the clocks of Okta's own servers — the one that stamped a
/// resource (`created`, `statusChanged`) and the one that dated a later answer (`Date`) — on
/// top of the `Date` header's whole seconds.
pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(2);

/// The span of Okta's clock a call ran in, from the `Date` of an answer received during it.
///
/// The client's clock is never compared with Okta's: the call's start is that `Date` minus
/// the time elapsed between the call's start and that answer's arrival on the client's
/// monotonic clock (tokio's, which the stack's waits run on: paused in a test on paused time,
/// std's outside a runtime). Okta dated the answer before it arrived, so the call started no later
/// than that on Okta's clock; [`CLOCK_TOLERANCE`] is subtracted for the spread between
/// Okta's servers. The end is the `Date` plus its last second plus the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CallWindow {
    start: OffsetDateTime,
    end: OffsetDateTime,
}

impl CallWindow {
    /// The window of a call whose answer dated `date` arrived `elapsed` after the call
    /// started; `None` when the arithmetic leaves the calendar (a hostile `Date`).
    pub(crate) fn new(date: SystemTime, elapsed: Duration) -> Option<Self> {
        let seconds = date.duration_since(SystemTime::UNIX_EPOCH).ok()?.as_secs();
        let date = OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).ok()?).ok()?;
        let before = time::Duration::try_from(elapsed.saturating_add(CLOCK_TOLERANCE)).ok()?;
        let after =
            time::Duration::try_from(CLOCK_TOLERANCE.saturating_add(Duration::from_secs(1)))
                .ok()?;
        Some(CallWindow {
            start: date.checked_sub(before)?,
            end: date.checked_add(after)?,
        })
    }

    /// Whether Okta's timestamp `stamp` falls within the call.
    pub(crate) fn contains(&self, stamp: OffsetDateTime) -> bool {
        self.start <= stamp && stamp <= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn stamp(millis: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).unwrap()
    }

    #[test]
    fn the_window_runs_from_the_date_less_the_elapsed_time_to_the_date_s_last_second() {
        // Answered at 1000.xxx s on Okta's clock, 5 s after the call started.
        let window = CallWindow::new(at(1_000), Duration::from_secs(5)).unwrap();
        assert!(window.contains(stamp(995_000)), "the call's start");
        assert!(window.contains(stamp(993_000)), "the tolerance before it");
        assert!(!window.contains(stamp(992_999)), "before the call");
        assert!(window.contains(stamp(1_000_999)), "the Date's last second");
        assert!(window.contains(stamp(1_003_000)), "the tolerance after it");
        assert!(!window.contains(stamp(1_003_001)), "after the answer");
    }

    #[test]
    fn the_client_s_clock_plays_no_part() {
        // The same Date and elapsed time give the same window whatever the client's clock
        // says (an hour off here would be an hour off there).
        let a = CallWindow::new(at(1_700_000_000), Duration::from_millis(1_500));
        let b = CallWindow::new(at(1_700_000_000), Duration::from_millis(1_500));
        assert_eq!(a, b);
        assert!(a.unwrap().contains(stamp(1_699_999_997_000)));
    }

    #[test]
    fn hostile_dates_and_durations_give_no_window_rather_than_a_panic() {
        assert!(
            CallWindow::new(at(1 << 40), Duration::ZERO).is_none(),
            "year 36 812"
        );
        assert!(CallWindow::new(at(10), Duration::MAX).is_none());
        assert!(CallWindow::new(at(0), Duration::from_secs(1)).is_some());
    }
}
