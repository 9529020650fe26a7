//! DPoP (RFC 9449) as Okta enforces it for apps that require it: the token endpoint wants a
//! valid proof and the org's nonce, issues tokens bound to the proof's key, and the API takes
//! such a token only with a fresh proof of that key for that very request.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use okta_mock::{DEFAULT_SERVICE_BASE_URL, MockOrg};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_service::Service;

const RSA_PUB: &str = include_str!("keys/rsa_public.pem");
const RSA_PRIV: &str = include_str!("keys/rsa_private.pem");
const EC_PRIV: &str = include_str!("keys/ec_private.pem");
const EC_JWK: &str = include_str!("keys/ec_private.jwk.json");
const OTHER_PRIV: &str = include_str!("keys/other_rsa_private.pem");
const TOKEN_URL: &str = "https://mock.okta.example/oauth2/v1/token";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

static IDS: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", IDS.fetch_add(1, Ordering::Relaxed))
}

/// The DPoP key of these tests (EC P-256): the private key and the public JWK.
fn dpop_key() -> (EncodingKey, Value) {
    let mut jwk: Value = serde_json::from_str(EC_JWK).unwrap();
    let object = jwk.as_object_mut().unwrap();
    object.remove("d");
    object.remove("kid");
    (EncodingKey::from_ec_pem(EC_PRIV.as_bytes()).unwrap(), jwk)
}

/// A proof with `claims` (merged over fresh `jti` and `iat`), signed by the test key, with
/// `header_jwk` as is in its header (a private one too).
fn proof_with(claims: Value, header_jwk: Value, typ: &str) -> String {
    use base64::Engine;
    let b64 = |value: &Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    };
    let (key, _) = dpop_key();
    let header = json!({ "alg": "ES256", "typ": typ, "jwk": header_jwk });
    let mut all = json!({ "jti": unique("proof"), "iat": now() });
    for (name, value) in claims.as_object().unwrap() {
        all[name] = value.clone();
    }
    let message = format!("{}.{}", b64(&header), b64(&all));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::ES256).unwrap();
    format!("{message}.{signature}")
}

fn proof(htm: &str, htu: &str, ath: Option<&str>, nonce: Option<&str>) -> String {
    let mut claims = json!({ "htm": htm, "htu": htu });
    if let Some(ath) = ath {
        claims["ath"] = ath.into();
    }
    if let Some(nonce) = nonce {
        claims["nonce"] = nonce.into();
    }
    proof_with(claims, dpop_key().1, "dpop+jwt")
}

fn ath(token: &str) -> String {
    use base64::Engine;
    use ring::digest::{SHA256, digest};
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest(&SHA256, token.as_bytes()))
}

fn token_form(client: &str, key_pem: &str) -> String {
    let claims = json!({
        "iss": client, "sub": client, "aud": TOKEN_URL,
        "iat": now(), "exp": now() + 60, "jti": unique("assertion"),
    });
    let key = EncodingKey::from_rsa_pem(key_pem.as_bytes()).unwrap();
    let jwt = encode(&Header::new(Algorithm::RS256), &claims, &key).unwrap();
    format!(
        "grant_type=client_credentials&scope=okta.users.read+okta.users.manage&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={jwt}"
    )
}

struct Answer {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }
}

async fn send(org: &MockOrg, request: Request<Full<Bytes>>) -> Answer {
    let response: Response<Full<Bytes>> = org.service().call(request).await.unwrap();
    let (parts, body) = response.into_parts();
    Answer {
        status: parts.status,
        headers: parts.headers,
        body: body.collect().await.unwrap().to_bytes(),
    }
}

async fn token_request(org: &MockOrg, client: &str, key: &str, proofs: &[String]) -> Answer {
    let mut request =
        Request::post(TOKEN_URL).header("content-type", "application/x-www-form-urlencoded");
    for proof in proofs {
        request = request.header("dpop", proof);
    }
    send(
        org,
        request.body(Full::from(token_form(client, key))).unwrap(),
    )
    .await
}

