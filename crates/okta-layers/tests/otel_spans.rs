//! The default stack's spans by OpenTelemetry's HTTP client conventions: `server.address`,
//! `server.port`, `url.template`, the span status on 4xx/5xx and transport errors, and
//! `url.full` without personal data unless asked. A test binary of its own, its tests one at a
//! time: `tracing`'s callsite interest cache is global, and a test running meanwhile without a
//! subscriber could switch off the callsites captured here.

mod support;

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use okta_layers::{Credentials, StackLayer};
use okta_users::endpoints::{CREATE_USER, GET_USER, LIST_USERS};
use okta_users::{BoxError, Error};
use support::trace_capture::{ONE_AT_A_TIME, capture};
use support::{Backend, config, org_url, request_for, response};
use tower::{Layer, ServiceExt};

fn stack(org: &'static str, record_url_pii: bool) -> StackLayer {
    let mut config = config();
    config.record_url_pii = record_url_pii;
    StackLayer::new(&config, org_url(org), &Credentials::api_token("00token")).unwrap()
}

fn answering(status: u16) -> impl Backend {
    tower::service_fn(move |_request: Request<Full<Bytes>>| async move {
        Ok::<_, BoxError>(response(status, "req-1"))
    })
}

#[tokio::test(start_paused = true)]
async fn a_404_marks_both_spans_as_errors_with_the_otel_fields_and_no_login_in_the_url() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (spans, _text, _guard) = capture();
    let answer = stack("https://dev-123.okta.com", false)
        .layer(answering(404))
        .oneshot(request_for(
            &GET_USER,
            "/api/v1/users/ada.lovelace%40example.com",
        ))
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);

    let calls = spans.spans_named("okta.call");
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call["otel.name"], "okta.users.get");
    assert_eq!(call["otel.kind"], "client");
    assert_eq!(call["otel.status_code"], "ERROR");
    assert_eq!(call["error.type"], "404");
    assert_eq!(call["http.response.status_code"], "404");
    assert_eq!(call["http.request.method"], "GET");
    assert_eq!(call["server.address"], "dev-123.okta.com");
    assert_eq!(call["server.port"], "443");
    assert_eq!(call["url.template"], "/api/v1/users/{userId}");
    assert_eq!(
        call["url.full"],
        "https://dev-123.okta.com/api/v1/users/REDACTED"
    );
    let attempts = spans.spans_named("okta.attempt");
    assert_eq!(attempts.len(), 1, "a 404 is not retried");
    let attempt = &attempts[0];
    assert_eq!(attempt["otel.name"], "GET /api/v1/users/{userId}");
    assert_eq!(attempt["otel.status_code"], "ERROR");
    assert_eq!(attempt["server.address"], "dev-123.okta.com");
    assert_eq!(attempt["server.port"], "443");
    assert_eq!(attempt["url.template"], "/api/v1/users/{userId}");
    assert_eq!(
        attempt["url.full"],
        "https://dev-123.okta.com/api/v1/users/REDACTED"
    );
    for fields in calls.iter().chain(&attempts) {
        assert!(
            fields.values().all(|v| !v.contains("lovelace")),
            "{fields:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_success_leaves_the_status_unset_and_search_terms_are_cut_unless_opted_in() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let path = "/api/v1/users?search=profile.email%20eq%20%22ada%40example.com%22&limit=200";
    for (record_url_pii, expected) in [
        (
            false,
            "http://127.0.0.1:8080/api/v1/users?search=REDACTED&limit=200",
        ),
        (true, &*format!("http://127.0.0.1:8080{path}")),
    ] {
        let (spans, _text, guard) = capture();
        let answer = stack("http://127.0.0.1:8080", record_url_pii)
            .layer(answering(200))
            .oneshot(request_for(&LIST_USERS, path))
            .await
            .unwrap();
        drop(guard);
        assert_eq!(answer.status(), 200);
        for name in ["okta.call", "okta.attempt"] {
            let span = &spans.spans_named(name)[0];
            assert!(!span.contains_key("otel.status_code"), "{span:?}");
            assert!(!span.contains_key("error.type"), "{span:?}");
            assert_eq!(span["url.full"], expected, "{name}");
            assert_eq!(span["url.template"], "/api/v1/users");
            assert_eq!(span["server.address"], "127.0.0.1");
            assert_eq!(span["server.port"], "8080");
        }
        assert_eq!(
            spans.spans_named("okta.attempt")[0]["otel.name"],
            "GET /api/v1/users"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_5xx_and_a_transport_error_set_the_error_status() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (spans, _text, _guard) = capture();
    // A POST is not re-sent after an ambiguous failure: one attempt each.
    let answer = stack("https://dev-123.okta.com", false)
        .layer(answering(500))
        .oneshot(request_for(&CREATE_USER, "/api/v1/users?activate=true"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 500);
    let broken = tower::service_fn(|_request: Request<Full<Bytes>>| async {
        Err::<Response<Full<Bytes>>, BoxError>(Box::new(Error::Transport {
            not_sent: false,
            source: "connection reset by peer".into(),
        }))
    });
    let error = stack("https://dev-123.okta.com", false)
        .layer(broken)
        .oneshot(request_for(&CREATE_USER, "/api/v1/users"))
        .await
        .unwrap_err();
    assert!(matches!(
        Error::from_service(error),
        Error::Transport { .. }
    ));

    let calls = spans.spans_named("okta.call");
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["otel.status_code"], "ERROR");
    assert_eq!(calls[0]["error.type"], "500");
    assert_eq!(
        calls[0]["url.full"],
        "https://dev-123.okta.com/api/v1/users?activate=true"
    );
    assert_eq!(calls[1]["otel.status_code"], "ERROR");
    assert_eq!(calls[1]["error.type"], "transport");
    assert!(!calls[1].contains_key("http.response.status_code"));
    let attempts = spans.spans_named("okta.attempt");
    assert_eq!(attempts.len(), 2);
    for attempt in &attempts {
        assert_eq!(attempt["otel.status_code"], "ERROR");
        assert_eq!(attempt["otel.name"], "POST /api/v1/users");
    }
    assert_eq!(attempts[1]["error.type"], "transport");
}

#[tokio::test(start_paused = true)]
async fn a_request_without_an_operation_is_matched_by_path() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (spans, _text, _guard) = capture();
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/users/ada%40example.com/lifecycle/suspend")
        .body(Full::new(Bytes::new()))
        .unwrap();
    stack("https://dev-123.okta.com", false)
        .layer(answering(200))
        .oneshot(request)
        .await
        .unwrap();
    let attempt = &spans.spans_named("okta.attempt")[0];
    assert_eq!(
        attempt["otel.name"],
        "POST /api/v1/users/{userId}/lifecycle/suspend"
    );
    assert_eq!(
        attempt["url.full"],
        "https://dev-123.okta.com/api/v1/users/REDACTED/lifecycle/suspend"
    );
    assert_eq!(spans.spans_named("okta.call")[0]["otel.name"], "okta.call");
}
