//! A server that reflects the request's `Authorization` value into its answers (a proxy, a WAF
//! page, a broken echo): no error the façade builds from those answers may carry the secret, in
//! its `Display`, its `Debug`, or any error in its source chain.
//!
//! The auth layer's part of the contract (a [`Redactor`] with every secret it sent, in each
//! response's extensions) is played here by the test service itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::AUTHORIZATION;
use http_body_util::Full;
use okta_users::{Error, HttpService, REDACTED, Redactor, RequestBody, Users};
use serde_json::json;

const TOKEN: &str = "00s3cr3t-T0KEN-reflected-42";

/// What the server answers to its `call`-th request (from 0), given the `Authorization` value
/// it received.
type Answer = fn(usize, &str) -> http::Response<Full<Bytes>>;

/// `Users` over "auth layer → reflecting server": the request gets `Authorization: SSWS
/// {TOKEN}`, the server answers with `answer`, and the response carries the auth layer's
/// `Redactor`.
fn reflecting(answer: Answer) -> Users<impl HttpService> {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = tower::service_fn(move |request: http::Request<RequestBody>| {
        let call = calls.fetch_add(1, Ordering::SeqCst);
        let authorization = request.headers()[AUTHORIZATION]
            .to_str()
            .unwrap()
            .to_owned();
        let mut response = answer(call, &authorization);
        response.extensions_mut().insert(Redactor::new([TOKEN]));
        std::future::ready(Ok::<_, std::convert::Infallible>(response))
    });
    let service = tower::ServiceBuilder::new()
        .map_request(|mut request: http::Request<RequestBody>| {
            let value = format!("SSWS {TOKEN}").parse().unwrap();
            request.headers_mut().insert(AUTHORIZATION, value);
            request
        })
        .service(server);
    Users::new(service)
}

fn answer(status: u16, request_id: &str, body: String) -> http::Response<Full<Bytes>> {
    http::Response::builder()
        .status(status)
        .header("x-okta-request-id", request_id)
        .body(Full::new(Bytes::from(body)))
        .unwrap()
}

/// The secret appears nowhere in the error, and the redaction marker shows it was there.
fn assert_scrubbed(error: &Error) {
    let shown = format!("{error} | {error:?}");
    assert!(!shown.contains(TOKEN), "secret leaked: {shown}");
    assert!(
        shown.contains(REDACTED),
        "the reflected secret was cut: {shown}"
    );
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let shown = format!("{inner} | {inner:?}");
        assert!(!shown.contains(TOKEN), "secret leaked by a source: {shown}");
        source = inner.source();
    }
}

#[tokio::test]
async fn okta_s_error_body_and_request_id() {
    let users = reflecting(|_, authorization| {
        let body = json!({
            "errorCode": format!("E0000011 {authorization}"),
            "errorSummary": format!("Invalid token provided: {authorization}"),
            "errorLink": authorization,
            "errorId": authorization,
            "errorCauses": [{"errorSummary": authorization, "reason": authorization,
                             "location": authorization, "domain": authorization}],
        });
        answer(401, authorization, body.to_string())
    });
    let error = users.get("00u1").await.unwrap_err();
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_scrubbed(&error);
    assert_eq!(
        error.request_id(),
        Some(format!("SSWS {REDACTED}").as_str())
    );
}

#[tokio::test]
async fn a_proxy_page_s_snippet() {
    let users = reflecting(|_, authorization| {
        answer(
            502,
            "req",
            format!("<html>Bad gateway for Authorization: {authorization}</html>"),
        )
    });
    let error = users.get("00u1").await.unwrap_err();
    assert!(matches!(error, Error::UnexpectedStatus { .. }), "{error:?}");
    assert_scrubbed(&error);
}

#[tokio::test]
async fn a_body_that_does_not_decode() {
    let users =
        reflecting(|_, authorization| answer(200, authorization, format!("echo: {authorization}")));
    let error = users.get("00u1").await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_scrubbed(&error);
}

#[tokio::test]
async fn serde_s_message_quoting_the_bad_value() {
    // `templated` must be a boolean: serde quotes the string it got.
    let users = reflecting(|_, authorization| {
        let body = json!({"id": "00u1", "status": "ACTIVE", "profile": {},
                          "_links": {"self": {"href": "x", "templated": authorization}}});
        answer(200, "req", body.to_string())
    });
    let error = users.get("00u1").await.unwrap_err();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_scrubbed(&error);
}

#[tokio::test]
async fn a_page_too_large_with_a_reflected_request_id() {
    let users = reflecting(|_, authorization| {
        answer(
            200,
            authorization,
            r#"[{"id":"g1"},{"id":"g2"}]"#.to_owned(),
        )
    });
    let error = users
        .list_group_targets("00u1", "ra1")
        .limit(1)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::PageTooLarge { .. }), "{error:?}");
    assert_scrubbed(&error);
}

#[tokio::test]
async fn a_cycling_or_unfollowable_next_link_carrying_the_secret() {
    // Every page's `next` is the same reflected cursor: the second page links to itself.
    let users = reflecting(|_, authorization| {
        let target = format!(
            "/api/v1/users/00u1/groups?after={}",
            authorization.replace(' ', "+")
        );
        let mut response = answer(200, "req", r#"[{"id":"g1"}]"#.to_owned());
        let link = format!(r#"<{target}>; rel="next""#).parse().unwrap();
        response.headers_mut().insert(http::header::LINK, link);
        response
    });
    let results: Vec<_> = users.list_groups("00u1").stream().collect().await;
    let error = results.last().unwrap().as_ref().unwrap_err();
    assert!(matches!(error, Error::PaginationCycle { .. }), "{error:?}");
    assert_scrubbed(error);

    let users = reflecting(|_, authorization| {
        let mut response = answer(200, "req", r#"[{"id":"g1"}]"#.to_owned());
        let target = format!("//evil.example/{}", authorization.replace(' ', "+"));
        let link = format!(r#"<{target}>; rel="next""#).parse().unwrap();
        response.headers_mut().insert(http::header::LINK, link);
        response
    });
    let error = users.list_groups("00u1").await.unwrap_err();
    assert!(matches!(error, Error::InvalidNextLink { .. }), "{error:?}");
    assert_scrubbed(&error);
}

#[tokio::test]
async fn without_a_redactor_nothing_is_cut() {
    // A façade over a service with no auth layer: the text is kept as the server sent it.
    let service = tower::service_fn(|_: http::Request<RequestBody>| async {
        Ok::<_, std::convert::Infallible>(answer(502, "req-1", "gateway says hello".to_owned()))
    });
    let error = Users::new(service).get("00u1").await.unwrap_err();
    assert!(error.to_string().contains("gateway says hello"), "{error}");
}
