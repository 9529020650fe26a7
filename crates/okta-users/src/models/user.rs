//! The user resource and its credentials.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::enums::{
    AuthenticationProviderType, DigestAlgorithm, PasswordCredentialHashAlgorithm, UserStatus,
};
use super::links::Links;
use super::profile::UserProfile;
use super::secret::Redacted;

/// A user (`User`, `UserGetSingleton`), generic over its profile type.
///
/// `P` is [`UserProfile`] (standard attributes + lossless custom ones) unless you decode
/// into your own profile struct (see [the module docs](super)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User<P = UserProfile> {
    /// `id`: the user's unique id, e.g. `00ub0oNGTSWTBKOLGLNR`. Required: a user without one
    /// is a decode error.
    pub id: String,
    /// `status`: the lifecycle status.
    pub status: UserStatus,
    /// `created`.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created: Option<OffsetDateTime>,
    /// `activated`: when the user was activated (`null` if never).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub activated: Option<OffsetDateTime>,
    /// `statusChanged`: when `status` last changed.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_changed: Option<OffsetDateTime>,
    /// `lastLogin`: the last sign-in (`null` if never).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_login: Option<OffsetDateTime>,
    /// `lastUpdated`: the last change of the user.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_updated: Option<OffsetDateTime>,
    /// `passwordChanged`: the last password change (`null` if never).
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub password_changed: Option<OffsetDateTime>,
    /// `type`: the user type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<UserType>,
    /// `profile`: the user's attributes.
    pub profile: P,
    /// `credentials`: password, recovery question and provider (never with secret values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<UserCredentials>,
    /// `realmId`: the realm the user belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<String>,
    /// `transitioningToStatus`: the target status of an asynchronous transition in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transitioning_to_status: Option<UserStatus>,
    /// `_embedded`: resources embedded by `expand` (e.g. `blocks`).
    #[serde(rename = "_embedded", default, skip_serializing_if = "Map::is_empty")]
    pub embedded: Map<String, Value>,
    /// `_links`: operations and resources related to the user (`self`, `activate`, ...).
    #[serde(rename = "_links", default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
}

impl<P> User<P> {
    /// A user holding just a status and a profile (handy in tests and mocks).
    pub fn new(id: impl Into<String>, status: UserStatus, profile: P) -> Self {
        User {
            id: id.into(),
            status,
            created: None,
            activated: None,
            status_changed: None,
            last_login: None,
            last_updated: None,
            password_changed: None,
            r#type: None,
            profile,
            credentials: None,
            realm_id: None,
            transitioning_to_status: None,
            embedded: Map::new(),
            links: Links::default(),
        }
    }
}

/// A user type reference (`type` of a user: `{"id": "oty..."}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserType {
    /// `id` of the user type.
    #[serde(default)]
    pub id: String,
}

impl UserType {
    /// A reference to the user type `id`.
    pub fn new(id: impl Into<String>) -> Self {
        UserType { id: id.into() }
    }
}

/// A user's credentials (`UserCredentials`): also the body of `changeRecoveryQuestion`.
///
/// ```
/// use okta_users::models::UserCredentials;
/// // changeRecoveryQuestion: the current password proves it's the user
/// let body = UserCredentials::new().password("current pw").recovery_question("Pet?", "Rex");
/// assert!(!format!("{body:?}").contains("Rex"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserCredentials {
    /// `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<PasswordCredential>,
    /// `recovery_question`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_question: Option<RecoveryQuestionCredential>,
    /// `provider`: who authenticates the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<AuthenticationProvider>,
    /// `emails`: the user's email addresses and whether they are verified (read-only; in
    /// Okta's responses, not in the spec's schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emails: Option<Vec<UserCredentialEmail>>,
}

/// An email address of a user's credentials (`credentials.emails[]`, read-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UserCredentialEmail {
    /// `value`: the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `status`, e.g. `VERIFIED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// `type`, e.g. `PRIMARY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

impl UserCredentials {
    /// No credentials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a plain-text password.
    #[must_use]
    pub fn password(mut self, value: impl Into<String>) -> Self {
        self.password = Some(PasswordCredential::new(value));
        self
    }

