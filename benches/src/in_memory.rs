//! The in-memory "transport" of the stack benches (`stack_overhead`, `stack_instructions`): one
//! canned response with Okta's headers, copied for every request, and the request the façade
//! sends for `users.get(USER_ID)`. One definition, so that the two count the same thing.

use std::future::{Ready, ready};
use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::Full;
use okta_users::{BoxError, Operation, RequestBody};
use tower::Service;

/// The org the stack is built for.
pub const ORG: &str = "https://bench.okta.com";
/// The SSWS token the stack sends.
pub const TOKEN: &str = "00bench-token-0000000000000000000000000000";
/// The user asked for.
pub const USER_ID: &str = "00ub0oNGTSWTBKOLGLNR";

/// Answers every request with a copy of one canned response.
#[derive(Clone)]
pub struct Canned {
    headers: Arc<HeaderMap>,
    body: Bytes,
}

impl Canned {
    /// Answers `body` with the fixtures' 200 headers (rate-limit headers, `Date`, request id).
    pub fn new(body: Bytes) -> Self {
        let (parts, _) = crate::fixtures::ok_response(Bytes::new()).into_parts();
        Canned {
            headers: Arc::new(parts.headers),
            body,
        }
    }

    /// Answers one user of the fixtures, as `GET /api/v1/users/{id}` does.
    pub fn one_user() -> Self {
        let page = crate::fixtures::users_page(1, 1);
        let mut users: Vec<serde_json::Value> = serde_json::from_slice(&page).expect("page");
        Canned::new(Bytes::from(
            serde_json::to_vec(&users.remove(0)).expect("user"),
        ))
    }
}

impl Service<Request<RequestBody>> for Canned {
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = Ready<Result<Self::Response, BoxError>>;

    #[inline]
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    // Inlined as when it lived in each bench, so that instruction counts stay comparable.
    #[inline]
    fn call(&mut self, request: Request<RequestBody>) -> Self::Future {
        black_box(&request);
        let mut response = Response::new(Full::new(self.body.clone()));
        *response.headers_mut() = HeaderMap::clone(&self.headers);
        ready(Ok(response))
    }
}

/// What the façade hands its service for `users.get(USER_ID)` (a static `Accept` value, as the
/// façade's: a copied one would cost the retry layer's copy an allocation the façade never pays).
#[inline]
pub fn get_request() -> Request<RequestBody> {
    Request::get(format!("/api/v1/users/{USER_ID}"))
        .header(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        )
        .extension(Operation::new("okta.users.get", "getUser"))
        .body(RequestBody::default())
        .expect("request")
}
