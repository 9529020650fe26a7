//! The rules, one function each: what to read and re-send, and what the answers mean.
//!
//! A read that shows no trace of the write only ever leads to a re-send that stays safe if
//! the first request still lands later (it is then refused, or changes nothing more), never
//! to a claim that the write did not happen: a request whose answer was lost to a timeout may
//! still be in flight inside Okta. "Not applied" comes from Okta refusing the re-send, with a
//! read (or the rule) explaining why the first could not have taken effect either.

use std::future::Future;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::compare;
use super::reconciler::{AppliedValue, Reconciler, is_refusal};
use super::{Effect, Evidence, Finding, Outcome, TargetStatus};
use crate::endpoints::{GET_USER, LIST_ROLES, UNPAGED_MAX_ITEMS};
use crate::error::{Error, Result};
use crate::models::{AssignRoleRequest, Role, RoleType, User, UserStatus};
use crate::request::ApiRequest;
use crate::service::HttpService;
use crate::users::PageBounds;

/// Okta's answer to a `createUser` whose login another user holds: `E0000001` with a cause
/// naming `login`.
fn is_login_conflict(error: &Error) -> bool {
    error.api().is_some_and(|api| {
        api.error_code == "E0000001"
            && api
                .error_causes
                .iter()
                .any(|cause| cause.error_summary.starts_with("login"))
    })
}

/// Okta's answer to a role assignment of a role the user holds: `E0000090` (409).
fn is_role_conflict(error: &Error) -> bool {
    error.error_code() == Some("E0000090")
}

/// The re-send, judged on its own: its success is the value; a refusal is "not applied" when
/// `refusal_settles` (the rule knows the first could not have taken effect either);
/// anything else leaves it undecided.
async fn resend_and_judge<S: HttpService, T>(
    mut r: Reconciler<S>,
    resend: impl Future<Output = Result<T>>,
    refusal_settles: bool,
) -> Result<Outcome<T>> {
    match r.resend(resend).await {
        Ok(value) => r.done(Finding::Resent, value),
        Err(error) if error.effect() == Effect::Applied => r.fail(Finding::Resent, Some(error)),
        Err(error) if refusal_settles && is_refusal(&error) => {
            r.fail(Finding::NotApplied, Some(error))
        }
        Err(_) => r.undecided(),
    }
}

/// [`Rule::Resend`](super::Rule::Resend) for a write that leaves the same state however often
/// it lands: its refusal means the first could not have landed either.
pub(crate) async fn resend<S: HttpService, T>(
    r: Reconciler<S>,
    resend: impl Future<Output = Result<T>>,
) -> Result<Outcome<T>> {
    resend_and_judge(r, resend, true).await
}

/// [`Rule::Resend`](super::Rule::Resend) for a write without a response body; for a `DELETE`
/// (`is_delete`), a 404 finds what it deletes gone.
pub(crate) async fn resend_empty<S: HttpService>(
    mut r: Reconciler<S>,
    is_delete: bool,
    resend: impl Future<Output = Result<()>>,
) -> Result<Outcome<()>> {
    match r.resend(resend).await {
        Ok(()) => r.done(Finding::Resent, ()),
        Err(error) if is_delete && error.is_not_found() && error.api().is_some() => {
            r.saw(Evidence::NotFound);
            r.done(Finding::Applied, ())
        }
        Err(error) if error.effect() == Effect::Applied => r.fail(Finding::Resent, Some(error)),
        Err(error) if is_refusal(&error) => r.fail(Finding::NotApplied, Some(error)),
        Err(_) => r.undecided(),
    }
}

