//! The one error type of the façade, and Okta's error body kept whole.

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::reconcile::{Effect, Reconciliation};
use crate::redact::Redactor;

/// A boxed error, as tower services return them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling Okta.
///
/// Middleware and transports may return an `Error` themselves (boxed, as tower services do);
/// [`Error::from_service`] unwraps it again so the caller always sees one typed value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Okta answered with an error status and its usual error body.
    #[error("{api}{note}", api = .0, note = outcome_note(gateway_failure(.0.status)))]
    Api(Box<ApiError>),
    /// Okta (or something in front of it) answered with an error status and a body that is not
    /// Okta's error shape, such as a proxy's HTML page.
    #[error(
        "HTTP {status} without an Okta error body (request id {request_id:?}): {snippet}{}",
        outcome_note(gateway_failure(*.status))
    )]
    UnexpectedStatus {
        /// The HTTP status.
        status: StatusCode,
        /// The `X-Okta-Request-Id` of the response, if any.
        request_id: Option<String>,
        /// The start of the body, for diagnosis.
        snippet: String,
    },
    /// A successful response whose body could not be decoded into the expected type.
    #[error(
        "could not decode the response body (request id {request_id:?}): {source}; body starts: {snippet}"
    )]
    Decode {
        /// The `X-Okta-Request-Id` of the response, if any.
        request_id: Option<String>,
        /// The start of the body, for diagnosis.
        snippet: String,
        /// What serde said.
        #[source]
        source: serde_json::Error,
    },
    /// The caller's input was refused before anything was sent.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// Which argument was wrong, e.g. `userId`.
        what: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A timeout fired: connecting, one attempt, the whole call, or a stalled response body.
    #[error("timed out ({kind}){}", outcome_note(!matches!(.kind, TimeoutKind::Connect)))]
    Timeout {
        /// Which timeout fired.
        kind: TimeoutKind,
    },
    /// The response body was larger than the configured cap.
    #[error("response body larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The cap, in bytes.
        limit: usize,
    },
    /// The request could not be delivered or the response not read (DNS, connect, TLS, reset).
    #[error("transport error: {source}{}", outcome_note(!*.not_sent))]
    Transport {
        /// Whether the request certainly never reached the server (connect refused, DNS, TLS
        /// handshake), so that even a non-idempotent request may be retried.
        not_sent: bool,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The server's answer was not valid HTTP (a garbage status line, too many headers, a
    /// broken chunk): the request was sent, so it may have been processed, and sending it again
    /// cannot change how the server answers.
    #[error("malformed response: {source}{}", outcome_note(true))]
    MalformedResponse {
        /// What the HTTP parser said.
        #[source]
        source: BoxError,
    },
    /// Authentication could not be obtained (for example the OAuth token endpoint refused the
    /// client assertion, or answered with something that is not a token).
    #[error("{0}")]
    Auth(Box<AuthError>),
    /// A list page held more items than the request's `limit` asked for (or, without one, more
    /// than the list's documented maximum page size, see
    /// [`Endpoint::max_page_items`](crate::Endpoint::max_page_items)). Okta never does this;
    /// the page was refused while being read, before it was decoded whole, so that a body of
    /// many tiny items cannot make the client decode it into hundreds of MiB.
    #[error(
        "the page holds more than the {max_items} items asked for (request id {request_id:?}); \
         refused before decoding it whole"
    )]
    PageTooLarge {
        /// The most items the page could hold.
        max_items: usize,
        /// The `X-Okta-Request-Id` of the response, if any.
        request_id: Option<String>,
    },
    /// A list's `rel="next"` link led back to a page this walk of the list had already read
    /// (A → B → A …): following it would never end. The items of every page before it were
    /// returned.
    #[error("the next page's link leads back to a page already read in this listing: {next}")]
    PaginationCycle {
        /// The path and query of the `next` link (cut to 200 characters, secrets the server
        /// reflected into it cut out).
        next: String,
    },
    /// A list page's `rel="next"` link cannot be followed to the org: it does not parse as a
    /// URI reference, or it is protocol-relative (`//host/…`), naming a host but no scheme,
    /// which Okta never sends. The items of the page that carried it were returned.
    #[error("the next page's link cannot be followed ({reason}): {link}")]
    InvalidNextLink {
        /// The link's target, as sent (cut to 200 characters, secrets cut out).
        link: String,
        /// Why it cannot be followed.
        reason: &'static str,
    },
    /// The request was refused by policy before being sent (for example a URL outside the org).
    #[error("request refused: {0}")]
    Refused(RefusedReason),
    /// A write whose first answer was lost (an [outcome-unknown](Error::is_outcome_unknown)
    /// error) that the façade [reconciled](crate::reconcile) without a value to return: it
    /// took effect but the data only its answer held is lost, Okta refused the re-send and a
    /// read explains why (not applied), or nothing could tell (undecided). What it did and
    /// found is in [`Error::reconciliation`]; [`Error::effect`] says whether the change
    /// happened.
    #[error("{0}")]
    Reconciled(Box<Reconciled>),
}

