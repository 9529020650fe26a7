//! A real forward proxy on loopback, built on hyper: `CONNECT` tunnels (for `https://`
//! destinations) and absolute-form forwarding (for `http://` ones), optionally demanding
//! `Proxy-Authorization: Basic …`. It logs what it was asked.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http::header::{PROXY_AUTHENTICATE, PROXY_AUTHORIZATION};
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

type ProxyBody = BoxBody<Bytes, hyper::Error>;

/// The proxy user of the tests that need credentials.
pub const USER: &str = "svc-okta";
/// Its password, with characters that must be percent-encoded in a URL.
pub const PASSWORD: &str = "p@ss:w0rd/s3cret";

/// [`PASSWORD`] as it stands in a proxy URL.
pub fn encoded_password() -> String {
    PASSWORD
        .replace('@', "%40")
        .replace(':', "%3A")
        .replace('/', "%2F")
}

/// Asserts that `text` (`what` shows it) holds the password in none of the forms it could
/// leak in: as given, URL-encoded, a part of it, or inside a `Basic` credential.
#[track_caller]
pub fn assert_no_secret(what: &str, text: &str) {
    let secrets = [
        PASSWORD.to_owned(),
        encoded_password(),
        "s3cret".to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")),
    ];
    for secret in secrets {
        assert!(!text.contains(&secret), "{what} shows {secret:?}: {text}");
    }
}

/// One request the proxy received.
#[derive(Debug, Clone)]
pub struct ProxySeen {
    pub method: Method,
    /// The request target as written on the wire: `host:port` for `CONNECT`, the absolute
    /// URL for a forwarded request.
    pub target: String,
    pub proxy_authorization: Option<HeaderValue>,
    /// Whether the credentials were accepted (or none were needed).
    pub admitted: bool,
}

pub struct ForwardProxy {
    pub address: SocketAddr,
    log: Arc<Mutex<Vec<ProxySeen>>>,
}

impl ForwardProxy {
    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `http://user:password@127.0.0.1:port`.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@{}", self.address)
    }

    pub fn seen(&self) -> Vec<ProxySeen> {
        self.log.lock().unwrap().clone()
    }

    /// This proxy, with [`USER`] and [`PASSWORD`] in its URL.
    pub fn with_credentials(&self) -> okta_hyper::Proxy {
        okta_hyper::Proxy::new(self.url_with(USER, &encoded_password())).unwrap()
    }
}

/// Starts a proxy; with `credentials`, it answers 407 to any request without them.
pub async fn start(credentials: Option<(&str, &str)>) -> ForwardProxy {
    let expected = credentials.map(|(user, password)| {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        HeaderValue::from_str(&format!("Basic {token}")).unwrap()
    });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = ForwardProxy {
        address: listener.local_addr().unwrap(),
        log: Arc::default(),
    };
    let log = proxy.log.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (expected, log) = (expected.clone(), log.clone());
            let service = hyper::service::service_fn(move |request| {
                handle(request, expected.clone(), log.clone())
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tcp), service)
                    .with_upgrades(),
            );
        }
    });
    proxy
}

async fn handle(
    request: Request<Incoming>,
    expected: Option<HeaderValue>,
    log: Arc<Mutex<Vec<ProxySeen>>>,
) -> Result<Response<ProxyBody>, Infallible> {
    let given = request.headers().get(PROXY_AUTHORIZATION).cloned();
    let admitted = expected.is_none() || given == expected;
    log.lock().unwrap().push(ProxySeen {
        method: request.method().clone(),
        target: request.uri().to_string(),
        proxy_authorization: given,
        admitted,
    });
    if !admitted {
        let mut response = status(StatusCode::PROXY_AUTHENTICATION_REQUIRED);
        response.headers_mut().insert(
            PROXY_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"test-proxy\""),
        );
        return Ok(response);
    }
    if request.method() == Method::CONNECT {
        return Ok(tunnel(request));
    }
    Ok(forward(request).await)
}

/// `CONNECT host:port`: answers 200, then pipes bytes both ways.
fn tunnel(request: Request<Incoming>) -> Response<ProxyBody> {
    let Some(target) = request.uri().authority().map(|a| a.to_string()) else {
        return status(StatusCode::BAD_REQUEST);
    };
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(request).await else {
            return;
        };
        let Ok(mut server) = TcpStream::connect(target).await else {
            return;
        };
        let _ = tokio::io::copy_bidirectional(&mut TokioIo::new(upgraded), &mut server).await;
    });
    status(StatusCode::OK)
}

/// `GET http://host:port/path`: sends `GET /path` to the host, without the proxy's headers.
async fn forward(request: Request<Incoming>) -> Response<ProxyBody> {
    let (mut parts, body) = request.into_parts();
    let Some(authority) = parts.uri.authority().cloned() else {
        // Origin-form: the client did not know it was talking to a proxy.
        return status(StatusCode::BAD_REQUEST);
    };
    parts.headers.remove(PROXY_AUTHORIZATION);
    parts.uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .parse::<Uri>()
        .unwrap();
    let Ok(tcp) = TcpStream::connect(authority.as_str()).await else {
        return status(StatusCode::BAD_GATEWAY);
    };
    let Ok((mut sender, connection)) =
        hyper::client::conn::http1::handshake(TokioIo::new(tcp)).await
    else {
        return status(StatusCode::BAD_GATEWAY);
    };
    tokio::spawn(connection);
    match sender.send_request(Request::from_parts(parts, body)).await {
        Ok(response) => response.map(BodyExt::boxed),
        Err(_) => status(StatusCode::BAD_GATEWAY),
    }
}

fn status(status: StatusCode) -> Response<ProxyBody> {
    let mut response = Response::new(Empty::new().map_err(|never| match never {}).boxed());
    *response.status_mut() = status;
    response
}
