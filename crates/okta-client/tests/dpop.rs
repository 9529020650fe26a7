//! DPoP end to end: the client's default stack over the in-process mock org, whose app requires
//! DPoP as Okta's new API service apps do, on paused time. A recorder between the two sees every
//! request as sent (its proof decoded) and every answer.

mod support;

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use futures_util::TryStreamExt;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use okta_client::{
    AccessToken, Client, ClientBuilder, DpopMode, Error, PrivateKey, Stack, TokenRequest, token_fn,
};
use okta_mock::{ConnectionClosed, DEFAULT_SERVICE_BASE_URL, MockOrg, MockOrgBuilder, MockService};
use okta_users::Users;
use okta_users::models::{CreateUserRequest, UpdateUserRequest, UserProfile};
use serde_json::{Value, json};
use support::a_user;
use support::keys::{EC, EC_PUBLIC, RSA, RSA_PUBLIC, SCOPES};
use tower::Service;

const TOKEN_URL: &str = "https://mock.okta.example/oauth2/v1/token";
/// The app requiring DPoP (RSA assertions), and one that does not (EC assertions).
const DPOP_APP: &str = "0oa-dpop-app";
const PLAIN_APP: &str = "0oa-plain-app";

/// A JWT's header and claims, undecoded signature aside.
#[derive(Debug, Clone)]
struct Jwt {
    header: Value,
    claims: Value,
}

fn decode(jwt: &str) -> Jwt {
    let part = |index: usize| -> Value {
        let text = jwt.split('.').nth(index).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).unwrap()).unwrap()
    };
    Jwt {
        header: part(0),
        claims: part(1),
    }
}

/// One request as sent and its answer.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    authorization: Option<String>,
    proof: Option<Jwt>,
    status: StatusCode,
    /// The OAuth `error` of the body, or the `error` of a `WWW-Authenticate` challenge.
    error: Option<String>,
}

impl Seen {
    fn is_token_request(&self) -> bool {
        self.path == "/oauth2/v1/token"
    }

    fn scheme(&self) -> &str {
        self.authorization
            .as_deref()
            .and_then(|value| value.split(' ').next())
            .unwrap_or("")
    }

    fn token(&self) -> &str {
        self.authorization
            .as_deref()
            .and_then(|value| value.split_once(' '))
            .map_or("", |(_, token)| token)
    }

    fn claim(&self, name: &str) -> Option<&str> {
        self.proof.as_ref()?.claims.get(name)?.as_str()
    }
}

/// The org in process, recording; it can send one API request twice, as a transport retrying
/// on a stale connection with the headers untouched would (the second answer is returned).
#[derive(Clone)]
struct Recorder {
    org: MockService,
    seen: Arc<Mutex<Vec<Seen>>>,
    send_twice: Arc<Mutex<Option<usize>>>,
}

impl Recorder {
    fn new(org: &MockOrg) -> Self {
        Recorder {
            org: org.service(),
            seen: Arc::default(),
            send_twice: Arc::default(),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn token_requests(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(Seen::is_token_request)
            .collect()
    }

    fn api_requests(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|seen| !seen.is_token_request())
            .collect()
    }

    /// Sends the `n`th API request from now (1-based) twice.
    fn send_twice(&self, n: usize) {
        let before = self.api_requests().len();
        *self.send_twice.lock().unwrap() = Some(before + n);
    }
}

fn copy(request: &Request<Full<Bytes>>) -> Request<Full<Bytes>> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

impl Service<Request<Full<Bytes>>> for Recorder {
    type Response = Response<Full<Bytes>>;
    type Error = ConnectionClosed;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, ConnectionClosed>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), ConnectionClosed>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Full<Bytes>>) -> Self::Future {
        let mut org = self.org.clone();
        let seen = self.seen.clone();
        let send_twice = self.send_twice.clone();
        Box::pin(async move {
            let api = request.uri().path() != "/oauth2/v1/token";
            let number = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|s| !s.is_token_request())
                .count()
                + 1;
            let twice = api && *send_twice.lock().unwrap() == Some(number);
            let mut sends = vec![copy(&request)];
            if twice {
                sends.push(copy(&request));
            }
            let mut last = None;
            for request in sends {
                let header = |name: &str| {
                    request
                        .headers()
                        .get(name)
                        .map(|value| value.to_str().unwrap().to_owned())
                };
                let mut entry = Seen {
                    method: request.method().clone(),
                    path: request.uri().path().to_owned(),
                    authorization: header("authorization"),
                    proof: header("dpop").map(|proof| decode(&proof)),
                    status: StatusCode::OK,
                    error: None,
                };
                let response = org.call(request).await?;
                let (parts, body) = response.into_parts();
                let body = body.collect().await.unwrap().to_bytes();
                entry.status = parts.status;
                entry.error = serde_json::from_slice::<Value>(&body)
                    .ok()
                    .and_then(|json| json.get("error")?.as_str().map(str::to_owned))
                    .or_else(|| {
                        let challenge = parts.headers.get("www-authenticate")?.to_str().ok()?;
                        let rest = challenge.split("error=\"").nth(1)?;
                        Some(rest.split('"').next()?.to_owned())
                    });
                seen.lock().unwrap().push(entry);
                last = Some(Response::from_parts(parts, Full::new(body)));
            }
            Ok(last.expect("sent"))
        })
    }
}

