//! [`ETag`]: the entity tag Okta sends with a user, for optimistic concurrency with `If-Match`.

use std::fmt;

/// The entity tag of one version of a user, from the `ETag` header of the response that
/// carried it (`W/"…"` or `"…"`, kept as sent).
///
/// Okta sends one with a single user — [`Users::get`](crate::Users::get), `create`, `update`,
/// `replace`, `expire_password` — and the façade puts it on the returned
/// [`User::etag`](crate::models::User::etag) (a user from a list has none). Hand it back with
/// [`UpdateUser::if_match`](crate::ops::user::UpdateUser::if_match): the update is refused
/// with a 412 ([`Error::is_precondition_failed`](crate::Error::is_precondition_failed)) if the
/// user changed in between. A read–modify–write that never overwrites a concurrent change
/// (`examples/optimistic_concurrency.rs` runs it against the mock org):
///
/// ```no_run
/// # async fn run(users: okta_users::Users<impl okta_users::HttpService>) -> okta_users::Result<()> {
/// use okta_users::models::UpdateUserRequest;
/// loop {
///     let user = users.get("00u1").await?;
///     let etag = user.etag.clone().expect("Okta sends one with a user");
///     let mut profile = user.profile;
///     profile.title = Some(format!("{} (retired)", profile.title().unwrap_or_default()).into());
///     match users.replace("00u1", UpdateUserRequest::profile(profile)).if_match(&etag).await {
///         Err(error) if error.is_precondition_failed() => continue, // changed meanwhile: again
///         done => break done.map(drop),
///     }
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ETag(String);

impl ETag {
    /// An entity tag as a header carries it, e.g. `W/"0d3a…"`.
    pub fn new(value: impl Into<String>) -> Self {
        ETag(value.into())
    }

    /// The tag as sent, quotes and `W/` included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is a weak tag (`W/"…"`), as Okta's are.
    pub fn is_weak(&self) -> bool {
        self.0.starts_with("W/")
    }

    /// The `ETag` of a response, if it has one that is visible ASCII.
    pub(crate) fn from_headers(headers: &http::HeaderMap) -> Option<Self> {
        let value = headers.get(http::header::ETAG)?.to_str().ok()?.trim();
        (!value.is_empty()).then(|| ETag(value.to_owned()))
    }
}

impl fmt::Display for ETag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<ETag> for String {
    fn from(tag: ETag) -> Self {
        tag.0
    }
}

impl From<&ETag> for String {
    fn from(tag: &ETag) -> Self {
        tag.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_kept_as_sent() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(ETag::from_headers(&headers), None);
        headers.insert(http::header::ETAG, "W/\"abc\"".parse().unwrap());
        let tag = ETag::from_headers(&headers).unwrap();
        assert_eq!(tag.as_str(), "W/\"abc\"");
        assert!(tag.is_weak());
        assert_eq!(String::from(&tag), "W/\"abc\"");
        headers.insert(http::header::ETAG, "  ".parse().unwrap());
        assert_eq!(ETag::from_headers(&headers), None);
    }
}
