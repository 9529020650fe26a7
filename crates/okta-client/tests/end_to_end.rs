//! The client end to end: the real `Client` over its hyper transport against the embedded mock
//! org's server and against a bare loopback server that shows exactly what goes on the wire —
//! the socket is the point of these, and nothing in them waits — and the façade over the stack
//! in process, on paused time.

mod support;

use std::time::Duration;

use http::StatusCode;
use okta_client::{Client, Error};
use okta_mock::MockOrg;

/// Over a socket: the real `Client`, hyper transport included, against the mock's server.
#[tokio::test]
async fn gets_and_lists_users_from_the_mock_org() {
    let org = MockOrg::builder().seed(1).users(10).start().await.unwrap();
    let client = support::api_token(&org).build().unwrap();
    let users = client.users();

    let id = support::a_user(&org);
    let user = users.get(id.as_str()).await.unwrap();
    assert_eq!(user.id, id);
    let expected_login = org.user(&id).unwrap()["profile"]["login"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(user.profile.login.as_deref(), Some(expected_login.as_str()));

    let page = users.list().limit(4).send().await.unwrap();
    assert_eq!(page.items.len(), 4);

    let error = users.get("00u-no-such-user").await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
}

#[tokio::test(start_paused = true)]
async fn a_wrong_token_is_refused_by_the_org() {
    let org = MockOrg::builder().seed(1).users(1).build().unwrap();
    let users = support::users(&org, support::api_token(&org).api_token("00-not-the-token"));
    let error = users.get(support::a_user(&org)).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED), "{error:?}");
}

/// Over a socket: what goes on the wire is the point.
#[tokio::test]
async fn the_wire_request_carries_auth_user_agent_and_the_origin_form_path() {
    let (address, mut seen_rx) = support::wire_recorder().await;

    let client = Client::builder()
        .org_url(format!("http://{address}/"))
        .api_token("00abc-token")
        .build()
        .unwrap();
    let error = client.users().get("00u1").await.unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.error_code == "E0000007"),
        "{error:?}"
    );
    assert_eq!(error.api().unwrap().request_id.as_deref(), Some("req-1"));

    let seen = seen_rx.recv().await.unwrap();
    assert_eq!(seen.target, "/api/v1/users/00u1");
    assert_eq!(seen.header("host"), Some(address.to_string().as_str()));
    assert_eq!(seen.header("authorization"), Some("SSWS 00abc-token"));
    assert_eq!(
        seen.header("user-agent"),
        Some(okta_layers::headers::DEFAULT_USER_AGENT)
    );
    assert_eq!(seen.header("accept"), Some("application/json"));
}

/// Counts the requests passing through it.
#[derive(Clone, Default)]
struct Count(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Count {
    fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl<S> tower::Layer<S> for Count {
    type Service = Counted<S>;

    fn layer(&self, inner: S) -> Counted<S> {
        Counted {
            inner,
            count: self.clone(),
        }
    }
}

/// The service of [`Count`].
#[derive(Clone)]
struct Counted<S> {
    inner: S,
    count: Count,
}

impl<S, R> tower::Service<R> for Counted<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> S::Future {
        self.count
            .0
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.call(request)
    }
}

/// Over a socket: caller layers are applied by `build()`, which makes the hyper transport. The
/// backoff is zero, so that nothing waits on the real clock.
#[tokio::test]
async fn call_layers_see_each_call_once_and_attempt_layers_each_attempt() {
    use okta_mock::{Fault, FaultPlan, Method};
    let org = MockOrg::builder()
        .seed(1)
        .users(1)
        .faults(FaultPlan::new(1).with(Fault::status(503).on(Method::GET, "/api/v1/users/*")))
        .start()
        .await
        .unwrap();
    let (calls, attempts) = (Count::default(), Count::default());
    let client = support::api_token(&org)
        .configure_stack(|stack| {
            stack.retry.backoff_min = Duration::ZERO;
            stack.retry.backoff_max = Duration::ZERO;
        })
        .layer(calls.clone())
        .attempt_layer(attempts.clone())
        .build()
        .unwrap();
    let error = client.users().get(support::a_user(&org)).await.unwrap_err();
    assert_eq!(
        error.status(),
        Some(StatusCode::SERVICE_UNAVAILABLE),
        "{error:?}"
    );
    assert_eq!(
        (calls.get(), attempts.get()),
        (1, 3),
        "one call, three attempts"
    );
}
