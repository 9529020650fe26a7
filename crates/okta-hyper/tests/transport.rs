//! The transport against real loopback servers: HTTPS over HTTP/1.1 and HTTP/2 with a test CA,
//! an untrusted certificate, the body cap, a stalled body, a stalled handshake, a refused
//! connection.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Version};
use http_body::{Body, Frame, SizeHint};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use okta_hyper::{CertificateDer, HyperTransport, HyperTransportBuilder};
use okta_users::{Error, RequestBody, TimeoutKind};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tower_service::Service;

/// A test CA and a certificate for 127.0.0.1 signed by it.
struct Pki {
    ca: CertificateDer<'static>,
    leaf: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    Pki {
        ca: ca.der().clone(),
        leaf: leaf.der().clone(),
        key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()),
    }
}

/// A body of the given chunks, with no size hint (so HTTP/1.1 sends it chunked); after the
/// chunks it ends, or — if `stall` — never ends.
struct Chunks {
    chunks: VecDeque<Bytes>,
    stall: bool,
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.chunks.pop_front() {
            Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            // Never woken: the stream stalls until the client gives up.
            None if self.stall => Poll::Pending,
            None => Poll::Ready(None),
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

type TestBody = http_body_util::Either<Full<Bytes>, Chunks>;

async fn respond(
    request: Request<hyper::body::Incoming>,
) -> Result<Response<TestBody>, Infallible> {
    let full = |bytes: Bytes| http_body_util::Either::Left(Full::new(bytes));
    let body = match request.uri().path() {
        "/json" => full(Bytes::from_static(br#"{"id":"00u1"}"#)),
        "/big" => full(Bytes::from(vec![b'x'; 2000])),
        "/big-chunked" => http_body_util::Either::Right(Chunks {
            chunks: vec![Bytes::from(vec![b'x'; 500]); 4].into(),
            stall: false,
        }),
        "/small-chunked" => http_body_util::Either::Right(Chunks {
            chunks: vec![Bytes::from_static(b"ab"), Bytes::from_static(b"cd")].into(),
            stall: false,
        }),
        "/stall" => http_body_util::Either::Right(Chunks {
            chunks: vec![Bytes::from_static(b"{")].into(),
            stall: true,
        }),
        _ => full(Bytes::new()),
    };
    Ok(Response::new(body))
}

/// An HTTPS server on 127.0.0.1 offering `alpn`; returns its address and a count of accepted
/// connections.
async fn https_server(pki: &Pki, alpn: &[&[u8]]) -> (SocketAddr, Arc<AtomicUsize>) {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.leaf.clone()],
            PrivateKeyDer::Pkcs8(pki.key.clone_key()),
        )
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tls), hyper::service::service_fn(respond))
                    .await;
            });
        }
    });
    (address, connections)
}

fn get(address: SocketAddr, path: &str) -> Request<RequestBody> {
    Request::builder()
        .uri(format!("https://{address}{path}"))
        .body(RequestBody::default())
        .unwrap()
}

fn trusting(pki: &Pki) -> HyperTransportBuilder {
    HyperTransport::builder().add_root_certificate(pki.ca.clone())
}

async fn send(
    transport: &HyperTransport,
    request: Request<RequestBody>,
) -> Result<Response<Full<Bytes>>, Error> {
    transport.clone().call(request).await
}

async fn https_round_trips(alpn: &[u8], version: Version) {
    let pki = pki();
    let (address, connections) = https_server(&pki, &[alpn]).await;
    let transport = trusting(&pki).build().unwrap();
    for _ in 0..3 {
        let response = send(&transport, get(address, "/json")).await.unwrap();
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), 200);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, Bytes::from_static(br#"{"id":"00u1"}"#));
    }
    let chunked = send(&transport, get(address, "/small-chunked"))
        .await
        .unwrap();
    assert_eq!(
        chunked.into_body().collect().await.unwrap().to_bytes(),
        "abcd"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "the connection is pooled and reused"
    );
}

#[tokio::test]
async fn https_over_http1_with_a_custom_root() {
    https_round_trips(b"http/1.1", Version::HTTP_11).await;
}

