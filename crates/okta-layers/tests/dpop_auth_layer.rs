//! `AuthLayer` with DPoP over a scripted fake org (a `service_fn`): what it does with the
//! answers a real org could give and the mock does not — a proof refused for good, nonces asked
//! for without end, a token refused by a DPoP challenge, a proof reflected back. Time is paused.

mod support;

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{Request, Response, StatusCode};
use http_body_util::Full;
use okta_layers::auth::{AuthLayer, Credentials, DpopMode, PrivateKey};
use okta_users::{BoxError, Error, Redactor};
use support::keys::RSA;
use support::{ORG, org_url};
use tower::{Layer, ServiceExt};

type Body = Full<Bytes>;

const USERS: &str = "https://dev-123.okta.com/api/v1/users";

/// One request as the fake saw it: its path, its `DPoP` and `Authorization` headers.
type Entry = (String, Option<String>, Option<String>);

/// What the fake saw.
#[derive(Default)]
struct Seen(Mutex<Vec<Entry>>);

impl Seen {
    fn paths(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(path, ..)| path.clone())
            .collect()
    }

    fn count(&self, path: &str) -> usize {
        self.paths().iter().filter(|seen| *seen == path).count()
    }
}

type Script = fn(usize, &Request<Body>) -> Response<Body>;

/// An auth layer (DPoP on) over a fake whose token endpoint runs `token` and API runs `api`,
/// each given how many requests of its kind came before.
fn stack(
    token: Script,
    api: Script,
) -> (
    impl tower::Service<Request<Body>, Response = Response<Body>, Error = BoxError> + Clone,
    Arc<Seen>,
) {
    let seen = Arc::new(Seen::default());
    let record = seen.clone();
    let fake = tower::service_fn(move |request: Request<Body>| {
        let record = record.clone();
        async move {
            let path = request.uri().path().to_owned();
            let header = |name| {
                request
                    .headers()
                    .get(name)
                    .map(|value: &http::HeaderValue| value.to_str().unwrap().to_owned())
            };
            let entry = (path.clone(), header("dpop"), header("authorization"));
            let before = record.count(&path);
            record.0.lock().unwrap().push(entry);
            let answer = if path == "/oauth2/v1/token" {
                token
            } else {
                api
            };
            Ok::<_, BoxError>(answer(before, &request))
        }
    });
    let org = org_url(ORG);
    let credentials = Credentials::private_key(
        "0oa-app",
        PrivateKey::from_pem(RSA).unwrap(),
        ["okta.users.read"],
    )
    .with_dpop(DpopMode::On);
    let layer = AuthLayer::new(org, &credentials).unwrap();
    (layer.layer(fake), seen)
}

fn answer(status: u16) -> http::response::Builder {
    Response::builder().status(status)
}

