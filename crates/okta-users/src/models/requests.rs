//! Request bodies: create, update/replace, change password, assign role.

use serde::{Deserialize, Serialize};

use super::enums::RoleType;
use super::profile::UserProfile;
use super::user::{
    AuthenticationProvider, PasswordCredential, PasswordCredentialHash, RecoveryQuestionCredential,
    UserCredentials, UserType,
};

/// The body of `createUser` (`CreateUserRequest`).
///
/// ```
/// use okta_users::models::{CreateUserRequest, UserProfile};
/// let profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
/// let body = CreateUserRequest::new(profile)
///     .password("correct horse battery staple")
///     .recovery_question("Favorite engine?", "Analytical")
///     .group_ids(["00g1", "00g2"]);
/// assert_eq!(body.group_ids.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateUserRequest<P = UserProfile> {
    /// `profile` of the new user.
    pub profile: P,
    /// `credentials`: password, recovery question, provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    /// `groupIds`: groups the user is added to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_ids: Vec<String>,
    /// `type`: the user type (the org's default type if `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<UserType>,
    /// `realmId`: the realm of the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<String>,
}

impl<P> CreateUserRequest<P> {
    /// A user with this profile and no credentials.
    pub fn new(profile: P) -> Self {
        CreateUserRequest {
            profile,
            credentials: None,
            group_ids: Vec::new(),
            r#type: None,
            realm_id: None,
        }
    }

    fn credentials_mut(&mut self) -> &mut UserCredentials {
        self.credentials
            .get_or_insert_with(UserCredentials::default)
    }

    /// Sets a plain-text password.
    #[must_use]
    pub fn password(mut self, value: impl Into<String>) -> Self {
        self.credentials_mut().password = Some(PasswordCredential::new(value));
        self
    }

    /// Imports a hashed password.
    #[must_use]
    pub fn password_hash(mut self, hash: PasswordCredentialHash) -> Self {
        self.credentials_mut().password = Some(PasswordCredential::hashed(hash));
        self
    }

    /// Verifies the password at first sign-in with the password import inline hook.
    #[must_use]
    pub fn password_hook(mut self) -> Self {
        self.credentials_mut().password = Some(PasswordCredential::hook("default"));
        self
    }

    /// Sets a recovery question and its answer.
    #[must_use]
    pub fn recovery_question(
        mut self,
        question: impl Into<String>,
        answer: impl Into<String>,
    ) -> Self {
        self.credentials_mut().recovery_question =
            Some(RecoveryQuestionCredential::new(question, answer));
        self
    }

    /// Sets the authentication provider (use with the `provider=true` query parameter).
    #[must_use]
    pub fn provider(mut self, provider: AuthenticationProvider) -> Self {
        self.credentials_mut().provider = Some(provider);
        self
    }

    /// Replaces the credentials.
    #[must_use]
    pub fn credentials(mut self, credentials: UserCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Adds the user to these groups.
    #[must_use]
    pub fn group_ids<I>(mut self, ids: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.group_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Creates the user with the user type `type_id`.
    #[must_use]
    pub fn user_type(mut self, type_id: impl Into<String>) -> Self {
        self.r#type = Some(UserType::new(type_id));
        self
    }

    /// Creates the user in the realm `realm_id`.
    #[must_use]
    pub fn realm_id(mut self, realm_id: impl Into<String>) -> Self {
        self.realm_id = Some(realm_id.into());
        self
    }
}

/// The body of `updateUser` (POST, partial) and `replaceUser` (PUT, whole)
/// (`UpdateUserRequest`).
///
/// With POST, only what is sent changes: profile attributes left out keep their value (send
/// an attribute as `null` to clear it). With PUT, the profile is replaced whole.
///
/// ```
/// use okta_users::models::{UpdateUserRequest, UserProfile};
/// let mut profile = UserProfile::default();
/// profile.title = Some("Countess".into());
/// let body = UpdateUserRequest::profile(profile);
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"profile":{"title":"Countess"}}"#);
/// let body = UpdateUserRequest::new().password("new password");
/// assert!(body.profile.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UpdateUserRequest<P = UserProfile> {
    /// `profile`: the attributes to set.
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub profile: Option<P>,
    /// `credentials`: a new password or recovery question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    /// `realmId`: moves the user to another realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<String>,
    /// `type`: changes the user type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<UserType>,
}

impl<P> Default for UpdateUserRequest<P> {
    fn default() -> Self {
        UpdateUserRequest {
            profile: None,
            credentials: None,
            realm_id: None,
            r#type: None,
        }
    }
}

impl UpdateUserRequest {
    /// An empty update of a [`UserProfile`] user; add credentials with the builder methods.
    /// (For another profile type: `UpdateUserRequest::<MyProfile>::default()`.)
    pub fn new() -> Self {
        Self::default()
    }
}

