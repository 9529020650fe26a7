//! A TRACE capture of DPoP calls — auto learning that the app requires DPoP, the token
//! endpoint's nonce, the API's nonce, a refused client — holds no key, token, assertion or
//! proof. A test binary of its own, with one test: `tracing`'s interest cache is global, and a
//! test running meanwhile without a subscriber could switch off the callsites this one captures.

use std::io::Write;
use std::sync::{Arc, Mutex};

use okta_client::{Client, DpopMode, Error};
use okta_mock::MockOrg;
use okta_users::Users;

const RSA: &str = include_str!("../../okta-mock/tests/keys/rsa_private.pem");
const RSA_PUBLIC: &str = include_str!("../../okta-mock/tests/keys/rsa_public.pem");
const EC_JWK: &str = include_str!("../../okta-mock/tests/keys/ec_private.jwk.json");
const RSA_JWK: &str = include_str!("../../okta-mock/tests/keys/rsa_private.jwk.json");
const ORG: &str = "https://dpop-traces.okta.example";

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn a_trace_of_dpop_calls_holds_no_key_token_assertion_or_proof() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Current-thread runtime: every task of this test (the mock's too) logs into the buffer.
    let _default = tracing::subscriber::set_default(subscriber);

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

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
