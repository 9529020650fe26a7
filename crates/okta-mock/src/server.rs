//! The one handler behind both the loopback server and [`crate::MockService`]: request id,
//! concurrency and rate limits, faults, auth, routing, the headers every Okta response carries,
//! and compression when asked.

use crate::api::{self, Query, Reply, Req};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::faults::{FaultEngine, Injected};
use crate::ids;
use crate::introspect::{LoggedRequest, Metrics, RequestLog, redact};
use crate::oauth::{ApiRefusal, Headers, OAuth};
use crate::principal::Principals;
use crate::ratelimit::{Bucket, Concurrency, Quota, RateLimiter};
use crate::service::ConnectionClosed;
use crate::store::Store;
use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, DATE, ETAG, HeaderName, LINK};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::sync::{Arc, RwLock};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const MAX_BODY: usize = 1 << 20;
static REQUEST_ID: HeaderName = HeaderName::from_static("x-okta-request-id");
static LIMIT: HeaderName = HeaderName::from_static("x-rate-limit-limit");
static REMAINING: HeaderName = HeaderName::from_static("x-rate-limit-remaining");
static RESET: HeaderName = HeaderName::from_static("x-rate-limit-reset");

/// Everything the handler needs, shared by all connections and service clones.
pub(crate) struct Shared {
    pub store: RwLock<Store>,
    pub base: String,
    pub principals: Principals,
    pub seed: u64,
    pub clock: Clock,
    pub limiter: RateLimiter,
    pub concurrency: Concurrency,
    pub faults: FaultEngine,
    pub oauth: OAuth,
    pub metrics: Metrics,
    pub log: RequestLog,
}

/// Accept connections until `shutdown` fires (or its sender is dropped).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: oneshot::Receiver<()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // We write Date ourselves (consistent with X-Rate-Limit-Reset, and omittable as a fault).
    builder.http1().auto_date_header(false);
    builder.http2().auto_date_header(false);
    let builder = Arc::new(builder);
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                let builder = builder.clone();
                conns.spawn(async move {
                    // An error from the handler (an injected reset) makes hyper drop the
                    // connection without an answer.
                    let svc = service_fn(move |req| respond(shared.clone(), req));
                    let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
}

/// Answer one request, whatever carried it.
///
/// Like a real server, the mock finishes a request whose client hung up (a client that timed
/// out cannot know whether its request was processed): with faults injected (latency), the
/// request is handled in its own task, which a closed connection or a dropped future does not
/// cancel.
pub(crate) async fn respond<B>(
    shared: Arc<Shared>,
    req: Request<B>,
) -> Result<Response<Full<Bytes>>, ConnectionClosed>
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let accept_encoding = req.headers().get(ACCEPT_ENCODING).cloned();
    let response = if shared.faults.is_empty() {
        handle(shared, req).await
    } else {
        tokio::spawn(handle(shared, req))
            .await
            .unwrap_or(Err(ConnectionClosed::response_lost()))
    }?;
    Ok(match accept_encoding {
        Some(accept) => crate::compress::compress(accept, response).await,
        None => response,
    })
}

struct Meta {
    method: Method,
    path: String,
    query: String,
    request_id: String,
    retry_for: Option<String>,
    retry_count: Option<String>,
}

/// Who is calling, from the `Authorization` header (checked later, after the rate limit).
enum Caller {
    /// A known API token.
    Token(usize),
    /// A live OAuth access token: its client's principal and its scopes; for a DPoP-bound
    /// token sent as `DPoP`, the token and the thumbprint its proof must match.
    OAuth {
        principal: Option<usize>,
        scopes: Vec<String>,
        bound: Option<(String, String)>,
    },
    /// A live token sent with the wrong scheme: a DPoP-bound one as `Bearer`, or a bearer one
    /// as `DPoP`.
    WrongScheme { principal: Option<usize> },
    /// No credentials, or ones the org does not know.
    Unknown,
}

impl Caller {
    fn principal(&self) -> Option<usize> {
        match self {
            Caller::Token(p) => Some(*p),
            Caller::OAuth { principal, .. } | Caller::WrongScheme { principal } => *principal,
            Caller::Unknown => None,
        }
    }
}

fn identify(shared: &Shared, header: Option<&str>) -> Caller {
    let Some(header) = header else {
        return Caller::Unknown;
    };
    if let Some(token) = ssws_token(header) {
        return shared
            .principals
            .by_token(token)
            .map_or(Caller::Unknown, Caller::Token);
    }
    let Some((scheme, token)) = header.split_once(' ') else {
        return Caller::Unknown;
    };
    let dpop = scheme.eq_ignore_ascii_case("DPoP");
    if !dpop && !scheme.eq_ignore_ascii_case("Bearer") {
        return Caller::Unknown;
    }
    let Some(grant) = shared.oauth.check(token, shared.clock.now()) else {
        return Caller::Unknown;
    };
    let principal = shared.principals.by_client(&grant.client_id);
    match (dpop, grant.jkt) {
        (false, None) => Caller::OAuth {
            principal,
            scopes: grant.scopes,
            bound: None,
        },
        (true, Some(jkt)) => Caller::OAuth {
            principal,
            scopes: grant.scopes,
            bound: Some((token.to_owned(), jkt)),
        },
        _ => Caller::WrongScheme { principal },
    }
}

