//! Answers that are not valid HTTP are `Error::MalformedResponse` (sent, outcome unknown, not
//! worth re-sending), at the transport and through the default okta-client stack, where each
//! request goes out exactly once.

mod support;

use bytes::Bytes;
use okta_hyper::HyperTransport;
use okta_users::Error;
use okta_users::models::{CreateUserRequest, UserProfile};
use support::{HANG_GUARD, get, raw, send};

/// The bad answers, each written by a raw TCP server.
fn bad_answers() -> Vec<(&'static str, Bytes)> {
    let mut many_headers = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..10_000 {
        many_headers.extend_from_slice(format!("X-Filler-{i}: v\r\n").as_bytes());
    }
    many_headers.extend_from_slice(b"Content-Length: 0\r\n\r\n");
    vec![
        (
            "a garbage status line",
            Bytes::from_static(b"HELLO WORLD\r\n\r\n"),
        ),
        (
            "a status that is not a number",
            Bytes::from_static(b"HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"),
        ),
        ("10,000 headers", Bytes::from(many_headers)),
        (
            "a header line without a colon",
            Bytes::from_static(
                b"HTTP/1.1 200 OK\r\nthis is no header\r\nContent-Length: 0\r\n\r\n",
            ),
        ),
        (
            "an invalid chunk size",
            Bytes::from_static(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            ),
        ),
    ]
}

fn assert_malformed(case: &str, error: &Error) {
    assert!(
        matches!(error, Error::MalformedResponse { .. }),
        "{case}: {error:?}"
    );
    assert!(error.is_outcome_unknown(), "{case}");
    assert!(
        error.to_string().contains("it may have taken effect"),
        "{case}: {error}"
    );
}

#[tokio::test]
async fn the_transport_reports_each_as_a_malformed_response() {
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    for (case, answer) in bad_answers() {
        let server = raw::answering(answer).await;
        let result = send(&transport, get(server.url("/api/v1/users/00u1"))).await;
        assert_malformed(case, &result.unwrap_err());
        assert_eq!(server.requests(), 1, "{case}");
    }
}

#[tokio::test]
async fn frames_that_are_not_http2_are_a_malformed_response() {
    let pki = support::pki::pki();
    // After ALPN chose h2, the server answers in HTTP/1.1: not a SETTINGS frame.
    let server = raw::answering_tls(
        &pki,
        &[b"h2"],
        &b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"[..],
    )
    .await;
    let transport = HyperTransport::builder()
        .no_proxy()
        .add_root_certificate(pki.ca.clone())
        .build()
        .unwrap();
    let url = format!("https://{}/api/v1/users/00u1", server.address);
    let result = send(&transport, get(url)).await;
    assert_malformed("HTTP/1.1 over h2", &result.unwrap_err());
}

#[tokio::test]
async fn a_body_cut_short_stays_a_transport_error() {
    // The connection closes 5 bytes into a 100-byte body: the network's fault, not the
    // server's grammar; a GET may be re-sent.
    let server = raw::answering(&b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"[..]).await;
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    let error = send(&transport, get(server.url("/"))).await.unwrap_err();
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
}

#[tokio::test]
async fn through_the_default_stack_a_post_and_a_get_go_out_exactly_once() {
    for (case, answer) in bad_answers() {
        let server = raw::answering(answer).await;
        let client = okta_client::Client::builder()
            .org_url(server.url(""))
            .api_token("00test-token")
            .no_proxy()
            .build()
            .unwrap();
        let users = client.users();

        let profile = UserProfile::new("Ada", "Lovelace", "ada@example.com", "ada@example.com");
        // The stack's own behaviour: the façade's reconciliation (which would re-send the
        // create once and read the login back) is switched off.
        let create = users
            .create(CreateUserRequest::new(profile))
            .reconcile(false);
        let error = tokio::time::timeout(HANG_GUARD, create)
            .await
            .expect("answered")
            .unwrap_err();
        assert_malformed(case, &error);
        assert_eq!(server.requests(), 1, "{case}: the POST went out once");

        let error = tokio::time::timeout(HANG_GUARD, users.get("00u1"))
            .await
            .expect("answered")
            .unwrap_err();
        assert_malformed(case, &error);
        assert_eq!(
            server.requests(),
            2,
            "{case}: the GET went out once, not retried"
        );
    }
}
