//! Response compression when the request asks (`Accept-Encoding`), as Okta does, with
//! tower-http's compression layer applied to the handler's finished response.

use bytes::Bytes;
use http::header::ACCEPT_ENCODING;
use http::{HeaderValue, Request, Response};
use http_body_util::{BodyExt, Full};
use std::convert::Infallible;
use tower_http::compression::CompressionLayer;
use tower_layer::Layer;
use tower_service::Service;

/// `response`, compressed with the best encoding `accept` allows (gzip or deflate; tower-http's
/// default predicate leaves bodies under 32 bytes as they are), its body whole again.
pub(crate) async fn compress(
    accept: HeaderValue,
    response: Response<Full<Bytes>>,
) -> Response<Full<Bytes>> {
    let mut compression = CompressionLayer::new()
        .gzip(true)
        .deflate(true)
        .layer(Finished(Some(response)));
    let mut request = Request::new(());
    request.headers_mut().insert(ACCEPT_ENCODING, accept);
    let Ok(()) = std::future::poll_fn(|cx| compression.poll_ready(cx)).await;
    let Ok(compressed) = compression.call(request).await;
    let (parts, body) = compressed.into_parts();
    // Compressing bytes already in memory does not fail; should it, the org answers 500.
    match body.collect().await {
        Ok(collected) => Response::from_parts(parts, Full::new(collected.to_bytes())),
        Err(_) => {
            let mut failed = Response::new(Full::new(Bytes::new()));
            *failed.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            failed
        }
    }
}

/// A service that answers its one call with the response the handler already finished.
struct Finished(Option<Response<Full<Bytes>>>);

impl Service<Request<()>> for Finished {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        std::future::ready(Ok(self.0.take().unwrap_or_default()))
    }
}
