//! The client end to end: against the embedded mock org, and against a bare loopback server that
//! shows exactly what goes on the wire.

use std::convert::Infallible;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use okta_client::{Client, Error};
use okta_mock::MockOrg;
use tokio::net::TcpListener;

#[tokio::test]
async fn gets_and_lists_users_from_the_mock_org() {
    let org = MockOrg::builder().seed(1).users(10).start().await.unwrap();
    let client = Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .build()
        .unwrap();
    let users = client.users();

    let id = org
        .user_ids()
        .into_iter()
        .next()
        .expect("the mock has users");
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

#[tokio::test]
async fn a_wrong_token_is_refused_by_the_org() {
    let org = MockOrg::builder().seed(1).users(1).start().await.unwrap();
    let client = Client::builder()
        .org_url(org.base_url())
        .api_token("00-not-the-token")
        .build()
        .unwrap();
    let id = org.user_ids().into_iter().next().unwrap();
    let error = client.users().get(id).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED), "{error:?}");
}

/// What the bare server saw.
#[derive(Debug)]
struct Seen {
    uri: String,
    host: Option<String>,
    authorization: Option<String>,
    user_agent: Option<String>,
    accept: Option<String>,
}

#[tokio::test]
async fn the_wire_request_carries_auth_user_agent_and_the_origin_form_path() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (seen_tx, mut seen_rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let header = |name: &str| {
                request
                    .headers()
                    .get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
            };
            let seen = Seen {
                uri: request.uri().to_string(),
                host: header("host"),
                authorization: header("authorization"),
                user_agent: header("user-agent"),
                accept: header("accept"),
            };
            seen_tx.send(seen).unwrap();
            let body = r#"{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00u1 (User)","errorLink":"E0000007","errorId":"oae1","errorCauses":[]}"#;
            let response = Response::builder()
                .status(404)
                .header("content-type", "application/json")
                .header("x-okta-request-id", "req-1")
                .body(Full::new(Bytes::from_static(body.as_bytes())))
                .unwrap();
            async move { Ok::<_, Infallible>(response) }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tcp), service)
            .await;
    });

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
    assert_eq!(seen.uri, "/api/v1/users/00u1");
    assert_eq!(seen.host.as_deref(), Some(address.to_string().as_str()));
    assert_eq!(seen.authorization.as_deref(), Some("SSWS 00abc-token"));
    assert_eq!(
        seen.user_agent.as_deref(),
        Some(okta_layers::headers::DEFAULT_USER_AGENT)
    );
    assert_eq!(seen.accept.as_deref(), Some("application/json"));
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
    let client = Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(|stack| {
            stack.retry.backoff_min = std::time::Duration::from_millis(1);
            stack.retry.backoff_max = std::time::Duration::from_millis(2);
            stack.retry.seed = Some(1);
        })
        .layer(calls.clone())
        .attempt_layer(attempts.clone())
        .build()
        .unwrap();
    let id = org.user_ids().into_iter().next().unwrap();
    let error = client.users().get(id).await.unwrap_err();
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
