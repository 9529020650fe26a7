//! Identity providers.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use super::enums::{IdentityProviderIssuerMode, IdentityProviderType, LifecycleStatus};
use super::links::Links;

/// An identity provider the user is linked to (`IdentityProvider`), from
/// `listUserIdentityProviders`.
///
/// The deeply nested, type-specific `protocol`, `policy` and `properties` are kept as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct IdentityProvider {
    /// `id` of the IdP. Required: an IdP without one is a decode error.
    pub id: String,
    /// `name` of the IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `type` of the IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<IdentityProviderType>,
    /// `issuerMode`: which domain Okta uses in requests to the IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_mode: Option<IdentityProviderIssuerMode>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<LifecycleStatus>,
    /// `created`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    /// `lastUpdated`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// `protocol`: endpoints, bindings, algorithms and credentials (by protocol `type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Value>,
    /// `policy`: provisioning, account linking and subject matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Value>,
    /// `properties`: IdP-type-specific settings (`null` reads as `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<Value>,
    /// `_links`: `self`, `authorize`, `clientRedirectUri`, `metadata`, `acs`, `users`, ...
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}