    /// Sets a recovery question and its answer.
    #[must_use]
    pub fn recovery_question(
        mut self,
        question: impl Into<String>,
        answer: impl Into<String>,
    ) -> Self {
        self.recovery_question = Some(RecoveryQuestionCredential::new(question, answer));
        self
    }

    /// Sets the authentication provider.
    #[must_use]
    pub fn provider(mut self, provider: AuthenticationProvider) -> Self {
        self.provider = Some(provider);
        self
    }
}

/// A password (`PasswordCredential`): a plain-text value, an imported hash, or an import
/// inline hook. Okta never returns the value: a read user has `"password": {}`.
///
/// `Debug` prints `<redacted>` instead of the value.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PasswordCredential {
    /// `value`: the plain-text password (write-only, a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `hash`: an imported password hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<PasswordCredentialHash>,
    /// `hook`: verify the password with a password import inline hook at first sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<PasswordCredentialHook>,
}

impl PasswordCredential {
    /// A plain-text password.
    pub fn new(value: impl Into<String>) -> Self {
        PasswordCredential {
            value: Some(value.into()),
            ..Self::default()
        }
    }

    /// An imported password hash.
    pub fn hashed(hash: PasswordCredentialHash) -> Self {
        PasswordCredential {
            hash: Some(hash),
            ..Self::default()
        }
    }

    /// A password import inline hook of type `hook_type` (Okta's only type: `default`).
    pub fn hook(hook_type: impl Into<String>) -> Self {
        let hook = PasswordCredentialHook {
            r#type: Some(hook_type.into()),
        };
        PasswordCredential {
            hook: Some(hook),
            ..Self::default()
        }
    }
}

impl fmt::Debug for PasswordCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordCredential")
            .field("value", &Redacted(&self.value))
            .field("hash", &self.hash)
            .field("hook", &self.hook)
            .finish()
    }
}

/// An imported password hash (`PasswordCredentialHash`).
///
/// `Debug` prints `<redacted>` instead of `value` and `salt`.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasswordCredentialHash {
    /// `algorithm` of the hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<PasswordCredentialHashAlgorithm>,
    /// `digestAlgorithm` (PBKDF2 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_algorithm: Option<DigestAlgorithm>,
    /// `iterationCount` (PBKDF2 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iteration_count: Option<u32>,
    /// `keySize` in bytes (PBKDF2 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_size: Option<u32>,
    /// `salt`, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// `saltOrder`: `PREFIX` or `POSTFIX`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt_order: Option<String>,
    /// `value`: the hash, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `workFactor` (BCRYPT only, 1–20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_factor: Option<u32>,
}

impl fmt::Debug for PasswordCredentialHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordCredentialHash")
            .field("algorithm", &self.algorithm)
            .field("digest_algorithm", &self.digest_algorithm)
            .field("iteration_count", &self.iteration_count)
            .field("key_size", &self.key_size)
            .field("salt", &Redacted(&self.salt))
            .field("salt_order", &self.salt_order)
            .field("value", &Redacted(&self.value))
            .field("work_factor", &self.work_factor)
            .finish()
    }
}

/// A password import inline hook (`PasswordCredentialHook`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordCredentialHook {
    /// `type`: `default`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
}

/// A recovery question (`RecoveryQuestionCredential`). Okta never returns the answer.
///
/// `Debug` prints `<redacted>` instead of the answer.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecoveryQuestionCredential {
    /// `question`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// `answer` (write-only, a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

impl RecoveryQuestionCredential {
    /// A question and its answer.
    pub fn new(question: impl Into<String>, answer: impl Into<String>) -> Self {
        RecoveryQuestionCredential {
            question: Some(question.into()),
            answer: Some(answer.into()),
        }
    }
}

impl fmt::Debug for RecoveryQuestionCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryQuestionCredential")
            .field("question", &self.question)
            .field("answer", &Redacted(&self.answer))
            .finish()
    }
}

/// Who authenticates a user (`AuthenticationProvider`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthenticationProvider {
    /// `name`: e.g. `OKTA`, or the name of the directory or IdP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `type` of the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<AuthenticationProviderType>,
}

impl AuthenticationProvider {
    /// A provider of type `provider_type`, optionally named.
    pub fn new(provider_type: AuthenticationProviderType, name: Option<String>) -> Self {
        AuthenticationProvider {
            name,
            r#type: Some(provider_type),
        }
    }
}