impl<P> UpdateUserRequest<P> {
    /// An update of the profile.
    pub fn profile(profile: P) -> Self {
        UpdateUserRequest {
            profile: Some(profile),
            ..Self::default()
        }
    }

    fn credentials_mut(&mut self) -> &mut UserCredentials {
        self.credentials
            .get_or_insert_with(UserCredentials::default)
    }

    /// Sets the profile.
    #[must_use]
    pub fn with_profile(mut self, profile: P) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Sets a new password (an admin setting it: no old password needed).
    #[must_use]
    pub fn password(mut self, value: impl Into<String>) -> Self {
        self.credentials_mut().password = Some(PasswordCredential::new(value));
        self
    }

    /// Sets a new recovery question and its answer.
    #[must_use]
    pub fn recovery_question(
        mut self,
        question: impl Into<String>,
        answer: impl Into<String>,
    ) -> Self {
        self.credentials_mut().recovery_question =
            Some(RecoveryQuestionCredential::new(question, answer));
        self
    }

    /// Replaces the credentials.
    #[must_use]
    pub fn credentials(mut self, credentials: UserCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Moves the user to the realm `realm_id`.
    #[must_use]
    pub fn realm_id(mut self, realm_id: impl Into<String>) -> Self {
        self.realm_id = Some(realm_id.into());
        self
    }

    /// Changes the user type to `type_id`.
    #[must_use]
    pub fn user_type(mut self, type_id: impl Into<String>) -> Self {
        self.r#type = Some(UserType::new(type_id));
        self
    }
}

/// The body of `changePassword` (`ChangePasswordRequest`). `Debug` redacts both passwords.
///
/// ```
/// use okta_users::models::ChangePasswordRequest;
/// let body = ChangePasswordRequest::new("old pw", "new pw").revoke_sessions(true);
/// assert!(!format!("{body:?}").contains("new pw"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChangePasswordRequest {
    /// `oldPassword`: the current password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_password: Option<PasswordCredential>,
    /// `newPassword`: the new password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_password: Option<PasswordCredential>,
    /// `revokeSessions`: end the user's other sessions (Okta's default: `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoke_sessions: Option<bool>,
}

impl ChangePasswordRequest {
    /// Changes `old_password` to `new_password`.
    pub fn new(old_password: impl Into<String>, new_password: impl Into<String>) -> Self {
        ChangePasswordRequest {
            old_password: Some(PasswordCredential::new(old_password)),
            new_password: Some(PasswordCredential::new(new_password)),
            revoke_sessions: None,
        }
    }

    /// Whether to end the user's other sessions.
    #[must_use]
    pub fn revoke_sessions(mut self, revoke: bool) -> Self {
        self.revoke_sessions = Some(revoke);
        self
    }
}

/// The body of `assignRoleToUser`: a standard role (`StandardRoleAssignmentSchema`) or a
/// custom role with its resource set (`CustomRoleAssignmentSchema`).
///
/// ```
/// use okta_users::models::{AssignRoleRequest, RoleType};
/// let standard = AssignRoleRequest::standard(RoleType::HelpDeskAdmin);
/// assert_eq!(serde_json::to_string(&standard).unwrap(), r#"{"type":"HELP_DESK_ADMIN"}"#);
/// let custom = AssignRoleRequest::custom("cr0Yq6IJxGIr0ouum0g3", "iamoJDFKaJxGIr0oamd9g");
/// assert_eq!(
///     serde_json::to_string(&custom).unwrap(),
///     r#"{"type":"CUSTOM","role":"cr0Yq6IJxGIr0ouum0g3","resource-set":"iamoJDFKaJxGIr0oamd9g"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssignRoleRequest {
    /// `type`: the role; [`RoleType::Custom`] for a custom role.
    pub r#type: RoleType,
    /// `role`: the custom role's id (custom roles only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `resource-set`: the resource set's id (custom roles only).
    #[serde(
        rename = "resource-set",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_set: Option<String>,
}

impl AssignRoleRequest {
    /// Assigns a standard role.
    pub fn standard(role: RoleType) -> Self {
        AssignRoleRequest {
            r#type: role,
            role: None,
            resource_set: None,
        }
    }

    /// Assigns the custom role `role_id` over the resource set `resource_set_id`.
    pub fn custom(role_id: impl Into<String>, resource_set_id: impl Into<String>) -> Self {
        AssignRoleRequest {
            r#type: RoleType::Custom,
            role: Some(role_id.into()),
            resource_set: Some(resource_set_id.into()),
        }
    }
}

impl From<RoleType> for AssignRoleRequest {
    fn from(role: RoleType) -> Self {
        AssignRoleRequest::standard(role)
    }
}
