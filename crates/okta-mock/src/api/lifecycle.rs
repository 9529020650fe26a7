//! The lifecycle state machine: which operation Okta allows from which status, and what follows.

use super::{ApiResult, Reply, Req, find, write};
use crate::error::ApiError;
use crate::ids;
use crate::model::{Status, User};
use http::StatusCode;
use serde_json::json;
use time::OffsetDateTime;

/// A lifecycle operation under `/lifecycle/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Activate,
    Deactivate,
    Reactivate,
    Suspend,
    Unsuspend,
    Unlock,
    ResetFactors,
    ResetPassword,
    ExpirePassword,
}

/// The status after `op` from `from`, or Okta's error for a status that does not allow it.
pub(crate) fn transition(op: Op, from: Status, has_password: bool) -> Result<Status, ApiError> {
    use Status::*;
    match (op, from) {
        (Op::Activate, Staged | Deprovisioned) => {
            Ok(if has_password { Active } else { Provisioned })
        }
        (Op::Activate, _) => Err(ApiError::already_active()),
        (Op::Deactivate, Deprovisioned) => Err(ApiError::status_forbidden()),
        (Op::Deactivate, _) => Ok(Deprovisioned),
        (Op::Reactivate, Provisioned | Recovery) => Ok(Provisioned),
        (Op::Reactivate, _) => Err(ApiError::status_forbidden()),
        (Op::Suspend, Active) => Ok(Suspended),
        (Op::Suspend, _) => Err(ApiError::validation(
            "status",
            "Cannot suspend a user that is not active",
        )),
        (Op::Unsuspend, Suspended) => Ok(Active),
        (Op::Unsuspend, _) => Err(ApiError::validation(
            "status",
            "Cannot unsuspend a user that is not suspended",
        )),
        (Op::Unlock, LockedOut | Active) => Ok(Active),
        (Op::Unlock, _) => Err(ApiError::unlock_forbidden()),
        (Op::ResetFactors, Staged | Deprovisioned | Provisioned) => {
            Err(ApiError::status_forbidden())
        }
        (Op::ResetFactors, s) => Ok(s),
        (Op::ResetPassword, Active | Recovery | PasswordExpired | LockedOut | Provisioned) => {
            Ok(Recovery)
        }
        (Op::ResetPassword, _) => Err(ApiError::status_forbidden()),
        (Op::ExpirePassword, Active | PasswordExpired | Recovery | LockedOut) if has_password => {
            Ok(PasswordExpired)
        }
        (Op::ExpirePassword, _) => Err(ApiError::status_forbidden()),
    }
}

fn set_status(u: &mut User, status: Status, now: OffsetDateTime) {
    if u.status != status {
        u.status = status;
        u.status_changed = Some(now);
    }
    u.last_updated = now;
}

/// Deactivate in place (used by the first `DELETE` too).
pub(crate) fn deprovision(u: &mut User, now: OffsetDateTime) {
    set_status(u, Status::Deprovisioned, now);
    u.sessions = 0;
}

/// `POST /api/v1/users/{id}/lifecycle/{op}`.
pub(super) fn dispatch(req: &Req<'_>, id: &str, op: &str) -> ApiResult {
    let temp = match op {
        "expire_password" => req.query.flag("tempPassword", false),
        "expire_password_with_temp_password" => true,
        _ => false,
    };
    let op = match op {
        "activate" => Op::Activate,
        "deactivate" => Op::Deactivate,
        "reactivate" => Op::Reactivate,
        "suspend" => Op::Suspend,
        "unsuspend" => Op::Unsuspend,
        "unlock" => Op::Unlock,
        "reset_factors" => Op::ResetFactors,
        "reset_password" => Op::ResetPassword,
        "expire_password" | "expire_password_with_temp_password" => Op::ExpirePassword,
        _ => return Err(ApiError::path_not_found()),
    };
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let base = store.base.clone();
    let now = req.now;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    let next = transition(op, u.status, u.password.is_some())?;
    let send_email = |default| req.query.flag("sendEmail", default);
    let reply = match op {
        Op::Activate | Op::Reactivate => {
            if op == Op::Activate && u.status == Status::Deprovisioned || next == Status::Active {
                u.activated = Some(now);
            }
            if send_email(op == Op::Activate) {
                Reply::json(&json!({}))
            } else {
                let token = ids::token(20);
                Reply::json(&json!({
                    "activationToken": token,
                    "activationUrl": format!("{base}/welcome/{token}"),
                }))
            }
        }
        Op::ResetPassword => {
            u.recovery_tokens = u.recovery_tokens.saturating_add(1);
            if req.query.flag("revokeSessions", false) {
                u.sessions = 0;
            }
            if send_email(true) {
                Reply::json(&json!({}))
            } else {
                let token = ids::token(20);
                Reply::json(
                    &json!({ "resetPasswordUrl": format!("{base}/reset_password/{token}") }),
                )
            }
        }
        Op::ExpirePassword if temp => {
            let temp_password = ids::token(12);
            u.password = Some(temp_password.clone());
            u.password_changed = Some(now);
            if req.query.flag("revokeSessions", false) {
                u.sessions = 0;
            }
            Reply::json(&json!({ "tempPassword": temp_password }))
        }
        Op::ExpirePassword => Reply::bytes(bytes::Bytes::new()), // replaced by the user below
        Op::ResetFactors => {
            u.factors = 0;
            Reply::empty(StatusCode::OK)
        }
        Op::Deactivate => {
            u.sessions = 0;
            Reply::empty(StatusCode::OK)
        }
        Op::Suspend | Op::Unsuspend | Op::Unlock => Reply::empty(StatusCode::OK),
    };
    set_status(u, next, now);
    let uid = u.id.clone();
    store.rerender(&uid);
    if op == Op::ExpirePassword && !temp {
        return Ok(Reply::user(&store.users[&seq]));
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    const ALL: [Status; 8] = [
        Staged,
        Provisioned,
        Active,
        Recovery,
        PasswordExpired,
        LockedOut,
        Suspended,
        Deprovisioned,
    ];

    fn allowed(op: Op) -> Vec<Status> {
        ALL.into_iter()
            .filter(|s| transition(op, *s, true).is_ok())
            .collect()
    }

    #[test]
    fn allowed_statuses_follow_the_spec() {
        assert_eq!(allowed(Op::Activate), vec![Staged, Deprovisioned]);
        assert_eq!(allowed(Op::Reactivate), vec![Provisioned, Recovery]);
        assert_eq!(allowed(Op::Suspend), vec![Active]);
        assert_eq!(allowed(Op::Unsuspend), vec![Suspended]);
        assert_eq!(allowed(Op::Unlock), vec![Active, LockedOut]);
        assert_eq!(allowed(Op::Deactivate).len(), 7);
        assert!(!allowed(Op::Deactivate).contains(&Deprovisioned));
    }

    #[test]
    fn activation_depends_on_password() {
        assert_eq!(transition(Op::Activate, Staged, true).unwrap(), Active);
        assert_eq!(
            transition(Op::Activate, Staged, false).unwrap(),
            Provisioned
        );
        assert_eq!(
            transition(Op::Activate, Active, true).unwrap_err().code,
            "E0000016"
        );
        assert_eq!(
            transition(Op::Suspend, Staged, true).unwrap_err().code,
            "E0000001"
        );
        assert_eq!(
            transition(Op::Unlock, Staged, true).unwrap_err().code,
            "E0000032"
        );
        assert_eq!(
            transition(Op::Reactivate, Active, true).unwrap_err().code,
            "E0000038"
        );
        assert!(transition(Op::ExpirePassword, Active, false).is_err());
    }
}
