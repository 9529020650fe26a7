//! Admin role assignments.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::enums::{LifecycleStatus, RoleAssignmentType, RoleType};
use super::links::Links;

/// A role assigned to the user: a standard role (`StandardRole`) or a custom or IAM-based
/// one (`CustomRole`, with `role` and `resource-set`), decoded by the same struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Role {
    /// `id` of the role assignment (used to unassign it and manage its targets). Required: a
    /// role without one is a decode error.
    pub id: String,
    /// `label`: the role's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `type` of the role ([`RoleType::Custom`] for a custom role). Required by the spec.
    pub r#type: RoleType,
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
    /// `assignmentType`: assigned to the user directly, through a group, or to a client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment_type: Option<RoleAssignmentType>,
    /// `resource-set`: the resource set's id (custom and IAM-based roles).
    #[serde(
        rename = "resource-set",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_set: Option<String>,
    /// `role`: the custom role's id (custom and IAM-based roles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `_embedded`: e.g. `targets` with `expand`.
    #[serde(rename = "_embedded", default, skip_serializing_if = "Map::is_empty")]
    pub embedded: Map<String, Value>,
    /// `_links`: `assignee`, and `resource-set`, `role`, `permissions`, `member` for custom roles.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

impl Role {
    /// A role assignment `id` of the role `role_type`, with nothing else set.
    pub fn new(id: impl Into<String>, role_type: RoleType) -> Self {
        Role {
            id: id.into(),
            label: None,
            r#type: role_type,
            status: None,
            created: None,
            last_updated: None,
            assignment_type: None,
            resource_set: None,
            role: None,
            embedded: Map::new(),
            links: Links::default(),
        }
    }

    /// `true` for a custom role (`type` `CUSTOM`).
    pub fn is_custom(&self) -> bool {
        self.r#type == RoleType::Custom
    }
}
