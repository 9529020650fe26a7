//! Errors: the crate's own error type, and Okta-shaped API error responses.

use bytes::Bytes;
use http::StatusCode;
use serde_json::json;

/// What can go wrong when starting or driving the mock org.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// Binding or accepting on the loopback socket failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// An OAuth client's public key could not be parsed as an RSA or EC PEM key.
    #[error("invalid public key for OAuth client {client_id}: {reason}")]
    InvalidKey {
        /// The client whose key was rejected.
        client_id: String,
        /// Why the key was rejected.
        reason: String,
    },
    /// A configuration value is out of range (e.g. a probability outside 0..=1).
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// An error response in Okta's shape (`errorCode`, `errorSummary`, `errorLink`, `errorId`,
/// `errorCauses`), built by handlers and rendered by the server.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub summary: String,
    pub causes: Vec<String>,
}

impl ApiError {
    fn new(status: u16, code: &'static str, summary: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code,
            summary: summary.into(),
            causes: Vec::new(),
        }
    }

    fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// E0000001: a precondition of the endpoint failed; `field` names the culprit.
    pub fn validation(field: &str, cause: impl Into<String>) -> Self {
        Self::new(400, "E0000001", format!("Api validation failed: {field}"))
            .with_cause(format!("{field}: {}", cause.into()))
    }

    /// E0000001 for a duplicate login, with Okta's exact cause text.
    pub fn duplicate_login() -> Self {
        Self::validation(
            "login",
            "An object with this field already exists in the current organization",
        )
    }

    /// E0000003: the body is not JSON (or not the JSON the endpoint reads).
    pub fn malformed_body() -> Self {
        Self::new(400, "E0000003", "The request body was not well-formed.")
    }

    /// E0000006: the bearer token lacks the scope for this call.
    pub fn access_denied() -> Self {
        Self::new(
            403,
            "E0000006",
            "You do not have permission to perform the requested action",
        )
    }

    /// E0000007: an addressed resource does not exist.
    pub fn not_found(what: &str, kind: &str) -> Self {
        Self::new(
            404,
            "E0000007",
            format!("Not found: Resource not found: {what} ({kind})"),
        )
    }

    /// E0000008: no such path.
    pub fn path_not_found() -> Self {
        Self::new(404, "E0000008", "The requested path was not found")
    }

    /// E0000009 (or another 5xx status) for an injected server fault.
    pub fn server_fault(status: u16) -> Self {
        match status {
            503 => Self::new(503, "E0000010", "Service is in read only mode"),
            s => Self::new(s, "E0000009", "Internal Server Error"),
        }
    }

    /// E0000011: missing, unknown or expired credentials.
    pub fn invalid_token() -> Self {
        Self::new(401, "E0000011", "Invalid token provided")
    }

    /// E0000014: a credential operation failed (e.g. wrong old password).
    pub fn credentials_failed(cause: &str) -> Self {
        Self::new(403, "E0000014", "Update of credentials failed").with_cause(cause)
    }

    /// E0000016: activation of a user who is already active.
    pub fn already_active() -> Self {
        Self::new(
            403,
            "E0000016",
            "Activation failed because the user is already active",
        )
    }

    /// E0000017: a password reset could not start.
    pub fn reset_password_failed(cause: &str) -> Self {
        Self::new(403, "E0000017", "Password reset failed").with_cause(cause)
    }

    /// E0000022: the path exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
        )
    }

    /// E0000031: a `filter` or `search` expression Okta would reject.
    pub fn invalid_search(cause: &str) -> Self {
        Self::new(400, "E0000031", "Invalid search criteria.").with_cause(cause)
    }

    /// E0000032: unlock from a status that is neither LOCKED_OUT nor ACTIVE.
    pub fn unlock_forbidden() -> Self {
        Self::new(403, "E0000032", "Unlock is not allowed for this user.")
    }

    /// E0000038: a lifecycle operation the user's status does not allow.
    pub fn status_forbidden() -> Self {
        Self::new(
            403,
            "E0000038",
            "This operation is not allowed in the user's current status.",
        )
    }

    /// E0000047: a rate limit (or the concurrency limit) was exceeded.
    pub fn rate_limited() -> Self {
        Self::new(
            429,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    /// E0000231: `If-Match` names no current version of the resource.
    pub fn etag_mismatch() -> Self {
        Self::new(412, "E0000231", "ETag value doesn't match.")
    }

    /// E0000242: `If-Match` is not `*` nor a list of entity tags.
    pub fn invalid_etag() -> Self {
        Self::new(400, "E0000242", "ETag syntax is invalid.")
    }

    /// E0000090: the role type is already assigned to the user.
    pub fn duplicate_role() -> Self {
        Self::new(
            409,
            "E0000090",
            "The role specified is already assigned to the user.",
        )
    }

    /// The JSON body, with a fresh `errorId`.
    pub fn body(&self) -> Bytes {
        let causes: Vec<_> = self
            .causes
            .iter()
            .map(|c| json!({ "errorSummary": c }))
            .collect();
        let value = json!({
            "errorCode": self.code,
            "errorSummary": self.summary,
            "errorLink": self.code,
            "errorId": crate::ids::error_id(),
            "errorCauses": causes,
        });
        Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_okta_shape() {
        let body = ApiError::duplicate_login().body();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["errorCode"], "E0000001");
        assert_eq!(v["errorLink"], "E0000001");
        assert!(v["errorId"].as_str().unwrap().starts_with("oae"));
        assert_eq!(
            v["errorCauses"][0]["errorSummary"],
            "login: An object with this field already exists in the current organization"
        );
    }
}
