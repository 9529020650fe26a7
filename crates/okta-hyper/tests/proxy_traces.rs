//! The proxy's credentials appear in no `Debug` output, error or trace, through the transport
//! and the whole okta-client stack. Alone in its test binary: a subscriber set for this thread
//! sees every event of this test's current-thread runtime, and no concurrent test races it for
//! tracing's per-callsite interest cache.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use okta_hyper::{HyperTransport, Proxy};
use okta_users::{Error, RequestBody};
use support::pki::pki;
use support::proxy::{self, ForwardProxy};
use support::{HANG_GUARD, origin};
use tower_service::Service;

const USER: &str = "svc-okta";
/// With characters that must be percent-encoded in a URL.
const PASSWORD: &str = "p@ss:w0rd/s3cret";

fn encoded_password() -> String {
    PASSWORD
        .replace('@', "%40")
        .replace(':', "%3A")
        .replace('/', "%2F")
}

/// Every form the password could leak in.
fn secrets() -> Vec<String> {
    vec![
        PASSWORD.to_owned(),
        encoded_password(),
        "s3cret".to_owned(),
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}")),
    ]
}

fn assert_no_secret(what: &str, text: &str) {
    for secret in secrets() {
        assert!(!text.contains(&secret), "{what} shows {secret:?}: {text}");
    }
}

fn get(url: String) -> Request<RequestBody> {
    Request::builder()
        .uri(url)
        .body(RequestBody::default())
        .unwrap()
}

async fn send(
    transport: &HyperTransport,
    request: Request<RequestBody>,
) -> Result<Response<Full<Bytes>>, Error> {
    tokio::time::timeout(HANG_GUARD, transport.clone().call(request))
        .await
        .expect("the transport answered")
}

fn with_credentials(proxy: &ForwardProxy) -> Proxy {
    Proxy::new(proxy.url_with(USER, &encoded_password())).unwrap()
}

/// Collects everything written by a tracing subscriber.
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

// A current-thread runtime: every task (hyper's connections included) runs on this thread, so
// the thread's subscriber sees all of them.
#[tokio::test(flavor = "current_thread")]
async fn the_credentials_appear_in_no_debug_error_or_trace() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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
        .proxy(with_credentials(&proxy));
    let builder_text = format!("{builder:?} {builder:#?}");
    let transport = builder.build().unwrap();
    send(&transport, get(https.url("/json"))).await.unwrap();

    // Through the whole okta-client stack (its trace layer included), to the mock org.
    let client_builder = okta_client::Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .proxy(with_credentials(&proxy));
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

    let traces = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
