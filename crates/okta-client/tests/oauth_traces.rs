//! No OAuth secret in the traces of a client using `private_key_jwt`: alone in its binary, as
//! `tracing` caches callsite interest globally and tests running beside it could hide events.
//!
//! Over a socket — the socket is the point: the hyper transport's and the mock server's traces
//! are captured too. Nothing here waits.

mod support;

use support::keys::{EC, EC_APP, OTHER_RSA, RSA, RSA_APP};
use support::trace_capture::trace_text;

#[tokio::test]
async fn trace_output_holds_no_access_token_key_or_assertion() {
    // Current-thread runtime: every task of this test (the mock's too) logs into the capture.
    let (captured, _default) = trace_text();

    let org = support::oauth_org().start().await.unwrap();
    let id = support::a_user(&org);
    let client = support::private_key(&org, RSA_APP, RSA).build().unwrap();
    for _ in 0..3 {
        client.users().get(id.as_str()).await.unwrap();
    }
    client.users().list().limit(2).send().await.unwrap();
    // A refused assertion is traced as a failed call.
    let refused = support::private_key(&org, EC_APP, OTHER_RSA)
        .build()
        .unwrap();
    refused.users().get(id.as_str()).await.unwrap_err();
    assert_eq!(org.counters().token_requests, 2);

    let text = captured.text();
    // The capture saw the calls, the token fetch and the failure.
    assert!(text.contains("okta.call"), "{text}");
    assert!(text.contains("access token obtained"), "{text}");
    assert!(text.contains("invalid_client"), "{text}");
    // The mock's access tokens are `mock.<40 alphanumerics>`.
    assert!(!text.contains("mock."), "{text}");
    assert!(!text.contains("Bearer"), "{text}");
    // A JWT (the assertion) starts with base64url `{"`.
    assert!(!text.contains("eyJ"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    for line in [RSA, EC, OTHER_RSA]
        .iter()
        .flat_map(|pem| pem.lines())
        .filter(|line| !line.starts_with("-----"))
    {
        assert!(!text.contains(line), "{line}");
    }
}