/// [`Rule::CreateUser`](super::Rule::CreateUser): re-send; when that fails, read the login.
pub(crate) async fn create_user<S: HttpService, P: DeserializeOwned>(
    mut r: Reconciler<S>,
    sent_profile: Option<Map<String, Value>>,
    resend: impl Future<Output = Result<User<P>>>,
) -> Result<Outcome<User<P>>> {
    let refused = match r.resend(resend).await {
        Ok(user) => return r.done(Finding::Resent, user),
        Err(error) if error.effect() == Effect::Applied => {
            return r.fail(Finding::Resent, Some(error));
        }
        Err(error) => error,
    };
    // Okta refused the very request outright, for another reason than the login: the first
    // was refused alike, unless a user now holds the login (read below).
    let refused_alike = is_refusal(&refused) && !is_login_conflict(&refused);
    let Some(login) = sent_profile
        .as_ref()
        .and_then(|profile| profile.get("login"))
        .and_then(Value::as_str)
    else {
        return r.undecided();
    };
    let read = match r.read(ApiRequest::new(&GET_USER, &[login])).await {
        Ok(read) => read,
        Err(error) if error.is_not_found() && error.api().is_some() => {
            r.saw(Evidence::NotFound);
            return if refused_alike {
                r.fail(Finding::NotApplied, Some(refused))
            } else {
                r.undecided()
            };
        }
        Err(_) => return r.undecided(),
    };
    let Ok(state) = read.user_state() else {
        return r.undecided();
    };
    let holds = sent_profile
        .as_ref()
        .is_some_and(|sent| compare::holds(sent, &state.profile));
    let this_call = match (holds, read.during_call(state.created)) {
        (false, _) => false,
        (true, Some(during)) => during,
        // The profile sent, but no `Date` (or no `created`) to place its creation.
        (true, None) => return r.undecided(),
    };
    r.saw(Evidence::Login {
        user_id: state.id,
        this_call,
    });
    if this_call {
        let value = match read.raw.user() {
            Ok(user) => AppliedValue::Value(user),
            Err(error) => AppliedValue::Failed(error),
        };
        r.applied(value)
    } else {
        // Another user holds the login: neither request could create this one.
        r.fail(Finding::NotApplied, Some(refused))
    }
}

/// [`Rule::Status`](super::Rule::Status): read the user; the target reached during the call
/// is the call's effect (`applied` gives its value from the read), otherwise re-send.
pub(crate) async fn status<S: HttpService, T>(
    mut r: Reconciler<S>,
    user_id: &str,
    target: TargetStatus,
    applied: impl FnOnce(&super::reconciler::Read) -> AppliedValue<T>,
    resend: impl Future<Output = Result<T>>,
) -> Result<Outcome<T>> {
    let read = match r.read(ApiRequest::new(&GET_USER, &[user_id])).await {
        Ok(read) => read,
        Err(error) if error.is_not_found() && error.api().is_some() => {
            r.saw(Evidence::NotFound);
            return r.undecided();
        }
        // No read: the re-send is safe, but a refusal cannot be explained.
        Err(_) => return resend_and_judge(r, resend, false).await,
    };
    let Ok(state) = read.user_state() else {
        return resend_and_judge(r, resend, false).await;
    };
    let reached = target.is_reached_by(&state.status)
        || state
            .transitioning_to_status
            .as_ref()
            .is_some_and(|status| target.is_reached_by(status));
    let changed = read.during_call(state.status_changed);
    r.saw(Evidence::UserStatus {
        status: state.status.clone(),
        changed_during_call: changed,
    });
    if reached && (changed == Some(true) || !target.needs_change_during_call()) {
        let value = applied(&read);
        return r.applied(value);
    }
    // Not reached: Okta judges the re-send against the status read. Reached before the call:
    // Okta refuses the change from there, as it refused (or would have) the first. Reached at
    // an unknown time: a refusal cannot tell which.
    let refusal_settles = !reached || changed.is_some();
    resend_and_judge(r, resend, refusal_settles).await
}

/// [`Rule::Status`](super::Rule::Status) when that is the rule applied, else
/// [`Rule::Resend`](super::Rule::Resend): for builders whose rule depends on their endpoint or
/// parameters.
pub(crate) async fn status_or_resend<S: HttpService, T>(
    r: Reconciler<S>,
    user_id: &str,
    applied: impl FnOnce(&super::reconciler::Read) -> AppliedValue<T>,
    send_again: impl Future<Output = Result<T>>,
) -> Result<Outcome<T>> {
    match r.rule() {
        super::Rule::Status(target) => status(r, user_id, target, applied, send_again).await,
        _ => resend(r, send_again).await,
    }
}

/// [`Rule::Profile`](super::Rule::Profile): re-send; after a 412 to an `If-Match` re-send, or a
/// re-send that failed without a refusal, read the user and compare (`sent`: the profile sent,
/// when nothing else was).
pub(crate) async fn profile<S: HttpService, P: DeserializeOwned>(
    mut r: Reconciler<S>,
    user_id: &str,
    sent: Option<Map<String, Value>>,
    replace: bool,
    resend: impl Future<Output = Result<User<P>>>,
) -> Result<Outcome<User<P>>> {
    let precondition_failed = match r.resend(resend).await {
        Ok(user) => return r.done(Finding::Resent, user),
        Err(error) if error.effect() == Effect::Applied => {
            return r.fail(Finding::Resent, Some(error));
        }
        // The entity tag no longer matches: the first request changed the user, or someone
        // else did. The profile tells.
        Err(error) if error.is_precondition_failed() => Some(error),
        // The same body to the same user: refused now, refused then.
        Err(error) if is_refusal(&error) => return r.fail(Finding::NotApplied, Some(error)),
        // The re-send's answer is lost too, or says nothing (5xx, 429): the profile tells
        // whether either took effect, not that neither did.
        Err(_) => None,
    };
    let Some(sent) = sent else {
        return r.undecided();
    };
    let Ok(read) = r.read(ApiRequest::new(&GET_USER, &[user_id])).await else {
        return r.undecided();
    };
    let Ok(state) = read.user_state() else {
        return r.undecided();
    };
    let holds = if replace {
        compare::is(&sent, &state.profile)
    } else {
        compare::holds(&sent, &state.profile)
    };
    r.saw(Evidence::Profile { holds });
    match (holds, precondition_failed) {
        (true, _) => {
            let value = match read.raw.user() {
                Ok(user) => AppliedValue::Value(user),
                Err(error) => AppliedValue::Failed(error),
            };
            r.applied(value)
        }
        // Someone else changed the user: Okta refuses this version, then and now.
        (false, Some(precondition_failed)) => {
            r.fail(Finding::NotApplied, Some(precondition_failed))
        }
        (false, None) => r.undecided(),
    }
}

