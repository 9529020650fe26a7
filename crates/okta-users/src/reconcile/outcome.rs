//! What a reconciled call returns: [`Outcome`], and the [`Reconciliation`] record on it or on
//! its error.

use std::fmt;

use crate::models::UserStatus;
use crate::request::Operation;

use super::Rule;

/// A write's value, and how it was obtained: from Okta's answer, or — when that answer was
/// lost — from a [`Reconciliation`]. What `send_reconciled()` returns.
///
/// ```no_run
/// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
/// let outcome = users.suspend("00u1").send_reconciled().await?;
/// if let Some(reconciliation) = &outcome.reconciliation {
///     println!("the answer was lost; {reconciliation}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Outcome<T> {
    /// What the call returns: Okta's answer, the re-send's answer, or what a read found.
    pub value: T,
    /// How the value was obtained after the first answer was lost; `None` when Okta answered.
    pub reconciliation: Option<Reconciliation>,
}

impl<T> Outcome<T> {
    /// Okta's own answer.
    pub(crate) fn answered(value: T) -> Self {
        Outcome {
            value,
            reconciliation: None,
        }
    }

    /// The value, whatever gave it.
    pub fn into_value(self) -> T {
        self.value
    }

    /// Whether the first answer was lost and the value comes from a reconciliation.
    pub fn is_reconciled(&self) -> bool {
        self.reconciliation.is_some()
    }
}

/// Whether the change a write asked for happened; see [`Error::effect`](crate::Error::effect).
/// The three answers there are (so a `match` needs no wildcard).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// It happened.
    Applied,
    /// It did not happen.
    NotApplied,
    /// Nothing tells: it may have happened.
    Unknown,
}

/// What a reconciliation concluded about the write whose answer was lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Finding {
    /// The first request took effect: a read shows it (the re-send, if any, was refused
    /// because of it).
    Applied,
    /// The re-send took effect (the first had not, or the same state followed either way),
    /// and its answer is the value.
    Resent,
    /// The change did not happen: Okta refused the re-send and a read explains why (or a read
    /// showed it cannot happen, such as a login another user holds).
    NotApplied,
    /// Nothing could tell: the read or re-send failed too, or what they found does not
    /// settle it. The call ends on its first, outcome-unknown error.
    Undecided,
}

impl Finding {
    /// Whether the change happened.
    pub fn effect(self) -> Effect {
        match self {
            Finding::Applied | Finding::Resent => Effect::Applied,
            Finding::NotApplied => Effect::NotApplied,
            Finding::Undecided => Effect::Unknown,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Finding::Applied => "it took effect",
            Finding::Resent => "it was re-sent and the re-send took effect",
            Finding::NotApplied => "it did not take effect",
            Finding::Undecided => "nothing could tell whether it took effect",
        })
    }
}

/// What a reconciliation's read (or re-send) showed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Evidence {
    /// The user, read back: its status (or the status it is transitioning to), and whether it
    /// changed during the call.
    UserStatus {
        /// The status.
        status: UserStatus,
        /// Whether `statusChanged` falls within the call, on Okta's clock (`None`: the answer
        /// had no usable `Date`, or the user no `statusChanged`).
        changed_during_call: Option<bool>,
    },
    /// The user read back, or the resource a re-sent `DELETE` addressed, does not exist (404):
    /// for a `DELETE`, what the call asked for.
    NotFound,
    /// The login, read back, belongs to `user_id`.
    Login {
        /// The id of the user holding the login.
        user_id: String,
        /// Whether that user is this call's: its profile holds the one sent, and it was
        /// created during the call.
        this_call: bool,
    },
    /// The user's assignment of the role asked for.
    RoleAssignment {
        /// The assignment's id.
        role_id: String,
        /// Whether it was created during the call.
        this_call: bool,
    },
    /// The user's profile, read back, holds what the call sent (`true`) or not.
    Profile {
        /// Whether it holds it.
        holds: bool,
    },
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::UserStatus {
                status,
                changed_during_call,
            } => {
                let when = match changed_during_call {
                    Some(true) => "since the call",
                    Some(false) => "from before the call",
                    None => "since a time unknown",
                };
                write!(f, "the user is {status} ({when})")
            }
            Evidence::NotFound => f.write_str("not found"),
            Evidence::Login { user_id, this_call } => {
                if *this_call {
                    write!(f, "the login belongs to {user_id}, created by this call")
                } else {
                    write!(
                        f,
                        "the login belongs to {user_id}, not created by this call"
                    )
                }
            }
            Evidence::RoleAssignment { role_id, this_call } => {
                if *this_call {
                    write!(f, "the role is assigned ({role_id}) since the call")
                } else {
                    write!(f, "the role was assigned ({role_id}) before the call")
                }
            }
            Evidence::Profile { holds: true } => f.write_str("the profile holds what was sent"),
            Evidence::Profile { holds: false } => {
                f.write_str("the profile does not hold what was sent")
            }
        }
    }
}

/// A request a reconciliation sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// A read of the resource.
    Read,
    /// The write again.
    Resend,
}

/// One request a reconciliation sent, and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Step {
    /// A read or the re-send.
    pub action: Action,
    /// The operation sent, e.g. `okta.users.get`.
    pub operation: &'static str,
    /// `ok`, or the error it met (its `Display`, secrets already cut out).
    pub result: String,
}

/// What the façade did and found after a write's answer was lost: on the
/// [`Outcome`] of a call it settled, or on the [`Error`](crate::Error) of one it could not
/// ([`Error::reconciliation`](crate::Error::reconciliation)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reconciliation {
    /// The write reconciled.
    pub operation: Operation,
    /// The rule applied.
    pub rule: Rule,
    /// What it concluded.
    pub finding: Finding,
    /// What the read or re-send showed, when it showed something.
    pub evidence: Option<Evidence>,
    /// The requests it sent: at most one read and one re-send.
    pub steps: Vec<Step>,
    /// Data only the lost answer held (an activation token), which the caller does not get.
    pub lost: Option<&'static str>,
    /// The first failure, the outcome-unknown error (its `Display`).
    pub cause: String,
}

impl Reconciliation {
    /// Whether the change happened.
    pub fn effect(&self) -> Effect {
        self.finding.effect()
    }
}

impl fmt::Display for Reconciliation {
    /// The operation, the finding and its evidence; not the first failure's text, which says
    /// the outcome is unknown (an undecided reconciliation's error says it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: its answer was lost; reconciled ({}): {}",
            self.operation.name, self.rule, self.finding
        )?;
        if let Some(evidence) = &self.evidence {
            write!(f, " ({evidence})")?;
        }
        if let Some(lost) = self.lost {
            write!(f, "; the {lost} was only in the lost answer")?;
        }
        Ok(())
    }
}
