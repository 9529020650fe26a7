//! OAuth 2.0 clients, scope consent grants and refresh tokens of a user.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::enums::{GrantOrTokenStatus, OAuth2ScopeConsentGrantSource};
use super::links::Links;

/// A client app the user has granted access to (`OAuth2Client`). Its JSON names are
/// `snake_case`, as in the spec.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuth2Client {
    /// `client_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `client_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// `client_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    /// `logo_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// `_links`: `self`, `grants`, `tokens`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

/// Who created a grant or token (`OAuth2Actor`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuth2Actor {
    /// `id` of the actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `type` of the actor, e.g. `User`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

/// A scope the user consented to for a client (`OAuth2ScopeConsentGrant`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OAuth2ScopeConsentGrant {
    /// `id` of the grant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `clientId`: the client the grant is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `created`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    /// `createdBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<OAuth2Actor>,
    /// `issuer`: the authorization server's issuer URL. Required by the spec.
    pub issuer: String,
    /// `lastUpdated`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// `scopeId`: the granted scope, e.g. `okta.users.read`. Required by the spec.
    pub scope_id: String,
    /// `source`: who granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<OAuth2ScopeConsentGrantSource>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<GrantOrTokenStatus>,
    /// `userId`: the user who granted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `_embedded`: e.g. the `scope` with `expand=scope`.
    #[serde(rename = "_embedded", default, skip_serializing_if = "Map::is_empty")]
    pub embedded: Map<String, Value>,
    /// `_links`: `self`, `app`, `client`, `scope`, `user`, `authorizationServer`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

/// A refresh token issued to a client for the user (`OAuth2RefreshToken`). It describes the
/// token; the token value itself is never returned.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OAuth2RefreshToken {
    /// `id` of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `clientId`: the client the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// `created`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    /// `createdBy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<OAuth2Actor>,
    /// `expiresAt`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<OffsetDateTime>,
    /// `issuer`: the authorization server's issuer URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `lastUpdated`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// `scopes` of the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<GrantOrTokenStatus>,
    /// `userId`: the token's user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `_embedded`: e.g. `scopes` with `expand=scope`.
    #[serde(rename = "_embedded", default, skip_serializing_if = "Map::is_empty")]
    pub embedded: Map<String, Value>,
    /// `_links`: `self`, `app`, `revoke`, `client`, `user`, `authorizationServer`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}