async fn api(
    org: &MockOrg,
    method: Method,
    path: &str,
    authorization: &str,
    proof: Option<&str>,
) -> Answer {
    let mut request = Request::builder()
        .method(method)
        .uri(format!("{DEFAULT_SERVICE_BASE_URL}{path}"))
        .header("authorization", authorization);
    if let Some(proof) = proof {
        request = request.header("dpop", proof);
    }
    send(org, request.body(Full::default()).unwrap()).await
}

fn org() -> MockOrg {
    MockOrg::builder()
        .seed(12)
        .users(3)
        .oauth_client("0oa-dpop", RSA_PUB)
        .oauth_client("0oa-plain", RSA_PUB)
        .require_dpop("0oa-dpop")
        .build()
        .unwrap()
}

/// A DPoP token of `0oa-dpop` through the whole handshake, and the nonce it used.
async fn dpop_token(org: &MockOrg) -> (String, String) {
    let first = token_request(
        org,
        "0oa-dpop",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, None)],
    )
    .await;
    assert_eq!(first.json()["error"], "use_dpop_nonce");
    let nonce = first.header("dpop-nonce").to_owned();
    let second = token_request(
        org,
        "0oa-dpop",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, Some(&nonce))],
    )
    .await;
    assert_eq!(second.status, 200, "{:?}", second.body);
    (
        second.json()["access_token"].as_str().unwrap().to_owned(),
        nonce,
    )
}

#[tokio::test(start_paused = true)]
async fn a_dpop_app_needs_a_proof_then_the_nonce_and_gets_a_bound_token() {
    let org = org();
    let missing = token_request(&org, "0oa-dpop", RSA_PRIV, &[]).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["error"], "invalid_dpop_proof");
    assert_eq!(
        missing.json()["error_description"],
        "The DPoP proof JWT header is missing."
    );
    let no_nonce = token_request(
        &org,
        "0oa-dpop",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, None)],
    )
    .await;
    assert_eq!(no_nonce.status, 400);
    assert_eq!(no_nonce.json()["error"], "use_dpop_nonce");
    assert_eq!(
        no_nonce.json()["error_description"],
        "Authorization server requires nonce in DPoP proof."
    );
    let nonce = no_nonce.header("dpop-nonce").to_owned();
    assert!(!nonce.is_empty());
    let issued = token_request(
        &org,
        "0oa-dpop",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, Some(&nonce))],
    )
    .await;
    assert_eq!(issued.status, 200, "{:?}", issued.body);
    assert_eq!(issued.json()["token_type"], "DPoP");
    assert_eq!(
        issued.header("dpop-nonce"),
        "",
        "the nonce sent is the current one"
    );
    // An app that does not require DPoP gets a Bearer token without a proof, a DPoP one with.
    let plain = token_request(&org, "0oa-plain", RSA_PRIV, &[]).await;
    assert_eq!(plain.json()["token_type"], "Bearer");
    let bound = token_request(
        &org,
        "0oa-plain",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, Some(&nonce))],
    )
    .await;
    assert_eq!(bound.json()["token_type"], "DPoP");
    assert_eq!(org.counters().tokens_issued, 3);
}

