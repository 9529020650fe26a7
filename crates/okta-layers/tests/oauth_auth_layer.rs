//! `AuthLayer` with OAuth 2.0 client credentials (`private_key_jwt`) over a fake org: a
//! `service_fn` answering both the token endpoint and the API, counting what it sees. Time is
//! paused: waiting for expiry is `tokio::time::advance`.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{Method, Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use okta_layers::auth::{Auth, AuthLayer, Credentials, PrivateKey};
use okta_layers::base_uri::OrgUrl;
use okta_users::{BoxError, Error, MaxResponseSize, Redactor, TimeoutKind};
use serde_json::Value;
use support::keys::{EC, EC_PUBLIC, RSA, RSA_PUBLIC};
use support::{ORG, org_url};
use tower::{Layer, Service, ServiceExt};

type Body = Full<Bytes>;

const CLIENT_ID: &str = "0oa-service-app";
const TOKEN_URL: &str = "https://dev-123.okta.com/oauth2/v1/token";
const USERS_ME: &str = "https://dev-123.okta.com/api/v1/users/me";

/// A token request as the fake saw it.
#[derive(Debug, Clone)]
struct TokenRequest {
    method: Method,
    uri: Uri,
    content_type: Option<String>,
    authorization: Option<String>,
    form: Vec<(String, String)>,
    /// The `MaxResponseSize` the request carried.
    max_response_size: Option<usize>,
}

impl TokenRequest {
    fn field(&self, name: &str) -> &str {
        self.form
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

/// The fake org.
#[derive(Default)]
struct Fake {
    token_requests: Mutex<Vec<TokenRequest>>,
    api_requests: AtomicUsize,
    /// The Bearer tokens the API calls carried, in order.
    api_tokens: Mutex<Vec<String>>,
    issued: AtomicUsize,
    revoked: Mutex<HashSet<String>>,
    reject_every_token: AtomicBool,
    token_delay: Mutex<Duration>,
    /// An answer to give instead of a token: status and body, or a transport error (`None`).
    token_failure: Mutex<Option<Option<(StatusCode, &'static str)>>>,
    /// Answers token requests instead of the above, given the request (to reflect it).
    token_answer: Mutex<Option<TokenAnswer>>,
    /// Whether API answers reflect the `Authorization` header (in `X-Okta-Request-Id` and the
    /// body), as a broken proxy might.
    reflect: AtomicBool,
    expires_in: Mutex<u64>,
}

type TokenAnswer = fn(&TokenRequest) -> Result<Response<Body>, BoxError>;

fn decode_form(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let mut out = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    std::str::from_utf8(body)
        .unwrap()
        .split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap();
            (decode(key), decode(value))
        })
        .collect()
}

fn json(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(body.into()))
        .unwrap()
}

impl Fake {
    fn new() -> Arc<Fake> {
        let fake = Fake::default();
        *fake.expires_in.lock().unwrap() = 3600;
        Arc::new(fake)
    }

