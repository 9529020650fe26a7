//! The org's resources as plain records. Rendering to Okta's JSON lives in `render`.

use bytes::Bytes;
use http::HeaderValue;
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// A user's lifecycle status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Staged,
    Provisioned,
    Active,
    Recovery,
    PasswordExpired,
    LockedOut,
    Suspended,
    Deprovisioned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Staged => "STAGED",
            Status::Provisioned => "PROVISIONED",
            Status::Active => "ACTIVE",
            Status::Recovery => "RECOVERY",
            Status::PasswordExpired => "PASSWORD_EXPIRED",
            Status::LockedOut => "LOCKED_OUT",
            Status::Suspended => "SUSPENDED",
            Status::Deprovisioned => "DEPROVISIONED",
        }
    }
}

/// A role assigned to a user, with its targets.
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub id: String,
    pub kind: String,
    pub custom: Option<(String, String)>, // (role id, resource-set id) for CUSTOM roles
    pub created: OffsetDateTime,
    /// Catalog app targets: (appName, Some(app instance id) or None for every instance).
    pub app_targets: Vec<(u64, String, Option<String>)>,
    pub group_targets: Vec<(u64, String)>,
}

/// An OAuth 2.0 scope consent grant.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub seq: u64,
    pub id: String,
    pub client_id: String,
    pub scope_id: String,
    pub created: OffsetDateTime,
    pub source: &'static str,
}

/// A refresh token issued to a client for a user.
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub seq: u64,
    pub id: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub created: OffsetDateTime,
    pub expires: OffsetDateTime,
}

/// A user and everything hanging off it.
#[derive(Debug, Clone)]
pub(crate) struct User {
    /// Immutable creation order; list cursors point into it.
    pub seq: u64,
    pub id: String,
    pub status: Status,
    pub created: OffsetDateTime,
    pub activated: Option<OffsetDateTime>,
    pub status_changed: Option<OffsetDateTime>,
    pub last_login: Option<OffsetDateTime>,
    pub last_updated: OffsetDateTime,
    pub password_changed: Option<OffsetDateTime>,
    pub profile: Map<String, Value>,
    pub password: Option<String>,
    pub recovery: Option<(String, String)>,
    pub provider: (String, String),
    pub type_id: String,
    pub groups: Vec<usize>,
    pub apps: Vec<AppAssignment>,
    pub idps: Vec<usize>,
    pub roles: Vec<Role>,
    pub grants: Vec<Grant>,
    pub tokens: Vec<RefreshToken>,
    pub sessions: u32,
    pub factors: u32,
    /// One-time recovery tokens issued (forgot password, reset password).
    pub recovery_tokens: u32,
    /// Pre-rendered JSON: the full user and the list form (only a `self` link).
    pub json: Bytes,
    pub json_list: Bytes,
    /// The weak entity tag of `json`: it changes whenever the user's representation does.
    pub etag: HeaderValue,
}

/// An app assigned to a user: the app (an index into the org's apps), the assignment's id
/// (`appAssignmentId`) and its link's id, each unique in the org.
#[derive(Debug, Clone)]
pub(crate) struct AppAssignment {
    pub app: usize,
    pub assignment_id: String,
    pub link_id: String,
}

impl User {
    pub fn login(&self) -> &str {
        self.profile
            .get("login")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// A group users belong to.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub id: String,
    pub name: String,
    pub description: String,
    pub built_in: bool,
    pub created: OffsetDateTime,
}

/// An app instance (also an OAuth client when `oauth` is set).
#[derive(Debug, Clone)]
pub(crate) struct App {
    pub id: String,
    pub name: String,
    pub label: String,
    pub oauth: bool,
}

/// An OIN catalog app, a target for APP_ADMIN roles.
#[derive(Debug, Clone)]
pub(crate) struct CatalogApp {
    pub name: &'static str,
    pub display: &'static str,
    pub category: &'static str,
}

/// An identity provider.
#[derive(Debug, Clone)]
pub(crate) struct Idp {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub protocol: &'static str,
    pub created: OffsetDateTime,
}

/// A linked-object definition: a primary name and its associated name.
#[derive(Debug, Clone)]
pub(crate) struct LinkDef {
    pub primary: String,
    pub associated: String,
}