/// Why a request was refused before being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusedReason {
    /// The request is for another origin than the org's, and credentials go to the org only.
    OffOrigin {
        /// The refused origin, `scheme://host[:port]` (never a path or query).
        origin: String,
        /// The org's origin.
        org: String,
    },
    /// The request's URI cannot be made an absolute URI of the org.
    InvalidUri {
        /// What is wrong with it.
        reason: String,
    },
    /// The proxy answered `CONNECT` with 407: it wants credentials that were not given (or
    /// not accepted). No re-send can change that.
    ProxyAuthRequired,
}

/// A reconciled write's failure (see [`Error::Reconciled`]): what the reconciliation did and
/// found, and the error it ended on.
#[derive(Debug)]
#[non_exhaustive]
pub struct Reconciled {
    /// What the reconciliation did and found.
    pub reconciliation: Reconciliation,
    /// The error the call ends on: Okta's refusal of the re-send (not applied), a re-send's
    /// success that could not be decoded, or the first failure (undecided); `None` when the
    /// change took effect and only its answer's data is lost, or when a read alone showed it
    /// cannot have taken effect.
    pub error: Option<Error>,
}

impl std::fmt::Display for Reconciled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.reconciliation)?;
        if let Some(error) = &self.error {
            write!(f, "; {error}")?;
        }
        Ok(())
    }
}

/// What the `Display` of every error whose outcome is unknown says (see
/// [`Error::is_outcome_unknown`]).
const OUTCOME_UNKNOWN: &str = "; the request was sent and no answer came: it may have taken effect";

fn outcome_note(unknown: bool) -> &'static str {
    if unknown { OUTCOME_UNKNOWN } else { "" }
}

/// A gateway's answer that Okta's own never reached the client: 502 or 504.
fn gateway_failure(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
    )
}

impl std::fmt::Display for RefusedReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefusedReason::OffOrigin { origin, org } => write!(
                f,
                "a request for {origin} is outside the org {org}; credentials are only sent to the org"
            ),
            RefusedReason::InvalidUri { reason } => write!(f, "invalid request URI: {reason}"),
            RefusedReason::ProxyAuthRequired => f.write_str(
                "the proxy requires authentication (407 to CONNECT): give credentials in the \
                 proxy URL or with Proxy::basic_auth",
            ),
        }
    }
}

/// Why authentication could not be obtained: what failed, and the OAuth error the token
/// endpoint sent, if any. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthError {
    /// What failed, without any secret, e.g. `the token endpoint answered 401 Unauthorized`.
    pub reason: String,
    /// The HTTP status of the token endpoint's answer, when there was one.
    pub status: Option<StatusCode>,
    /// OAuth's `error` code (`invalid_client`, `invalid_dpop_proof`, …), when sent.
    pub error: Option<String>,
    /// OAuth's `error_description`, when sent.
    pub error_description: Option<String>,
    /// The `X-Okta-Request-Id` of the token endpoint's answer, when sent.
    pub request_id: Option<String>,
}

