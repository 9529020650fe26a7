//! What the okta-client integration tests share: the mock org in process as a client's
//! transport (no socket: tests run on paused time), client builders for its credentials, the
//! test keys, a bare server showing what goes on the wire, the checks several files make, and
//! trace capture.
//!
//! A test file starts with `mod support;` and, on paused time, reads like this:
//!
//! ```ignore
//! #[tokio::test(start_paused = true)]
//! async fn example() {
//!     let org = support::faulty_org(3, FaultPlan::new(5));
//!     let users = support::users(&org, support::api_token(&org));
//!     users.get(support::a_user(&org)).await.unwrap();
//! }
//! ```
//!
//! Over a real socket instead (only where the socket is the point): start the org with
//! `MockOrg::builder()….start().await` and build `support::api_token(&org).build()`, the same
//! builders work for both.
// Each test binary compiles this module and uses a part of it.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_client::{Client, ClientBuilder, Error, Stack, StackConfig};
use okta_layers::rate_limit::{RateLimitEvent, WaitReason};
use okta_mock::{
    ConnectionClosed, FaultPlan, LoggedRequest, Method, MockOrg, MockOrgBuilder, MockService,
    RateLimits,
};
use okta_users::models::{CreateUserRequest, UserProfile};
use okta_users::{TimeoutKind, Users};
use tower_service::Service;

/// Capturing traces: okta-layers' test support, shared by every crate's trace tests.
#[path = "../../../okta-layers/tests/support/trace_capture.rs"]
pub mod trace_capture;

/// The test keys of `crates/okta-mock/tests/keys` (PEM), and the OAuth service apps of
/// [`oauth_org`] holding their public halves.
pub mod keys {
    /// An RSA private key (RS256), registered as [`RSA_APP`].
    pub const RSA: &str = include_str!("../../../okta-mock/tests/keys/rsa_private.pem");
    /// The public half of [`RSA`].
    pub const RSA_PUBLIC: &str = include_str!("../../../okta-mock/tests/keys/rsa_public.pem");
    /// An EC P-256 private key (ES256), registered as [`EC_APP`].
    pub const EC: &str = include_str!("../../../okta-mock/tests/keys/ec_private.pem");
    /// The public half of [`EC`].
    pub const EC_PUBLIC: &str = include_str!("../../../okta-mock/tests/keys/ec_public.pem");
    /// [`EC`] as a JWK, as Okta's admin console generates it.
    pub const EC_JWK: &str = include_str!("../../../okta-mock/tests/keys/ec_private.jwk.json");
    /// An RSA private key as a JWK.
    pub const RSA_JWK: &str = include_str!("../../../okta-mock/tests/keys/rsa_private.jwk.json");
    /// An RSA private key no app is registered with.
    pub const OTHER_RSA: &str = include_str!("../../../okta-mock/tests/keys/other_rsa_private.pem");
    /// The service app holding [`RSA_PUBLIC`].
    pub const RSA_APP: &str = "0oa-rsa-app";
    /// The service app holding [`EC_PUBLIC`].
    pub const EC_APP: &str = "0oa-ec-app";
    /// The scopes the OAuth clients ask for.
    pub const SCOPES: [&str; 2] = ["okta.users.read", "okta.users.manage"];
}

// ---- The org ----------------------------------------------------------------------------------

/// An org of `users` users (seed 3) injecting `faults`, whose rate limits (10 000 a second per
/// bucket) are never what a test meets unless it says so. In process: call it inside the
/// (paused) runtime.
pub fn faulty_org(users: usize, faults: FaultPlan) -> MockOrg {
    MockOrg::builder()
        .seed(3)
        .users(users)
        .rate_limits(RateLimits::uniform(10_000, Duration::from_secs(1)))
        .faults(faults)
        .build()
        .unwrap()
}

/// An org builder (seed 3, 5 users) with the OAuth service apps [`keys::RSA_APP`] and
/// [`keys::EC_APP`] registered; finish it with `.build()` (in process) or `.start()` (socket).
pub fn oauth_org() -> MockOrgBuilder {
    MockOrg::builder()
        .seed(3)
        .users(5)
        .oauth_client(keys::RSA_APP, keys::RSA_PUBLIC)
        .oauth_client(keys::EC_APP, keys::EC_PUBLIC)
}

/// The id of one of the org's users.
pub fn a_user(org: &MockOrg) -> String {
    org.user_ids()
        .into_iter()
        .next()
        .expect("the mock has users")
}

/// A new user whose login and email are `login`.
pub fn new_user(login: &str) -> CreateUserRequest {
    CreateUserRequest::new(UserProfile::new("Stack", "Test", login, login))
}

// ---- The client -------------------------------------------------------------------------------

/// A client builder for `org` with its API token (`SSWS`), [`deterministic`].
pub fn api_token(org: &MockOrg) -> ClientBuilder {
    Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(deterministic)
}

/// A client builder for `org` as the OAuth service app `client_id` with the private key `pem`
/// (asking for [`keys::SCOPES`]), [`deterministic`].
pub fn private_key(org: &MockOrg, client_id: &str, pem: &str) -> ClientBuilder {
    Client::builder()
        .org_url(org.base_url())
        .private_key(client_id, pem, keys::SCOPES)
        .configure_stack(deterministic)
}

/// Seeded jitters and no jitter added to a wait for a rate-limit reset (so the wait after a 429
/// is exactly `X-Rate-Limit-Reset − Date`); every other setting keeps its default, which costs
/// nothing on paused time.
pub fn deterministic(stack: &mut StackConfig) {
    stack.retry.seed = Some(11);
    stack.rate_limit.seed = Some(12);
    stack.rate_limit.reset_jitter = Duration::ZERO;
}

