//! What the default stack traces: span fields, events, and no secret in any of them, even when
//! the server reflects one. A test binary of its own, its tests one at a time: `tracing`'s
//! interest cache is global, and a test running meanwhile without a subscriber could switch
//! off the callsites this one captures.

mod support;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Method, Request, Response};
use http_body_util::Full;
use okta_layers::{Credentials, StackLayer};
use okta_users::BoxError;
use support::keys::RSA;
use support::trace_capture::{ONE_AT_A_TIME, capture};
use support::{ORG, TOKEN, backend, config, org_url, request, response, stack};
use tower::{Layer, ServiceExt};

#[tokio::test(start_paused = true)]
async fn spans_carry_the_operation_and_http_fields_and_never_the_secret() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (captured, text, _guard) = capture();

    let service = stack().layer(backend(|n| {
        Box::pin(async move {
            Ok(if n == 0 {
                response(503, "req-1")
            } else {
                response(200, "req-2")
            })
        })
    }));
    let answer = service
        .oneshot(request(Method::GET, "/api/v1/users?limit=2"))
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);

    let state = captured.recorded();
    let calls: Vec<_> = state
        .spans
        .iter()
        .filter(|(name, _)| name == "okta.call")
        .collect();
    assert_eq!(calls.len(), 1);
    let call = &calls[0].1;
    assert_eq!(call["otel.name"], "okta.users.list");
    assert_eq!(call["okta.operation_id"], "listUsers");
    assert_eq!(call["http.request.method"], "GET");
    assert_eq!(
        call["url.full"],
        "https://dev-123.okta.com/api/v1/users?limit=2"
    );
    assert_eq!(call["http.response.status_code"], "200");
    assert_eq!(call["okta.request_id"], "req-2");
    assert_eq!(call["http.request.resend_count"], "1");
    let attempts: Vec<_> = state
        .spans
        .iter()
        .filter(|(name, _)| name == "okta.attempt")
        .map(|(_, f)| f)
        .collect();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["http.response.status_code"], "503");
    assert_eq!(attempts[0]["error.type"], "503");
    assert!(!attempts[0].contains_key("http.request.resend_count"));
    assert_eq!(attempts[1]["http.request.resend_count"], "1");
    assert_eq!(attempts[1]["okta.request_id"], "req-2");
    assert!(
        state.events.iter().any(|e| e
            .get("message")
            .is_some_and(|m| m.contains("okta retry: waiting"))),
        "the backoff is an event"
    );
    let text = text.text();
    assert!(
        text.contains("okta.call") && text.contains("okta.attempt"),
        "{text}"
    );
    assert!(
        !text.contains("super-secret") && !text.to_lowercase().contains("authorization"),
        "{text}"
    );
    for (_, fields) in &state.spans {
        assert!(fields.values().all(|v| !v.contains("super-secret")));
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_reflected_in_the_request_id_reaches_no_span_or_event() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (captured, text, _guard) = capture();
    // A broken proxy echoing the Authorization header as the request id, with a 503 (retried).
    let echo = tower::service_fn(|request: Request<Full<Bytes>>| {
        let authorization = request.headers()["authorization"]
            .to_str()
            .unwrap()
            .to_owned();
        async move {
            Ok::<_, BoxError>(
                Response::builder()
                    .status(503)
                    .header("x-okta-request-id", format!("echo {authorization}"))
                    .body(Full::new(Bytes::from(authorization)))
                    .unwrap(),
            )
        }
    });
    let answer = stack()
        .layer(echo)
        .oneshot(request(Method::GET, "/api/v1/users"))
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["x-okta-request-id"],
        "echo SSWS <redacted>"
    );
    let state = captured.recorded();
    let call = &state
        .spans
        .iter()
        .find(|(name, _)| name == "okta.call")
        .unwrap()
        .1;
    assert_eq!(call["okta.request_id"], "echo SSWS <redacted>");
    let text = text.text();
    assert!(text.contains("okta.attempt"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    for (_, fields) in &state.spans {
        assert!(fields.values().all(|v| !v.contains(TOKEN)));
    }
    for fields in &state.events {
        assert!(fields.values().all(|v| !v.contains(TOKEN)));
    }
}

#[tokio::test(start_paused = true)]
async fn a_client_assertion_reflected_by_the_token_endpoint_reaches_no_error_or_event() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let (captured, text, _guard) = capture();
    let assertions = Arc::new(Mutex::new(Vec::<String>::new()));
    let sent = assertions.clone();
    // A token endpoint echoing the assertion in its OAuth error and request id.
    let endpoint = tower::service_fn(move |request: Request<Full<Bytes>>| {
        let sent = sent.clone();
        async move {
            let body = http_body_util::BodyExt::collect(request.into_body())
                .await
                .unwrap()
                .to_bytes();
            let assertion = form_urlencoded::parse(&body)
                .find(|(name, _)| name == "client_assertion")
                .unwrap()
                .1
                .into_owned();
            sent.lock().unwrap().push(assertion.clone());
            Ok::<_, BoxError>(
                Response::builder()
                    .status(400)
                    .header("x-okta-request-id", format!("req {assertion}"))
                    .body(Full::new(Bytes::from(format!(
                        r#"{{"error":"invalid_client","error_description":"not {assertion}"}}"#
                    ))))
                    .unwrap(),
            )
        }
    });
    let key = okta_layers::auth::PrivateKey::from_pem(RSA).unwrap();
    let credentials = Credentials::private_key("0oa-app", key, ["okta.users.read"]);
    let error = StackLayer::new(&config(), org_url(ORG), &credentials)
        .unwrap()
        .layer(endpoint)
        .oneshot(request(Method::GET, "/api/v1/users"))
        .await
        .unwrap_err();
    let error = okta_users::Error::from_service(error);
    assert!(matches!(error, okta_users::Error::Auth(_)), "{error:?}");
    let text = text.text();
    assert!(text.contains("access token request failed"), "{text}");
    let assertions = assertions.lock().unwrap();
    assert_eq!(assertions.len(), 1, "an auth error is not retried");
    for shown in [format!("{error}"), format!("{error:?}"), text] {
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(!shown.contains(&assertions[0]), "{shown}");
        // Not even its signature.
        assert!(
            !shown.contains(assertions[0].rsplit('.').next().unwrap()),
            "{shown}"
        );
    }
    for fields in &captured.recorded().events {
        assert!(fields.values().all(|v| !v.contains(&assertions[0])));
    }
}
