//! Through a real forward proxy on loopback (tests/support/proxy.rs): plain forwarding for an
//! `http://` org, a `CONNECT` tunnel with end-to-end TLS for an `https://` one, proxy
//! authentication, `no_proxy`, the variables read through a lookup, and the proxy's
//! credentials kept out of errors (and of `Debug` and traces: tests/proxy_traces.rs).

mod support;

use http::header::PROXY_AUTHORIZATION;
use http::{Method, StatusCode, Version};
use okta_hyper::{HyperTransport, Proxy};
use okta_users::Error;
use support::pki::pki;
use support::proxy::{self, PASSWORD, USER, assert_no_secret, encoded_password};
use support::{body, get, origin, send};

#[tokio::test]
async fn an_http_org_is_reached_by_plain_forwarding() {
    let proxy = proxy::start(None).await;
    let origin = origin::http().await;
    let transport = HyperTransport::builder()
        .proxy(Proxy::new(proxy.url()).unwrap())
        .build()
        .unwrap();
    for _ in 0..2 {
        let response = send(&transport, get(origin.url("/json"))).await.unwrap();
        assert_eq!(body(response).await, origin::JSON);
    }
    let seen = proxy.seen();
    assert_eq!(seen.len(), 2, "{seen:?}");
    for request in seen {
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.target, origin.url("/json"), "absolute-form");
        assert!(request.proxy_authorization.is_none());
    }
    assert_eq!(origin.seen()[0].target, "/json");
}

async fn https_through_a_tunnel(alpn: &[u8], version: Version) {
    let pki = pki();
    let proxy = proxy::start(None).await;
    let origin = origin::https(&pki, &[alpn]).await;
    let transport = HyperTransport::builder()
        .add_root_certificate(pki.ca.clone())
        .proxy(Proxy::new(proxy.url()).unwrap())
        .build()
        .unwrap();
    for _ in 0..3 {
        let response = send(&transport, get(origin.url("/json"))).await.unwrap();
        assert_eq!(response.version(), version);
        assert_eq!(body(response).await, origin::JSON);
    }
    let seen = proxy.seen();
    assert_eq!(seen.len(), 1, "one tunnel, pooled: {seen:?}");
    assert_eq!(seen[0].method, Method::CONNECT);
    assert_eq!(seen[0].target, origin.address.to_string());
    // TLS ran end to end: the origin saw the requests themselves (in origin-form over HTTP/1.1;
    // HTTP/2 carries scheme and authority as pseudo-headers).
    assert_eq!(origin.seen().len(), 3);
    let expected = if version == Version::HTTP_2 {
        origin.url("/json")
    } else {
        "/json".to_owned()
    };
    assert_eq!(origin.seen()[0].target, expected);
}

#[tokio::test]
async fn an_https_org_is_reached_through_a_connect_tunnel_over_http1() {
    https_through_a_tunnel(b"http/1.1", Version::HTTP_11).await;
}

#[tokio::test]
async fn an_https_org_is_reached_through_a_connect_tunnel_over_http2() {
    https_through_a_tunnel(b"h2", Version::HTTP_2).await;
}

#[tokio::test]
async fn proxy_credentials_from_the_url_or_basic_auth_are_accepted() {
    let pki = pki();
    let proxy = proxy::start(Some((USER, PASSWORD))).await;
    let https = origin::https(&pki, &[b"http/1.1"]).await;
    let http = origin::http().await;
    for given in [
        proxy.with_credentials(),
        Proxy::new(proxy.url()).unwrap().basic_auth(USER, PASSWORD),
    ] {
        let transport = HyperTransport::builder()
            .add_root_certificate(pki.ca.clone())
            .proxy(given)
            .build()
            .unwrap();
        for url in [https.url("/json"), http.url("/json")] {
            let response = send(&transport, get(url.clone())).await.unwrap();
            assert_eq!(body(response).await, origin::JSON, "{url}");
        }
    }
    let seen = proxy.seen();
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert!(seen.iter().all(|request| request.admitted), "{seen:?}");
    // The credentials stop at the proxy: the origins never see them.
    for seen in http.seen().into_iter().chain(https.seen()) {
        assert!(seen.headers.get(PROXY_AUTHORIZATION).is_none());
    }
}