fn mock(configure: impl FnOnce(MockOrgBuilder) -> MockOrgBuilder) -> MockOrg {
    configure(
        MockOrg::builder()
            .seed(21)
            .users(12)
            .oauth_client(DPOP_APP, RSA_PUBLIC)
            .oauth_client(PLAIN_APP, EC_PUBLIC)
            .require_dpop(DPOP_APP),
    )
    .build()
    .unwrap()
}

fn builder(app: &str) -> ClientBuilder {
    let pem = if app == DPOP_APP { RSA } else { EC };
    Client::builder()
        .org_url(DEFAULT_SERVICE_BASE_URL)
        .private_key(app, pem, SCOPES)
}

fn users(builder: ClientBuilder, recorder: &Recorder) -> Users<Stack<Recorder>> {
    Users::new(builder.build_service(recorder.clone()).unwrap())
}

fn sha256(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, text.as_bytes()))
}

fn count(seen: &[Seen], error: &str) -> usize {
    seen.iter()
        .filter(|seen| seen.error.as_deref() == Some(error))
        .count()
}

#[tokio::test(start_paused = true)]
async fn with_dpop_on_every_token_request_carries_a_proof_from_its_first_send() {
    let org = mock(|org| org.access_token_ttl(Duration::from_secs(120)));
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP).dpop(DpopMode::On), &recorder);
    let id = a_user(&org);
    for _ in 0..4 {
        users.get(id.as_str()).await.unwrap();
        users.get(id.as_str()).await.unwrap();
        // Past the refresh point (a minute before expiry): the next call fetches a new token.
        tokio::time::advance(Duration::from_secs(61)).await;
    }
    let tokens = recorder.token_requests();
    assert!(
        tokens.iter().all(|seen| seen.proof.is_some()),
        "{tokens:#?}"
    );
    assert_eq!(
        count(&tokens, "use_dpop_nonce"),
        1,
        "one nonce, one round trip"
    );
    assert_eq!(count(&tokens, "invalid_dpop_proof"), 0);
    assert_eq!(org.counters().tokens_issued, 4);
    for seen in &tokens {
        assert_eq!(seen.claim("htm"), Some("POST"));
        assert_eq!(seen.claim("htu"), Some(TOKEN_URL));
        assert_eq!(seen.claim("ath"), None, "no access token yet");
    }
    assert!(
        tokens
            .iter()
            .skip(1)
            .all(|seen| seen.claim("nonce").is_some())
    );
    let api = recorder.api_requests();
    assert_eq!(api.len(), 8);
    assert!(
        api.iter()
            .all(|seen| seen.scheme() == "DPoP" && seen.status == 200)
    );
}

#[tokio::test(start_paused = true)]
async fn auto_learns_once_then_proves_from_the_first_send_and_a_nonce_costs_one_round_trip() {
    let org = mock(|org| {
        org.access_token_ttl(Duration::from_secs(120))
            .dpop_nonce_lifetime(Duration::from_secs(300))
    });
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP), &recorder);
    let id = a_user(&org);
    // Twelve tokens over twelve minutes: the nonce changes twice meanwhile.
    for _ in 0..12 {
        users.get(id.as_str()).await.unwrap();
        tokio::time::advance(Duration::from_secs(61)).await;
    }
    let tokens = recorder.token_requests();
    assert_eq!(org.counters().tokens_issued, 12);
    assert_eq!(
        count(&tokens, "invalid_dpop_proof"),
        1,
        "auto learned once: {tokens:#?}"
    );
    assert!(tokens[0].proof.is_none(), "auto starts without a proof");
    assert!(tokens[1..].iter().all(|seen| seen.proof.is_some()));
    assert_eq!(
        count(&tokens, "use_dpop_nonce"),
        1,
        "newer nonces came with answers to older ones: no round trip"
    );
    assert_eq!(tokens.len(), 14);
    let nonces: HashSet<_> = tokens
        .iter()
        .filter_map(|seen| seen.claim("nonce"))
        .collect();
    assert!(nonces.len() >= 3, "{nonces:?}");

    // Every nonce retired at once: one more round trip, then none.
    org.rotate_dpop_nonce();
    for _ in 0..3 {
        users.get(id.as_str()).await.unwrap();
        tokio::time::advance(Duration::from_secs(61)).await;
    }
    let tokens = recorder.token_requests();
    assert_eq!(count(&tokens, "use_dpop_nonce"), 2);
    assert_eq!(count(&tokens, "invalid_dpop_proof"), 1);
    assert_eq!(org.counters().tokens_issued, 15);
}