/// A DPoP token for any request with a proof.
fn issue(n: usize, request: &Request<Body>) -> Response<Body> {
    assert!(request.headers().contains_key("dpop"));
    let body =
        format!(r#"{{"token_type":"DPoP","expires_in":3600,"access_token":"at-{n}-0123456789"}}"#);
    answer(200).body(Body::from(body)).unwrap()
}

fn get() -> Request<Body> {
    Request::get(USERS).body(Body::default()).unwrap()
}

fn auth_error(result: Result<Response<Body>, BoxError>) -> okta_users::AuthError {
    match Error::from_service(result.unwrap_err()) {
        Error::Auth(auth) => *auth,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_proof_refused_for_good_is_an_auth_error_with_oktas_reason() {
    let (service, seen) = stack(issue, |_, _| {
        answer(400)
            .header(
                WWW_AUTHENTICATE,
                r#"DPoP algs="RS256 ES256", error="invalid_dpop_proof", error_description="The DPoP proof JWT is issued more than five minutes in the past.", resource="/api/v1/users""#,
            )
            .header("x-okta-request-id", "req-skew")
            .body(Body::default())
            .unwrap()
    });
    let error = auth_error(service.oneshot(get()).await);
    assert_eq!(error.status, Some(StatusCode::BAD_REQUEST));
    assert_eq!(error.error.as_deref(), Some("invalid_dpop_proof"));
    assert_eq!(
        error.error_description.as_deref(),
        Some("The DPoP proof JWT is issued more than five minutes in the past.")
    );
    assert_eq!(error.request_id.as_deref(), Some("req-skew"));
    assert_eq!(
        seen.count("/api/v1/users"),
        1,
        "a stale clock is not fixed by re-sending"
    );
}

#[tokio::test(start_paused = true)]
async fn an_api_asking_for_a_new_nonce_every_time_gets_one_resend() {
    let (service, seen) = stack(issue, |n, _| {
        answer(401)
            .header(WWW_AUTHENTICATE, r#"DPoP error="use_dpop_nonce""#)
            .header("dpop-nonce", format!("nonce-{n}"))
            .body(Body::default())
            .unwrap()
    });
    let error = auth_error(service.oneshot(get()).await);
    assert_eq!(error.error.as_deref(), Some("use_dpop_nonce"));
    assert_eq!(seen.count("/api/v1/users"), 2);
    assert_eq!(seen.count("/oauth2/v1/token"), 1, "the token was fine");
}

#[tokio::test(start_paused = true)]
async fn a_token_endpoint_asking_for_a_new_nonce_every_time_gets_three_requests() {
    let (service, seen) = stack(
        |n, _| {
            answer(400)
                .header("dpop-nonce", format!("nonce-{n}"))
                .body(Body::from(
                    r#"{"error":"use_dpop_nonce","error_description":"Authorization server requires nonce in DPoP proof."}"#,
                ))
                .unwrap()
        },
        |_, _| unreachable!("no token, no API request"),
    );
    let error = auth_error(service.oneshot(get()).await);
    assert_eq!(error.error.as_deref(), Some("use_dpop_nonce"));
    assert_eq!(seen.count("/oauth2/v1/token"), 3);
    // Each with a proof of its own and a fresh assertion.
    let proofs: std::collections::HashSet<_> = seen
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(_, proof, _)| proof.clone())
        .collect();
    assert_eq!(proofs.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_dpop_token_refused_as_invalid_is_replaced_once() {
    let (service, seen) = stack(issue, |_, request| {
        let authorization = request.headers()[AUTHORIZATION].to_str().unwrap();
        if authorization.starts_with("DPoP at-0-") {
            return answer(401)
                .header(WWW_AUTHENTICATE, r#"DPoP error="invalid_token""#)
                .body(Body::default())
                .unwrap();
        }
        answer(200).body(Body::from("[]")).unwrap()
    });
    let response = service.oneshot(get()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(seen.count("/oauth2/v1/token"), 2);
    let authorizations: Vec<_> = seen
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|(path, ..)| path == "/api/v1/users")
        .map(|(_, _, authorization)| authorization.clone())
        .collect();
    assert!(
        authorizations[0]
            .as_deref()
            .unwrap()
            .starts_with("DPoP at-0-")
    );
    assert!(
        authorizations[1]
            .as_deref()
            .unwrap()
            .starts_with("DPoP at-1-")
    );
}

#[tokio::test(start_paused = true)]
async fn a_reflected_proof_is_cut_out_and_the_redactor_holds_it() {
    let (service, seen) = stack(issue, |_, request| {
        let proof = request.headers()["dpop"].to_str().unwrap().to_owned();
        answer(200)
            .header("x-okta-request-id", format!("echo {proof}"))
            .body(Body::from("[]"))
            .unwrap()
    });
    let response = service.oneshot(get()).await.unwrap();
    let proof = seen.0.lock().unwrap()[1].1.clone().unwrap();
    assert_eq!(response.headers()["x-okta-request-id"], "echo <redacted>");
    let redactor = response.extensions().get::<Redactor>().unwrap();
    assert_eq!(redactor.redact(&format!("body {proof}")), "body <redacted>");
    assert_eq!(
        redactor.redact("token at-0-0123456789"),
        "token <redacted>",
        "the access token too"
    );
}