impl AuthError {
    /// An authentication failure described by `reason` alone.
    pub fn new(reason: impl Into<String>) -> Self {
        AuthError {
            reason: reason.into(),
            status: None,
            error: None,
            error_description: None,
            request_id: None,
        }
    }

    /// With the HTTP status of the token endpoint's answer.
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// With the `X-Okta-Request-Id` of the token endpoint's answer.
    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// With OAuth's `error` and `error_description`.
    #[must_use]
    pub fn with_oauth_error(mut self, error: Option<String>, description: Option<String>) -> Self {
        self.error = error;
        self.error_description = description;
        self
    }
}

impl From<AuthError> for Error {
    fn from(error: AuthError) -> Self {
        Error::Auth(Box::new(error))
    }
}

impl std::fmt::Display for AuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "authentication failed: {}", self.reason)?;
        match (&self.error, &self.error_description) {
            (Some(code), Some(description)) => write!(f, ": {code}: {description}")?,
            (Some(code), None) => write!(f, ": {code}")?,
            (None, Some(description)) => write!(f, ": {description}")?,
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {}

/// Which timeout fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection (TCP and TLS).
    Connect,
    /// One attempt, from sending the request to the end of its response.
    Attempt,
    /// The whole call, including every retry and rate-limit wait.
    Call,
    /// The response body stopped arriving.
    BodyStalled,
}

impl std::fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Attempt => "attempt",
            TimeoutKind::Call => "whole call",
            TimeoutKind::BodyStalled => "stalled response body",
        })
    }
}

/// Okta's error body, with the status and request id of the response that carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status of the response (not part of Okta's body).
    #[serde(skip, default = "default_status")]
    pub status: StatusCode,
    /// The `X-Okta-Request-Id` of the response (not part of Okta's body).
    #[serde(skip)]
    pub request_id: Option<String>,
    /// Okta's error code, such as `E0000007`.
    #[serde(default)]
    pub error_code: String,
    /// A human-readable summary.
    #[serde(default)]
    pub error_summary: String,
    /// A link to the error's documentation (usually the error code again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_link: Option<String>,
    /// Okta's id for this occurrence of the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// The detailed causes, such as which field failed validation.
    #[serde(default)]
    pub error_causes: Vec<ErrorCause>,
}

/// One cause of an Okta error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ErrorCause {
    /// What was wrong.
    #[serde(default)]
    pub error_summary: String,
    /// Why, when Okta says (some errors carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where in the request, when Okta says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Which domain of checks failed, when Okta says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
}

impl ApiError {
    /// Cuts the secrets `redactor` knows out of every field the server wrote.
    pub(crate) fn redact(&mut self, redactor: &Redactor) {
        let cut = |text: &mut String| *text = redactor.redact_owned(std::mem::take(text));
        let cut_opt = |text: &mut Option<String>| {
            if let Some(text) = text {
                cut(text);
            }
        };
        cut(&mut self.error_code);
        cut(&mut self.error_summary);
        cut_opt(&mut self.error_link);
        cut_opt(&mut self.error_id);
        cut_opt(&mut self.request_id);
        for cause in &mut self.error_causes {
            cut(&mut cause.error_summary);
            cut_opt(&mut cause.reason);
            cut_opt(&mut cause.location);
            cut_opt(&mut cause.domain);
        }
    }
}

