//! The Users API: routing from method and path to one handler per operation.

mod credentials;
mod lifecycle;
mod oauth_grants;
mod related;
mod roles;
mod users;

use crate::error::ApiError;
use crate::model::User;
use crate::store::Store;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::RwLock;
use time::OffsetDateTime;

/// Query parameters, decoded (`+` as space), in order.
#[derive(Debug, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Self {
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p.split_once('=').unwrap_or((p, ""));
                    (decode(k), decode(v))
                })
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean parameter; anything but `true` is false, missing is `default`.
    pub fn flag(&self, name: &str, default: bool) -> bool {
        self.get(name)
            .map_or(default, |v| v.eq_ignore_ascii_case("true"))
    }
}

/// Percent-decode a query component, with `+` meaning space.
pub(crate) fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_decode_str(&s).decode_utf8_lossy().into_owned()
}

/// One request as the handlers see it.
pub(crate) struct Req<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub query: Query,
    /// The `If-Match` header, for the operations that honour it.
    pub if_match: Option<&'a str>,
    pub body: Bytes,
    /// The org's clock at arrival: what `created`, `lastUpdated`, … record.
    pub now: OffsetDateTime,
    pub store: &'a RwLock<Store>,
}

/// A successful answer: status, JSON body (possibly empty), `Link` header lines, and the `ETag`
/// of a single user.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
    pub links: Vec<HeaderValue>,
    pub etag: Option<HeaderValue>,
}

impl Reply {
    /// A single user, with its `ETag`.
    pub fn user(user: &User) -> Reply {
        Reply {
            etag: Some(user.etag.clone()),
            ..Reply::bytes(user.json.clone())
        }
    }

    pub fn json(value: &Value) -> Reply {
        Reply::bytes(Bytes::from(serde_json::to_vec(value).unwrap_or_default()))
    }

    pub fn bytes(body: Bytes) -> Reply {
        Reply {
            status: StatusCode::OK,
            body,
            links: Vec::new(),
            etag: None,
        }
    }

    pub fn empty(status: StatusCode) -> Reply {
        Reply {
            status,
            body: Bytes::new(),
            links: Vec::new(),
            etag: None,
        }
    }

    /// A JSON array built from pre-serialized elements.
    pub fn array(items: impl IntoIterator<Item = Bytes>, links: Vec<HeaderValue>) -> Reply {
        let mut out = Vec::with_capacity(1024);
        out.push(b'[');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&item);
        }
        out.push(b']');
        Reply {
            status: StatusCode::OK,
            body: Bytes::from(out),
            links,
            etag: None,
        }
    }
}

pub(crate) type ApiResult = Result<Reply, ApiError>;

/// The body as a JSON object, or E0000003.
pub(crate) fn json_body(body: &Bytes) -> Result<serde_json::Map<String, Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(ApiError::malformed_body()),
    }
}

/// The store for reading; a poisoned lock still holds consistent data (writers never panic midway).
pub(crate) fn read(store: &RwLock<Store>) -> std::sync::RwLockReadGuard<'_, Store> {
    store.read().unwrap_or_else(|e| e.into_inner())
}

/// The store for writing.
pub(crate) fn write(store: &RwLock<Store>) -> std::sync::RwLockWriteGuard<'_, Store> {
    store.write().unwrap_or_else(|e| e.into_inner())
}

fn seg(s: &str) -> Cow<'_, str> {
    percent_decode_str(s).decode_utf8_lossy()
}

