//! Building requests: operation names, path segments that cannot escape, query strings.

use bytes::Bytes;
use http::Method;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;

use crate::error::{Error, Result};

/// The operation a request performs, carried in the request's extensions so that middleware can
/// name spans and metrics after it and judge whether it is safe to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// A dotted name for spans and metrics, e.g. `okta.users.list`.
    pub name: &'static str,
    /// Okta's operationId in its OpenAPI spec, e.g. `listUsers`.
    pub operation_id: &'static str,
    /// Whether repeating the request can do more than sending it once although its HTTP method
    /// is idempotent: Okta's `DELETE /api/v1/users/{id}` deactivates a user the first time and
    /// deletes it the second. A retry layer treats such a request like a POST.
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
const SEGMENT: &AsciiSet = &CONTROLS
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

/// Checks that `value` is usable as one path segment (not empty, not `.` or `..`, no control
/// characters) and percent-encodes it.
pub fn encode_segment(what: &'static str, value: &str) -> Result<String> {
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
    Ok(utf8_percent_encode(value, SEGMENT).to_string())
}

/// A request under construction: method, encoded path, query and optional JSON body.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub(crate) operation: Operation,
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
    pub(crate) body: Option<Bytes>,
}

impl ApiRequest {
    /// The `limit` query parameter, if the request has one: the most items its page holds.
    pub(crate) fn limit(&self) -> Option<usize> {
        self.query
            .split('&')
            .find_map(|pair| pair.strip_prefix("limit="))
            .and_then(|limit| limit.parse().ok())
    }

    /// Starts a request; `path` must already be encoded (see [`encode_segment`]).
    pub(crate) fn new(operation: Operation, method: Method, path: String) -> Self {
        ApiRequest {
            operation,
            method,
            path,
            query: String::new(),
            headers: Vec::new(),
            body: None,
        }
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
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query)
        }
    }
}

/// Builds an encoded path from a template whose `{}` are filled, in order, with checked and
/// percent-encoded segments: `api_path!("/api/v1/users/{}", "userId" => id)`.
macro_rules! api_path {
    ($template:literal $(, $what:literal => $value:expr)* $(,)?) => {{
        let segments: &[(&'static str, &str)] = &[$(($what, ::core::convert::AsRef::<str>::as_ref(&$value))),*];
        $crate::request::fill_path($template, segments)
    }};
}
pub(crate) use api_path;

/// Fills the `{}` of `template` with the encoded segments.
pub(crate) fn fill_path(template: &str, segments: &[(&'static str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut pieces = template.split("{}");
    out.push_str(pieces.next().unwrap_or_default());
    for ((what, value), piece) in segments.iter().zip(pieces) {
        out.push_str(&encode_segment(what, value)?);
        out.push_str(piece);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_parameter_is_read_from_the_query() {
        let mut request = ApiRequest::new(
            Operation::new("okta.users.list", "listUsers"),
            Method::GET,
            "/api/v1/users".to_owned(),
        );
        assert_eq!(request.limit(), None);
        request.query = "q=ann&limit=200&after=00u1".to_owned();
        assert_eq!(request.limit(), Some(200));
        request.query = "climit=5&limit=abc".to_owned();
        assert_eq!(request.limit(), None);
    }

    #[test]
    fn a_segment_with_a_slash_stays_one_segment() {
        let path = api_path!("/api/v1/users/{}", "userId" => "../groups").unwrap();
        assert_eq!(path, "/api/v1/users/..%2Fgroups");
    }

    #[test]
    fn empty_dot_and_control_ids_are_refused() {
        for bad in ["", ".", "..", " 00u1", "00u\n1"] {
            let error = api_path!("/api/v1/users/{}", "userId" => bad).unwrap_err();
            assert!(
                matches!(error, Error::InvalidInput { what: "userId", .. }),
                "{bad:?}: {error:?}"
            );
        }
    }

    #[test]
    fn several_segments_fill_in_order() {
        let path = api_path!("/u/{}/roles/{}", "userId" => "a b", "roleId" => "r?1").unwrap();
        assert_eq!(path, "/u/a%20b/roles/r%3F1");
    }

    #[test]
    fn query_values_are_encoded() {
        let mut request = ApiRequest::new(Operation::new("t", "t"), Method::GET, "/x".into());
        request.query(
            "search",
            r#"profile.department eq "R&D" and status eq "ACTIVE""#,
        );
        request.query("activate", false);
        assert_eq!(
            request.path_and_query(),
            "/x?search=profile.department%20eq%20%22R%26D%22%20and%20status%20eq%20%22ACTIVE%22&activate=false"
        );
    }
}
