//! Real parts for the transport's tests, all on loopback: a test CA, origin servers (HTTP and
//! HTTPS), a forward proxy, and raw TCP servers that write whatever bytes a test gives them;
//! requests sent through a transport, and trace capture.

// Each test file uses part of this.
#![allow(dead_code)]

pub mod compress;
pub mod origin;
pub mod pki;
pub mod proxy;
pub mod raw;

/// Capturing traces: okta-layers' test support, shared by every crate's trace tests.
#[path = "../../../okta-layers/tests/support/trace_capture.rs"]
pub mod trace_capture;

use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use okta_hyper::HyperTransport;
use okta_users::{Error, RequestBody};
use tower_service::Service;

/// A guard against a hang in a test that would otherwise wait forever when the code under test
/// is wrong; never reached when it is right (no timing is asserted).
pub const HANG_GUARD: Duration = Duration::from_secs(20);

/// A `GET` of `url`, with no body.
pub fn get(url: String) -> Request<RequestBody> {
    Request::builder()
        .uri(url)
        .body(RequestBody::default())
        .unwrap()
}

/// `request` through `transport`, which must answer within [`HANG_GUARD`].
pub async fn send(
    transport: &HyperTransport,
    request: Request<RequestBody>,
) -> Result<Response<Full<Bytes>>, Error> {
    tokio::time::timeout(HANG_GUARD, transport.clone().call(request))
        .await
        .expect("the transport answered")
}

/// A response's body, read whole.
pub async fn body(response: Response<Full<Bytes>>) -> Bytes {
    response.into_body().collect().await.unwrap().to_bytes()
}
