//! Origin servers on loopback (HTTP/1.1, or HTTPS offering HTTP/1.1 and/or h2) with a fixed set
//! of routes, recording every request they receive.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::CONTENT_ENCODING;
use http::{HeaderMap, Method, Request, Response};
use http_body::{Body, Frame, SizeHint};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

use super::compress;
use super::pki::{Pki, acceptor};

pub const JSON: &[u8] = br#"{"id":"00u1","profile":{"login":"a@example.com"}}"#;

/// A request as the origin received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: Method,
    /// The request target as written on the wire (origin-form for a direct request).
    pub target: String,
    pub headers: HeaderMap,
}

/// A running origin server.
pub struct Origin {
    pub address: SocketAddr,
    scheme: &'static str,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Origin {
    /// `scheme://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.address)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// A plain HTTP/1.1 origin.
pub async fn http() -> Origin {
    serve(None).await
}

/// An HTTPS origin with the test CA's certificate, offering `alpn`.
pub async fn https(pki: &Pki, alpn: &[&[u8]]) -> Origin {
    serve(Some(acceptor(pki, alpn))).await
}

async fn serve(tls: Option<tokio_rustls::TlsAcceptor>) -> Origin {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = Origin {
        address: listener.local_addr().unwrap(),
        scheme: if tls.is_some() { "https" } else { "http" },
        connections: Arc::default(),
        seen: Arc::default(),
    };
    let (connections, seen) = (origin.connections.clone(), origin.seen.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            connections.fetch_add(1, Ordering::SeqCst);
            let seen = seen.clone();
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    seen.lock().unwrap().push(Seen {
                        method: request.method().clone(),
                        target: request.uri().to_string(),
                        headers: request.headers().clone(),
                    });
                    async move { Ok::<_, Infallible>(respond(request.uri().path())) }
                });
            let tls = tls.clone();
            tokio::spawn(async move {
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = match tls {
                    Some(tls) => {
                        let Ok(stream) = tls.accept(tcp).await else {
                            return;
                        };
                        builder
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                    }
                    None => builder.serve_connection(TokioIo::new(tcp), service).await,
                };
            });
        }
    });
    origin
}

fn respond(path: &str) -> Response<Chunks> {
    let x = |n: usize| Bytes::from(vec![b'x'; n]);
    let (chunks, then, length, encoding) = match path {
        "/json" => (vec![Bytes::from_static(JSON)], Then::End, true, None),
        "/big" => (vec![x(2000)], Then::End, true, None),
        "/big-chunked" => (vec![x(500); 4], Then::End, false, None),
        "/small-chunked" => (
            vec![Bytes::from_static(b"ab"), Bytes::from_static(b"cd")],
            Then::End,
            false,
            None,
        ),
        "/stall" => (vec![Bytes::from_static(b"{")], Then::Stall, false, None),
        // 128 KiB, then nothing more: a client that reads past its cap waits forever.
        "/128k-then-stall" => (vec![x(16 * 1024); 8], Then::Stall, false, None),
        "/gzip" => (vec![compress::gzip(JSON)], Then::End, true, Some("gzip")),
        "/deflate" => (
            vec![compress::deflate(JSON)],
            Then::End,
            true,
            Some("deflate"),
        ),
        "/gzip-2000" => (
            vec![compress::gzip(&[b'x'; 2000])],
            Then::End,
            true,
            Some("gzip"),
        ),
        "/gzip-corrupt" => (
            vec![Bytes::from_static(b"\x1f\x8b\x08\x00 this is not gzip")],
            Then::End,
            true,
            Some("gzip"),
        ),
        // 1 GiB of zeros in about 1 MiB of gzip.
        "/gzip-bomb" => (compress::gzip_bomb(1024), Then::End, false, Some("gzip")),
        _ => (Vec::new(), Then::End, true, None),
    };
    let length = length.then(|| chunks.iter().map(|c| c.len() as u64).sum());
    let mut response = Response::new(Chunks {
        chunks: chunks.into(),
        then,
        length,
    });
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(CONTENT_ENCODING, encoding.parse().unwrap());
    }
    response
}

#[derive(Clone, Copy)]
enum Then {
    End,
    /// Never ends and is never woken: the body stalls until the client gives up.
    Stall,
}

/// A body of the given chunks; with a length (sent as `Content-Length`) or without (sent
/// chunked over HTTP/1.1).
pub struct Chunks {
    chunks: VecDeque<Bytes>,
    then: Then,
    length: Option<u64>,
}

impl Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match (self.chunks.pop_front(), self.then) {
            (Some(chunk), _) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            (None, Then::End) => Poll::Ready(None),
            (None, Then::Stall) => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.length.map(SizeHint::with_exact).unwrap_or_default()
    }
}