#[tokio::test(start_paused = true)]
async fn auto_against_an_app_without_dpop_sends_no_proof() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let users = users(builder(PLAIN_APP), &recorder);
    users.get(a_user(&org)).await.unwrap();
    users.list().limit(3).await.unwrap();
    let seen = recorder.seen();
    assert_eq!(seen.len(), 3);
    assert!(seen.iter().all(|seen| seen.proof.is_none()), "{seen:#?}");
    assert!(
        recorder
            .api_requests()
            .iter()
            .all(|seen| seen.scheme() == "Bearer")
    );
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_callers_cause_one_token_request() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP).dpop(DpopMode::On), &recorder);
    let id = a_user(&org);
    let concurrently = || {
        let calls: Vec<_> = (0..50)
            .map(|_| {
                let users = users.clone();
                let id = id.clone();
                tokio::spawn(async move { users.get(id).await.map(|user| user.id) })
            })
            .collect();
        async move {
            for call in calls {
                call.await.unwrap().unwrap();
            }
        }
    };
    concurrently().await;
    // One token fetched for all fifty: its request, and the nonce round trip of the first.
    assert_eq!(org.counters().tokens_issued, 1);
    assert_eq!(recorder.token_requests().len(), 2);
    // An hour later the token has expired; the nonce is known: one token request.
    tokio::time::advance(Duration::from_secs(3600)).await;
    concurrently().await;
    assert_eq!(org.counters().tokens_issued, 2);
    assert_eq!(recorder.token_requests().len(), 3);
    let api = recorder.api_requests();
    assert_eq!(api.len(), 100);
    let jtis: HashSet<_> = api.iter().map(|seen| seen.claim("jti").unwrap()).collect();
    assert_eq!(jtis.len(), 100, "a proof of its own for every request");
}

/// What `htu` must be for a request to `path`: origin and decoded path, no query.
fn expected_htu(path: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .unwrap();
    format!("{DEFAULT_SERVICE_BASE_URL}{decoded}")
}

#[tokio::test(start_paused = true)]
async fn every_api_request_has_a_fresh_proof_with_the_right_ath_and_htu() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP), &recorder);
    let login = "dee+pop@example.com";
    let created = users
        .create(CreateUserRequest::new(UserProfile::new(
            "Dee", "Pop", login, login,
        )))
        .await
        .unwrap();
    users.get(login).await.unwrap();
    let mut change = UserProfile::default();
    change.title = Some("Prover".into());
    users
        .update(&created.id, UpdateUserRequest::profile(change))
        .await
        .unwrap();
    let all: Vec<_> = users.list().limit(5).stream().try_collect().await.unwrap();
    assert!(all.len() > 10);
    users.delete(&created.id).await.unwrap();

    let api = recorder.api_requests();
    assert_eq!(
        api.len(),
        7,
        "create, get, update, three pages, delete: {api:#?}"
    );
    let mut jtis = HashSet::new();
    for seen in &api {
        assert_eq!(seen.status.as_u16() / 100, 2, "{seen:#?}");
        assert_eq!(seen.scheme(), "DPoP");
        let proof = seen.proof.as_ref().expect("a proof");
        assert_eq!(proof.header["typ"], "dpop+jwt");
        assert_eq!(proof.header["alg"], "ES256", "the generated key");
        assert!(proof.header["jwk"].get("d").is_none(), "public key only");
        assert_eq!(seen.claim("htm"), Some(seen.method.as_str()));
        assert_eq!(seen.claim("htu").unwrap(), expected_htu(&seen.path));
        assert_eq!(seen.claim("ath").unwrap(), sha256(seen.token()));
        assert!(jtis.insert(seen.claim("jti").unwrap().to_owned()));
        let iat = proof.claims["iat"].as_u64().unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(iat.abs_diff(now) < 60);
    }
    // The lookup by login: its `+` encoded in the path, decoded in `htu`, as Okta compares.
    assert!(
        api.iter()
            .any(|seen| seen.path.contains("%2B") && seen.claim("htu").unwrap().contains('+'))
    );
}

