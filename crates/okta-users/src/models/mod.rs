//! The data models of the Users API: resources, request bodies and responses, named after
//! the schemas of Okta's OpenAPI spec.
//!
//! Conventions:
//! - JSON names follow the spec (`camelCase`, a few `snake_case` OAuth fields, `resource-set`);
//!   Rust fields are their `snake_case` (`type` is `r#type`, `_links` is `links`,
//!   `_embedded` is `embedded`).
//! - Optional attributes are `Option`s, left out of the JSON when `None`; `Some(false)` is
//!   sent as `false`.
//! - Timestamps are [`time::OffsetDateTime`] (RFC 3339).
//! - Every enum is open: a value Okta adds later decodes to `Other(String)` and is sent back
//!   unchanged (see [`UserStatus`]).
//! - Okta adds properties and values without notice, so the models and enums are
//!   `#[non_exhaustive]`: build them with their constructors (or `Default`) and set fields, and
//!   match enums with a wildcard arm.
//! - A field Okta always sends and the spec requires (a resource's `id`, a role's `type`, a
//!   grant's `issuer` and `scopeId`) is required: a response without it is
//!   [`Error::Decode`](crate::Error::Decode), never an empty value. (A link's `href` stays
//!   optional: the spec's own custom-role example sends one without it.)
//! - Secrets (password values, recovery answers, activation and reset tokens and links,
//!   temporary passwords) never appear in `Debug` output: it prints `<redacted>`.
//!
//! # Custom profile attributes
//!
//! [`UserProfile`] has Okta's standard attributes as typed fields and keeps every custom
//! attribute of your org's schema as JSON: read it with [`UserProfile::custom`], set it with
//! [`UserProfile::set_custom`]. A profile read and sent back keeps all of them, unchanged.
//!
//! To work with typed custom attributes instead, declare your own profile struct with the
//! attributes you need and use it as the `P` of [`User<P>`](User),
//! [`CreateUserRequest<P>`](CreateUserRequest) and [`UpdateUserRequest<P>`](UpdateUserRequest):
//!
//! ```
//! use okta_users::models::{CreateUserRequest, User};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Debug, Clone, Serialize, Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct EmployeeProfile {
//!     login: String,
//!     email: String,
//!     first_name: Option<String>,
//!     last_name: Option<String>,
//!     // custom attributes of the org's user schema
//!     employee_badge: Option<String>,
//!     #[serde(default)]
//!     clearance_level: u8,
//! }
//!
//! let user: User<EmployeeProfile> = serde_json::from_str(r#"{
//!     "id": "00u1", "status": "ACTIVE",
//!     "profile": {"login": "ada@example.com", "email": "ada@example.com",
//!                 "employeeBadge": "A-1", "clearanceLevel": 3, "nickName": "Ada"}
//! }"#).unwrap();
//! assert_eq!(user.profile.clearance_level, 3);
//!
//! let body = CreateUserRequest::new(user.profile.clone()).password("s3cret!");
//! # let _ = body;
//! ```
//!
//! Such a struct drops the attributes it does not declare (`nickName` above). Send it with a
//! partial update (`POST`), which leaves the other attributes as they are — not with a
//! replace (`PUT`), which would clear them. Or keep the rest too with a
//! `#[serde(flatten)] rest: serde_json::Map<String, serde_json::Value>` field, at a cost in
//! decoding speed.

mod app;
mod enums;
mod group;
mod idp;
mod lifecycle;
mod links;
mod lossless;
mod oauth;
mod open_enum;
mod profile;
pub(crate) mod raw_json_map;
mod requests;
mod role;
mod secret;
mod user;

#[cfg(test)]
mod tests;

/// Decodes a JSON body the way the façade decodes Okta's responses: the bytes are checked as
/// UTF-8 once, then parsed as text, so that no string is checked again as it is read (about a
/// tenth of the time of decoding a page of users). Invalid UTF-8 is reported where it is.
#[doc(hidden)] // the façade's internals, public for the decode benches
pub fn from_json_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// Decodes a list page as the façade does for a request with `limit`: room for `limit`
/// items reserved first, and refused past `limit` items.
#[doc(hidden)] // the façade's internals, public for the decode benches
pub fn from_json_page<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    limit: usize,
) -> serde_json::Result<Vec<T>> {
    decode_page(bytes, limit, limit).map_err(|error| match error {
        PageDecodeError::Json(error) => error,
        PageDecodeError::TooManyItems => {
            serde::de::Error::custom(format!("more than {limit} items"))
        }
    })
}

