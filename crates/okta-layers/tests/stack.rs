//! The whole default stack over `service_fn`s: composition, timeouts across layers. (What it
//! traces is in `traces.rs` and `otel_spans.rs`, test binaries of their own: a TRACE capture
//! must not race other tests.)

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use okta_users::{BoxError, Error, TimeoutKind};
use support::{Backend, BoxedAnswer, TOKEN, backend, request, response, stack};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

#[test]
fn the_stack_is_clone_send_sync_with_a_send_future() {
    fn check<S>(_: &S)
    where
        S: Service<Request<Full<Bytes>>> + Clone + Send + Sync + 'static,
        S::Future: Send + 'static,
    {
    }
    let service = stack().layer(backend(|_| Box::pin(async { Ok(response(200, "a")) })));
    check(&service);
    fn http_service<S: okta_users::HttpService>(_: &S) {}
    http_service(&service);
}

#[tokio::test(start_paused = true)]
async fn the_call_timeout_covers_rate_limit_waits() {
    let service = stack().layer(backend(|_| {
        Box::pin(async {
            Ok(Response::builder()
                .status(429)
                .header("x-rate-limit-limit", "600")
                .header("x-rate-limit-remaining", "0")
                .header("x-rate-limit-reset", "1000000059")
                .header(
                    "date",
                    httpdate::fmt_http_date(
                        std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000),
                    ),
                )
                .body(Full::new(Bytes::new()))
                .unwrap())
        })
    }));
    let start = Instant::now();
    let error = service
        .oneshot(request(Method::GET, "/api/v1/users"))
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from_service(error),
        Error::Timeout {
            kind: TimeoutKind::Call
        }
    ));
    assert_eq!(Instant::now() - start, Duration::from_secs(120));
}

fn hang_then_answer(n: usize) -> BoxedAnswer {
    Box::pin(async move {
        if n == 0 {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Ok(response(200, "late"))
    })
}

#[tokio::test(start_paused = true)]
async fn an_attempt_timeout_is_retried_for_a_get_but_not_for_a_post() {
    let start = Instant::now();
    let service = stack().layer(backend(hang_then_answer));
    let answer = service
        .oneshot(request(Method::GET, "/api/v1/users/00u1"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let elapsed = Instant::now() - start;
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed <= Duration::from_millis(30_100),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_post_whose_attempt_times_out_is_sent_once_and_its_outcome_is_unknown() {
    let sent = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = sent.clone();
    let backend = tower::service_fn(move |_request: Request<Full<Bytes>>| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        hang_then_answer(n)
    });
    let error = stack()
        .layer(backend)
        .oneshot(request(Method::POST, "/api/v1/users"))
        .await
        .unwrap_err();
    let error = Error::from_service(error);
    assert!(
        matches!(
            error,
            Error::Timeout {
                kind: TimeoutKind::Attempt
            }
        ),
        "{error:?}"
    );
    assert!(error.is_outcome_unknown(), "the user may have been created");
    assert_eq!(sent.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn the_stack_shapes_the_request_and_hands_back_the_redactor() {
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    let backend = tower::service_fn(move |request: Request<Full<Bytes>>| {
        *record.lock().unwrap() = Some((request.uri().clone(), request.headers().clone()));
        async { Ok::<_, BoxError>(response(200, "a")) }
    });
    let answer = stack()
        .layer(backend)
        .oneshot(request(Method::GET, "/api/v1/users/me"))
        .await
        .unwrap();
    let (uri, headers) = seen.lock().unwrap().take().unwrap();
    assert_eq!(uri, "https://dev-123.okta.com/api/v1/users/me");
    assert_eq!(headers["authorization"], format!("SSWS {TOKEN}"));
    assert!(headers["authorization"].is_sensitive());
    assert_eq!(
        headers["user-agent"],
        okta_layers::headers::DEFAULT_USER_AGENT
    );
    assert_eq!(headers["accept"], "application/json");
    let redactor = answer.extensions().get::<okta_users::Redactor>().unwrap();
    assert!(redactor.finds_secret_in(TOKEN.as_bytes()));
    // Requests for another origin never reach the transport.
    let error = stack()
        .layer(backend_never_called())
        .oneshot(request(
            Method::GET,
            "https://evil.example.com/api/v1/users",
        ))
        .await
        .unwrap_err();
    assert!(matches!(Error::from_service(error), Error::Refused(_)));
}

fn backend_never_called() -> impl Backend {
    tower::service_fn(|_request: Request<Full<Bytes>>| async {
        panic!("sent to the transport");
        #[allow(unreachable_code)]
        Ok::<_, BoxError>(response(200, "never"))
    })
}
