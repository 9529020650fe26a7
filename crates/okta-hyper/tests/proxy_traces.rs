//! The proxy's credentials appear in no `Debug` output, error or trace, through the transport
//! and the whole okta-client stack. Alone in its test binary: a subscriber set for this thread
//! sees every event of this test's current-thread runtime, and no concurrent test races it for
//! tracing's per-callsite interest cache.

mod support;

use okta_hyper::{HyperTransport, Proxy};
use support::pki::pki;
use support::proxy::{self, PASSWORD, USER, assert_no_secret};
use support::trace_capture::trace_text;
use support::{get, origin, send};

// A current-thread runtime: every task (hyper's connections included) runs on this thread, so
// the thread's subscriber sees all of them.
#[tokio::test(flavor = "current_thread")]
async fn the_credentials_appear_in_no_debug_error_or_trace() {
    let (captured, _guard) = trace_text();

    let pki = pki();
    let proxy = proxy::start(Some((USER, PASSWORD))).await;
    let https = origin::https(&pki, &[b"h2"]).await;
    let org = okta_mock::MockOrg::builder()
        .seed(1)
        .users(1)
        .start()
        .await
        .unwrap();

    let builder = HyperTransport::builder()
        .add_root_certificate(pki.ca.clone())
        .proxy(proxy.with_credentials());
    let builder_text = format!("{builder:?} {builder:#?}");
    let transport = builder.build().unwrap();
    send(&transport, get(https.url("/json"))).await.unwrap();

    // Through the whole okta-client stack (its trace layer included), to the mock org.
    let client_builder = okta_client::Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .proxy(proxy.with_credentials());
    let client_builder_text = format!("{client_builder:?}");
    let client = client_builder.build().unwrap();
    let id = org.user_ids().remove(0);
    let user = client.users().get(id.as_str()).await.unwrap();
    assert_eq!(user.id, id);
    let seen = proxy.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(
        seen[1].target,
        format!("{}/api/v1/users/{id}", org.base_url())
    );

    // A refused tunnel's error.
    let refusing = HyperTransport::builder()
        .add_root_certificate(pki.ca.clone())
        .proxy(
            Proxy::new(proxy.url())
                .unwrap()
                .basic_auth(USER, "wrong-s3cret"),
        )
        .build()
        .unwrap();
    let error = send(&refusing, get(https.url("/json"))).await.unwrap_err();

    let traces = captured.text();
    assert!(
        traces.contains("okta.call"),
        "the subscriber saw the okta-client stack's spans: {traces}"
    );
    for (what, text) in [
        ("the transport builder", builder_text),
        ("the transport", format!("{transport:?} {transport:#?}")),
        ("the client builder", client_builder_text),
        ("the client", format!("{client:?} {client:#?}")),
        ("the error", format!("{error} {error:?}")),
        ("the traces", traces),
    ] {
        assert_no_secret(what, &text);
    }
    assert!(format!("{transport:?}").contains("credentials redacted"));
}
