//! The hyper service: request id, concurrency and rate limits, faults, auth, routing, and the
//! headers every Okta response carries.

use crate::api::{self, Query, Reply, Req};
use crate::clock::Clock;
use crate::error::ApiError;
use crate::faults::{FaultEngine, Injected};
use crate::ids;
use crate::introspect::{LoggedRequest, Metrics, RequestLog, redact};
use crate::oauth::OAuth;
use crate::ratelimit::{Bucket, Concurrency, Quota, RateLimiter};
use crate::store::Store;
use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE, DATE, HeaderName, LINK};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::sync::{Arc, RwLock};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

const MAX_BODY: usize = 1 << 20;
static REQUEST_ID: HeaderName = HeaderName::from_static("x-okta-request-id");
static LIMIT: HeaderName = HeaderName::from_static("x-rate-limit-limit");
static REMAINING: HeaderName = HeaderName::from_static("x-rate-limit-remaining");
static RESET: HeaderName = HeaderName::from_static("x-rate-limit-reset");

/// Everything the service needs, shared by all connections.
pub(crate) struct Shared {
    pub store: RwLock<Store>,
    pub base: String,
    pub token: String,
    pub clock: Clock,
    pub limiter: RateLimiter,
    pub concurrency: Concurrency,
    pub faults: FaultEngine,
    pub oauth: OAuth,
    pub metrics: Metrics,
    pub log: RequestLog,
}

/// Returned from the service to make hyper drop the connection without a response.
#[derive(Debug)]
pub(crate) struct ConnectionReset;

impl std::fmt::Display for ConnectionReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("injected connection reset")
    }
}

impl std::error::Error for ConnectionReset {}

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
                    let svc = service_fn(move |req| respond(shared.clone(), req));
                    let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.abort_all();
}

/// Like a real server, the mock finishes a request whose client hung up (a client that timed
/// out cannot know whether its request was processed): with faults injected (latency), the
/// request is handled in its own task, which a closed connection does not cancel.
async fn respond(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ConnectionReset> {
    if shared.faults.is_empty() {
        handle(shared, req).await
    } else {
        tokio::spawn(handle(shared, req))
            .await
            .unwrap_or(Err(ConnectionReset))
    }
}

struct Meta {
    method: Method,
    path: String,
    query: String,
    request_id: String,
    retry_for: Option<String>,
    retry_count: Option<String>,
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ConnectionReset> {
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

    let Some(_permit) = shared.concurrency.try_acquire() else {
        Metrics::bump(&shared.metrics.concurrency_rejected);
        let now = Instant::now();
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
        return Err(ConnectionReset);
    }

    let quota = shared
        .limiter
        .acquire(bucket, Instant::now(), &shared.clock);
    if !quota.allowed {
        Metrics::bump(&shared.metrics.rate_limited);
        return Ok(finish(
            &shared,
            &meta,
            error_reply(&ApiError::rate_limited()),
            &quota,
            &inj,
        ));
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

    let auth = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
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

    let reply = if meta.path == "/oauth2/v1/token" {
        token_endpoint(&shared, &meta, &body)
    } else {
        match authorize(&shared, &meta.method, auth.as_deref()) {
            Err(e) => {
                if e.status == StatusCode::UNAUTHORIZED {
                    Metrics::bump(&shared.metrics.unauthorized);
                }
                error_reply(&e)
            }
            Ok(()) => {
                let req = Req {
                    method: &meta.method,
                    path: &meta.path,
                    raw_query: &meta.query,
                    query: Query::parse(&meta.query),
                    body,
                    store: &shared.store,
                };
                api::route(&req).unwrap_or_else(|e| error_reply(&e))
            }
        }
    };
    if inj.reset_after {
        log(&shared, &meta, 0);
        return Err(ConnectionReset);
    }
    Ok(finish(&shared, &meta, reply, &quota, &inj))
}

fn header_text(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn token_endpoint(shared: &Shared, meta: &Meta, body: &Bytes) -> Reply {
    if meta.method != Method::POST {
        return error_reply(&ApiError::method_not_allowed());
    }
    Metrics::bump(&shared.metrics.token_requests);
    let audience = format!("{}/oauth2/v1/token", shared.base);
    let (status, body, issued) = shared.oauth.token(body, &audience, Instant::now());
    if issued {
        Metrics::bump(&shared.metrics.tokens_issued);
    }
    Reply {
        status,
        body,
        links: Vec::new(),
    }
}

/// The token of an `SSWS` header. Like Okta, the space after the scheme is optional: Okta's
/// Python SDK 3.x sends `SSWS<token>`.
fn ssws_token(header: &str) -> Option<&str> {
    header.strip_prefix("SSWS").map(str::trim_start)
}

/// `SSWS <token>` or a live `Bearer` token with a scope that covers the method.
fn authorize(shared: &Shared, method: &Method, header: Option<&str>) -> Result<(), ApiError> {
    let header = header.ok_or_else(ApiError::invalid_token)?;
    if let Some(t) = ssws_token(header) {
        return if t == shared.token {
            Ok(())
        } else {
            Err(ApiError::invalid_token())
        };
    }
    let t = header
        .strip_prefix("Bearer ")
        .ok_or_else(ApiError::invalid_token)?;
    let scopes = shared
        .oauth
        .check(t, Instant::now())
        .ok_or_else(ApiError::invalid_token)?;
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let ok = has("okta.users.manage") || (*method == Method::GET && has("okta.users.read"));
    if ok {
        Ok(())
    } else {
        Err(ApiError::access_denied())
    }
}

fn error_reply(e: &ApiError) -> Reply {
    Reply {
        status: e.status,
        body: e.body(),
        links: Vec::new(),
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
    let now = Instant::now();
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