    fn service(
        self: &Arc<Self>,
    ) -> impl Service<Request<Body>, Response = Response<Body>, Error = BoxError, Future: Send>
    + Clone
    + Send
    + 'static {
        let fake = self.clone();
        tower::service_fn(move |request: Request<Body>| {
            let fake = fake.clone();
            async move { fake.answer(request).await }
        })
    }

    /// The auth layer for a client with the key `pem`, over this fake.
    fn authorized(
        self: &Arc<Self>,
        pem: &str,
    ) -> Auth<
        impl Service<Request<Body>, Response = Response<Body>, Error = BoxError, Future: Send>
        + Clone
        + Send
        + 'static,
    > {
        AuthLayer::new(org(), &credentials(pem))
            .unwrap()
            .layer(self.service())
    }

    async fn answer(&self, request: Request<Body>) -> Result<Response<Body>, BoxError> {
        let (parts, body) = request.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let header = |name| {
            parts
                .headers
                .get(name)
                .map(|v: &http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        if parts.uri.path() == "/oauth2/v1/token" {
            let request = TokenRequest {
                method: parts.method.clone(),
                uri: parts.uri.clone(),
                content_type: header(CONTENT_TYPE),
                authorization: header(AUTHORIZATION),
                form: decode_form(&body),
                max_response_size: parts.extensions.get::<MaxResponseSize>().map(|size| size.0),
            };
            self.token_requests.lock().unwrap().push(request.clone());
            let delay = *self.token_delay.lock().unwrap();
            tokio::time::sleep(delay).await;
            if let Some(answer) = *self.token_answer.lock().unwrap() {
                return answer(&request);
            }
            if let Some(failure) = *self.token_failure.lock().unwrap() {
                return match failure {
                    Some((status, body)) => Ok(json(status, body)),
                    None => Err("connection reset by peer".into()),
                };
            }
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            let expires_in = *self.expires_in.lock().unwrap();
            let body = format!(
                r#"{{"token_type":"Bearer","expires_in":{expires_in},"access_token":"at-{n}","scope":"okta.users.read"}}"#
            );
            return Ok(json(StatusCode::OK, body));
        }
        self.api_requests.fetch_add(1, Ordering::SeqCst);
        if self.reflect.load(Ordering::SeqCst) {
            let authorization = header(AUTHORIZATION).unwrap_or_default();
            let mut response = json(
                StatusCode::BAD_REQUEST,
                format!(r#"{{"echo":"{authorization}"}}"#),
            );
            response.headers_mut().insert(
                "x-okta-request-id",
                format!("req-{authorization}").parse().unwrap(),
            );
            return Ok(response);
        }
        let token = header(AUTHORIZATION)
            .and_then(|h| h.strip_prefix("Bearer ").map(str::to_owned))
            .unwrap_or_default();
        self.api_tokens.lock().unwrap().push(token.clone());
        let known = token.starts_with("at-");
        if !known
            || self.revoked.lock().unwrap().contains(&token)
            || self.reject_every_token.load(Ordering::SeqCst)
        {
            return Ok(json(
                StatusCode::UNAUTHORIZED,
                r#"{"errorCode":"E0000011","errorSummary":"Invalid token provided"}"#,
            ));
        }
        Ok(json(StatusCode::OK, r#"{"id":"00u1"}"#))
    }

    fn token_request_count(&self) -> usize {
        self.token_requests.lock().unwrap().len()
    }
}

fn org() -> OrgUrl {
    org_url(ORG)
}

fn credentials(pem: &str) -> Credentials {
    Credentials::private_key(
        CLIENT_ID,
        PrivateKey::from_pem(pem).unwrap().with_key_id("kid-7"),
        ["okta.users.read", "okta.users.manage"],
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::builder().uri(uri).body(Body::default()).unwrap()
}

async fn call<S>(service: &S) -> Result<Response<Body>, Error>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = BoxError> + Clone,
{
    service
        .clone()
        .oneshot(get(USERS_ME))
        .await
        .map_err(Error::from_service)
}

fn claims(assertion: &str, public: &str, algorithm: Algorithm) -> (jsonwebtoken::Header, Value) {
    let key = match algorithm {
        Algorithm::ES256 => DecodingKey::from_ec_pem(public.as_bytes()).unwrap(),
        _ => DecodingKey::from_rsa_pem(public.as_bytes()).unwrap(),
    };
    let mut validation = Validation::new(algorithm);
    validation.leeway = 0;
    validation.set_audience(&[TOKEN_URL]);
    validation.set_issuer(&[CLIENT_ID]);
    validation.sub = Some(CLIENT_ID.to_owned());
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud"]);
    let data = jsonwebtoken::decode::<Value>(assertion, &key, &validation).unwrap();
    (data.header, data.claims)
}

#[tokio::test(start_paused = true)]
async fn token_requests_are_form_posts_to_the_org_with_a_signed_assertion() {
    for (pem, public, algorithm) in [
        (RSA, RSA_PUBLIC, Algorithm::RS256),
        (EC, EC_PUBLIC, Algorithm::ES256),
    ] {
        let fake = Fake::new();
        let auth = fake.authorized(pem);
        let response = call(&auth).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        // Expired: a second token request, with a second assertion.
        tokio::time::advance(Duration::from_secs(3600)).await;
        call(&auth).await.unwrap();

        let requests = fake.token_requests.lock().unwrap().clone();
        assert_eq!(requests.len(), 2);
        let mut jtis = HashSet::new();
        for request in &requests {
            assert_eq!(request.method, Method::POST);
            assert_eq!(request.uri, TOKEN_URL);
            assert_eq!(
                request.content_type.as_deref(),
                Some("application/x-www-form-urlencoded")
            );
            assert_eq!(
                request.authorization, None,
                "no token goes to the token endpoint"
            );
            assert_eq!(request.field("grant_type"), "client_credentials");
            assert_eq!(request.field("scope"), "okta.users.read okta.users.manage");
            assert_eq!(
                request.field("client_assertion_type"),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            );
            assert_eq!(request.field("client_id"), "");
            let (header, claims) = claims(request.field("client_assertion"), public, algorithm);
            assert_eq!(header.alg, algorithm);
            assert_eq!(header.kid.as_deref(), Some("kid-7"));
            assert_eq!(claims["iss"], CLIENT_ID);
            assert_eq!(claims["sub"], CLIENT_ID);
            assert_eq!(claims["aud"], TOKEN_URL);
            let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
            assert!(lifetime > 0 && lifetime <= 300, "{lifetime}");
            jtis.insert(claims["jti"].as_str().unwrap().to_owned());
        }
        assert_eq!(jtis.len(), 2, "each assertion has its own jti");
        assert_eq!(*fake.api_tokens.lock().unwrap(), ["at-1", "at-2"]);
    }
}

#[tokio::test(start_paused = true)]
async fn the_header_is_a_sensitive_bearer_header() {
    let fake = Fake::new();
    let seen = Arc::new(Mutex::new(None));
    let seen_by_inner = seen.clone();
    let inner = fake.service();
    let spy = tower::service_fn(move |request: Request<Body>| {
        if request.uri().path() != "/oauth2/v1/token" {
            *seen_by_inner.lock().unwrap() = request.headers().get(AUTHORIZATION).cloned();
        }
        inner.clone().oneshot(request)
    });
    let auth = AuthLayer::new(org(), &credentials(RSA)).unwrap().layer(spy);
    call(&auth).await.unwrap();
    let header = seen.lock().unwrap().clone().unwrap();
    assert_eq!(header, "Bearer at-1");
    assert!(header.is_sensitive());
}

#[tokio::test(start_paused = true)]
async fn a_cached_token_is_reused_and_refreshed_a_minute_before_it_expires() {
    let fake = Fake::new();
    let auth = fake.authorized(EC);
    for _ in 0..5 {
        call(&auth).await.unwrap();
    }
    assert_eq!(fake.token_request_count(), 1);
    // 3600 s tokens are refreshed from 3540 s on.
    tokio::time::advance(Duration::from_secs(3539)).await;
    call(&auth).await.unwrap();
    assert_eq!(fake.token_request_count(), 1, "still fresh");
    tokio::time::advance(Duration::from_secs(2)).await;
    call(&auth).await.unwrap();
    assert_eq!(fake.token_request_count(), 2, "refreshed before expiry");
    call(&auth).await.unwrap();
    assert_eq!(fake.token_request_count(), 2);
    assert_eq!(
        *fake.api_tokens.lock().unwrap(),
        [
            "at-1", "at-1", "at-1", "at-1", "at-1", "at-1", "at-2", "at-2"
        ]
    );
    assert_eq!(
        fake.api_requests.load(Ordering::SeqCst),
        8,
        "no 401, no re-send"
    );
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_callers_make_one_token_request() {
    let fake = Fake::new();
    *fake.token_delay.lock().unwrap() = Duration::from_millis(200);
    let auth = fake.authorized(RSA);
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move { call(&auth).await.map(|r| r.status()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), StatusCode::OK);
    }
    assert_eq!(fake.token_request_count(), 1);
    assert_eq!(fake.api_requests.load(Ordering::SeqCst), 50);
    assert!(fake.api_tokens.lock().unwrap().iter().all(|t| t == "at-1"));
}

#[tokio::test(start_paused = true)]
async fn while_one_caller_refreshes_an_ageing_token_the_others_keep_using_it() {
    let fake = Fake::new();
    *fake.token_delay.lock().unwrap() = Duration::from_millis(200);
    let auth = fake.authorized(RSA);
    call(&auth).await.unwrap();
    tokio::time::advance(Duration::from_secs(3550)).await;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move { call(&auth).await.map(|r| r.status()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), StatusCode::OK);
    }
    assert_eq!(fake.token_request_count(), 2, "one refresh");
    let tokens = fake.api_tokens.lock().unwrap().clone();
    let old = tokens.iter().filter(|t| *t == "at-1").count();
    // The first call plus the 19 that did not wait for the refresh.
    assert_eq!(old, 20, "{tokens:?}");
    assert_eq!(tokens.last().map(String::as_str), Some("at-2"));
}

#[tokio::test(start_paused = true)]
async fn a_failed_early_refresh_keeps_the_still_valid_token_and_is_tried_again() {
    let fake = Fake::new();
    let auth = fake.authorized(RSA);
    call(&auth).await.unwrap();
    tokio::time::advance(Duration::from_secs(3550)).await;
    *fake.token_failure.lock().unwrap() = Some(Some((
        StatusCode::SERVICE_UNAVAILABLE,
        r#"{"errorCode":"E0000009","errorSummary":"Internal Server Error"}"#,
    )));
    assert_eq!(call(&auth).await.unwrap().status(), StatusCode::OK);
    assert_eq!(fake.token_request_count(), 2);
    *fake.token_failure.lock().unwrap() = None;
    assert_eq!(call(&auth).await.unwrap().status(), StatusCode::OK);
    assert_eq!(fake.token_request_count(), 3);
    assert_eq!(*fake.api_tokens.lock().unwrap(), ["at-1", "at-1", "at-2"]);
    // Once expired, a failure is the call's error: in transit, a transport error saying the
    // API request was not sent (so the retry layer may retry it).
    tokio::time::advance(Duration::from_secs(3600)).await;
    *fake.token_failure.lock().unwrap() = Some(None);
    assert!(matches!(
        call(&auth).await,
        Err(Error::Transport { not_sent: true, .. })
    ));
}

#[tokio::test(start_paused = true)]
async fn after_a_401_the_token_is_refreshed_and_the_request_sent_once_more() {
    let fake = Fake::new();
    let auth = fake.authorized(RSA);
    call(&auth).await.unwrap();
    fake.revoked.lock().unwrap().insert("at-1".to_owned());
    let response = call(&auth).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(fake.token_request_count(), 2);
    assert_eq!(*fake.api_tokens.lock().unwrap(), ["at-1", "at-1", "at-2"]);
    // The new token is cached.
    call(&auth).await.unwrap();
    assert_eq!(fake.token_request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn after_a_401_many_callers_still_make_one_token_request() {
    let fake = Fake::new();
    *fake.token_delay.lock().unwrap() = Duration::from_millis(200);
    let auth = fake.authorized(EC);
    call(&auth).await.unwrap();
    fake.revoked.lock().unwrap().insert("at-1".to_owned());
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let auth = auth.clone();
            tokio::spawn(async move { call(&auth).await.map(|r| r.status()) })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), StatusCode::OK);
    }
    assert_eq!(fake.token_request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_second_401_is_the_answer_not_another_retry() {
    let fake = Fake::new();
    fake.reject_every_token.store(true, Ordering::SeqCst);
    let auth = fake.authorized(RSA);
    let response = call(&auth).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(fake.token_request_count(), 2);
    assert_eq!(fake.api_requests.load(Ordering::SeqCst), 2);
}

fn assert_no_secret(text: &str, fake: &Fake) {
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    for line in RSA
        .lines()
        .chain(EC.lines())
        .filter(|l| !l.starts_with("-----"))
    {
        assert!(!text.contains(line), "{text}");
    }
    for request in fake.token_requests.lock().unwrap().iter() {
        let assertion = request.field("client_assertion");
        assert!(!assertion.is_empty());
        assert!(!text.contains(assertion), "{text}");
        // Not even its signature.
        assert!(
            !text.contains(assertion.rsplit('.').next().unwrap()),
            "{text}"
        );
    }
    assert!(!text.contains("eyJ"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn token_endpoint_errors_are_typed_and_without_secrets() {
    let fake = Fake::new();
    *fake.token_failure.lock().unwrap() = Some(Some((
        StatusCode::UNAUTHORIZED,
        r#"{"error":"invalid_client","error_description":"The client_assertion token has an expiration too far into the future."}"#,
    )));
    let auth = fake.authorized(RSA);
    let error = call(&auth).await.unwrap_err();
    let Error::Auth(failure) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(failure.status, Some(StatusCode::UNAUTHORIZED));
    assert_eq!(failure.error.as_deref(), Some("invalid_client"));
    assert!(
        failure
            .error_description
            .as_deref()
            .is_some_and(|text| text.contains("expiration too far")),
        "{failure:?}"
    );
    let reason = error.to_string();
    assert!(
        reason.contains("401")
            && reason.contains("invalid_client")
            && reason.contains("expiration too far"),
        "{reason}"
    );
    assert_no_secret(&format!("{error} {error:?}"), &fake);
    assert_eq!(fake.api_requests.load(Ordering::SeqCst), 0);

    // A transport failure reaching the token endpoint: the API request was not sent, so it
    // is a transport error with `not_sent`, naming the token request.
    *fake.token_failure.lock().unwrap() = Some(None);
    let error = call(&auth).await.unwrap_err();
    let Error::Transport {
        not_sent: true,
        source,
    } = &error
    else {
        panic!("{error:?}");
    };
    let reason = source.to_string();
    assert!(
        reason.contains("token request") && reason.contains("connection reset"),
        "{reason}"
    );
    assert!(source.is::<okta_layers::auth::TokenRequestFailed>());
    assert_eq!(fake.api_requests.load(Ordering::SeqCst), 0);
    assert_no_secret(&format!("{error} {error:?}"), &fake);

    // Failures are not cached: the next call asks again, and succeeds.
    *fake.token_failure.lock().unwrap() = None;
    assert_eq!(call(&auth).await.unwrap().status(), StatusCode::OK);
    assert_eq!(fake.token_request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn requests_for_another_host_are_refused_before_any_token_request() {
    let fake = Fake::new();
    let auth = fake.authorized(RSA);
    let error = auth
        .clone()
        .oneshot(get("https://evil.example.com/api/v1/users"))
        .await
        .map_err(Error::from_service)
        .unwrap_err();
    assert!(matches!(error, Error::Refused(_)), "{error:?}");
    assert_eq!(fake.token_request_count(), 0);
    assert_eq!(fake.api_requests.load(Ordering::SeqCst), 0);
}

#[test]
fn unusable_client_credentials_are_refused_when_the_layer_is_built() {
    let key = || PrivateKey::from_pem(RSA).unwrap();
    let no_scope: [&str; 0] = [];
    for credentials in [
        Credentials::private_key(CLIENT_ID, key(), no_scope),
        Credentials::private_key(CLIENT_ID, key(), ["okta.users.read okta.users.manage"]),
        Credentials::private_key(CLIENT_ID, key(), [""]),
        Credentials::private_key("", key(), ["okta.users.read"]),
        Credentials::private_key("0oa\n1", key(), ["okta.users.read"]),
    ] {
        let error = AuthLayer::new(org(), &credentials).unwrap_err();
        assert!(
            matches!(error, okta_layers::ConfigError::InvalidCredentials { .. }),
            "{error:?}"
        );
    }
}

#[test]
fn debug_output_hides_the_key() {
    let credentials = credentials(RSA);
    let layer = AuthLayer::new(org(), &credentials).unwrap();
    let text = format!("{credentials:?} {layer:?} {:?}", layer.layer(()));
    assert!(
        text.contains("<redacted>") && text.contains(CLIENT_ID),
        "{text}"
    );
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    for line in RSA.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!text.contains(line), "{text}");
    }
}

#[tokio::test(start_paused = true)]
async fn token_requests_cap_the_answer_at_64_kib() {
    let fake = Fake::new();
    call(&fake.authorized(RSA)).await.unwrap();
    let requests = fake.token_requests.lock().unwrap();
    assert_eq!(requests[0].max_response_size, Some(64 * 1024));
}

#[tokio::test(start_paused = true)]
async fn an_answer_too_large_malformed_or_stalled_is_an_auth_error_sent_once() {
    let answers: [TokenAnswer; 4] = [
        // A transport that does not honour `MaxResponseSize`: the layer caps the body itself.
        |_| Ok(json(StatusCode::OK, vec![b' '; 1024 * 1024])),
        // One that does.
        |_| Err(Box::new(Error::BodyTooLarge { limit: 64 * 1024 })),
        |_| {
            Err(Box::new(Error::MalformedResponse {
                source: "invalid HTTP status-code parsed".into(),
            }))
        },
        |_| {
            Err(Box::new(Error::Timeout {
                kind: TimeoutKind::BodyStalled,
            }))
        },
    ];
    for answer in answers {
        let fake = Fake::new();
        *fake.token_answer.lock().unwrap() = Some(answer);
        // Under the retry layer, as in the default stack: an auth error is not retried.
        let service = okta_layers::retry::RetryLayer::new(okta_layers::retry::RetryConfig {
            seed: Some(1),
            ..Default::default()
        })
        .layer(fake.authorized(RSA));
        let error = call(&service).await.unwrap_err();
        assert!(matches!(error, Error::Auth(_)), "{error:?}");
        assert!(error.to_string().contains("token endpoint"), "{error}");
        assert_eq!(fake.token_request_count(), 1, "{error}");
        assert_eq!(fake.api_requests.load(Ordering::SeqCst), 0);
    }
    // A failure in transit, before any answer, is still the network's: retried.
    let fake = Fake::new();
    *fake.token_answer.lock().unwrap() = Some(|_| {
        Err(Box::new(Error::Transport {
            not_sent: true,
            source: "connection refused".into(),
        }))
    });
    let service = okta_layers::retry::RetryLayer::new(okta_layers::retry::RetryConfig {
        seed: Some(1),
        ..Default::default()
    })
    .layer(fake.authorized(RSA));
    let error = call(&service).await.unwrap_err();
    assert!(
        matches!(error, Error::Transport { not_sent: true, .. }),
        "{error:?}"
    );
    assert_eq!(fake.token_request_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn an_expires_in_of_centuries_is_believed_for_a_day_at_most() {
    let fake = Fake::new();
    *fake.expires_in.lock().unwrap() = u64::MAX;
    let auth = fake.authorized(EC);
    call(&auth).await.unwrap();
    tokio::time::advance(Duration::from_secs(23 * 3600)).await;
    call(&auth).await.unwrap();
    assert_eq!(fake.token_request_count(), 1);
    tokio::time::advance(Duration::from_secs(3600)).await;
    call(&auth).await.unwrap();
    assert_eq!(fake.token_request_count(), 2);
}

const REFLECTED: &str = "at-the-access-token-the-server-reflects";

/// (What reaches a TRACE capture: `tests/traces.rs`.)
#[tokio::test(start_paused = true)]
async fn secrets_reflected_by_the_server_reach_no_error_or_header() {
    // The token endpoint reflects the client assertion in its OAuth error and request id.
    let fake = Fake::new();
    *fake.token_answer.lock().unwrap() = Some(|request| {
        let assertion = request.field("client_assertion");
        let mut response = json(
            StatusCode::BAD_REQUEST,
            format!(
                r#"{{"error":"invalid_client {assertion}","error_description":"bad assertion: {assertion}"}}"#
            ),
        );
        response.headers_mut().insert(
            "x-okta-request-id",
            format!("req-{assertion}").parse().unwrap(),
        );
        Ok(response)
    });
    let auth = fake.authorized(RSA);
    let error = call(&auth).await.unwrap_err();
    let Error::Auth(failure) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        failure.error_description.as_deref(),
        Some("bad assertion: <redacted>")
    );
    assert_eq!(failure.request_id.as_deref(), Some("req-<redacted>"));
    assert_no_secret(&format!("{error} {error:?}"), &fake);

    // The API reflects the access token in `X-Okta-Request-Id` and in its body.
    *fake.token_answer.lock().unwrap() = Some(|_| {
        Ok(json(
            StatusCode::OK,
            format!(r#"{{"token_type":"Bearer","access_token":"{REFLECTED}"}}"#),
        ))
    });
    fake.reflect.store(true, Ordering::SeqCst);
    let response = call(&auth).await.unwrap();
    assert_eq!(
        response.headers()["x-okta-request-id"],
        "req-Bearer <redacted>"
    );
    let redactor = response
        .extensions()
        .get::<Redactor>()
        .expect("the response carries the secrets sent")
        .clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let body = std::str::from_utf8(&body).unwrap();
    assert!(
        body.contains(REFLECTED),
        "the server did reflect it: {body}"
    );
    assert_eq!(redactor.redact(body), r#"{"echo":"Bearer <redacted>"}"#);
    assert!(
        redactor.finds_secret_in(
            fake.token_requests.lock().unwrap()[1]
                .field("client_assertion")
                .as_bytes()
        ),
        "the assertion is a secret the redactor knows"
    );
}
