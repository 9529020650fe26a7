//! Users: list (with `q`, `filter`, `search`, paging), create, get, partial and full update, delete.

use super::{ApiResult, Reply, Req, find, json_body, read, write};
use crate::error::ApiError;
use crate::expr::{self, Attr, AttrVal, Mode, Subject};
use crate::model::{Status, User};
use crate::paging;
use crate::store::NewUser;
use http::StatusCode;
use serde_json::{Map, Value};
use std::cmp::Ordering;
use time::OffsetDateTime;

impl Subject for User {
    fn attr(&self, attr: &Attr) -> AttrVal<'_> {
        let time = |t: Option<OffsetDateTime>| t.map_or(AttrVal::Missing, AttrVal::Time);
        match attr {
            Attr::Status => AttrVal::Str(self.status.as_str()),
            Attr::Id => AttrVal::Str(&self.id),
            Attr::Created => AttrVal::Time(self.created),
            Attr::LastUpdated => AttrVal::Time(self.last_updated),
            Attr::Activated => time(self.activated),
            Attr::StatusChanged => time(self.status_changed),
            Attr::PasswordChanged => time(self.password_changed),
            Attr::LastLogin => time(self.last_login),
            Attr::TypeId => AttrVal::Str(&self.type_id),
            Attr::Profile(k) => self.profile.get(k).map_or(AttrVal::Missing, AttrVal::Json),
        }
    }
}

/// `q`: starts-with on firstName, lastName or email, case-insensitive.
fn q_matches(u: &User, q: &str) -> bool {
    ["firstName", "lastName", "email"].iter().any(|k| {
        u.profile
            .get(*k)
            .and_then(Value::as_str)
            .is_some_and(|v| v.to_lowercase().starts_with(q))
    })
}

fn cmp_vals(a: &AttrVal<'_>, b: &AttrVal<'_>) -> Ordering {
    fn rank(v: &AttrVal<'_>) -> u8 {
        match v {
            AttrVal::Missing | AttrVal::Json(Value::Null) => 1,
            _ => 0,
        }
    }
    match (a, b) {
        (AttrVal::Time(x), AttrVal::Time(y)) => x.cmp(y),
        (AttrVal::Json(Value::Number(x)), AttrVal::Json(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => {
            let s = |v: &AttrVal<'_>| match v {
                AttrVal::Str(s) => s.to_lowercase(),
                AttrVal::Json(Value::String(s)) => s.to_lowercase(),
                AttrVal::Json(other) => other.to_string(),
                _ => String::new(),
            };
            rank(a).cmp(&rank(b)).then_with(|| s(a).cmp(&s(b)))
        }
    }
}

/// A sort value as a sorted search's cursor holds it.
enum CursorVal {
    Str(String),
    Time(OffsetDateTime),
    Json(Value),
    Missing,
}

impl CursorVal {
    fn to_json(value: &AttrVal<'_>) -> Value {
        match value {
            AttrVal::Str(s) => serde_json::json!({ "s": s }),
            AttrVal::Time(t) => serde_json::json!({ "t": t.unix_timestamp_nanos().to_string() }),
            AttrVal::Json(v) => serde_json::json!({ "j": v }),
            AttrVal::Missing => serde_json::json!({}),
        }
    }

    /// What `to_json` wrote; anything else reads as missing (it sorts last).
    fn from_json(mut value: Value) -> CursorVal {
        if let Some(Value::String(s)) = value.get_mut("s").map(Value::take) {
            return CursorVal::Str(s);
        }
        if let Some(t) = value
            .get("t")
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<i128>().ok())
            .and_then(|t| OffsetDateTime::from_unix_timestamp_nanos(t).ok())
        {
            return CursorVal::Time(t);
        }
        match value.get_mut("j").map(Value::take) {
            Some(v) => CursorVal::Json(v),
            None => CursorVal::Missing,
        }
    }

    fn as_attr(&self) -> AttrVal<'_> {
        match self {
            CursorVal::Str(s) => AttrVal::Str(s),
            CursorVal::Time(t) => AttrVal::Time(*t),
            CursorVal::Json(v) => AttrVal::Json(v),
            CursorVal::Missing => AttrVal::Missing,
        }
    }
}

