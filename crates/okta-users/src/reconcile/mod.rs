#![doc = include_str!("rules.md")]

mod compare;
pub(crate) mod flows;
mod outcome;
mod reconciler;
mod rule;
mod window;

pub use outcome::{Action, Effect, Evidence, Finding, Outcome, Reconciliation, Step};
pub(crate) use reconciler::{AppliedValue, Reconciler};
pub use rule::{Rule, TargetStatus};
pub use window::CLOCK_TOLERANCE;
