//! `Users<S>`: the façade over any [`HttpService`], and the one place a request is sent and its
//! response judged.

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

use crate::ETag;
use crate::error::{ApiError, Error, Result};
use crate::headers::request_id;
use crate::models::{PageDecodeError, User};
use crate::redact::Redactor;
use crate::request::ApiRequest;
use crate::service::{HttpService, RequestBody};

/// Okta's Users API over any tower `Service`; one method per operation.
///
/// Cheap to clone when the service is (every okta-client stack is): clone it into each task.
#[derive(Debug, Clone)]
pub struct Users<S> {
    service: S,
    /// Whether a write whose answer was lost is reconciled (see [`crate::reconcile`]).
    pub(crate) reconcile: bool,
}

impl<S> Users<S> {
    /// Wraps a service that sends requests with origin-form URIs (`/api/v1/users?…`) to the org:
    /// the service is responsible for the org's scheme and host, authentication and retries.
    ///
    /// Writes are [reconciled](crate::reconcile) after an ambiguous failure unless
    /// [`reconcile(false)`](Self::reconcile).
    pub fn new(service: S) -> Self {
        Users {
            service,
            reconcile: true,
        }
    }

    /// Whether a write that fails with an [outcome-unknown](crate::Error::is_outcome_unknown)
    /// error is [reconciled](crate::reconcile) — read back and, where its rule says so,
    /// re-sent — before it returns (`true`, the default), or returns that error as it is
    /// (`false`). Each write's builder can override it with its own `.reconcile(..)`.
    ///
    /// ```no_run
    /// # fn run(users: okta_users::Users<impl okta_users::HttpService>) {
    /// let raw = users.clone().reconcile(false); // every write through `raw` reports what it met
    /// # }
    /// ```
    #[must_use]
    pub fn reconcile(mut self, on: bool) -> Self {
        self.reconcile = on;
        self
    }

    /// Whether writes through this handle are reconciled (see [`reconcile`](Self::reconcile)).
    pub fn reconciles(&self) -> bool {
        self.reconcile
    }

    /// The underlying service.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// Gives the underlying service back.
    pub fn into_service(self) -> S {
        self.service
    }
}

/// A successful response read whole: headers, body, and the secrets to cut out of any error
/// built from them.
pub(crate) struct RawResponse {
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) redactor: Redactor,
}

impl RawResponse {
    /// The `X-Okta-Request-Id`, secrets cut out.
    pub(crate) fn request_id(&self) -> Option<String> {
        redacted_request_id(&self.headers, &self.redactor)
    }

    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T> {
        crate::models::from_json_slice(&self.body).map_err(|source| self.decode_error(source))
    }

    /// A user, with the response's `ETag` on it.
    pub(crate) fn user<P: DeserializeOwned>(&self) -> Result<User<P>> {
        let mut user: User<P> = self.json()?;
        user.etag = ETag::from_headers(&self.headers);
        Ok(user)
    }

    /// The response's `Date`: when Okta answered, on Okta's clock.
    pub(crate) fn date(&self) -> Option<std::time::SystemTime> {
        let date = self.headers.get(http::header::DATE)?.to_str().ok()?;
        httpdate::parse_http_date(date).ok()
    }

    /// A list page: refused once it holds more than `bounds.max_items` items, with room for
    /// `bounds.reserve` reserved up front.
    pub(crate) fn json_page<T: DeserializeOwned>(&self, bounds: PageBounds) -> Result<Vec<T>> {
        crate::models::decode_page(&self.body, bounds.reserve, bounds.max_items).map_err(|error| {
            match error {
                PageDecodeError::TooManyItems => Error::PageTooLarge {
                    max_items: bounds.max_items,
                    request_id: self.request_id(),
                },
                PageDecodeError::Json(source) => self.decode_error(source),
            }
        })
    }

    fn decode_error(&self, source: serde_json::Error) -> Error {
        Error::Decode {
            request_id: self.request_id(),
            snippet: snippet(&self.body, &self.redactor),
            source: redact_json_error(source, &self.redactor),
        }
    }
}