/// `GET /api/v1/users` (listUsers).
pub(super) fn list(req: &Req<'_>) -> ApiResult {
    let qp = &req.query;
    let expr = match (qp.get("search"), qp.get("filter")) {
        (Some(s), _) => {
            Some(expr::parse(s, Mode::Search).map_err(|e| ApiError::invalid_search(&e))?)
        }
        (None, Some(f)) => {
            Some(expr::parse(f, Mode::Filter).map_err(|e| ApiError::invalid_search(&e))?)
        }
        _ => None,
    };
    // `q` applies when no search or filter does; it "doesn't support pagination" (the spec):
    // one page from the start, 10 users unless `limit` says otherwise, no `next` link.
    let q = qp
        .get("q")
        .filter(|_| expr.is_none())
        .map(str::to_lowercase);
    let limit = paging::limit(
        qp.get("limit"),
        if q.is_some() { 10 } else { paging::MAX_LIMIT },
    )?;
    let store = read(req.store);
    let keep = |u: &&User| match (&expr, &q) {
        (Some(e), _) => expr::matches(e, *u),
        (None, Some(q)) => u.status != Status::Deprovisioned && q_matches(u, q),
        (None, None) => u.status != Status::Deprovisioned,
    };
    let sort = match (qp.get("search"), qp.get("sortBy")) {
        (Some(_), Some(by)) => {
            Some(Attr::for_sort(by).ok_or_else(|| ApiError::invalid_search("invalid sortBy"))?)
        }
        _ => None,
    };
    let (items, next) = match sort {
        None if q.is_some() => {
            let (items, _) =
                paging::page(store.users.values().filter(keep), |u| u.seq, None, limit);
            (items, None)
        }
        None => {
            let after = paging::decode_cursor(qp.get("after"))?;
            paging::page(store.users.values().filter(keep), |u| u.seq, after, limit)
        }
        Some(attr) => {
            let after = paging::decode_sort_cursor(qp.get("after"))?;
            let descending = qp
                .get("sortOrder")
                .is_some_and(|o| o.eq_ignore_ascii_case("desc"));
            // By sort value in the order asked for; users with equal values "are ordered by
            // id" (the spec), ascending in either order.
            let order = |a: &AttrVal<'_>, a_id: &str, b: &AttrVal<'_>, b_id: &str| {
                let by_value = cmp_vals(a, b);
                let by_value = if descending {
                    by_value.reverse()
                } else {
                    by_value
                };
                by_value.then_with(|| a_id.cmp(b_id))
            };
            let cursor = after.map(|(value, id)| (CursorVal::from_json(value), id));
            let mut all: Vec<&User> = store
                .users
                .values()
                .filter(keep)
                .filter(|u| {
                    cursor.as_ref().is_none_or(|(value, id)| {
                        order(&u.attr(&attr), &u.id, &value.as_attr(), id) == Ordering::Greater
                    })
                })
                .collect();
            all.sort_by(|a, b| order(&a.attr(&attr), &a.id, &b.attr(&attr), &b.id));
            let more = all.len() > limit;
            all.truncate(limit);
            let next = all.last().filter(|_| more).map(|last| {
                paging::encode_sort_cursor(&CursorVal::to_json(&last.attr(&attr)), &last.id)
            });
            (all, next)
        }
    };
    let links = paging::link_headers(&store.base, req.path, req.raw_query, next.as_deref());
    Ok(Reply::array(
        items.into_iter().map(|u| u.json_list.clone()),
        links,
    ))
}

/// `GET /api/v1/users/{idOrLogin}` (getUser).
pub(super) fn get(req: &Req<'_>, id: &str) -> ApiResult {
    let store = read(req.store);
    let seq = find(&store, id)?;
    Ok(Reply::user(&store.users[&seq]))
}

/// Whether `If-Match` (absent, `*`, or a list of entity tags) lets a write to `user` go on:
/// E0000242 when it is not a list of entity tags, E0000231 (412) when none matches. Comparison
/// is weak (`W/` ignored), as the tags Okta sends are weak.
fn check_if_match(if_match: Option<&str>, user: &User) -> Result<(), ApiError> {
    let Some(header) = if_match else {
        return Ok(());
    };
    let header = header.trim();
    if header == "*" {
        return Ok(());
    }
    let opaque = |tag: &str| -> Option<String> {
        let tag = tag.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains('"')).then(|| inner.to_owned())
    };
    let current = user.etag.to_str().ok().and_then(opaque);
    let mut matched = false;
    for tag in header.split(',') {
        let tag = opaque(tag).ok_or_else(ApiError::invalid_etag)?;
        matched |= current.as_deref() == Some(tag.as_str());
    }
    if matched {
        Ok(())
    } else {
        Err(ApiError::etag_mismatch())
    }
}

fn require_profile_fields(profile: &Map<String, Value>) -> Result<(), ApiError> {
    for field in ["login", "email", "firstName", "lastName"] {
        match profile.get(field) {
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            _ => {
                return Err(ApiError::validation(
                    field,
                    "The field cannot be left blank",
                ));
            }
        }
    }
    check_profile_values(profile)
}

fn check_profile_values(profile: &Map<String, Value>) -> Result<(), ApiError> {
    for field in ["login", "email"] {
        if let Some(v) = profile.get(field) {
            match v.as_str() {
                Some(s)
                    if s.len() >= 5 && s.len() <= 100 && (field == "login" || s.contains('@')) => {}
                _ => {
                    return Err(ApiError::validation(
                        field,
                        "Does not match required pattern",
                    ));
                }
            }
        }
    }
    Ok(())
}