#[tokio::test(start_paused = true)]
async fn bad_proofs_are_refused_at_the_token_endpoint() {
    let org = org();
    let nonce = token_request(
        &org,
        "0oa-dpop",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, None)],
    )
    .await
    .header("dpop-nonce")
    .to_owned();
    let nonce = Some(nonce.as_str());
    let mut private_jwk: Value = serde_json::from_str(EC_JWK).unwrap();
    private_jwk.as_object_mut().unwrap().remove("kid");
    let replayed = proof("POST", TOKEN_URL, None, nonce);
    let other_key_jwk = {
        let mut jwk = dpop_key().1;
        jwk["x"] = Value::from("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU");
        jwk["y"] = Value::from("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0");
        jwk
    };
    let cases = [
        (
            proof("GET", TOKEN_URL, None, nonce),
            "'htm' claim in the DPoP proof JWT is invalid.",
        ),
        (
            proof(
                "POST",
                "https://elsewhere.example/oauth2/v1/token",
                None,
                nonce,
            ),
            "'htu' claim in the DPoP proof JWT is invalid.",
        ),
        (
            proof_with(
                json!({"htm": "POST", "htu": TOKEN_URL, "nonce": nonce}),
                dpop_key().1,
                "JWT",
            ),
            "The DPoP proof JWT 'typ' header is invalid.",
        ),
        (
            proof_with(
                json!({"htm": "POST", "htu": TOKEN_URL, "nonce": nonce}),
                private_jwk,
                "dpop+jwt",
            ),
            "The DPoP proof JWT 'jwk' header contains a private key.",
        ),
        (
            proof_with(
                json!({"htm": "POST", "htu": TOKEN_URL, "nonce": nonce}),
                other_key_jwk,
                "dpop+jwt",
            ),
            "The DPoP proof JWT signature is invalid.",
        ),
        (
            proof_with(
                json!({"htm": "POST", "htu": TOKEN_URL, "nonce": nonce, "iat": now() - 301}),
                dpop_key().1,
                "dpop+jwt",
            ),
            "The DPoP proof JWT is issued more than five minutes in the past.",
        ),
        ("not.a.jwt".to_owned(), "The DPoP proof JWT is malformed."),
    ];
    for (bad, description) in cases {
        let answer = token_request(&org, "0oa-dpop", RSA_PRIV, &[bad]).await;
        assert_eq!(answer.status, 400, "{description}");
        assert_eq!(
            answer.json()["error"],
            "invalid_dpop_proof",
            "{description}"
        );
        assert_eq!(answer.json()["error_description"], description);
    }
    let two = token_request(
        &org,
        "0oa-dpop",
        RSA_PRIV,
        &[replayed.clone(), replayed.clone()],
    )
    .await;
    assert_eq!(two.json()["error"], "invalid_dpop_proof");
    let first = token_request(&org, "0oa-dpop", RSA_PRIV, std::slice::from_ref(&replayed)).await;
    assert_eq!(first.status, 200);
    let again = token_request(&org, "0oa-dpop", RSA_PRIV, &[replayed]).await;
    assert_eq!(
        again.json()["error_description"],
        "The DPoP proof JWT has already been used."
    );
    assert_eq!(org.counters().tokens_issued, 1);
}

