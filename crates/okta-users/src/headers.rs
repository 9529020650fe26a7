//! Okta's HTTP headers, named once for every crate of the workspace.

use http::HeaderName;

/// `X-Okta-Request-Id`: Okta's id of a response, for support requests and logs.
pub const X_OKTA_REQUEST_ID: HeaderName = HeaderName::from_static("x-okta-request-id");
/// `X-Rate-Limit-Limit`: the bucket's budget per window.
pub const X_RATE_LIMIT_LIMIT: HeaderName = HeaderName::from_static("x-rate-limit-limit");
/// `X-Rate-Limit-Remaining`: what is left of it.
pub const X_RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("x-rate-limit-remaining");
/// `X-Rate-Limit-Reset`: when the window resets, in seconds since the Unix epoch.
pub const X_RATE_LIMIT_RESET: HeaderName = HeaderName::from_static("x-rate-limit-reset");
/// `X-Okta-Retry-For`: on a re-sent request, the request id of the 429 that caused it.
pub const X_OKTA_RETRY_FOR: HeaderName = HeaderName::from_static("x-okta-retry-for");
/// `X-Okta-Retry-Count`: on a re-sent request, how many times it has been re-sent.
pub const X_OKTA_RETRY_COUNT: HeaderName = HeaderName::from_static("x-okta-retry-count");

/// The `X-Okta-Request-Id` of a response, if it has a readable one.
pub fn request_id(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(X_OKTA_REQUEST_ID)
        .and_then(|value| value.to_str().ok())
}