/// The default stack over `org`, in process.
pub type InProcess<T = OrgTransport> = Stack<T>;

/// The Users API of `org` through `builder`'s stack, in process ([`OrgTransport`]).
pub fn users(org: &MockOrg, builder: ClientBuilder) -> Users<InProcess> {
    users_over(builder, OrgTransport::new(org))
}

/// The Users API through `builder`'s stack over `transport` (the org's [`OrgTransport`] wrapped
/// in a layer of the test's own, say: `build_service` refuses caller layers).
pub fn users_over<T>(builder: ClientBuilder, transport: T) -> Users<InProcess<T>>
where
    T: Clone + 'static,
    InProcess<T>: okta_users::HttpService,
{
    Users::new(builder.build_service(transport).unwrap())
}

/// The org's in-process service ([`MockOrg::service`]) as a client's transport, with the errors
/// the hyper transport gives: a closed connection is a typed [`Error::Transport`], `not_sent`
/// when the org never saw the request (an injected `reset-before`, as a refused connection) and
/// not when it processed it (`reset-after`). (The org itself finishes a request the client
/// abandons, as a server would.)
#[derive(Clone, Debug)]
pub struct OrgTransport(MockService);

impl OrgTransport {
    /// `org`'s service.
    pub fn new(org: &MockOrg) -> Self {
        OrgTransport(org.service())
    }
}

impl Service<Request<Full<Bytes>>> for OrgTransport {
    type Response = Response<Full<Bytes>>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Full<Bytes>>, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        // The org is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Full<Bytes>>) -> Self::Future {
        let answer = self.0.call(request);
        Box::pin(async move {
            // `from_service` reads the refused connection of a reset-before as not sent.
            answer
                .await
                .map_err(|closed: ConnectionClosed| Error::from_service(Box::new(closed)))
        })
    }
}

// ---- The wire ---------------------------------------------------------------------------------

/// One request as it came over the wire: its request target and headers.
#[derive(Debug)]
pub struct WireRequest {
    /// The request target as sent: origin form, or absolute form through a proxy.
    pub target: String,
    /// Its headers.
    pub headers: http::HeaderMap,
}

impl WireRequest {
    /// The header `name` as text, if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

/// A bare HTTP/1.1 server on loopback (not the mock: what goes on the wire is the point) that
/// answers the requests of its first connection with Okta's 404 (`E0000007`, request id
/// `req-1`) and sends each request down the returned channel.
pub async fn wire_recorder() -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<WireRequest>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (seen_tx, seen_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            seen_tx
                .send(WireRequest {
                    target: request.uri().to_string(),
                    headers: request.headers().clone(),
                })
                .unwrap();
            let body = r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00u1 (User)","errorLink":"E0000007","errorId":"oae1","errorCauses":[]}"#;
            let response = Response::builder()
                .status(404)
                .header("content-type", "application/json")
                .header("x-okta-request-id", "req-1")
                .body(Full::new(Bytes::from_static(body.as_bytes())))
                .unwrap();
            async move { Ok::<_, std::convert::Infallible>(response) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
            .await;
    });
    (address, seen_rx)
}

// ---- What the org saw -------------------------------------------------------------------------

/// How many times the fault `kind` (`"status-503"`, `"reset-after"`, `"latency"`, …) fired.
pub fn fired(org: &MockOrg, kind: &str) -> u64 {
    org.counters().faults.get(kind).copied().unwrap_or(0)
}

/// The logged requests of `method` to exactly `path`, in order.
pub fn logged(org: &MockOrg, method: Method, path: &str) -> Vec<LoggedRequest> {
    org.request_log()
        .into_iter()
        .filter(|entry| entry.method == method && entry.path == path)
        .collect()
}

/// A request's `(X-Okta-Retry-For, X-Okta-Retry-Count)`.
pub fn retry_headers(entry: &LoggedRequest) -> (Option<&str>, Option<&str>) {
    (entry.retry_for.as_deref(), entry.retry_count.as_deref())
}

// ---- Checks -----------------------------------------------------------------------------------

/// `error` is a transport failure after the request was sent: the outcome is unknown.
#[track_caller]
pub fn assert_lost_after_sending(error: &Error) {
    assert!(
        matches!(
            error,
            Error::Transport {
                not_sent: false,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_outcome_unknown(), "{error:?}");
}

/// `error` is a timeout of `kind`.
#[track_caller]
pub fn assert_timeout(error: &Error, kind: TimeoutKind) {
    assert!(
        matches!(error, Error::Timeout { kind: k } if *k == kind),
        "expected a {kind} timeout: {error:?}"
    );
}

// ---- What the client did ----------------------------------------------------------------------

/// The rate limiter's events, recorded through its observer: `builder.configure_stack(|stack|
/// events.observe(stack))`.
#[derive(Clone, Default)]
pub struct RateLimitEvents(Arc<Mutex<Vec<RateLimitEvent>>>);

impl RateLimitEvents {
    /// Makes `stack`'s rate limiter report to this log.
    pub fn observe(&self, stack: &mut StackConfig) {
        let events = self.0.clone();
        stack.rate_limit.observer = Some(Arc::new(move |event: &RateLimitEvent| {
            events.lock().unwrap().push(event.clone());
        }));
    }

    /// Every event so far.
    pub fn all(&self) -> Vec<RateLimitEvent> {
        self.0.lock().unwrap().clone()
    }

    /// The waits for `reason`, in order (for a 429, the planned wait).
    pub fn waits(&self, reason: WaitReason) -> Vec<Duration> {
        self.all()
            .iter()
            .filter_map(|event| match event {
                RateLimitEvent::Waited {
                    duration,
                    reason: why,
                    ..
                } if *why == reason => Some(*duration),
                _ => None,
            })
            .collect()
    }
}