async fn handle<B>(
    shared: Arc<Shared>,
    req: Request<B>,
) -> Result<Response<Full<Bytes>>, ConnectionClosed>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let meta = Meta {
        method: req.method().clone(),
        path: req.uri().path().to_owned(),
        query: req.uri().query().unwrap_or("").to_owned(),
        request_id: ids::request_id(),
        retry_for: header_text(&req, "x-okta-retry-for"),
        retry_count: header_text(&req, "x-okta-retry-count"),
    };
    Metrics::bump(&shared.metrics.requests);
    let bucket = Bucket::classify(&meta.method, &meta.path);
    Metrics::bump(&shared.metrics.by_bucket[bucket.index()]);
    let caller = identify(
        &shared,
        req.headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
    );
    let principal = caller.principal();
    let principal_metrics = shared.metrics.principal(principal);

    let Some(_permit) = shared.concurrency.try_acquire() else {
        Metrics::bump(&shared.metrics.concurrency_rejected);
        if let Some(m) = principal_metrics {
            Metrics::bump(&m.concurrency_rejected);
        }
        let now = shared.clock.now();
        let quota = Quota {
            limit: 0,
            remaining: 0,
            reset: shared.clock.epoch_secs(now) + 1,
            allowed: false,
        };
        let reply = error_reply(&ApiError::rate_limited());
        return Ok(finish(&shared, &meta, reply, &quota, &Injected::default()));
    };

    let inj = if shared.faults.is_empty() {
        Injected::default()
    } else {
        shared.faults.draw(&meta.method, &meta.path)
    };
    for name in &inj.fired {
        shared.metrics.fault(name);
    }
    if !inj.latency.is_zero() {
        tokio::time::sleep(inj.latency).await;
    }
    if inj.reset_before {
        log(&shared, &meta, 0);
        return Err(ConnectionClosed::not_sent());
    }

    let share = principal.and_then(|p| Some((p, shared.principals.get(p)?.share)));
    let quota = shared
        .limiter
        .acquire(bucket, share, shared.clock.now(), &shared.clock);
    if !quota.allowed {
        Metrics::bump(&shared.metrics.rate_limited);
        if let Some(m) = principal_metrics {
            Metrics::bump(&m.rate_limited[bucket.index()]);
        }
        return Ok(finish(
            &shared,
            &meta,
            error_reply(&ApiError::rate_limited()),
            &quota,
            &inj,
        ));
    }
    if let Some(m) = principal_metrics {
        Metrics::bump(&m.admitted[bucket.index()]);
    }
    if let Some(status) = inj.status {
        let (err, quota) = if status == 429 {
            (
                ApiError::rate_limited(),
                Quota {
                    remaining: 0,
                    ..quota
                },
            )
        } else {
            (ApiError::server_fault(status), quota)
        };
        return Ok(finish(&shared, &meta, error_reply(&err), &quota, &inj));
    }

    let if_match = header_text(&req, "if-match");
    let proofs: Vec<String> = req
        .headers()
        .get_all("dpop")
        .iter()
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect();
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return Ok(finish(
                &shared,
                &meta,
                error_reply(&ApiError::malformed_body()),
                &quota,
                &inj,
            ));
        }
    };

    let mut headers = Headers::new();
    let reply = if meta.path == "/oauth2/v1/token" {
        token_endpoint(&shared, &meta, &body, &proofs, &mut headers)
    } else {
        match authorize(&shared, &meta, &caller, &proofs) {
            Err(refusal) => {
                if refusal.status == StatusCode::UNAUTHORIZED {
                    Metrics::bump(&shared.metrics.unauthorized);
                }
                headers = refusal.headers;
                Reply {
                    status: refusal.status,
                    body: refusal.body,
                    links: Vec::new(),
                    etag: None,
                }
            }
            Ok(granted) => {
                headers = granted;
                let req = Req {
                    method: &meta.method,
                    path: &meta.path,
                    raw_query: &meta.query,
                    query: Query::parse(&meta.query),
                    if_match: if_match.as_deref(),
                    body,
                    now: shared.clock.datetime(shared.clock.now()),
                    store: &shared.store,
                };
                api::route(&req).unwrap_or_else(|e| error_reply(&e))
            }
        }
    };
    if inj.reset_after {
        log(&shared, &meta, 0);
        return Err(ConnectionClosed::response_lost());
    }
    let mut response = finish(&shared, &meta, reply, &quota, &inj);
    for (name, value) in headers {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

fn header_text<B>(req: &Request<B>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn token_endpoint(
    shared: &Shared,
    meta: &Meta,
    body: &Bytes,
    proofs: &[String],
    headers: &mut Headers,
) -> Reply {
    if meta.method != Method::POST {
        return error_reply(&ApiError::method_not_allowed());
    }
    Metrics::bump(&shared.metrics.token_requests);
    let answer = shared
        .oauth
        .token(body, proofs, &shared.base, shared.clock.now());
    if answer.issued {
        Metrics::bump(&shared.metrics.tokens_issued);
    }
    *headers = answer.headers;
    Reply {
        status: answer.status,
        body: answer.body,
        links: Vec::new(),
        etag: None,
    }
}

/// The token of an `SSWS` header. Like Okta, the space after the scheme is optional: Okta's
/// Python SDK 3.x sends `SSWS<token>`.
fn ssws_token(header: &str) -> Option<&str> {
    header.strip_prefix("SSWS").map(str::trim_start)
}

/// A known API token, or a live OAuth token — `Bearer`, or DPoP-bound with a valid proof —
/// with a scope that covers the method; the headers to answer with (a new DPoP nonce).
fn authorize(
    shared: &Shared,
    meta: &Meta,
    caller: &Caller,
    proofs: &[String],
) -> Result<Headers, ApiRefusal> {
    let refusal = |error: &ApiError| ApiRefusal {
        status: error.status,
        body: error.body(),
        headers: Headers::new(),
    };
    match caller {
        Caller::Unknown => Err(refusal(&ApiError::invalid_token())),
        Caller::WrongScheme { .. } => Err(ApiRefusal {
            headers: vec![crate::dpop::challenge(
                "invalid_token",
                "The access token is DPoP-bound and needs the DPoP scheme and a DPoP proof, or is not and needs the Bearer scheme.",
            )],
            ..refusal(&ApiError::invalid_token())
        }),
        Caller::Token(_) => Ok(Headers::new()),
        Caller::OAuth { scopes, bound, .. } => {
            let headers = match bound {
                Some((token, jkt)) => shared.oauth.check_api_proof(
                    proofs,
                    &meta.method,
                    &shared.base,
                    &meta.path,
                    token,
                    jkt,
                    shared.clock.now(),
                )?,
                None => Headers::new(),
            };
            let has = |s: &str| scopes.iter().any(|x| x == s);
            let ok =
                has("okta.users.manage") || (meta.method == Method::GET && has("okta.users.read"));
            if ok {
                Ok(headers)
            } else {
                Err(refusal(&ApiError::access_denied()))
            }
        }
    }
}

fn error_reply(e: &ApiError) -> Reply {
    Reply {
        status: e.status,
        body: e.body(),
        links: Vec::new(),
        etag: None,
    }
}

fn log(shared: &Shared, meta: &Meta, status: u16) {
    if shared.log.enabled() {
        shared.log.push(LoggedRequest {
            method: meta.method.clone(),
            path: meta.path.clone(),
            query: redact(&meta.query),
            status,
            request_id: meta.request_id.clone(),
            retry_for: meta.retry_for.clone(),
            retry_count: meta.retry_count.clone(),
        });
    }
}

/// Add the headers every response carries, apply header and body faults, and log.
fn finish(
    shared: &Shared,
    meta: &Meta,
    reply: Reply,
    quota: &Quota,
    inj: &Injected,
) -> Response<Full<Bytes>> {
    let now = shared.clock.now();
    let status = reply.status;
    let mut body = reply.body;
    if inj.malformed && status == StatusCode::OK {
        // Cut the JSON in half (or send a lone brace) so any parser rejects it.
        body = if body.len() >= 4 {
            body.slice(..body.len() / 2)
        } else {
            Bytes::from_static(b"{\"")
        };
    }
    let has_body = !body.is_empty();
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    if has_body {
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    if let Ok(v) = HeaderValue::from_str(&meta.request_id) {
        h.insert(REQUEST_ID.clone(), v);
    }
    if !inj.missing_date {
        h.insert(DATE, shared.clock.date_header(now));
    }
    h.insert(LIMIT.clone(), HeaderValue::from(quota.limit));
    h.insert(REMAINING.clone(), HeaderValue::from(quota.remaining));
    h.insert(RESET.clone(), HeaderValue::from(quota.reset));
    if inj.duplicate_reset {
        h.append(RESET.clone(), HeaderValue::from(quota.reset + 17));
    }
    if let Some(etag) = reply.etag {
        h.insert(ETAG, etag);
    }
    for link in reply.links {
        h.append(LINK, link);
    }
    log(shared, meta, status.as_u16());
    resp
}

#[cfg(test)]
mod tests {
    use super::ssws_token;

    #[test]
    fn ssws_space_is_optional() {
        assert_eq!(ssws_token("SSWS abc"), Some("abc"));
        assert_eq!(ssws_token("SSWSabc"), Some("abc"));
        assert_eq!(ssws_token("SSWS  abc"), Some("abc"));
        assert_eq!(ssws_token("Bearer abc"), None);
        assert_eq!(ssws_token("SSWS"), Some(""));
    }
}
