//! Credential operations: change password, change recovery question, forgot password.

use super::users::{password_of, recovery_of};
use super::{ApiResult, Reply, Req, find, json_body, write};
use crate::error::ApiError;
use crate::ids;
use crate::model::Status;
use crate::render;
use serde_json::{Value, json};

/// `POST /api/v1/users/{id}/credentials/{op}`.
pub(super) fn dispatch(req: &Req<'_>, id: &str, op: &str) -> ApiResult {
    match op {
        "change_password" => change_password(req, id),
        "change_recovery_question" => change_recovery_question(req, id),
        "forgot_password" => forgot_password(req, id),
        _ => Err(ApiError::path_not_found()),
    }
}

fn change_password(req: &Req<'_>, id: &str) -> ApiResult {
    let body = json_body(&req.body)?;
    let old = body
        .get("oldPassword")
        .and_then(|p| p.get("value"))
        .and_then(Value::as_str);
    let new = password_of(Some(
        &json!({ "password": body.get("newPassword").cloned().unwrap_or(Value::Null) }),
    ))?
    .ok_or_else(|| ApiError::validation("newPassword", "The field cannot be left blank"))?;
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    use Status::*;
    if !matches!(u.status, Staged | Active | PasswordExpired | Recovery) || u.password.is_none() {
        return Err(ApiError::status_forbidden());
    }
    if old != u.password.as_deref() {
        return Err(ApiError::credentials_failed(
            "oldPassword: The credentials provided were incorrect.",
        ));
    }
    if Some(new.as_str()) == old {
        return Err(ApiError::credentials_failed(
            "password: Password cannot be your current password",
        ));
    }
    let now = req.now;
    u.password = Some(new);
    u.password_changed = Some(now);
    u.last_updated = now;
    if matches!(u.status, Recovery | PasswordExpired) {
        u.status = Active;
        u.status_changed = Some(now);
    }
    if body.get("revokeSessions").and_then(Value::as_bool) == Some(true) {
        u.sessions = 0;
    }
    let creds = render::credentials(u);
    let uid = u.id.clone();
    store.rerender(&uid);
    Ok(Reply::json(&creds))
}

fn change_recovery_question(req: &Req<'_>, id: &str) -> ApiResult {
    let body = json_body(&req.body)?;
    let given = body
        .get("password")
        .and_then(|p| p.get("value"))
        .and_then(Value::as_str);
    let recovery = recovery_of(Some(&Value::Object(body.clone())))?.ok_or_else(|| {
        ApiError::validation("recovery_question", "The field cannot be left blank")
    })?;
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    if !matches!(u.status, Status::Staged | Status::Active | Status::Recovery)
        || u.password.is_none()
    {
        return Err(ApiError::status_forbidden());
    }
    if given != u.password.as_deref() {
        return Err(ApiError::credentials_failed(
            "password: The credentials provided were incorrect.",
        ));
    }
    u.recovery = Some(recovery);
    u.last_updated = req.now;
    let creds = render::credentials(u);
    let uid = u.id.clone();
    store.rerender(&uid);
    Ok(Reply::json(&creds))
}

fn forgot_password(req: &Req<'_>, id: &str) -> ApiResult {
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    if u.status != Status::Active {
        return Err(ApiError::status_forbidden());
    }
    if u.recovery.is_none() {
        return Err(ApiError::reset_password_failed(
            "recovery_question: The user has no recovery question.",
        ));
    }
    u.recovery_tokens = u.recovery_tokens.saturating_add(1);
    if req.query.flag("sendEmail", true) {
        return Ok(Reply::json(&json!({})));
    }
    let token = ids::token(20);
    Ok(Reply::json(
        &json!({ "resetPasswordUrl": format!("{}/signin/reset-password/{token}", store.base) }),
    ))
}
