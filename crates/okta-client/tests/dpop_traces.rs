//! A TRACE capture of DPoP calls — auto learning that the app requires DPoP, the token
//! endpoint's nonce, the API's nonce, a refused client — holds no key, token, assertion or
//! proof. A test binary of its own, with one test: `tracing`'s interest cache is global, and a
//! test running meanwhile without a subscriber could switch off the callsites this one captures.

mod support;

use okta_client::{Client, DpopMode, Error};
use okta_mock::MockOrg;
use okta_users::Users;
use support::keys::{EC_JWK, RSA, RSA_JWK, RSA_PUBLIC};
use support::trace_capture::trace_text;

const ORG: &str = "https://dpop-traces.okta.example";

#[tokio::test(start_paused = true)]
async fn a_trace_of_dpop_calls_holds_no_key_token_assertion_or_proof() {
    // Current-thread runtime: every task of this test (the mock's too) logs into the capture.
    let (captured, _default) = trace_text();

    let org = MockOrg::builder()
        .seed(31)
        .users(6)
        .base_url(ORG)
        .oauth_client("0oa-dpop", RSA_PUBLIC)
        .require_dpop("0oa-dpop")
        .dpop_api_nonce(true)
        .build()
        .unwrap();
    let client = |mode: DpopMode| {
        let service = Client::builder()
            .org_url(ORG)
            .private_key("0oa-dpop", RSA, ["okta.users.read"])
            .dpop(mode)
            .build_service(org.service())
            .unwrap();
        Users::new(service)
    };
    let users = client(DpopMode::Auto);
    let id = org.user_ids()[0].clone();
    for _ in 0..3 {
        users.get(id.as_str()).await.unwrap();
    }
    users.list().limit(2).await.unwrap();
    org.rotate_dpop_nonce();
    users.get(id.as_str()).await.unwrap();
    let refused = client(DpopMode::Off).get(id.as_str()).await.unwrap_err();
    assert!(matches!(refused, Error::Auth(_)), "{refused:?}");

    let text = captured.text();
    // The capture saw the calls, the learning, the token, the failure.
    assert!(text.contains("okta.call"), "{text}");
    assert!(text.contains("requires DPoP"), "{text}");
    assert!(text.contains("access token obtained"), "{text}");
    assert!(text.contains("invalid_dpop_proof"), "{text}");
    // The mock's access tokens are `mock.<40 alphanumerics>`.
    assert!(!text.contains("mock."), "{text}");
    assert!(
        !text.contains("Bearer ") && !text.contains("DPoP mock"),
        "{text}"
    );
    // A JWT — a client assertion or a DPoP proof — starts with base64url `{"`.
    assert!(!text.contains("eyJ"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    for line in RSA.lines().filter(|line| !line.starts_with("-----")) {
        assert!(!text.contains(line), "{line}");
    }
    for jwk in [EC_JWK, RSA_JWK] {
        let jwk: serde_json::Value = serde_json::from_str(jwk).unwrap();
        for member in ["d", "p", "q", "dp", "dq", "qi"] {
            if let Some(secret) = jwk.get(member).and_then(|value| value.as_str()) {
                assert!(!text.contains(&secret[..24]), "{member}");
            }
        }
    }
}
