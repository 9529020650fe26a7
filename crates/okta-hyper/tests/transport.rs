//! The transport against real loopback servers: HTTPS over HTTP/1.1 and HTTP/2 with a test CA,
//! an untrusted certificate, the body cap (configured and per request), a stalled body, a
//! stalled handshake, a refused connection.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response, Version};
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};
use okta_hyper::{HyperTransport, HyperTransportBuilder};
use okta_users::{Error, MaxResponseSize, RequestBody, TimeoutKind};
use support::pki::{Pki, pki};
use support::{body, get, origin, send};
use tokio::net::TcpListener;

fn trusting(pki: &Pki) -> HyperTransportBuilder {
    HyperTransport::builder()
        .no_proxy()
        .add_root_certificate(pki.ca.clone())
}

async fn https_round_trips(alpn: &[u8], version: Version) {
    let pki = pki();
    let origin = origin::https(&pki, &[alpn]).await;
    let transport = trusting(&pki).build().unwrap();
    for _ in 0..3 {
        let response = send(&transport, get(origin.url("/json"))).await.unwrap();
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), 200);
        assert_eq!(body(response).await, origin::JSON);
    }
    let chunked = send(&transport, get(origin.url("/small-chunked")))
        .await
        .unwrap();
    assert_eq!(body(chunked).await, "abcd");
    assert_eq!(
        origin.connections(),
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
    let origin = origin::https(&pki, &[b"http/1.1"]).await;
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    let error = send(&transport, get(origin.url("/json")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_over_the_cap_fails_with_or_without_content_length() {
    let pki = pki();
    for alpn in [&b"http/1.1"[..], b"h2"] {
        let origin = origin::https(&pki, &[alpn]).await;
        let transport = trusting(&pki).max_response_size(1000).build().unwrap();
        for path in ["/big", "/big-chunked"] {
            let error = send(&transport, get(origin.url(path))).await.unwrap_err();
            assert!(
                matches!(error, Error::BodyTooLarge { limit: 1000 }),
                "{path}: {error:?}"
            );
        }
        // Exactly at the cap is fine.
        let transport = trusting(&pki).max_response_size(2000).build().unwrap();
        for path in ["/big", "/big-chunked"] {
            let response = send(&transport, get(origin.url(path))).await.unwrap();
            assert_eq!(body(response).await.len(), 2000, "{path}");
        }
    }
}

fn capped(url: String, cap: usize) -> Request<RequestBody> {
    let mut request = get(url);
    request.extensions_mut().insert(MaxResponseSize(cap));
    request
}

#[tokio::test]
async fn a_request_lowers_the_cap_for_itself_and_it_holds_while_reading() {
    let origin = origin::http().await;
    // No stall timeout: the body sends 128 KiB and then nothing, so only a cap enforced while
    // reading can end this request.
    let transport = HyperTransport::builder()
        .no_proxy()
        .body_idle_timeout(None)
        .build()
        .unwrap();
    let error = send(
        &transport,
        capped(origin.url("/128k-then-stall"), 64 * 1024),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 65_536 }),
        "{error:?}"
    );
    // Only for that request: the next one has the configured cap.
    let response = send(&transport, get(origin.url("/big"))).await.unwrap();
    assert_eq!(body(response).await.len(), 2000);
    // Refused from Content-Length alone, before reading.
    let error = send(&transport, capped(origin.url("/big"), 1999))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1999 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_request_cannot_raise_the_configured_cap() {
    let origin = origin::http().await;
    let transport = HyperTransport::builder()
        .no_proxy()
        .max_response_size(1000)
        .build()
        .unwrap();
    let error = send(&transport, capped(origin.url("/big-chunked"), 1 << 20))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1000 }),
        "{error:?}"
    );
}

/// Paused time over a loopback socket works here: the origin is a task of this runtime and
/// loopback hands a write to the reader before `write` returns, so the runtime is idle (and the
/// paused clock jumps to the next timer) only once the body or the handshake has stalled.
const STALL_TIMEOUT: Duration = Duration::from_millis(200);

#[tokio::test(start_paused = true)]
async fn a_stalled_body_times_out() {
    let pki = pki();
    let origin = origin::https(&pki, &[b"http/1.1"]).await;
    let transport = trusting(&pki)
        .body_idle_timeout(Some(STALL_TIMEOUT))
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let error = send(&transport, get(origin.url("/stall")))
        .await
        .unwrap_err();
    assert_eq!(start.elapsed(), STALL_TIMEOUT, "{error:?}");
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
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    let error = send(&transport, get(format!("https://{address}/json")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );
}

/// On paused time, as [`a_stalled_body_times_out`].
#[tokio::test(start_paused = true)]
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
        .no_proxy()
        .connect_timeout(STALL_TIMEOUT)
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let error = send(&transport, get(format!("https://{address}/json")))
        .await
        .unwrap_err();
    assert_eq!(start.elapsed(), STALL_TIMEOUT, "{error:?}");
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
    let origin = origin::http().await;
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    let response = send(&transport, get(origin.url("/json"))).await.unwrap();
    assert_eq!(response.version(), Version::HTTP_11);
    assert_eq!(body(response).await, origin::JSON);
    assert_eq!(origin.seen()[0].target, "/json", "origin-form when direct");
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
                    .serve_connection(
                        TokioIo::new(tcp),
                        hyper::service::service_fn(|_: Request<hyper::body::Incoming>| async {
                            Ok::<_, std::convert::Infallible>(Response::new(Full::new(
                                Bytes::from_static(br#"{"id":"00u1"}"#),
                            )))
                        }),
                    )
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
            body(response).await,
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
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    let error = send(&transport, get("/api/v1/users".to_owned()))
        .await
        .unwrap_err();
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
