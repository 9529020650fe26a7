//! Groups.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::enums::GroupType;
use super::links::Links;
use super::profile::GroupProfile;

/// A group (`Group`): from `listUserGroups` and the group targets of a role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Group {
    /// `id` of the group. Required: a group without one is a decode error.
    pub id: String,
    /// `created`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    /// `lastUpdated`: the last change of the group's profile.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// `lastMembershipUpdated`: the last change of the group's members.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_membership_updated: Option<OffsetDateTime>,
    /// `objectClass`: determines the profile's schema, e.g. `okta:user_group`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_class: Option<Vec<String>>,
    /// `type` of the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<GroupType>,
    /// `profile`: name, description and custom attributes.
    #[serde(default)]
    pub profile: GroupProfile,
    /// `_embedded`: e.g. `stats` and `app` with `expand`.
    #[serde(rename = "_embedded", default, skip_serializing_if = "Map::is_empty")]
    pub embedded: Map<String, Value>,
    /// `_links`: `self`, `apps`, `logo`, `source`, `users`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}