fn default_status() -> StatusCode {
    StatusCode::INTERNAL_SERVER_ERROR
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Okta error {} ({}): {}",
            self.error_code, self.status, self.error_summary
        )?;
        for cause in &self.error_causes {
            write!(f, "; {}", cause.error_summary)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl Error {
    /// Turns an error returned by the underlying service into an [`Error`]: an `Error` boxed by a
    /// layer (the okta-layers timeouts, the okta-hyper transport) is unwrapped, anything else is
    /// a transport error.
    pub fn from_service(error: BoxError) -> Error {
        let error = match error.downcast::<Error>() {
            Ok(error) => return *error,
            Err(error) => error,
        };
        if let Some(limit) = find_length_limit(&*error) {
            return Error::BodyTooLarge { limit };
        }
        Error::Transport {
            not_sent: connection_refused(&*error),
            source: error,
        }
    }

    /// The HTTP status of an error response, if this error is one (for a reconciled write,
    /// that of the error it ended on).
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::UnexpectedStatus { status, .. } => Some(*status),
            Error::Reconciled(reconciled) => reconciled.error.as_ref().and_then(Error::status),
            _ => None,
        }
    }

    /// The `X-Okta-Request-Id` of the response this error came from, if it had one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::UnexpectedStatus { request_id, .. }
            | Error::Decode { request_id, .. }
            | Error::PageTooLarge { request_id, .. } => request_id.as_deref(),
            Error::Auth(auth) => auth.request_id.as_deref(),
            Error::Reconciled(reconciled) => reconciled.error.as_ref().and_then(Error::request_id),
            _ => None,
        }
    }

    /// Okta's error body, if this error carries one (for a reconciled write, that of the error
    /// it ended on: Okta's refusal of the re-send).
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::Reconciled(reconciled) => reconciled.error.as_ref().and_then(Error::api),
            _ => None,
        }
    }

    /// What the façade did and found reconciling a write whose answer was lost, when it ended
    /// on this error (see [`crate::reconcile`]).
    pub fn reconciliation(&self) -> Option<&Reconciliation> {
        match self {
            Error::Reconciled(reconciled) => Some(&reconciled.reconciliation),
            _ => None,
        }
    }

    /// Whether the change a write asked for happened, as far as this error tells:
    ///
    /// - [`Effect::NotApplied`]: nothing was sent (invalid input, refused, authentication, a
    ///   connection that never opened), Okta answered an error status other than 502 or 504,
    ///   or a [reconciliation](crate::reconcile) found that it did not take effect;
    /// - [`Effect::Applied`]: Okta answered with a success status whose body could not be
    ///   read ([`Error::Decode`], or a list's page refused by its bounds), or a reconciliation
    ///   found that it took effect (and only its answer's data is lost);
    /// - [`Effect::Unknown`]: every [outcome-unknown](Error::is_outcome_unknown) error, and
    ///   an answer too large to read ([`Error::BodyTooLarge`]: its status is unknown too).
    pub fn effect(&self) -> Effect {
        match self {
            Error::Reconciled(reconciled) => reconciled.reconciliation.effect(),
            Error::Decode { .. }
            | Error::PageTooLarge { .. }
            | Error::PaginationCycle { .. }
            | Error::InvalidNextLink { .. } => Effect::Applied,
            Error::BodyTooLarge { .. } => Effect::Unknown,
            _ if self.is_outcome_unknown() => Effect::Unknown,
            _ => Effect::NotApplied,
        }
    }

    /// Okta's error code (`E0000007`, …), if this error carries one.
    pub fn error_code(&self) -> Option<&str> {
        self.api().map(|api| api.error_code.as_str())
    }

    /// Whether this is a 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the request may have reached Okta and taken effect although no answer says so:
    /// the connection failed after the request was sent, an attempt or the call timed out, the
    /// response body stalled, the answer was not valid HTTP, or a gateway answered 502 or 504.
    /// For a write, read the resource back before deciding to send it again: the façade
    /// does so itself where Okta's semantics allow deciding (see [`crate::reconcile`]); a
    /// reconciled write that could not decide is still outcome-unknown.
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::Reconciled(reconciled) => reconciled.reconciliation.effect() == Effect::Unknown,
            Error::Transport { not_sent, .. } => !*not_sent,
            Error::Timeout { kind } => !matches!(kind, TimeoutKind::Connect),
            Error::MalformedResponse { .. } => true,
            Error::Api(_) | Error::UnexpectedStatus { .. } => {
                self.status().is_some_and(gateway_failure)
            }
            _ => false,
        }
    }

    /// Whether Okta refused a conditional update because the user changed since the
    /// [`ETag`](crate::ETag) sent in `If-Match` (HTTP 412, Okta's `E0000231`): read it again,
    /// re-apply the change, and retry.
    pub fn is_precondition_failed(&self) -> bool {
        self.status() == Some(StatusCode::PRECONDITION_FAILED)
    }

    /// Whether this is a timeout of any kind.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether Okta refused the call for its rate limit (HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }
}