/// The password value in `credentials.password.value`, if any.
pub(super) fn password_of(creds: Option<&Value>) -> Result<Option<String>, ApiError> {
    match creds
        .and_then(|c| c.get("password"))
        .and_then(|p| p.get("value"))
    {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::validation(
            "password",
            "Password requirements were not met",
        )),
    }
}

/// `{question, answer}` in `credentials.recovery_question`, if any.
pub(super) fn recovery_of(creds: Option<&Value>) -> Result<Option<(String, String)>, ApiError> {
    let Some(rq) = creds.and_then(|c| c.get("recovery_question")) else {
        return Ok(None);
    };
    match (
        rq.get("question").and_then(Value::as_str),
        rq.get("answer").and_then(Value::as_str),
    ) {
        (Some(q), Some(a)) if !q.is_empty() && a.len() >= 4 => Ok(Some((q.into(), a.into()))),
        _ => Err(ApiError::validation(
            "recovery_question",
            "The security question answer must be at least 4 characters",
        )),
    }
}

/// `POST /api/v1/users` (createUser).
pub(super) fn create(req: &Req<'_>) -> ApiResult {
    let body = json_body(&req.body)?;
    let profile = match body.get("profile") {
        Some(Value::Object(p)) => p.clone(),
        _ => {
            return Err(ApiError::validation(
                "profile",
                "The field cannot be left blank",
            ));
        }
    };
    require_profile_fields(&profile)?;
    let creds = body.get("credentials");
    let password = password_of(creds)?;
    let recovery = recovery_of(creds)?;
    let group_ids: Vec<String> = match body.get("groupIds") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(_) => return Err(ApiError::malformed_body()),
    };
    let activate = req.query.flag("activate", true);
    let status = match (activate, &password) {
        (false, _) => Status::Staged,
        (true, Some(_)) if req.query.get("nextLogin") == Some("changePassword") => {
            Status::PasswordExpired
        }
        (true, Some(_)) => Status::Active,
        (true, None) => Status::Provisioned,
    };
    let mut store = write(req.store);
    let login = profile
        .get("login")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if store.login_taken(login, None) {
        return Err(ApiError::duplicate_login());
    }
    let mut groups = vec![0];
    for gid in &group_ids {
        let g = store
            .group_index(gid)
            .ok_or_else(|| ApiError::validation("groupIds", format!("Invalid group id {gid}")))?;
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    let id = store.insert_user(NewUser {
        profile,
        password,
        recovery,
        status,
        at: req.now,
    });
    if let Some(u) = store.user_mut(&id) {
        u.groups = groups;
    }
    store.rerender(&id);
    let seq = find(&store, &id)?;
    Ok(Reply::user(&store.users[&seq]))
}

/// `POST` (partial, `replace == false`) or `PUT` (full) `/api/v1/users/{idOrLogin}`.
pub(super) fn update(req: &Req<'_>, id: &str, replace: bool) -> ApiResult {
    let body = json_body(&req.body)?;
    let new_profile = match body.get("profile") {
        None => None,
        Some(Value::Object(p)) => Some(p),
        Some(_) => return Err(ApiError::malformed_body()),
    };
    let creds = body.get("credentials");
    let password = password_of(creds)?;
    let recovery = recovery_of(creds)?;
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let user = &store.users[&seq];
    check_if_match(req.if_match, user)?;
    let old_login = user.login().to_owned();
    let profile = match new_profile {
        None => None,
        Some(p) if replace => {
            require_profile_fields(p)?;
            Some(p.clone())
        }
        Some(p) => {
            check_profile_values(p)?;
            let mut merged = user.profile.clone();
            merged.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
            require_profile_fields(&merged)?;
            Some(merged)
        }
    };
    if let Some(p) = &profile {
        let login = p.get("login").and_then(Value::as_str).unwrap_or_default();
        if store.login_taken(login, Some(seq)) {
            return Err(ApiError::duplicate_login());
        }
    }
    let now = req.now;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    if let Some(p) = profile {
        u.profile = p;
    }
    if let Some(pw) = password {
        u.password = Some(pw);
        u.password_changed = Some(now);
    }
    if let Some(rq) = recovery {
        u.recovery = Some(rq);
    }
    u.last_updated = now;
    let uid = u.id.clone();
    store.reindex_login(seq, &old_login);
    store.rerender(&uid);
    Ok(Reply::user(&store.users[&seq]))
}

/// `DELETE /api/v1/users/{idOrLogin}`: deactivates first, deletes the second time.
pub(super) fn delete(req: &Req<'_>, id: &str) -> ApiResult {
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    if u.status == Status::Deprovisioned {
        store.remove_user(seq);
    } else {
        super::lifecycle::deprovision(u, req.now);
        let uid = u.id.clone();
        store.rerender(&uid);
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
