//! A user's OAuth clients, scope-consent grants, refresh tokens, and sessions.

use super::{ApiResult, Reply, Req, find, read, write};
use crate::error::ApiError;
use crate::paging;
use crate::render;
use bytes::Bytes;
use http::StatusCode;
use serde_json::Value;

fn to_bytes(v: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(v).unwrap_or_default())
}

/// `GET /api/v1/users/{userId}/clients`: clients holding a grant or token for the user.
pub(super) fn clients(req: &Req<'_>, id: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    let items = store
        .apps
        .iter()
        .filter(|a| a.oauth)
        .filter(|a| {
            u.grants.iter().any(|g| g.client_id == a.id)
                || u.tokens.iter().any(|t| t.client_id == a.id)
        })
        .map(|a| to_bytes(&render::client(&store.base, &u.id, a)));
    Ok(Reply::array(items, Vec::new()))
}

fn require_client(store: &crate::store::Store, client: &str) -> Result<(), ApiError> {
    if store.apps.iter().any(|a| a.oauth && a.id == client) {
        Ok(())
    } else {
        Err(ApiError::not_found(client, "App"))
    }
}

/// `GET /api/v1/users/{userId}/grants` and `…/clients/{clientId}/grants`.
pub(super) fn list_grants(req: &Req<'_>, id: &str, client: Option<&str>) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    if let Some(c) = client {
        require_client(&store, c)?;
    }
    let limit = paging::limit(
        req.query.get("limit"),
        if client.is_some() {
            20
        } else {
            paging::MAX_LIMIT
        },
    )?;
    let after = paging::decode_cursor(req.query.get("after"))?;
    let scope = req.query.get("scopeId");
    let matching = u.grants.iter().filter(|g| {
        client.is_none_or(|c| g.client_id == c) && scope.is_none_or(|s| g.scope_id == s)
    });
    let (page, next) = paging::page(matching, |g| g.seq, after, limit);
    let links = paging::link_headers(&store.base, req.path, req.raw_query, next.as_deref());
    Ok(Reply::array(
        page.into_iter()
            .map(|g| to_bytes(&render::grant(&store.base, &u.id, g))),
        links,
    ))
}

/// `GET /api/v1/users/{userId}/grants/{grantId}`.
pub(super) fn get_grant(req: &Req<'_>, id: &str, grant: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    let g = u
        .grants
        .iter()
        .find(|g| g.id == grant)
        .ok_or_else(|| ApiError::not_found(grant, "OAuth2ScopeConsentGrant"))?;
    Ok(Reply::json(&render::grant(&store.base, &u.id, g)))
}

/// `DELETE /api/v1/users/{userId}/grants` and `…/clients/{clientId}/grants`.
pub(super) fn revoke_grants(req: &Req<'_>, id: &str, client: Option<&str>) -> ApiResult {
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    if let Some(c) = client {
        require_client(&store, c)?;
    }
    if let Some(u) = store.users.get_mut(&seq) {
        u.grants
            .retain(|g| client.is_some_and(|c| g.client_id != c));
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// `DELETE /api/v1/users/{userId}/grants/{grantId}`.
pub(super) fn revoke_grant(req: &Req<'_>, id: &str, grant: &str) -> ApiResult {
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    let before = u.grants.len();
    u.grants.retain(|g| g.id != grant);
    if u.grants.len() == before {
        return Err(ApiError::not_found(grant, "OAuth2ScopeConsentGrant"));
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// `GET /api/v1/users/{userId}/clients/{clientId}/tokens`.
pub(super) fn list_tokens(req: &Req<'_>, id: &str, client: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    require_client(&store, client)?;
    let limit = paging::limit(req.query.get("limit"), 20)?;
    let after = paging::decode_cursor(req.query.get("after"))?;
    let expand = req.query.get("expand") == Some("scope");
    let (page, next) = paging::page(
        u.tokens.iter().filter(|t| t.client_id == client),
        |t| t.seq,
        after,
        limit,
    );
    let links = paging::link_headers(&store.base, req.path, req.raw_query, next.as_deref());
    let items = page
        .into_iter()
        .map(|t| to_bytes(&render::refresh_token(&store.base, &u.id, t, expand)));
    Ok(Reply::array(items, links))
}

/// `GET /api/v1/users/{userId}/clients/{clientId}/tokens/{tokenId}`.
pub(super) fn get_token(req: &Req<'_>, id: &str, client: &str, token: &str) -> ApiResult {
    let store = read(req.store);
    let u = &store.users[&find(&store, id)?];
    require_client(&store, client)?;
    let t = u
        .tokens
        .iter()
        .find(|t| t.id == token && t.client_id == client)
        .ok_or_else(|| ApiError::not_found(token, "OAuth2RefreshToken"))?;
    let expand = req.query.get("expand") == Some("scope");
    Ok(Reply::json(&render::refresh_token(
        &store.base,
        &u.id,
        t,
        expand,
    )))
}

/// `DELETE …/clients/{clientId}/tokens` (all) or `…/tokens/{tokenId}` (one).
pub(super) fn revoke_tokens(
    req: &Req<'_>,
    id: &str,
    client: &str,
    token: Option<&str>,
) -> ApiResult {
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    require_client(&store, client)?;
    let Some(u) = store.users.get_mut(&seq) else {
        return Err(ApiError::not_found(id, "User"));
    };
    let before = u.tokens.len();
    u.tokens
        .retain(|t| !(t.client_id == client && token.is_none_or(|x| t.id == x)));
    if token.is_some() && u.tokens.len() == before {
        return Err(ApiError::not_found(
            token.unwrap_or_default(),
            "OAuth2RefreshToken",
        ));
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

/// `DELETE /api/v1/users/{userId}/sessions` (`oauthTokens=true` also revokes refresh tokens).
pub(super) fn revoke_sessions(req: &Req<'_>, id: &str) -> ApiResult {
    let mut store = write(req.store);
    let seq = find(&store, id)?;
    if let Some(u) = store.users.get_mut(&seq) {
        u.sessions = 0;
        if req.query.flag("oauthTokens", false) {
            u.tokens.clear();
        }
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}