#[tokio::test(start_paused = true)]
async fn a_replayed_proof_is_refused_and_the_client_recovers_with_a_new_one() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP), &recorder);
    let id = a_user(&org);
    users.get(id.as_str()).await.unwrap();
    recorder.send_twice(1);
    let user = users.get(id.as_str()).await.unwrap();
    assert_eq!(user.id, id);
    let api = recorder.api_requests();
    assert_eq!(api.len(), 4, "{api:#?}");
    let (sent, replayed, recovered) = (&api[1], &api[2], &api[3]);
    assert_eq!(sent.status, 200);
    assert_eq!(replayed.claim("jti"), sent.claim("jti"));
    assert_eq!(replayed.status, 400);
    assert_eq!(replayed.error.as_deref(), Some("invalid_dpop_proof"));
    assert_eq!(recovered.status, 200);
    assert_ne!(recovered.claim("jti"), sent.claim("jti"));
}

#[tokio::test(start_paused = true)]
async fn a_401_with_a_new_nonce_is_answered_with_a_new_proof() {
    let org = mock(|org| org.dpop_api_nonce(true));
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP), &recorder);
    let id = a_user(&org);
    for _ in 0..3 {
        users.get(id.as_str()).await.unwrap();
    }
    let api = recorder.api_requests();
    let statuses: Vec<u16> = api.iter().map(|seen| seen.status.as_u16()).collect();
    // The token endpoint's nonce is not the API's (RFC 9449 §9 keeps them apart): the first
    // API request learns it, with one 401; the next ones carry it.
    assert_eq!(statuses, [401, 200, 200, 200], "{api:#?}");
    assert_eq!(api[0].error.as_deref(), Some("use_dpop_nonce"));
    assert!(api[0].claim("nonce").is_none());
    assert!(api[1..].iter().all(|seen| seen.claim("nonce").is_some()));

    org.rotate_dpop_nonce();
    users.get(id.as_str()).await.unwrap();
    let api = recorder.api_requests();
    let statuses: Vec<u16> = api[4..].iter().map(|seen| seen.status.as_u16()).collect();
    assert_eq!(statuses, [401, 200]);
    assert_ne!(api[5].claim("nonce"), api[4].claim("nonce"));
    assert_eq!(org.counters().tokens_issued, 1);
}

#[tokio::test(start_paused = true)]
async fn bearer_use_of_a_dpop_token_is_refused() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    users(builder(DPOP_APP), &recorder)
        .get(a_user(&org))
        .await
        .unwrap();
    let token = recorder.api_requests()[0].token().to_owned();
    assert!(token.starts_with("mock."));
    let stolen = users(
        Client::builder()
            .org_url(DEFAULT_SERVICE_BASE_URL)
            .access_token(token.as_str()),
        &recorder,
    );
    let error = stolen.get(a_user(&org)).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::UNAUTHORIZED), "{error:?}");
    assert_eq!(error.error_code(), Some("E0000011"));
    assert!(!format!("{error} {error:?}").contains(&token));
}

#[tokio::test(start_paused = true)]
async fn dpop_off_against_an_app_requiring_it_is_an_auth_error_saying_so() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let users = users(builder(DPOP_APP).dpop(DpopMode::Off), &recorder);
    let error = users.get(a_user(&org)).await.unwrap_err();
    let Error::Auth(auth) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(auth.error.as_deref(), Some("invalid_dpop_proof"));
    assert!(error.to_string().contains("DPoP is off"), "{error}");
    assert_eq!(recorder.token_requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_given_rs256_key_signs_the_proofs() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let key = PrivateKey::from_pem(RSA).unwrap();
    let thumbprint = key.thumbprint().to_owned();
    let users = users(
        builder(DPOP_APP).dpop(DpopMode::On).dpop_key(key),
        &recorder,
    );
    users.get(a_user(&org)).await.unwrap();
    let api = recorder.api_requests();
    let proof = api[0].proof.as_ref().unwrap();
    assert_eq!(proof.header["alg"], "RS256");
    assert_eq!(proof.header["jwk"]["kty"], "RSA");
    let jwk = &proof.header["jwk"];
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        jwk["e"].as_str().unwrap(),
        jwk["n"].as_str().unwrap()
    );
    assert_eq!(sha256(&canonical), thumbprint);
}

