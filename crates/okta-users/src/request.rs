//! Building requests: operation names, path segments that cannot escape, query strings.

use bytes::Bytes;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use crate::endpoints::Endpoint;
use crate::error::{Error, Result};

/// The operation a request performs, carried in the request's extensions so that middleware can
/// name spans and metrics after it and judge whether it is safe to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// A dotted name for spans and metrics, e.g. `okta.users.list`.
    pub name: &'static str,
    /// Okta's operationId in its OpenAPI spec, e.g. `listUsers`.
    pub operation_id: &'static str,
    /// Whether repeating the request after an ambiguous failure can do more than sending it
    /// once, or report the first one's effect as a failure, although its HTTP method is
    /// idempotent: Okta's `DELETE /api/v1/users/{id}` deactivates a user the first time and
    /// deletes it the second; a `DELETE` of one role assignment, role target, grant or refresh
    /// token answers 404 once it is gone. A retry layer treats such a request like a POST, and
    /// the façade [reconciles](crate::reconcile) it instead.
    pub non_idempotent: bool,
}

impl Operation {
    /// Creates an operation description.
    pub const fn new(name: &'static str, operation_id: &'static str) -> Self {
        Operation {
            name,
            operation_id,
            non_idempotent: false,
        }
    }

    /// Marks the operation as unsafe to repeat whatever its HTTP method.
    pub const fn non_idempotent(mut self) -> Self {
        self.non_idempotent = true;
        self
    }
}

// Everything but RFC 3986 unreserved characters and a few sub-delims is encoded, '/' and '%'
// included, so one argument always stays one path segment.
pub(crate) const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'&')
    .add(b'+')
    .add(b'=')
    .add(b';');

const QUERY_VALUE: &AsciiSet = &SEGMENT
    .add(b',')
    .add(b'\'')
    .add(b'!')
    .add(b'(')
    .add(b')')
    .add(b'*')
    .add(b'$');

/// Checks that `value` is usable as one path segment: not empty, not `.` or `..`, no control
/// characters, no white space at either end. `what` names the segment in the error.
pub(crate) fn check_segment(what: &'static str, value: &str) -> Result<()> {
    let invalid = |reason: &str| {
        Err(Error::InvalidInput {
            what,
            reason: reason.to_owned(),
        })
    };
    if value.is_empty() {
        return invalid("must not be empty");
    }
    if value.trim() != value {
        return invalid("must not start or end with white space");
    }
    if value == "." || value == ".." {
        return invalid("must not be `.` or `..`");
    }
    if value.chars().any(char::is_control) {
        return invalid("must not contain control characters");
    }
    Ok(())
}

/// A request under construction: the endpoint it sends, the encoded path, the query, extra
/// headers and an optional JSON body.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub(crate) endpoint: &'static Endpoint,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    pub(crate) body: Option<Bytes>,
}

impl ApiRequest {
    /// A request to `endpoint`, its path filled with `segments` (see [`Endpoint::fill_path`])
    /// and its query started with the endpoint's fixed parameters.
    pub(crate) fn new(endpoint: &'static Endpoint, segments: &[&str]) -> Result<Self> {
        Ok(ApiRequest {
            endpoint,
            path: endpoint.fill_path(segments)?,
            query: endpoint.query.to_owned(),
            headers: Vec::new(),
            body: None,
        })
    }

    /// The request for the next page of a list: `path_and_query` as the previous page's
    /// `rel="next"` link gave it.
    pub(crate) fn next_page(endpoint: &'static Endpoint, path_and_query: String) -> Self {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path.to_owned(), query.to_owned()),
            None => (path_and_query, String::new()),
        };
        ApiRequest {
            endpoint,
            path,
            query,
            headers: Vec::new(),
            body: None,
        }
    }

    /// The `limit` query parameter, if the request has a numeric one: the most items its page
    /// holds.
    pub(crate) fn limit(&self) -> Option<usize> {
        form_urlencoded::parse(self.query.as_bytes())
            .find(|(name, _)| name == "limit")
            .and_then(|(_, limit)| limit.parse().ok())
    }

    /// Appends `name=value` to the query, percent-encoding the value.
    pub(crate) fn query(&mut self, name: &str, value: impl std::fmt::Display) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.push_str(name);
        self.query.push('=');
        let value = value.to_string();
        self.query.extend(utf8_percent_encode(&value, QUERY_VALUE));
    }

    /// Appends `name=value` when `value` is set.
    pub(crate) fn query_opt<T: std::fmt::Display>(&mut self, name: &str, value: Option<T>) {
        if let Some(value) = value {
            self.query(name, value);
        }
    }

    /// Adds a request header, such as `If-Match` or `Prefer`; a value that is not a valid header
    /// value is refused.
    pub(crate) fn header(&mut self, name: http::HeaderName, value: &str) -> Result<()> {
        let value = http::HeaderValue::from_str(value).map_err(|_| Error::InvalidInput {
            what: "header value",
            reason: format!("`{name}` must be visible ASCII"),
        })?;
        self.headers.push((name, value));
        Ok(())
    }

    /// Sets a JSON body.
    pub(crate) fn json<T: Serialize + ?Sized>(&mut self, body: &T) -> Result<()> {
        let bytes = serde_json::to_vec(body).map_err(|error| Error::InvalidInput {
            what: "request body",
            reason: error.to_string(),
        })?;
        self.body = Some(Bytes::from(bytes));
        Ok(())
    }

    /// The path and query, as sent.
    pub(crate) fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{GET_USER, LIST_USERS};

    #[test]
    fn the_limit_parameter_is_read_from_the_query() {
        let mut request = ApiRequest::new(&LIST_USERS, &[]).unwrap();
        assert_eq!(request.limit(), None);
        request.query = "q=ann&limit=200&after=00u1".to_owned();
        assert_eq!(request.limit(), Some(200));
        request.query = "climit=5&limit=abc".to_owned();
        assert_eq!(request.limit(), None);
        request.query = "li%6Dit=7".to_owned();
        assert_eq!(request.limit(), Some(7), "names are decoded too");
    }

    #[test]
    fn empty_dot_and_control_ids_are_refused() {
        for bad in ["", ".", "..", " 00u1", "00u\n1"] {
            let error = ApiRequest::new(&GET_USER, &[bad]).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { what: "userId", .. }),
                "{bad:?}: {error:?}"
            );
        }
    }

    #[test]
    fn query_values_are_encoded() {
        let mut request = ApiRequest::new(&LIST_USERS, &[]).unwrap();
        request.query(
            "search",
            r#"profile.department eq "R&D" and status eq "ACTIVE""#,
        );
        request.query("activate", false);
        assert_eq!(
            request.path_and_query(),
            "/api/v1/users?search=profile.department%20eq%20%22R%26D%22%20and%20status%20eq%20%22ACTIVE%22&activate=false"
        );
    }

    #[test]
    fn fixed_query_parameters_come_first() {
        let mut request = ApiRequest::new(
            &crate::endpoints::EXPIRE_PASSWORD_WITH_TEMP_PASSWORD,
            &["00u1"],
        )
        .unwrap();
        request.query("revokeSessions", true);
        assert_eq!(
            request.path_and_query(),
            "/api/v1/users/00u1/lifecycle/expire_password?tempPassword=true&revokeSessions=true"
        );
    }
}