/// How many items a list page may hold, and how many to make room for before decoding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageBounds {
    pub(crate) reserve: usize,
    pub(crate) max_items: usize,
}

impl PageBounds {
    /// The caller's `limit` when set (a `limit=0` asks for nothing and is ignored), else the
    /// endpoint's documented maximum page size.
    pub(crate) fn of(request: &ApiRequest) -> Self {
        let limit = request.limit().filter(|&limit| limit > 0);
        PageBounds {
            reserve: limit.unwrap_or(0),
            max_items: limit
                .or(request.endpoint.max_page_items)
                .unwrap_or(crate::endpoints::UNPAGED_MAX_ITEMS),
        }
    }
}

/// serde's message can quote the offending value (`invalid type: string "…"`): when it holds a
/// secret, the error is rebuilt from the redacted message.
fn redact_json_error(error: serde_json::Error, redactor: &Redactor) -> serde_json::Error {
    if redactor.is_empty() {
        return error;
    }
    let message = error.to_string();
    if !redactor.finds_secret_in(message.as_bytes()) {
        return error;
    }
    <serde_json::Error as serde::de::Error>::custom(redactor.redact(&message))
}

fn redacted_request_id(headers: &http::HeaderMap, redactor: &Redactor) -> Option<String> {
    request_id(headers).map(|id| redactor.redact(id).into_owned())
}

impl<S: HttpService> Users<S> {
    /// Sends `request` and returns the response if its status is a success; otherwise Okta's error.
    pub(crate) async fn execute(&self, request: ApiRequest) -> Result<RawResponse> {
        let http_request = into_http(request)?;
        let response = self
            .service
            .send_http(http_request)
            .await
            .map_err(Error::from_service)?;
        let (mut parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|error| Error::from_service(error.into()))?
            .to_bytes();
        // The auth layer attaches the secrets it sent; without it there is nothing to cut.
        let redactor = parts.extensions.remove::<Redactor>().unwrap_or_default();
        if parts.status.is_success() {
            Ok(RawResponse {
                headers: parts.headers,
                body,
                redactor,
            })
        } else {
            Err(error_from_response(
                parts.status,
                &parts.headers,
                &body,
                &redactor,
            ))
        }
    }

    /// Sends `request` and decodes a JSON body.
    pub(crate) async fn fetch_json<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        self.execute(request).await?.json()
    }

    /// Sends `request` and decodes a user, with the response's `ETag` on it.
    pub(crate) async fn fetch_user<P: DeserializeOwned>(
        &self,
        request: ApiRequest,
    ) -> Result<User<P>> {
        self.execute(request).await?.user()
    }

    /// Sends `request` and ignores the (empty) body of its success.
    pub(crate) async fn fetch_empty(&self, request: ApiRequest) -> Result<()> {
        self.execute(request).await.map(drop)
    }
}