/// A token request of the provider's own (client credentials, RS256 assertion), with a proof
/// from `request` when DPoP is on, through the mock.
async fn own_token_request(
    org: MockService,
    request: &TokenRequest,
    nonce: Option<&str>,
) -> (StatusCode, Value, Option<String>) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    static JTI: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let claims = json!({
        "iss": DPOP_APP, "sub": DPOP_APP, "aud": TOKEN_URL, "iat": now, "exp": now + 60,
        "jti": format!("provider-{}", JTI.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
    });
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(RSA.as_bytes()).unwrap();
    let assertion = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &key,
    )
    .unwrap();
    let form = format!(
        "grant_type=client_credentials&scope=okta.users.read&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}"
    );
    let mut http = Request::post(TOKEN_URL);
    if let Some(proof) = request.dpop_proof(&Method::POST, &TOKEN_URL.parse().unwrap(), nonce) {
        http = http.header("dpop", proof.unwrap());
    }
    let response = org
        .clone()
        .call(http.body(Full::from(form)).unwrap())
        .await
        .unwrap();
    let nonce = response
        .headers()
        .get("dpop-nonce")
        .map(|value| value.to_str().unwrap().to_owned());
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap(), nonce)
}

#[tokio::test(start_paused = true)]
async fn a_token_provider_is_cached_asked_once_for_many_and_again_after_a_refusal() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    // A vault holding a revoked token first, then a good one from the token endpoint.
    let asked = Arc::new(Mutex::new(Vec::new()));
    let provider = {
        let asked = asked.clone();
        let org = org.service();
        token_fn(move |request: TokenRequest| {
            let asked = asked.clone();
            let org = org.clone();
            async move {
                asked.lock().unwrap().push(request.after_refusal());
                if asked.lock().unwrap().len() == 1 {
                    return Ok(AccessToken::bearer("mock.revoked-long-ago-0000000000"));
                }
                let (_, first, nonce) = own_token_request(org.clone(), &request, None).await;
                assert_eq!(first["error"], "use_dpop_nonce");
                let (status, answer, _) = own_token_request(org, &request, nonce.as_deref()).await;
                assert_eq!(status, 200, "{answer}");
                assert_eq!(answer["token_type"], "DPoP");
                Ok(AccessToken::dpop(answer["access_token"].as_str().unwrap())
                    .expires_in(Duration::from_secs(600)))
            }
        })
    };
    let users = users(
        Client::builder()
            .org_url(DEFAULT_SERVICE_BASE_URL)
            .token_provider(provider),
        &recorder,
    );
    let id = a_user(&org);
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let users = users.clone();
            let id = id.clone();
            tokio::spawn(async move { users.get(id).await.map(|user| user.id) })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    users.get(id.as_str()).await.unwrap();
    // Asked once for the twenty, again after the revoked token's 401: cached since.
    assert_eq!(*asked.lock().unwrap(), [false, true]);
    let api = recorder.api_requests();
    assert!(api.iter().filter(|seen| seen.status == 401).count() >= 1);
    let last = api.last().unwrap();
    assert_eq!(last.scheme(), "DPoP");
    assert_eq!(last.claim("ath").unwrap(), sha256(last.token()));
    // Ten minutes on, the token has expired: the provider is asked again, before any 401.
    tokio::time::advance(Duration::from_secs(600)).await;
    let failures_before = recorder
        .api_requests()
        .iter()
        .filter(|s| s.status == 401)
        .count();
    users.get(id.as_str()).await.unwrap();
    assert_eq!(asked.lock().unwrap().len(), 3);
    assert_eq!(
        recorder
            .api_requests()
            .iter()
            .filter(|s| s.status == 401)
            .count(),
        failures_before
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_token_provider_fails_the_call_as_an_auth_error() {
    let org = mock(|org| org);
    let recorder = Recorder::new(&org);
    let users = users(
        Client::builder()
            .org_url(DEFAULT_SERVICE_BASE_URL)
            .token_provider(token_fn(|_| async {
                Err::<AccessToken, _>("the vault is sealed".into())
            })),
        &recorder,
    );
    let error = users.get(a_user(&org)).await.unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert!(error.to_string().contains("the vault is sealed"), "{error}");
    assert!(recorder.seen().is_empty());
}
