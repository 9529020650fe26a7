//! Admin roles assigned to a user, and their app and group targets.

use super::{ApiResult, Reply, Req, find, json_body, read, write};
use crate::error::ApiError;
use crate::ids::okta_id;
use crate::model::Role;
use crate::paging;
use crate::render;
use crate::seed::CATALOG;
use crate::store::Store;
use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::Value;

const ROLE_TYPES: &[&str] = &[
    "ACCESS_CERTIFICATIONS_ADMIN",
    "ACCESS_REQUESTS_ADMIN",
    "API_ACCESS_MANAGEMENT_ADMIN",
    "APP_ADMIN",
    "CUSTOM",
    "GROUP_MEMBERSHIP_ADMIN",
    "HELP_DESK_ADMIN",
    "ORG_ADMIN",
    "READ_ONLY_ADMIN",
    "REPORT_ADMIN",
    "SUPER_ADMIN",
    "USER_ADMIN",
    "WORKFLOWS_ADMIN",
];
const GROUP_TARGETABLE: &[&str] = &["USER_ADMIN", "HELP_DESK_ADMIN", "GROUP_MEMBERSHIP_ADMIN"];

fn to_bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// `GET /api/v1/users/{userId}/roles`.
pub(super) fn list(req: &Req<'_>, id: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    Ok(Reply::array(
        u.roles
            .iter()
            .map(|r| to_bytes(&render::role(&store.base, &u.id, r))),
        Vec::new(),
    ))
}

/// `POST /api/v1/users/{userId}/roles` → 201 with the assignment.
pub(super) fn assign(req: &Req<'_>, id: &str) -> ApiResult {
    let body = json_body(&req.body)?;
    let kind = body
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !ROLE_TYPES.contains(&kind.as_str()) {
        return Err(ApiError::validation("type", "Invalid role type"));
    }
    let custom = if kind == "CUSTOM" {
        match (
            body.get("role").and_then(Value::as_str),
            body.get("resource-set").and_then(Value::as_str),
        ) {
            (Some(r), Some(s)) => Some((r.to_owned(), s.to_owned())),
            _ => {
                return Err(ApiError::validation(
                    "role",
                    "CUSTOM roles need role and resource-set",
                ));
            }
        }
    } else {
        None
    };
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    if store.users[&seq]
        .roles
        .iter()
        .any(|r| r.kind == kind && r.custom == custom)
    {
        return Err(ApiError::duplicate_role());
    }
    let role = Role {
        id: okta_id(&mut store.rng, "ra1"),
        kind,
        custom,
        created: req.now,
        app_targets: Vec::new(),
        group_targets: Vec::new(),
    };
    let base = store.base.clone();
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    let mut reply = Reply::json(&render::role(&base, &u.id, &role));
    reply.status = StatusCode::CREATED;
    u.roles.push(role);
    Ok(reply)
}

fn role_mut<'a>(store: &'a mut Store, id: &str, role: &str) -> Result<&'a mut Role, ApiError> {
    let seq = find(store, id)?;
    store
        .users
        .get_mut(&seq)
        .and_then(|u| u.roles.iter_mut().find(|r| r.id == role))
        .ok_or_else(|| ApiError::not_found(role, "Role"))
}

