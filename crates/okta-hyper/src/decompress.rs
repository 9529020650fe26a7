//! Response decompression (gzip, deflate) with tower-http's decoders, paid for by compressed
//! responses only.
//!
//! tower-http builds its `DecompressionBody` only inside its `Decompression` service, and that
//! body is ~300 bytes however it is encoded: wrapping every call in it cost ~150 ns a call
//! (measured on a 1.5 KB identity response). So the transport asks for compression itself and
//! hands a response to `Decompression` only when it carries a `Content-Encoding`, boxing the
//! decoder.

use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use http::{HeaderMap, HeaderValue, Request, Response};
use http_body_util::Either;
use hyper::body::Incoming;
use okta_users::endpoints::Endpoint;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_service::Service;

/// What the transport can decode.
const ACCEPTED: HeaderValue = HeaderValue::from_static("gzip, deflate");

/// A response body as received, or being decompressed.
pub(crate) type WireBody = Either<Incoming, Pin<Box<DecompressionBody<Incoming>>>>;

/// Whether to ask for `request`'s answer compressed: yes, unless the façade marks it as one of
/// its operations that answers a single resource. One user is 1–4 KB, and inflating it costs
/// the client more than the bytes save (a fresh inflater per response: BENCHMARKS.md,
/// compression); a list page is hundreds of KB and eleven times smaller compressed.
pub(crate) fn worth_compressing<B>(request: &Request<B>) -> bool {
    request
        .extensions()
        .get::<&'static Endpoint>()
        .is_none_or(|endpoint| endpoint.is_list())
}

/// Asks for a compressed response, unless the caller chose an encoding.
pub(crate) fn accept_compressed(headers: &mut HeaderMap) {
    headers.entry(ACCEPT_ENCODING).or_insert(ACCEPTED);
}

/// The response with its body decoded as its `Content-Encoding` says (the header and
/// `Content-Length` then removed); as received when it has none, or `enabled` is false.
pub(crate) fn decode(response: Response<Incoming>, enabled: bool) -> Response<WireBody> {
    if !enabled || !response.headers().contains_key(CONTENT_ENCODING) {
        return response.map(Either::Left);
    }
    let mut decompression = Decompression::new(Answered(Some(response)));
    let decoding = pin!(decompression.call(Request::new(())));
    match decoding.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(Ok(response)) => response.map(|body| Either::Right(Box::pin(body))),
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => unreachable!("Decompression's future is ready when its inner one is"),
    }
}

/// A service that has already answered: hands `Decompression` a response we hold.
struct Answered(Option<Response<Incoming>>);

impl Service<Request<()>> for Answered {
    type Response = Response<Incoming>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Incoming>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _request: Request<()>) -> Self::Future {
        ready(Ok(self.0.take().expect("`decode` calls it once")))
    }
}
