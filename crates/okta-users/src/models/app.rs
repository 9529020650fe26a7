//! App links and catalog applications.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::enums::CatalogApplicationStatus;
use super::links::Links;

/// An app on the user's dashboard (`AssignedAppLink`), from `listAppLinks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AppLink {
    /// `id` of the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `appAssignmentId`: the user's assignment to the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_assignment_id: Option<String>,
    /// `appInstanceId`: the app instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_instance_id: Option<String>,
    /// `appName`: the app's catalog name, e.g. `google`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// `credentialsSetup`: whether the user's credentials for the app are set up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_setup: Option<bool>,
    /// `hidden`: whether the link is hidden from the dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// `label` shown on the dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `linkUrl`: where the link signs the user in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_url: Option<String>,
    /// `logoUrl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// `sortOrder` on the dashboard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<i64>,
}

/// An application of the Okta Integration Network catalog (`CatalogApplication`): a target
/// of an app admin role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CatalogApplication {
    /// `id` of the catalog app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `name`: the app's key, e.g. `salesforce`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `displayName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `category`, e.g. `CRM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `features`, e.g. `IMPORT_NEW_USERS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<Vec<String>>,
    /// `signOnModes`, e.g. `SAML_2_0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_on_modes: Option<Vec<String>>,
    /// `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CatalogApplicationStatus>,
    /// `verificationStatus`, e.g. `OKTA_VERIFIED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_status: Option<String>,
    /// `website`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// `lastUpdated`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// `_links`: `self` and `logo`.
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}
