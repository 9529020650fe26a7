//! Each fault kind, observed from the client side; resets over raw TCP.

mod support;

use http::Method;
use okta_mock::{Fault, FaultPlan, MockOrg};
use std::time::Duration;
use support::Api;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn org_with(fault: Fault) -> MockOrg {
    MockOrg::builder()
        .seed(1)
        .users(3)
        .faults(FaultPlan::new(9).with(fault))
        .start()
        .await
        .unwrap()
}

/// Send one raw HTTP/1.1 request and read until the server closes; returns what came back.
async fn raw(
    org: &MockOrg,
    method: &str,
    path: &str,
    body: &str,
) -> Result<Vec<u8>, std::io::Error> {
    let mut s = TcpStream::connect(org.addr()).await?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nhost: x\r\nauthorization: SSWS {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        org.token(),
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).await?;
    Ok(out)
}

const NEW_USER: &str = r#"{"profile":{"firstName":"R","lastName":"S","email":"reset@example.com","login":"reset@example.com"}}"#;

#[tokio::test]
async fn reset_before_closes_without_response_and_changes_nothing() {
    let org = org_with(Fault::reset_before().on(Method::POST, "/api/v1/users")).await;
    let got = raw(&org, "POST", "/api/v1/users", NEW_USER).await;
    assert!(
        got.map(|b| b.is_empty()).unwrap_or(true),
        "no response bytes"
    );
    assert_eq!(org.users_with_login("reset@example.com"), 0);
}

#[tokio::test]
async fn reset_before_is_a_connection_error_for_a_hyper_client() {
    let org = org_with(Fault::reset_before().on(Method::GET, "/api/v1/users")).await;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Full<bytes::Bytes>>();
    let req = http::Request::get(format!("{}/api/v1/users", org.base_url()))
        .header("authorization", format!("SSWS {}", org.token()))
        .body(Default::default())
        .unwrap();
    assert!(client.request(req).await.is_err());
    assert_eq!(org.counters().faults["reset-before"], 1);
    assert_eq!(org.request_log()[0].status, 0);
}

#[tokio::test]
async fn reset_after_changes_state_but_loses_the_response() {
    let org = org_with(Fault::reset_after().on(Method::POST, "/api/v1/users")).await;
    let got = raw(&org, "POST", "/api/v1/users", NEW_USER).await;
    assert!(got.map(|b| b.is_empty()).unwrap_or(true));
    assert_eq!(org.users_with_login("reset@example.com"), 1);
    assert_eq!(org.counters().faults["reset-after"], 1);
}

#[tokio::test]
async fn injected_statuses() {
    for (status, code) in [(500, "E0000009"), (503, "E0000010"), (429, "E0000047")] {
        let org = org_with(Fault::status(status).path("/api/v1/users")).await;
        let api = Api::new(&org);
        let r = api.get("/api/v1/users").await;
        assert_eq!((r.status.as_u16(), r.error_code()), (status, code.into()));
        assert!(!r.header("x-rate-limit-reset").is_empty());
        if status == 429 {
            assert_eq!(r.header("x-rate-limit-remaining"), "0");
        }
        // Scoped: another path is untouched.
        assert_eq!(
            api.get(&format!("/api/v1/users/{}", org.user_ids()[0]))
                .await
                .status,
            200
        );
        assert_eq!(org.counters().faults_injected(), 1);
    }
}

#[tokio::test]
async fn header_and_body_faults() {
    let org = org_with(Fault::malformed_json().path("/api/v1/users")).await;
    let r = Api::new(&org).get("/api/v1/users").await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    let org = org_with(Fault::missing_date()).await;
    let r = Api::new(&org).get("/api/v1/users").await;
    assert!(r.headers.get("date").is_none());
    assert!(r.headers.get("x-rate-limit-reset").is_some());

    let org = org_with(Fault::duplicate_reset()).await;
    let r = Api::new(&org).get("/api/v1/users").await;
    let resets: Vec<_> = r.headers.get_all("x-rate-limit-reset").iter().collect();
    assert_eq!(resets.len(), 2);
    assert_ne!(resets[0], resets[1]);
}

#[tokio::test(start_paused = true)]
async fn latency_and_probability() {
    let org = MockOrg::builder()
        .seed(1)
        .faults(FaultPlan::new(9).with(Fault::latency(Duration::from_millis(30))))
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    Api::in_process(&org).get("/api/v1/users").await;
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(30),
        "on tokio's clock"
    );

    let org = MockOrg::builder()
        .seed(1)
        .faults(FaultPlan::new(9).with(Fault::status(500).probability(0.5)))
        .build()
        .unwrap();
    let api = Api::in_process(&org);
    let mut fails = 0;
    for _ in 0..40 {
        if api.get("/api/v1/users?limit=1").await.status == 500 {
            fails += 1;
        }
    }
    assert!(fails > 5 && fails < 35, "{fails}");
    assert_eq!(org.counters().faults["status-500"], fails);
}