#[tokio::test(start_paused = true)]
async fn dpop_tokens_need_a_fresh_proof_of_their_key_with_the_right_ath() {
    let org = org();
    let (token, _) = dpop_token(&org).await;
    let users = format!("{DEFAULT_SERVICE_BASE_URL}/api/v1/users");
    let dpop = format!("DPoP {token}");
    let good = proof("GET", &users, Some(&ath(&token)), None);
    let ok = api(
        &org,
        Method::GET,
        "/api/v1/users?limit=2",
        &dpop,
        Some(&good),
    )
    .await;
    assert_eq!(ok.status, 200, "{:?} {:?}", ok.headers, ok.body);
    assert_eq!(ok.json().as_array().unwrap().len(), 2);

    // Okta answers a refused proof 400 with no body and the reason in the challenge.
    let refused = |answer: &Answer, description: &str| {
        assert_eq!(answer.status, 400, "{description}: {:?}", answer.body);
        assert!(answer.body.is_empty(), "{description}");
        let challenge = answer.header("www-authenticate");
        assert!(
            challenge.starts_with("DPoP ")
                && challenge.contains(r#"error="invalid_dpop_proof""#)
                && challenge.contains(&format!(r#"error_description="{description}""#)),
            "{challenge}"
        );
    };
    let replay = api(&org, Method::GET, "/api/v1/users", &dpop, Some(&good)).await;
    refused(&replay, "The DPoP proof JWT has already been used.");
    let missing = api(&org, Method::GET, "/api/v1/users", &dpop, None).await;
    refused(&missing, "The DPoP proof JWT header is missing.");
    let wrong_ath = proof("GET", &users, Some(&ath("another-token")), None);
    refused(
        &api(&org, Method::GET, "/api/v1/users", &dpop, Some(&wrong_ath)).await,
        "'ath' claim in the DPoP proof JWT is invalid.",
    );
    let no_ath = proof("GET", &users, None, None);
    refused(
        &api(&org, Method::GET, "/api/v1/users", &dpop, Some(&no_ath)).await,
        "'ath' claim in the DPoP proof JWT is invalid.",
    );
    let wrong_htm = proof("POST", &users, Some(&ath(&token)), None);
    refused(
        &api(&org, Method::GET, "/api/v1/users", &dpop, Some(&wrong_htm)).await,
        "'htm' claim in the DPoP proof JWT is invalid.",
    );
    let with_query = proof("GET", &format!("{users}?limit=2"), Some(&ath(&token)), None);
    refused(
        &api(
            &org,
            Method::GET,
            "/api/v1/users?limit=2",
            &dpop,
            Some(&with_query),
        )
        .await,
        "'htu' claim in the DPoP proof JWT is invalid.",
    );
    // Okta compares the decoded path: an encoded `@` in htu does not match.
    let login = "/api/v1/users/someone%40example.com";
    let encoded = proof(
        "GET",
        &format!("{DEFAULT_SERVICE_BASE_URL}{login}"),
        Some(&ath(&token)),
        None,
    );
    refused(
        &api(&org, Method::GET, login, &dpop, Some(&encoded)).await,
        "'htu' claim in the DPoP proof JWT is invalid.",
    );
    let decoded = proof(
        "GET",
        &format!("{DEFAULT_SERVICE_BASE_URL}/api/v1/users/someone@example.com"),
        Some(&ath(&token)),
        None,
    );
    let unknown = api(&org, Method::GET, login, &dpop, Some(&decoded)).await;
    assert_eq!(
        unknown.status, 404,
        "the proof passed: {:?}",
        unknown.headers
    );

    // A token used as Bearer, or a Bearer token used as DPoP: 401 invalid_token.
    let bearer_misuse = api(
        &org,
        Method::GET,
        "/api/v1/users",
        &format!("Bearer {token}"),
        None,
    )
    .await;
    assert_eq!(bearer_misuse.status, 401);
    assert_eq!(bearer_misuse.json()["errorCode"], "E0000011");
    assert!(
        bearer_misuse
            .header("www-authenticate")
            .contains(r#"error="invalid_token""#)
    );
    let plain = token_request(&org, "0oa-plain", RSA_PRIV, &[]).await;
    let plain = plain.json()["access_token"].as_str().unwrap().to_owned();
    let fresh = proof("GET", &users, Some(&ath(&plain)), None);
    let as_dpop = api(
        &org,
        Method::GET,
        "/api/v1/users",
        &format!("DPoP {plain}"),
        Some(&fresh),
    )
    .await;
    assert_eq!(as_dpop.status, 401);
    assert_eq!(
        api(
            &org,
            Method::GET,
            "/api/v1/users",
            &format!("Bearer {plain}"),
            None
        )
        .await
        .status,
        200
    );
    assert!(org.counters().unauthorized >= 2);
}

#[tokio::test(start_paused = true)]
async fn a_proof_by_another_key_than_the_tokens_is_refused() {
    let org = org();
    let (token, _) = dpop_token(&org).await;
    let users = format!("{DEFAULT_SERVICE_BASE_URL}/api/v1/users");
    // The same claims signed by an RSA key: a valid proof, of the wrong key.
    let rsa = EncodingKey::from_rsa_pem(OTHER_PRIV.as_bytes()).unwrap();
    let public = {
        // other_rsa_private.pem's public numbers, read from its PKCS#8 with ring.
        let pem = pem_body(OTHER_PRIV);
        let pair = ring::signature::RsaKeyPair::from_pkcs8(&pem).unwrap();
        let components = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
        use base64::Engine;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        json!({"kty": "RSA", "n": b64(&components.n), "e": b64(&components.e)})
    };
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("dpop+jwt".into());
    header.jwk = Some(serde_json::from_value(public).unwrap());
    let claims =
        json!({"jti": unique("rsa"), "iat": now(), "htm": "GET", "htu": users, "ath": ath(&token)});
    let other = encode(&header, &claims, &rsa).unwrap();
    let answer = api(
        &org,
        Method::GET,
        "/api/v1/users",
        &format!("DPoP {token}"),
        Some(&other),
    )
    .await;
    assert_eq!(answer.status, 401);
    assert!(
        answer
            .header("www-authenticate")
            .contains(r#"error="invalid_token""#)
    );
}

fn pem_body(pem: &str) -> Vec<u8> {
    use base64::Engine;
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn nonces_rotate_on_the_orgs_clock_and_the_api_may_demand_them() {
    let org = MockOrg::builder()
        .seed(13)
        .users(2)
        .oauth_client("0oa-dpop", RSA_PUB)
        .require_dpop("0oa-dpop")
        .dpop_nonce_lifetime(Duration::from_secs(600))
        .dpop_api_nonce(true)
        .build()
        .unwrap();
    let (token, nonce) = dpop_token(&org).await;
    let users = format!("{DEFAULT_SERVICE_BASE_URL}/api/v1/users");
    let dpop = format!("DPoP {token}");
    let call = |nonce: Option<String>| {
        let proof = proof("GET", &users, Some(&ath(&token)), nonce.as_deref());
        let dpop = dpop.clone();
        let org = &org;
        async move { api(org, Method::GET, "/api/v1/users", &dpop, Some(&proof)).await }
    };
    let without = call(None).await;
    assert_eq!(without.status, 401);
    assert!(without.body.is_empty());
    assert!(
        without
            .header("www-authenticate")
            .contains(r#"error="use_dpop_nonce""#)
    );
    assert_eq!(without.header("dpop-nonce"), nonce);
    assert_eq!(call(Some(nonce.clone())).await.status, 200);

    // Ten minutes later a new nonce is current; the old one still works, and the answer
    // brings the new one.
    tokio::time::advance(Duration::from_secs(600)).await;
    let older = call(Some(nonce.clone())).await;
    assert_eq!(older.status, 200);
    let newer = older.header("dpop-nonce").to_owned();
    assert!(!newer.is_empty() && newer != nonce);
    assert_eq!(call(Some(newer.clone())).await.header("dpop-nonce"), "");

    // Rotated by hand (as if they had all expired): every nonce handed out is refused.
    org.rotate_dpop_nonce();
    let stale = call(Some(newer.clone())).await;
    assert_eq!(stale.status, 401);
    let latest = stale.header("dpop-nonce").to_owned();
    assert!(!latest.is_empty() && latest != newer);
    assert_eq!(call(Some(latest)).await.status, 200);
    // The token endpoint asks for the new nonce too.
    let token_answer = token_request(
        &org,
        "0oa-dpop",
        RSA_PRIV,
        &[proof("POST", TOKEN_URL, None, Some(&nonce))],
    )
    .await;
    assert_eq!(token_answer.json()["error"], "use_dpop_nonce");
}

#[test]
fn dpop_for_an_unknown_client_is_a_configuration_error() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    runtime.block_on(async {
        let error = MockOrg::builder()
            .require_dpop("0oa-nobody")
            .build()
            .unwrap_err();
        assert!(error.to_string().contains("0oa-nobody"), "{error}");
    });
}