#[tokio::test]
async fn https_over_http2_when_the_server_offers_it() {
    https_round_trips(b"h2", Version::HTTP_2).await;
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_transport_error_never_sent() {
    let pki = pki();
    let (address, _) = https_server(&pki, &[b"http/1.1"]).await;
    let transport = HyperTransport::builder().build().unwrap();
    let error = send(&transport, get(address, "/json")).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_cap_fails_with_or_without_content_length() {
    let pki = pki();
    for alpn in [&b"http/1.1"[..], b"h2"] {
        let (address, _) = https_server(&pki, &[alpn]).await;
        let transport = trusting(&pki).max_response_size(1000).build().unwrap();
        for path in ["/big", "/big-chunked"] {
            let error = send(&transport, get(address, path)).await.unwrap_err();
            assert!(
                matches!(error, Error::BodyTooLarge { limit: 1000 }),
                "{path}: {error:?}"
            );
        }
        // Exactly at the cap is fine.
        let transport = trusting(&pki).max_response_size(2000).build().unwrap();
        for path in ["/big", "/big-chunked"] {
            let response = send(&transport, get(address, path)).await.unwrap();
            assert_eq!(
                response
                    .into_body()
                    .collect()
                    .await
                    .unwrap()
                    .to_bytes()
                    .len(),
                2000,
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let pki = pki();
    let (address, _) = https_server(&pki, &[b"http/1.1"]).await;
    let transport = trusting(&pki)
        .body_idle_timeout(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let error = send(&transport, get(address, "/stall")).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::BodyStalled
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_was_never_sent() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let transport = HyperTransport::builder().build().unwrap();
    let error = send(&transport, get(address, "/json")).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_a_connect_timeout() {
    // Accepts TCP connections and never answers the TLS ClientHello.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let transport = HyperTransport::builder()
        .connect_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = send(&transport, get(address, "/json")).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Connect
            }
        ),
        "{error:?}"
    );
    holder.abort();
}

#[tokio::test]
async fn plain_http_is_allowed_at_this_level() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), hyper::service::service_fn(respond)),
            );
        }
    });
    let transport = HyperTransport::builder().build().unwrap();
    let request = Request::builder()
        .uri(format!("http://{address}/json"))
        .body(RequestBody::default())
        .unwrap();
    let response = send(&transport, request).await.unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(
        response.into_body().collect().await.unwrap().to_bytes(),
        Bytes::from_static(br#"{"id":"00u1"}"#)
    );
}

#[tokio::test]
async fn http2_only_speaks_h2c_to_a_plain_http_server_on_one_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let accepted = connections.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            accepted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(
                hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(tcp), hyper::service::service_fn(respond))
                    .into_owned(),
            );
        }
    });
    let transport = HyperTransport::builder().http2_only(true).build().unwrap();
    let get = || {
        Request::builder()
            .uri(format!("http://{address}/json"))
            .body(RequestBody::default())
            .unwrap()
    };
    // concurrent requests share the one multiplexed connection
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (transport, request) = (transport.clone(), get());
            tokio::spawn(async move { send(&transport, request).await })
        })
        .collect();
    for task in tasks {
        let response = task.await.unwrap().unwrap();
        assert_eq!(response.version(), Version::HTTP_2);
        assert_eq!(
            response.into_body().collect().await.unwrap().to_bytes(),
            Bytes::from_static(br#"{"id":"00u1"}"#)
        );
    }
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    // without the option, the same server is spoken to in HTTP/1.1
    let http1 = HyperTransport::builder().build().unwrap();
    assert_eq!(
        send(&http1, get()).await.unwrap().version(),
        Version::HTTP_11
    );
}

#[tokio::test]
async fn an_origin_form_uri_is_refused_before_sending() {
    let transport = HyperTransport::builder().build().unwrap();
    let request = Request::builder()
        .uri("/api/v1/users")
        .body(RequestBody::default())
        .unwrap();
    let error = send(&transport, request).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::InvalidInput {
                what: "request URI",
                ..
            }
        ),
        "{error:?}"
    );
}