/// The most items [`decode_page`] reserves room for up front, whatever `reserve` says.
const MAX_RESERVED_ITEMS: usize = 1000;

/// Why a list page was not decoded.
#[derive(Debug)]
pub(crate) enum PageDecodeError {
    /// The array holds more than the items allowed; nothing after the first extra one was read.
    TooManyItems,
    /// The body is not a JSON array of the expected items.
    Json(serde_json::Error),
}

/// Decodes a JSON array as [`from_json_slice`] does, with room for `reserve` items made first
/// (at most 1000: a list page holds up to the `limit` asked for, and a `Vec` of ~1.3 KB users
/// grown by doubling copies the users already read each time it grows, 1–2 % of decoding a
/// 200-user page), and refused as soon as it holds a value past `max_items`: the extra value is
/// skipped, not decoded, and the rest of the body is not read.
pub(crate) fn decode_page<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    reserve: usize,
    max_items: usize,
) -> Result<Vec<T>, PageDecodeError> {
    let overflow = std::cell::Cell::new(false);
    let seed = PageSeed {
        reserve: reserve.min(MAX_RESERVED_ITEMS),
        max_items,
        overflow: &overflow,
        item: std::marker::PhantomData,
    };
    let decoded = match std::str::from_utf8(bytes) {
        Ok(text) => decode_with(seed, &mut serde_json::Deserializer::from_str(text)),
        Err(_) => decode_with(seed, &mut serde_json::Deserializer::from_slice(bytes)),
    };
    decoded.map_err(|error| {
        if overflow.get() {
            PageDecodeError::TooManyItems
        } else {
            PageDecodeError::Json(error)
        }
    })
}

fn decode_with<'de, R: serde_json::de::Read<'de>, T: serde::de::DeserializeOwned>(
    seed: PageSeed<'_, T>,
    deserializer: &mut serde_json::Deserializer<R>,
) -> serde_json::Result<Vec<T>> {
    let items = serde::de::DeserializeSeed::deserialize(seed, &mut *deserializer)?;
    deserializer.end()?;
    Ok(items)
}

/// A JSON array into a `Vec`, counting: at most `max_items` items.
struct PageSeed<'a, T> {
    reserve: usize,
    max_items: usize,
    overflow: &'a std::cell::Cell<bool>,
    item: std::marker::PhantomData<T>,
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::DeserializeSeed<'de> for PageSeed<'_, T> {
    type Value = Vec<T>;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, T: serde::de::DeserializeOwned> serde::de::Visitor<'de> for PageSeed<'_, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(self.reserve);
        while items.len() < self.max_items {
            match seq.next_element()? {
                Some(item) => items.push(item),
                None => return Ok(items),
            }
        }
        // One more value of any kind, skipped rather than decoded, is one too many.
        if seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
            self.overflow.set(true);
            return Err(serde::de::Error::custom(format_args!(
                "more than {} items",
                self.max_items
            )));
        }
        Ok(items)
    }
}

/// The storage of profile attributes: a string of up to 24 bytes is held inline (most are),
/// a longer one on the heap. It derefs to `str`; build one with `.into()` from a `&str` or a
/// `String`, or read a field as `&str` with its accessor (`profile.city()`).
pub use compact_str::CompactString;

pub use app::{AppLink, CatalogApplication};
pub use enums::{
    AuthenticationProviderType, CatalogApplicationStatus, DigestAlgorithm, GrantOrTokenStatus,
    GroupType, IdentityProviderIssuerMode, IdentityProviderType, LifecycleStatus,
    OAuth2ScopeConsentGrantSource, PasswordCredentialHashAlgorithm, RoleAssignmentType, RoleType,
    UserNextLogin, UserStatus,
};
pub use group::Group;
pub use idp::IdentityProvider;
pub use lifecycle::{
    ForgotPasswordResponse, ResetPasswordToken, TempPassword, UserActivationToken,
};
pub use links::{HrefHints, HrefObject, LinkValue, LinkedObject, Links};
pub use oauth::{OAuth2Actor, OAuth2Client, OAuth2RefreshToken, OAuth2ScopeConsentGrant};
pub use profile::{GroupProfile, UserProfile};
pub use raw_json_map::RawJsonMap;
pub use requests::{
    AssignRoleRequest, ChangePasswordRequest, CreateUserRequest, UpdateUserRequest,
};
pub use role::Role;
pub use user::{
    AuthenticationProvider, PasswordCredential, PasswordCredentialHash, PasswordCredentialHook,
    RecoveryQuestionCredential, User, UserCredentialEmail, UserCredentials, UserType,
};