#[tokio::test]
async fn missing_or_wrong_credentials_are_refused_without_showing_them() {
    let pki = pki();
    let proxy = proxy::start(Some((USER, PASSWORD))).await;
    let https = origin::https(&pki, &[b"http/1.1"]).await;
    let http = origin::http().await;
    for given in [
        Proxy::new(proxy.url()).unwrap(),
        Proxy::new(proxy.url())
            .unwrap()
            .basic_auth(USER, "wrong-s3cret"),
    ] {
        let transport = HyperTransport::builder()
            .add_root_certificate(pki.ca.clone())
            .proxy(given)
            .build()
            .unwrap();
        // The tunnel is refused before anything was sent: a typed refusal, not a retry.
        let error = send(&transport, get(https.url("/json"))).await.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Refused(okta_users::RefusedReason::ProxyAuthRequired)
            ),
            "{error:?}"
        );
        assert!(!error.is_outcome_unknown());
        assert_no_secret("the error", &format!("{error} {error:?}"));
        // A forwarded request gets the proxy's own answer.
        let response = send(&transport, get(http.url("/json"))).await.unwrap();
        assert_eq!(response.status(), StatusCode::PROXY_AUTHENTICATION_REQUIRED);
    }
    assert!(https.seen().is_empty() && http.seen().is_empty());
}

/// A lookup over fixed variables, as `Proxy::from_env_with` takes it.
fn variables(vars: &[(&str, &str)]) -> impl FnMut(&str) -> Option<String> + use<> {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    move |name| {
        vars.iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value.clone())
    }
}

#[tokio::test]
async fn the_variables_choose_the_proxy_and_no_proxy_bypasses_it() {
    let pki = pki();
    let proxy = proxy::start(None).await;
    let https = origin::https(&pki, &[b"http/1.1"]).await;
    let http = origin::http().await;
    let transport_for = |vars: &[(&str, &str)]| {
        HyperTransport::builder()
            .add_root_certificate(pki.ca.clone())
            .proxy(Proxy::from_env_with(variables(vars)).unwrap())
            .build()
            .unwrap()
    };

    // Lower-case names, one per scheme.
    let transport = transport_for(&[("https_proxy", &proxy.url()), ("http_proxy", &proxy.url())]);
    send(&transport, get(https.url("/json"))).await.unwrap();
    send(&transport, get(http.url("/json"))).await.unwrap();
    let methods: Vec<Method> = proxy.seen().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, [Method::CONNECT, Method::GET]);

    // NO_PROXY names the origins' host: both go direct.
    let transport = transport_for(&[("ALL_PROXY", &proxy.url()), ("NO_PROXY", "127.0.0.1")]);
    send(&transport, get(https.url("/json"))).await.unwrap();
    send(&transport, get(http.url("/json"))).await.unwrap();
    assert_eq!(proxy.seen().len(), 2, "bypassed");
    assert_eq!(https.seen().len(), 2);
    assert_eq!(http.seen().len(), 2);

    // A list that does not match keeps the proxy.
    let transport = transport_for(&[("ALL_PROXY", &proxy.url()), ("no_proxy", "okta.example")]);
    send(&transport, get(http.url("/json"))).await.unwrap();
    assert_eq!(proxy.seen().len(), 3);

    // An unusable variable is refused by name, without its value.
    let error = Proxy::from_env_with(variables(&[(
        "HTTPS_PROXY",
        &format!("socks5://{USER}:{}@127.0.0.1:1", encoded_password()),
    )]))
    .unwrap_err();
    assert_eq!(error.origin(), "HTTPS_PROXY");
    assert_no_secret("the error", &format!("{error} {error:?}"));
}
