//! [`Rule`]: how an operation is reconciled after an ambiguous failure, one per endpoint.

use std::fmt;

use crate::models::UserStatus;

/// How an operation is reconciled when its answer is lost (see the [module docs](super) for
/// the table of every operation's rule). Each [`Endpoint`](crate::Endpoint) names its rule in
/// [`Endpoint::reconcile`](crate::Endpoint::reconcile); a builder may narrow it for some
/// parameters (a body carrying a password, `sendEmail`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Not reconciled: a read (it changed nothing), or a write no answer can settle exactly.
    /// The outcome-unknown error is returned as it is.
    None,
    /// Re-sent once: the same request leaves the same state, and its answer is returned.
    /// Okta's refusal of the re-send means the first could not take effect either; a `DELETE`
    /// answered 404 finds what it deletes gone.
    Resend,
    /// `createUser`: re-sent (a login is unique, so the re-send cannot create a second user);
    /// when it fails (a first request that took effect makes it a "login already exists"), the
    /// user is read by login and is this call's if its profile holds what was sent and it was
    /// created during the call.
    CreateUser,
    /// A status change: the user is read; the target status reached during the call (its
    /// `statusChanged` within the call, except for a change that may be repeated) is the call
    /// taking effect, otherwise it is re-sent.
    Status(TargetStatus),
    /// `updateUser`, `replaceUser`: re-sent (the same body leaves the same state); after a 412
    /// to a re-send with `If-Match`, or a re-send that failed too, the user is read and the call
    /// took effect if its profile holds what was sent.
    Profile,
    /// `assignRoleToUser`: re-sent; when that fails ("already assigned"), the user's roles are
    /// read and the assignment of the role asked for is this call's if created during it.
    AssignRole,
    /// `deleteUser`: the user is read — gone (404): deleted; DEPROVISIONED since the call: the
    /// first stage (deactivation) happened; DEPROVISIONED before the call: the `DELETE` did
    /// not land and is re-sent; any other status: undecided (not re-sent, as a `DELETE`
    /// still in flight would then delete the user).
    DeleteUser,
}

/// The status a [`Rule::Status`] operation moves the user to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TargetStatus {
    /// `activateUser`: out of STAGED or DEPROVISIONED, to PROVISIONED (no password) or ACTIVE.
    Activated,
    /// `deactivateUser`: DEPROVISIONED.
    Deprovisioned,
    /// `suspendUser`: SUSPENDED.
    Suspended,
    /// `unsuspendUser`: ACTIVE, out of SUSPENDED.
    Unsuspended,
    /// `expirePassword`: PASSWORD_EXPIRED (which Okta lets be expired again, so reaching it
    /// at any time is the call's effect).
    PasswordExpired,
    /// `resetPassword` with the link emailed: RECOVERY.
    Recovery,
}

impl TargetStatus {
    /// Whether a user with `status` (or transitioning to it) is where this change leads.
    pub fn is_reached_by(self, status: &UserStatus) -> bool {
        match self {
            TargetStatus::Activated => {
                matches!(status, UserStatus::Provisioned | UserStatus::Active)
            }
            TargetStatus::Deprovisioned => *status == UserStatus::Deprovisioned,
            TargetStatus::Suspended => *status == UserStatus::Suspended,
            TargetStatus::Unsuspended => *status == UserStatus::Active,
            TargetStatus::PasswordExpired => *status == UserStatus::PasswordExpired,
            TargetStatus::Recovery => *status == UserStatus::Recovery,
        }
    }

    /// Whether only a change made during the call proves the call took effect: Okta refuses
    /// these from the status they lead to, so a user already there before the call means the
    /// call was (or would have been) refused. Expiring a password is allowed from
    /// PASSWORD_EXPIRED and changes nothing more.
    pub fn needs_change_during_call(self) -> bool {
        self != TargetStatus::PasswordExpired
    }

    /// The status as the docs' table names it.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetStatus::Activated => "PROVISIONED or ACTIVE",
            TargetStatus::Deprovisioned => "DEPROVISIONED",
            TargetStatus::Suspended => "SUSPENDED",
            TargetStatus::Unsuspended => "ACTIVE",
            TargetStatus::PasswordExpired => "PASSWORD_EXPIRED",
            TargetStatus::Recovery => "RECOVERY",
        }
    }
}

impl fmt::Display for Rule {
    /// The rule as the docs' table names it: `none`, `re-send`, `create`, `status → SUSPENDED`,
    /// `profile`, `assign role`, `delete user`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::None => f.write_str("none"),
            Rule::Resend => f.write_str("re-send"),
            Rule::CreateUser => f.write_str("create"),
            Rule::Status(target) => write!(f, "status → {}", target.as_str()),
            Rule::Profile => f.write_str("profile"),
            Rule::AssignRole => f.write_str("assign role"),
            Rule::DeleteUser => f.write_str("delete user"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_reached_by_their_statuses_only() {
        use UserStatus::*;
        let all = [
            Staged,
            Provisioned,
            Active,
            Recovery,
            PasswordExpired,
            LockedOut,
            Suspended,
            Deprovisioned,
        ];
        let reached = |target: TargetStatus| {
            all.iter()
                .filter(|status| target.is_reached_by(status))
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(reached(TargetStatus::Activated), [Provisioned, Active]);
        assert_eq!(reached(TargetStatus::Deprovisioned), [Deprovisioned]);
        assert_eq!(reached(TargetStatus::Suspended), [Suspended]);
        assert_eq!(reached(TargetStatus::Unsuspended), [Active]);
        assert_eq!(reached(TargetStatus::PasswordExpired), [PasswordExpired]);
        assert_eq!(reached(TargetStatus::Recovery), [Recovery]);
        assert!(!TargetStatus::Suspended.is_reached_by(&UserStatus::Other("SUSPENDED ".into())));
    }
}
