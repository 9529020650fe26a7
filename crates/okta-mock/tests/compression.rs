//! The org compresses a response when the request asks (`Accept-Encoding`), as Okta does, and
//! not otherwise.

mod support;

use http::Method;
use okta_mock::MockOrg;
use std::io::Read;
use support::Api;

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn a_page_is_gzipped_when_asked_and_plain_otherwise() {
    let org = MockOrg::builder().seed(8).users(200).start().await.unwrap();
    for api in [Api::new(&org), Api::in_process(&org)] {
        let plain = api.get("/api/v1/users?limit=200").await;
        assert_eq!(plain.header("content-encoding"), "");
        let gzipped = api
            .call_with(
                Method::GET,
                "/api/v1/users?limit=200",
                None,
                &[("accept-encoding", "gzip")],
            )
            .await;
        assert_eq!(gzipped.status, 200);
        assert_eq!(gzipped.header("content-encoding"), "gzip");
        assert!(
            gzipped
                .header("vary")
                .to_ascii_lowercase()
                .contains("accept-encoding")
        );
        assert!(
            gzipped.body.len() * 3 < plain.body.len(),
            "{} bytes gzipped, {} plain",
            gzipped.body.len(),
            plain.body.len()
        );
        let decoded: serde_json::Value = serde_json::from_slice(&gunzip(&gzipped.body)).unwrap();
        assert_eq!(decoded, plain.json());
        // Okta's headers are there either way.
        assert!(!gzipped.header("x-rate-limit-remaining").is_empty());
        assert!(!gzipped.header("link").is_empty());
    }
}

#[tokio::test]
async fn deflate_identity_and_errors() {
    let org = MockOrg::builder().seed(8).users(20).start().await.unwrap();
    let api = Api::new(&org);
    let r = api
        .call_with(
            Method::GET,
            "/api/v1/users",
            None,
            &[("accept-encoding", "deflate")],
        )
        .await;
    assert_eq!(r.header("content-encoding"), "deflate");
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(&r.body[..])
        .read_to_end(&mut out)
        .unwrap();
    assert!(
        serde_json::from_slice::<serde_json::Value>(&out)
            .unwrap()
            .is_array()
    );
    let r = api
        .call_with(
            Method::GET,
            "/api/v1/users",
            None,
            &[("accept-encoding", "identity, gzip;q=0")],
        )
        .await;
    assert_eq!(r.header("content-encoding"), "");
    assert!(r.json().is_array());
    // An error body is compressed too, and stays Okta's error.
    let r = api
        .call_with(
            Method::GET,
            "/api/v1/users/00unobody00000000000",
            None,
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.header("content-encoding")),
        (404, "gzip")
    );
    let e: serde_json::Value = serde_json::from_slice(&gunzip(&r.body)).unwrap();
    assert_eq!(e["errorCode"], "E0000007");
}