/// Dispatch a request under `/api/v1/users` to its operation.
pub(crate) fn route(req: &Req<'_>) -> ApiResult {
    let Some(rest) = req.path.strip_prefix("/api/v1/users") else {
        return Err(ApiError::path_not_found());
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if !rest.is_empty() && !rest.starts_with('/') {
        return Err(ApiError::path_not_found());
    }
    use Method as M;
    let m = req.method.clone();
    let is = |x: &M| m == *x;
    match segs.as_slice() {
        [] if is(&M::GET) => users::list(req),
        [] if is(&M::POST) => users::create(req),
        [id] if is(&M::GET) => users::get(req, &seg(id)),
        [id] if is(&M::POST) => users::update(req, &seg(id), false),
        [id] if is(&M::PUT) => users::update(req, &seg(id), true),
        [id] if is(&M::DELETE) => users::delete(req, &seg(id)),
        [id, "appLinks"] if is(&M::GET) => related::app_links(req, &seg(id)),
        [id, "groups"] if is(&M::GET) => related::groups(req, &seg(id)),
        [id, "idps"] if is(&M::GET) => related::idps(req, &seg(id)),
        [id, "linkedObjects", rel] if is(&M::GET) => related::list_linked(req, &seg(id), &seg(rel)),
        [id, "linkedObjects", rel] if is(&M::DELETE) => {
            related::delete_linked(req, &seg(id), &seg(rel))
        }
        [id, "linkedObjects", rel, primary] if is(&M::PUT) => {
            related::assign_linked(req, &seg(id), &seg(rel), &seg(primary))
        }
        [id, "sessions"] if is(&M::DELETE) => oauth_grants::revoke_sessions(req, &seg(id)),
        [id, "clients"] if is(&M::GET) => oauth_grants::clients(req, &seg(id)),
        [id, "clients", c, "grants"] if is(&M::GET) => {
            oauth_grants::list_grants(req, &seg(id), Some(&seg(c)))
        }
        [id, "clients", c, "grants"] if is(&M::DELETE) => {
            oauth_grants::revoke_grants(req, &seg(id), Some(&seg(c)))
        }
        [id, "clients", c, "tokens"] if is(&M::GET) => {
            oauth_grants::list_tokens(req, &seg(id), &seg(c))
        }
        [id, "clients", c, "tokens"] if is(&M::DELETE) => {
            oauth_grants::revoke_tokens(req, &seg(id), &seg(c), None)
        }
        [id, "clients", c, "tokens", t] if is(&M::GET) => {
            oauth_grants::get_token(req, &seg(id), &seg(c), &seg(t))
        }
        [id, "clients", c, "tokens", t] if is(&M::DELETE) => {
            oauth_grants::revoke_tokens(req, &seg(id), &seg(c), Some(&seg(t)))
        }
        [id, "grants"] if is(&M::GET) => oauth_grants::list_grants(req, &seg(id), None),
        [id, "grants"] if is(&M::DELETE) => oauth_grants::revoke_grants(req, &seg(id), None),
        [id, "grants", g] if is(&M::GET) => oauth_grants::get_grant(req, &seg(id), &seg(g)),
        [id, "grants", g] if is(&M::DELETE) => oauth_grants::revoke_grant(req, &seg(id), &seg(g)),
        [id, "credentials", op] if is(&M::POST) => credentials::dispatch(req, &seg(id), op),
        [id, "lifecycle", op] if is(&M::POST) => lifecycle::dispatch(req, &seg(id), op),
        [id, "roles"] if is(&M::GET) => roles::list(req, &seg(id)),
        [id, "roles"] if is(&M::POST) => roles::assign(req, &seg(id)),
        [id, "roles", r] if is(&M::DELETE) => roles::unassign(req, &seg(id), &seg(r)),
        [id, "roles", r, "targets", "catalog", "apps"] if is(&M::GET) => {
            roles::list_app_targets(req, &seg(id), &seg(r))
        }
        [id, "roles", r, "targets", "catalog", "apps"] if is(&M::PUT) => {
            roles::all_apps(req, &seg(id), &seg(r))
        }
        [id, "roles", r, "targets", "catalog", "apps", app] => {
            roles::app_target(req, &seg(id), &seg(r), &seg(app), None)
        }
        [id, "roles", r, "targets", "catalog", "apps", app, inst] => {
            roles::app_target(req, &seg(id), &seg(r), &seg(app), Some(&seg(inst)))
        }
        [id, "roles", r, "targets", "groups"] if is(&M::GET) => {
            roles::list_group_targets(req, &seg(id), &seg(r))
        }
        [id, "roles", r, "targets", "groups", g] => {
            roles::group_target(req, &seg(id), &seg(r), &seg(g))
        }
        _ if known_path(&segs) => Err(ApiError::method_not_allowed()),
        _ => Err(ApiError::path_not_found()),
    }
}

/// Does the path exist for some method (so the answer is 405 rather than 404)?
fn known_path(segs: &[&str]) -> bool {
    matches!(
        segs,
        [] | [_]
            | [
                _,
                "appLinks" | "groups" | "idps" | "sessions" | "clients" | "grants" | "roles"
            ]
            | [_, "linkedObjects", _]
            | [_, "linkedObjects", _, _]
            | [_, "clients", _, "grants" | "tokens"]
            | [_, "clients", _, "tokens", _]
            | [_, "grants", _]
            | [_, "credentials" | "lifecycle", _]
            | [_, "roles", _]
            | [_, "roles", _, "targets", "catalog", "apps"]
            | [_, "roles", _, "targets", "groups"]
    )
}

/// The user's sequence, or E0000007.
pub(crate) fn find(store: &Store, id: &str) -> Result<u64, ApiError> {
    store
        .resolve(id)
        .ok_or_else(|| ApiError::not_found(id, "User"))
}