/// Whether `role` is an assignment of the role `sent` asks for.
fn assigns(role: &Role, sent: &AssignRoleRequest) -> bool {
    role.r#type == sent.r#type
        && (sent.r#type != RoleType::Custom
            || (role.role == sent.role && role.resource_set == sent.resource_set))
}

/// [`Rule::AssignRole`](super::Rule::AssignRole): re-send; when that fails, read the user's
/// roles.
pub(crate) async fn assign_role<S: HttpService>(
    mut r: Reconciler<S>,
    user_id: &str,
    sent: &AssignRoleRequest,
    resend: impl Future<Output = Result<Role>>,
) -> Result<Outcome<Role>> {
    let refused = match r.resend(resend).await {
        Ok(role) => return r.done(Finding::Resent, role),
        Err(error) if error.effect() == Effect::Applied => {
            return r.fail(Finding::Resent, Some(error));
        }
        Err(error) => error,
    };
    let refused_alike = is_refusal(&refused) && !is_role_conflict(&refused);
    let Ok(read) = r.read(ApiRequest::new(&LIST_ROLES, &[user_id])).await else {
        return if refused_alike {
            r.fail(Finding::NotApplied, Some(refused))
        } else {
            r.undecided()
        };
    };
    let bounds = PageBounds {
        reserve: 0,
        max_items: UNPAGED_MAX_ITEMS,
    };
    let Ok(roles) = read.raw.json_page::<Role>(bounds) else {
        return r.undecided();
    };
    let Some(role) = roles.into_iter().find(|role| assigns(role, sent)) else {
        return if refused_alike {
            r.fail(Finding::NotApplied, Some(refused))
        } else {
            r.undecided()
        };
    };
    let Some(this_call) = read.during_call(role.created) else {
        return r.undecided();
    };
    r.saw(Evidence::RoleAssignment {
        role_id: role.id.clone(),
        this_call,
    });
    if this_call {
        r.done(Finding::Applied, role)
    } else {
        // Assigned before the call: Okta refuses a second assignment, then and now.
        r.fail(Finding::NotApplied, Some(refused))
    }
}

/// [`Rule::DeleteUser`](super::Rule::DeleteUser): read the user to learn which stage happened.
pub(crate) async fn delete_user<S: HttpService>(
    mut r: Reconciler<S>,
    user_id: &str,
    resend: impl Future<Output = Result<()>>,
) -> Result<Outcome<()>> {
    let read = match r.read(ApiRequest::new(&GET_USER, &[user_id])).await {
        Ok(read) => read,
        Err(error) if error.is_not_found() && error.api().is_some() => {
            r.saw(Evidence::NotFound);
            return r.done(Finding::Applied, ());
        }
        Err(_) => return r.undecided(),
    };
    let Ok(state) = read.user_state() else {
        return r.undecided();
    };
    let deprovisioned = state.status == UserStatus::Deprovisioned
        || state.transitioning_to_status == Some(UserStatus::Deprovisioned);
    let changed = read.during_call(state.status_changed);
    r.saw(Evidence::UserStatus {
        status: state.status,
        changed_during_call: changed,
    });
    match (deprovisioned, changed) {
        // The first stage: this call deactivated the user.
        (true, Some(true)) => r.done(Finding::Applied, ()),
        // Deactivated before the call and still there: the DELETE (which would have deleted
        // it) did not land; a re-send deletes it, and a late first one then finds it gone.
        (true, Some(false)) => resend_empty(r, true, resend).await,
        // Any other status: no sign of it, and a re-send would deactivate the user, so that a
        // first DELETE still in flight would then delete it.
        _ => r.undecided(),
    }
}
