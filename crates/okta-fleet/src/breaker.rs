//! A circuit breaker around the store: after a few failures in a row, stop asking (requests are
//! paced locally) and try again after a cool-down, one request at a time. Pure: time passed in.
//! Ours, not a crate's: ten lines of state whose transitions the state must report (tracing and
//! the rate-limit observer), which generic breakers do not expose.

use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Circuit {
    /// The store answers; `failures` in a row so far.
    Closed { failures: u32 },
    /// Not asked until `until`.
    Open { until: Instant },
    /// One trial is under way.
    Trial,
}

/// What a success or failure changed, for the caller to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transition {
    /// Nothing to report.
    None,
    /// The circuit opened: coordination stops.
    Opened,
    /// The circuit closed after being open: coordination resumes.
    Closed,
}

#[derive(Debug)]
pub(crate) struct Breaker {
    circuit: Circuit,
    failures_to_open: u32,
    cool_down: Duration,
}

impl Breaker {
    pub(crate) fn new(failures_to_open: u32, cool_down: Duration) -> Breaker {
        Breaker {
            circuit: Circuit::Closed { failures: 0 },
            failures_to_open: failures_to_open.max(1),
            cool_down,
        }
    }

    /// Whether the store may be asked now (an open circuit whose cool-down is over lets this
    /// one caller through as a trial).
    pub(crate) fn allows(&mut self, now: Instant) -> bool {
        match self.circuit {
            Circuit::Closed { .. } => true,
            Circuit::Open { until } if now >= until => {
                self.circuit = Circuit::Trial;
                true
            }
            Circuit::Open { .. } | Circuit::Trial => false,
        }
    }

    /// Whether the circuit is closed (coordination on).
    pub(crate) fn is_closed(&self) -> bool {
        matches!(self.circuit, Circuit::Closed { .. })
    }

    pub(crate) fn succeeded(&mut self) -> Transition {
        let was = self.circuit;
        self.circuit = Circuit::Closed { failures: 0 };
        match was {
            Circuit::Closed { .. } => Transition::None,
            Circuit::Open { .. } | Circuit::Trial => Transition::Closed,
        }
    }

    pub(crate) fn failed(&mut self, now: Instant) -> Transition {
        let open = Circuit::Open {
            until: now + self.cool_down,
        };
        match self.circuit {
            Circuit::Closed { failures } if failures + 1 >= self.failures_to_open => {
                self.circuit = open;
                Transition::Opened
            }
            Circuit::Closed { failures } => {
                self.circuit = Circuit::Closed {
                    failures: failures + 1,
                };
                Transition::None
            }
            Circuit::Open { .. } | Circuit::Trial => {
                self.circuit = open;
                Transition::None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn opens_after_failures_in_a_row_then_lets_one_trial_through_after_the_cool_down() {
        let mut breaker = Breaker::new(2, Duration::from_secs(1));
        let now = Instant::now();
        assert!(breaker.allows(now));
        assert_eq!(breaker.failed(now), Transition::None);
        assert_eq!(
            breaker.succeeded(),
            Transition::None,
            "a success resets the count"
        );
        assert_eq!(breaker.failed(now), Transition::None);
        assert_eq!(breaker.failed(now), Transition::Opened);
        assert!(!breaker.allows(now) && !breaker.is_closed());
        let later = now + Duration::from_secs(1);
        assert!(breaker.allows(later), "the trial");
        assert!(!breaker.allows(later), "one at a time");
        assert_eq!(
            breaker.failed(later),
            Transition::None,
            "still open, said once"
        );
        assert!(!breaker.allows(later + Duration::from_millis(999)));
        assert!(breaker.allows(later + Duration::from_secs(1)));
        assert_eq!(breaker.succeeded(), Transition::Closed);
        assert!(breaker.is_closed() && breaker.allows(later));
    }
}