/// Whether a refused connection is anywhere in the chain of `error`: the request never left
/// (an in-process service, such as the mock org's, reports a connection refused this way). What
/// [`Error::from_service`] reads as `Transport { not_sent: true }`, and a retry layer as not sent.
pub fn connection_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        current = e.source();
    }
    false
}

fn find_length_limit(error: &(dyn std::error::Error + 'static)) -> Option<usize> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(Error::BodyTooLarge { limit }) = e.downcast_ref::<Error>() {
            return Some(*limit);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::Finding;

    #[test]
    fn an_error_boxed_by_a_layer_comes_back_unchanged() {
        let boxed: BoxError = Box::new(Error::Timeout {
            kind: TimeoutKind::Call,
        });
        assert!(matches!(
            Error::from_service(boxed),
            Error::Timeout {
                kind: TimeoutKind::Call
            }
        ));
    }

    #[test]
    fn a_refused_connection_was_not_sent() {
        let boxed: BoxError = Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(matches!(
            Error::from_service(boxed),
            Error::Transport { not_sent: true, .. }
        ));
    }

    #[test]
    fn other_errors_are_transport_errors() {
        let boxed: BoxError = Box::new(std::io::Error::other("connection reset"));
        let error = Error::from_service(boxed);
        assert!(
            matches!(
                error,
                Error::Transport {
                    not_sent: false,
                    ..
                }
            ),
            "{error:?}"
        );
    }

    #[test]
    fn api_error_display_names_code_causes_and_request_id() {
        let api = ApiError {
            status: StatusCode::BAD_REQUEST,
            request_id: Some("req-1".into()),
            error_code: "E0000001".into(),
            error_summary: "Api validation failed: login".into(),
            error_link: Some("E0000001".into()),
            error_id: Some("oae123".into()),
            error_causes: vec![ErrorCause {
                error_summary: "login: already exists".into(),
                reason: None,
                location: None,
                domain: None,
            }],
        };
        let text = Error::Api(Box::new(api)).to_string();
        assert!(
            text.contains("E0000001")
                && text.contains("login: already exists")
                && text.contains("req-1"),
            "{text}"
        );
    }

    fn reconciled(finding: Finding, error: Option<Error>) -> Error {
        Error::Reconciled(Box::new(Reconciled {
            reconciliation: Reconciliation {
                operation: crate::endpoints::SUSPEND_USER.operation,
                rule: crate::endpoints::SUSPEND_USER.reconcile,
                finding,
                evidence: None,
                steps: Vec::new(),
                lost: None,
                cause: format!("timed out (attempt){OUTCOME_UNKNOWN}"),
            },
            error,
        }))
    }

    #[test]
    fn every_error_says_whether_the_change_happened() {
        let io = || -> BoxError { Box::new(std::io::Error::other("connection reset")) };
        let decode = serde_json::from_str::<u8>("x").unwrap_err();
        let cases = [
            (api_error(StatusCode::BAD_REQUEST), Effect::NotApplied),
            (
                api_error(StatusCode::INTERNAL_SERVER_ERROR),
                Effect::NotApplied,
            ),
            (api_error(StatusCode::BAD_GATEWAY), Effect::Unknown),
            (
                Error::Transport {
                    not_sent: true,
                    source: io(),
                },
                Effect::NotApplied,
            ),
            (
                Error::Transport {
                    not_sent: false,
                    source: io(),
                },
                Effect::Unknown,
            ),
            (
                Error::Timeout {
                    kind: TimeoutKind::Connect,
                },
                Effect::NotApplied,
            ),
            (
                Error::Timeout {
                    kind: TimeoutKind::Call,
                },
                Effect::Unknown,
            ),
            (
                Error::Decode {
                    request_id: None,
                    snippet: String::new(),
                    source: decode,
                },
                Effect::Applied,
            ),
            (Error::BodyTooLarge { limit: 1 }, Effect::Unknown),
            (
                Error::InvalidInput {
                    what: "userId",
                    reason: String::new(),
                },
                Effect::NotApplied,
            ),
            (reconciled(Finding::Applied, None), Effect::Applied),
            (reconciled(Finding::Resent, None), Effect::Applied),
            (reconciled(Finding::NotApplied, None), Effect::NotApplied),
            (
                reconciled(
                    Finding::Undecided,
                    Some(Error::MalformedResponse { source: io() }),
                ),
                Effect::Unknown,
            ),
        ];
        for (error, effect) in cases {
            assert_eq!(error.effect(), effect, "{error}");
        }
        let refused = reconciled(
            Finding::NotApplied,
            Some(api_error(StatusCode::PRECONDITION_FAILED)),
        );
        assert!(
            refused.is_precondition_failed(),
            "the status of the error it ended on"
        );
        assert_eq!(refused.error_code(), Some("E0000009"));
        assert!(refused.reconciliation().is_some());
        assert!(
            api_error(StatusCode::BAD_REQUEST)
                .reconciliation()
                .is_none()
        );
    }

    fn api_error(status: StatusCode) -> Error {
        let mut api: ApiError =
            serde_json::from_str(r#"{"errorCode":"E0000009","errorSummary":"Internal"}"#).unwrap();
        api.status = status;
        Error::Api(Box::new(api))
    }

    #[test]
    fn every_error_whose_outcome_is_unknown_says_so_and_no_other() {
        let io = || -> BoxError { Box::new(std::io::Error::other("connection reset")) };
        let unexpected = |status| Error::UnexpectedStatus {
            status,
            request_id: None,
            snippet: "<html>".into(),
        };
        let errors = [
            Error::Transport {
                not_sent: false,
                source: io(),
            },
            Error::Transport {
                not_sent: true,
                source: io(),
            },
            Error::Timeout {
                kind: TimeoutKind::Connect,
            },
            Error::Timeout {
                kind: TimeoutKind::Attempt,
            },
            Error::Timeout {
                kind: TimeoutKind::Call,
            },
            Error::Timeout {
                kind: TimeoutKind::BodyStalled,
            },
            Error::MalformedResponse { source: io() },
            api_error(StatusCode::BAD_GATEWAY),
            api_error(StatusCode::GATEWAY_TIMEOUT),
            api_error(StatusCode::INTERNAL_SERVER_ERROR),
            api_error(StatusCode::SERVICE_UNAVAILABLE),
            unexpected(StatusCode::BAD_GATEWAY),
            unexpected(StatusCode::GATEWAY_TIMEOUT),
            unexpected(StatusCode::NOT_FOUND),
            Error::BodyTooLarge { limit: 10 },
            Error::PaginationCycle { next: "/x".into() },
            reconciled(
                Finding::Undecided,
                Some(Error::MalformedResponse { source: io() }),
            ),
            reconciled(
                Finding::NotApplied,
                Some(api_error(StatusCode::BAD_REQUEST)),
            ),
            reconciled(Finding::NotApplied, None),
            reconciled(Finding::Applied, None),
        ];
        let phrase = "the request was sent and no answer came: it may have taken effect";
        let mut unknown = 0;
        for error in &errors {
            let text = error.to_string();
            assert_eq!(text.contains(phrase), error.is_outcome_unknown(), "{text}");
            unknown += usize::from(error.is_outcome_unknown());
        }
        assert_eq!(
            unknown, 10,
            "transport (sent), 3 timeouts, malformed, 2×502, 2×504, an undecided reconciliation"
        );
        assert_eq!(
            Error::Timeout {
                kind: TimeoutKind::Attempt
            }
            .to_string(),
            format!("timed out (attempt); {phrase}")
        );
    }
}