fn into_http(request: ApiRequest) -> Result<http::Request<RequestBody>> {
    // The URI takes over this String's buffer: no copy.
    let mut uri = request.path;
    if !request.query.is_empty() {
        uri.push('?');
        uri.push_str(&request.query);
    }
    let uri = http::Uri::try_from(uri).map_err(|error| Error::InvalidInput {
        what: "request",
        reason: error.to_string(),
    })?;
    // Built in place rather than with `http::request::Builder`, which moves itself (and a
    // `Result` of the whole request) through every call.
    let has_body = request.body.is_some();
    let mut http_request = http::Request::new(RequestBody::new(request.body.unwrap_or_default()));
    *http_request.method_mut() = request.endpoint.method.clone();
    *http_request.uri_mut() = uri;
    let headers = http_request.headers_mut();
    headers.append(ACCEPT, HeaderValue::from_static("application/json"));
    for (name, value) in request.headers {
        headers.append(name, value);
    }
    if has_body {
        headers.append(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let extensions = http_request.extensions_mut();
    extensions.insert(request.endpoint.operation);
    // The whole endpoint too: a transport can tell a list from a single resource.
    extensions.insert(request.endpoint);
    Ok(http_request)
}

/// Okta's error body when the response has one, or the status and the start of the body;
/// either way with the secrets `redactor` knows cut out of everything the server wrote.
pub(crate) fn error_from_response(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body: &[u8],
    redactor: &Redactor,
) -> Error {
    let request_id = request_id(headers).map(str::to_owned);
    match serde_json::from_slice::<ApiError>(body) {
        Ok(mut api) if !api.error_code.is_empty() => {
            api.status = status;
            api.request_id = request_id;
            api.redact(redactor);
            Error::Api(Box::new(api))
        }
        _ => Error::UnexpectedStatus {
            status,
            request_id: request_id.map(|id| redactor.redact_owned(id)),
            snippet: snippet(body, redactor),
        },
    }
}

/// The first 200 characters of a body, lossily decoded, for error messages, with the secrets
/// `redactor` knows cut out — before the text is cut, so that no part of a secret survives at
/// the cut.
pub(crate) fn snippet(body: &[u8], redactor: &Redactor) -> String {
    const MAX: usize = 200;
    // 200 characters take at most 800 bytes; a secret starting within them ends within the
    // window.
    let window = (MAX * 4).saturating_add(redactor.longest());
    let text = String::from_utf8_lossy(&body[..body.len().min(window)]);
    let text = redactor.redact(&text);
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().nth(MAX).is_some() || body.len() > window {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headers::X_OKTA_REQUEST_ID;

    #[test]
    fn okta_error_bodies_are_kept_whole() {
        let mut headers = http::HeaderMap::new();
        headers.insert(X_OKTA_REQUEST_ID, HeaderValue::from_static("reqA"));
        let body = br#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: x (User)","errorLink":"E0000007","errorId":"oaeX","errorCauses":[]}"#;
        let error = error_from_response(
            http::StatusCode::NOT_FOUND,
            &headers,
            body,
            &Redactor::default(),
        );
        let api = error.api().expect("an Okta error");
        assert_eq!(api.error_code, "E0000007");
        assert_eq!(api.error_id.as_deref(), Some("oaeX"));
        assert_eq!(api.request_id.as_deref(), Some("reqA"));
        assert!(error.is_not_found());
    }

    #[test]
    fn a_non_okta_error_body_keeps_status_and_snippet() {
        let error = error_from_response(
            http::StatusCode::BAD_GATEWAY,
            &http::HeaderMap::new(),
            b"<html>bad gateway</html>",
            &Redactor::default(),
        );
        match error {
            Error::UnexpectedStatus {
                status, snippet, ..
            } => {
                assert_eq!(status, http::StatusCode::BAD_GATEWAY);
                assert_eq!(snippet, "<html>bad gateway</html>");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn bodies_decode_as_text_and_invalid_utf8_is_a_decode_error() {
        let text = "{\"a\":\"caf\\u00e9 \u{e9}\"}";
        let ok = RawResponse {
            headers: http::HeaderMap::new(),
            body: Bytes::from(text),
            redactor: Redactor::default(),
        };
        let value: serde_json::Value = ok.json().unwrap();
        assert_eq!(value["a"], "caf\u{e9} \u{e9}");
        let bad = RawResponse {
            headers: http::HeaderMap::new(),
            body: Bytes::from_static(b"{\"a\":\"\xff\"}"),
            redactor: Redactor::default(),
        };
        let error = bad.json::<serde_json::Value>().unwrap_err();
        assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    }

    #[test]
    fn snippets_are_cut() {
        let long = "x".repeat(1000);
        let cut = snippet(long.as_bytes(), &Redactor::default());
        assert_eq!(cut.chars().count(), 201);
    }

    #[test]
    fn a_secret_across_the_cut_is_cut_out_whole() {
        let secret = "s3cr3t-token-across-the-cut";
        let redactor = Redactor::new([secret]);
        for start in [0, 180, 195, 199, 790, 799] {
            let body = format!("{}{secret}{}", "x".repeat(start), "y".repeat(1000));
            let cut = snippet(body.as_bytes(), &redactor);
            assert!(!cut.contains(&secret[..8]), "{start}: {cut}");
        }
    }
}