/// `DELETE /api/v1/users/{userId}/roles/{roleAssignmentId}`.
pub(super) fn unassign(req: &Req<'_>, id: &str, role: &str) -> ApiResult {
    let mut store = write(req.store);
    role_mut(&mut store, id, role)?;
    let seq = find(&store, id)?;
    if let Some(u) = store.users.get_mut(&seq) {
        u.roles.retain(|r| r.id != role);
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// `GET …/roles/{roleAssignmentId}/targets/catalog/apps`.
pub(super) fn list_app_targets(req: &Req<'_>, id: &str, role: &str) -> ApiResult {
    let limit = paging::limit(req.query.get("limit"), 20)?;
    let after = paging::decode_cursor(req.query.get("after"))?;
    let mut store = write(req.store);
    let targets = role_mut(&mut store, id, role)?.app_targets.clone();
    let (page, next) = paging::page(targets.iter(), |t| t.0, after, limit);
    let items: Vec<Bytes> = page
        .into_iter()
        .filter_map(|(_, name, inst)| {
            let c = CATALOG.iter().find(|c| c.name == name)?;
            let app = inst
                .as_ref()
                .and_then(|i| store.apps.iter().find(|a| a.id == *i));
            Some(to_bytes(&render::catalog_app(&store.base, c, app)))
        })
        .collect();
    let links = paging::link_headers(&store.base, req.path, req.raw_query, next.as_deref());
    Ok(Reply::array(items, links))
}

/// `PUT …/targets/catalog/apps`: the role applies to every app again.
pub(super) fn all_apps(req: &Req<'_>, id: &str, role: &str) -> ApiResult {
    let mut store = write(req.store);
    let r = role_mut(&mut store, id, role)?;
    if r.kind != "APP_ADMIN" {
        return Err(ApiError::validation(
            "type",
            "Only APP_ADMIN roles have app targets",
        ));
    }
    r.app_targets.clear();
    Ok(Reply::empty(StatusCode::OK))
}

/// `PUT`/`DELETE …/targets/catalog/apps/{appName}[/{appId}]`.
pub(super) fn app_target(
    req: &Req<'_>,
    id: &str,
    role: &str,
    app: &str,
    inst: Option<&str>,
) -> ApiResult {
    if *req.method != Method::PUT && *req.method != Method::DELETE {
        return Err(ApiError::method_not_allowed());
    }
    let mut store = write(req.store);
    if !CATALOG.iter().any(|c| c.name == app) {
        return Err(ApiError::not_found(app, "CatalogApp"));
    }
    if let Some(i) = inst
        && !store.apps.iter().any(|a| a.id == i && a.name == app)
    {
        return Err(ApiError::not_found(i, "App"));
    }
    let seq = store.next_seq();
    let r = role_mut(&mut store, id, role)?;
    if r.kind != "APP_ADMIN" {
        return Err(ApiError::validation(
            "type",
            "Only APP_ADMIN roles have app targets",
        ));
    }
    let same = |t: &(u64, String, Option<String>)| t.1 == app && t.2.as_deref() == inst;
    if *req.method == Method::PUT {
        if !r.app_targets.iter().any(same) {
            r.app_targets
                .push((seq, app.to_owned(), inst.map(String::from)));
        }
    } else if r.app_targets.iter().any(same) {
        r.app_targets.retain(|t| !same(t));
    } else {
        return Err(ApiError::not_found(app, "RoleTarget"));
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// `GET …/roles/{roleAssignmentId}/targets/groups`.
pub(super) fn list_group_targets(req: &Req<'_>, id: &str, role: &str) -> ApiResult {
    let limit = paging::limit(req.query.get("limit"), 20)?;
    let after = paging::decode_cursor(req.query.get("after"))?;
    let mut store = write(req.store);
    let targets = role_mut(&mut store, id, role)?.group_targets.clone();
    let (page, next) = paging::page(targets.iter(), |t| t.0, after, limit);
    let items: Vec<Bytes> = page
        .into_iter()
        .filter_map(|(_, gid)| store.groups.iter().find(|g| g.id == *gid))
        .map(|g| to_bytes(&render::group(&store.base, g)))
        .collect();
    let links = paging::link_headers(&store.base, req.path, req.raw_query, next.as_deref());
    Ok(Reply::array(items, links))
}

/// `PUT`/`DELETE …/roles/{roleAssignmentId}/targets/groups/{groupId}`.
pub(super) fn group_target(req: &Req<'_>, id: &str, role: &str, group: &str) -> ApiResult {
    if *req.method != Method::PUT && *req.method != Method::DELETE {
        return Err(ApiError::method_not_allowed());
    }
    let mut store = write(req.store);
    if store.group_index(group).is_none() {
        return Err(ApiError::not_found(group, "Group"));
    }
    let seq = store.next_seq();
    let r = role_mut(&mut store, id, role)?;
    if !GROUP_TARGETABLE.contains(&r.kind.as_str()) {
        return Err(ApiError::validation(
            "type",
            "This role type cannot have group targets",
        ));
    }
    if *req.method == Method::PUT {
        if !r.group_targets.iter().any(|t| t.1 == group) {
            r.group_targets.push((seq, group.to_owned()));
        }
    } else if r.group_targets.iter().any(|t| t.1 == group) {
        r.group_targets.retain(|t| t.1 != group);
    } else {
        return Err(ApiError::not_found(group, "RoleTarget"));
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
