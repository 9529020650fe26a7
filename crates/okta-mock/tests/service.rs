//! The org in process (`MockOrg::service`): the same handler as the socket, driven on paused
//! time, with absolute- or origin-form URIs, and resets as errors of the service.

mod support;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use okta_mock::{
    ConnectionClosed, DEFAULT_SERVICE_BASE_URL, Fault, FaultPlan, MockError, MockOrg, MockService,
    RateLimits,
};
use std::time::Duration;
use support::Api;
use tower_service::Service;

fn assert_service<S>(_: &S)
where
    S: Service<Request<Full<Bytes>>, Response = http::Response<Full<Bytes>>>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
    S::Error: std::error::Error + Send + Sync + 'static,
{
}

const NEW_USER: &str = r#"{"profile":{"firstName":"S","lastName":"V","email":"svc@example.com","login":"svc@example.com"}}"#;

#[tokio::test(start_paused = true)]
async fn an_org_built_without_a_listener_answers_through_its_service() {
    let org = MockOrg::builder().seed(4).users(5).build().unwrap();
    assert_eq!(org.local_addr(), None);
    assert_eq!(org.base_url(), DEFAULT_SERVICE_BASE_URL);
    let service: MockService = org.service();
    assert_service(&service);
    let mut service = service.clone();
    let auth = format!("SSWS {}", org.token());
    for uri in [
        format!("{DEFAULT_SERVICE_BASE_URL}/api/v1/users?limit=2"),
        "/api/v1/users?limit=2".to_owned(),
    ] {
        let req = Request::get(&uri)
            .header("authorization", &auth)
            .body(Full::default())
            .unwrap();
        let resp = service.call(req).await.unwrap();
        assert_eq!(resp.status(), 200, "{uri}");
        let next = resp.headers().get_all("link").iter().next_back().unwrap();
        assert!(
            next.to_str().unwrap().starts_with(&format!(
                "<{DEFAULT_SERVICE_BASE_URL}/api/v1/users?limit=2&after="
            )),
            "links name the base URL: {next:?}"
        );
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        let users: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(users.as_array().unwrap().len(), 2);
    }
    assert_eq!(org.request_log().len(), 2, "logged like any request");
    assert_eq!(org.counters().requests, 2);
}

#[tokio::test(start_paused = true)]
async fn a_started_org_also_answers_through_its_service() {
    let org = MockOrg::builder().seed(4).users(2).start().await.unwrap();
    let over_socket = Api::new(&org).get("/api/v1/users").await.json();
    let in_process = Api::in_process(&org).get("/api/v1/users").await.json();
    assert_eq!(over_socket, in_process);
}

#[tokio::test(start_paused = true)]
async fn the_base_url_is_checked() {
    let org = MockOrg::builder()
        .base_url("https://dev-1.okta.example:8443/")
        .build()
        .unwrap();
    assert_eq!(org.base_url(), "https://dev-1.okta.example:8443");
    for bad in [
        "dev-1.okta.example",
        "https://h/path",
        "https://",
        "ftp://h",
    ] {
        let err = MockOrg::builder().base_url(bad).build().unwrap_err();
        assert!(matches!(err, MockError::Config(_)), "{bad}: {err}");
    }
    let err = MockOrg::builder()
        .base_url("https://h")
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, MockError::Config(_)));
}

fn org_with(fault: Fault) -> MockOrg {
    MockOrg::builder()
        .seed(1)
        .users(1)
        .faults(FaultPlan::new(9).with(fault.on(Method::POST, "/api/v1/users")))
        .build()
        .unwrap()
}

async fn closed(org: &MockOrg) -> ConnectionClosed {
    let err = Api::in_process(org)
        .try_send(
            Method::POST,
            "/api/v1/users",
            Some(NEW_USER),
            &[("authorization", &format!("SSWS {}", org.token()))],
        )
        .await
        .err()
        .expect("the connection closed");
    *err.downcast::<ConnectionClosed>()
        .expect("a ConnectionClosed")
}

#[tokio::test(start_paused = true)]
async fn reset_before_is_a_not_sent_error_and_changes_nothing() {
    let org = org_with(Fault::reset_before());
    let err = closed(&org).await;
    assert!(!err.is_sent());
    assert_eq!(err.io_kind(), std::io::ErrorKind::ConnectionRefused);
    let source = std::error::Error::source(&err).unwrap();
    assert!(source.downcast_ref::<std::io::Error>().is_some());
    assert_eq!(org.users_with_login("svc@example.com"), 0);
    assert_eq!(org.request_log()[0].status, 0);
    assert_eq!(org.counters().faults["reset-before"], 1);
}

#[tokio::test(start_paused = true)]
async fn reset_after_is_a_sent_error_and_the_change_happened() {
    let org = org_with(Fault::reset_after());
    let err = closed(&org).await;
    assert!(err.is_sent());
    assert_eq!(err.io_kind(), std::io::ErrorKind::ConnectionReset);
    assert!(
        err.to_string().contains("after the request was sent"),
        "{err}"
    );
    assert_eq!(org.users_with_login("svc@example.com"), 1);
}

/// A latency fault sleeps on tokio's clock: under paused time it takes no real time, and the
/// org's `Date` has moved by exactly the delay.
#[tokio::test(start_paused = true)]
async fn latency_faults_and_date_follow_paused_time() {
    let org = MockOrg::builder()
        .seed(1)
        .users(1)
        .faults(
            FaultPlan::new(1).with(Fault::latency(Duration::from_secs(30)).path("/api/v1/users")),
        )
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let id = org.user_ids()[0].clone();
    let before = api.get(&format!("/api/v1/users/{id}")).await;
    let started = tokio::time::Instant::now();
    let slow = api.get("/api/v1/users").await;
    assert_eq!(slow.status, 200);
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    assert!(slow.date_secs() - before.date_secs() >= 30);
}

/// Every timestamp the org writes reads its clock, so it moves with paused time too.
#[tokio::test(start_paused = true)]
async fn created_and_last_updated_follow_the_orgs_clock() {
    let org = MockOrg::builder().seed(1).build().unwrap();
    let api = Api::in_process(&org);
    let created = api.create("clock@example.com", None, true).await;
    tokio::time::advance(Duration::from_secs(3600)).await;
    let path = format!("/api/v1/users/{}", created["id"].as_str().unwrap());
    let updated = api.post(&path, r#"{"profile":{"title":"Later"}}"#).await;
    let parse = |v: &serde_json::Value| {
        time::OffsetDateTime::parse(
            v.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap()
    };
    let elapsed = parse(&updated.json()["lastUpdated"]) - parse(&created["created"]);
    assert_eq!(elapsed.whole_seconds(), 3600);
    assert_eq!(
        parse(&updated.json()["lastUpdated"]).unix_timestamp() as u64,
        updated.date_secs()
    );
}

#[tokio::test(start_paused = true)]
async fn rate_limits_through_the_service_are_the_orgs() {
    let org = MockOrg::builder()
        .seed(1)
        .users(1)
        .rate_limits(RateLimits::uniform(4, Duration::from_secs(10)))
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    // The default token's share: 2 of 4.
    assert_eq!(api.get("/api/v1/users").await.rate_limit().0, 2);
    assert_eq!(api.get("/api/v1/users").await.status, 200);
    assert_eq!(api.get("/api/v1/users").await.status, 429);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(api.get("/api/v1/users").await.status, 200);
}
