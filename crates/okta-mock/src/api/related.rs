//! Read-mostly resources around a user: app links, groups, identity providers, linked objects.

use super::{ApiResult, Reply, Req, find, read, write};
use crate::error::ApiError;
use crate::render;
use crate::store::Store;
use bytes::Bytes;
use http::StatusCode;
use serde_json::Value;

fn to_bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// `GET /api/v1/users/{id}/appLinks`.
pub(super) fn app_links(req: &Req<'_>, id: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    let items = u.apps.iter().enumerate().filter_map(|(i, assignment)| {
        store
            .apps
            .get(assignment.app)
            .map(|app| to_bytes(&render::app_link(&store.base, app, assignment, i)))
    });
    Ok(Reply::array(items, Vec::new()))
}

/// `GET /api/v1/users/{id}/groups`.
pub(super) fn groups(req: &Req<'_>, id: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    let items = u
        .groups
        .iter()
        .filter_map(|g| store.groups.get(*g))
        .map(|g| to_bytes(&render::group(&store.base, g)));
    Ok(Reply::array(items, Vec::new()))
}

/// `GET /api/v1/users/{id}/idps`.
pub(super) fn idps(req: &Req<'_>, id: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    let items = u
        .idps
        .iter()
        .filter_map(|i| store.idps.get(*i))
        .map(|i| to_bytes(&render::idp(&store.base, i)));
    Ok(Reply::array(items, Vec::new()))
}

/// Is `rel` a primary (`Some(true)`) or associated (`Some(false)`) name; its primary name.
fn relationship(store: &Store, rel: &str) -> Result<(bool, String), ApiError> {
    store
        .link_defs
        .iter()
        .find_map(|d| {
            if d.primary == rel {
                Some((true, d.primary.clone()))
            } else if d.associated == rel {
                Some((false, d.primary.clone()))
            } else {
                None
            }
        })
        .ok_or_else(|| ApiError::not_found(rel, "LinkedObject"))
}

/// `GET /api/v1/users/{idOrLogin}/linkedObjects/{relationshipName}`.
pub(super) fn list_linked(req: &Req<'_>, id: &str, rel: &str) -> ApiResult {
    let store = read(req.store);
    let uid = store.users[&find(&store, id)?].id.clone();
    let (is_primary, primary) = relationship(&store, rel)?;
    let mut related: Vec<(u64, &str)> = if is_primary {
        store
            .linked
            .get(&(uid, primary))
            .into_iter()
            .map(|p| (0, p.as_str()))
            .collect()
    } else {
        store
            .linked
            .iter()
            .filter(|((_, name), p)| *name == primary && **p == uid)
            .map(|((assoc, _), _)| (store.resolve(assoc).unwrap_or(0), assoc.as_str()))
            .collect()
    };
    related.sort();
    let items = related
        .into_iter()
        .map(|(_, id)| to_bytes(&render::linked(&store.base, id)));
    Ok(Reply::array(items, Vec::new()))
}

/// `PUT /api/v1/users/{associatedUserId}/linkedObjects/{primaryRelationshipName}/{primaryUserId}`.
pub(super) fn assign_linked(req: &Req<'_>, id: &str, rel: &str, primary_user: &str) -> ApiResult {
    let mut store = write(req.store);
    let assoc = store.users[&find(&store, id)?].id.clone();
    let primary = store.users[&find(&store, primary_user)?].id.clone();
    match relationship(&store, rel)? {
        (true, name) => {
            store.linked.insert((assoc, name), primary);
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        (false, _) => Err(ApiError::not_found(rel, "LinkedObject")),
    }
}

/// `DELETE /api/v1/users/{idOrLogin}/linkedObjects/{relationshipName}`.
pub(super) fn delete_linked(req: &Req<'_>, id: &str, rel: &str) -> ApiResult {
    let mut store = write(req.store);
    let uid = store.users[&find(&store, id)?].id.clone();
    match relationship(&store, rel)? {
        (true, name) => {
            store.linked.remove(&(uid, name));
        }
        (false, name) => store.linked.retain(|(_, n), p| !(*n == name && *p == uid)),
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
