//! Response compression against a loopback origin sending gzip and deflate: `Accept-Encoding`
//! sent, bodies decompressed, the cap applied to the decompressed size, corrupt data refused,
//! and a switch to turn it all off.

mod support;

use bytes::Bytes;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH};
use okta_hyper::{HyperTransport, HyperTransportBuilder};
use okta_users::{Error, MaxResponseSize};
use support::{body, compress, get, origin, send};

fn builder() -> HyperTransportBuilder {
    HyperTransport::builder().no_proxy()
}

#[tokio::test]
async fn gzip_and_deflate_bodies_arrive_decompressed() {
    let origin = origin::http().await;
    let transport = builder().build().unwrap();
    for path in ["/gzip", "/deflate", "/json"] {
        let response = send(&transport, get(origin.url(path))).await.unwrap();
        assert!(
            response.headers().get(CONTENT_ENCODING).is_none(),
            "{path}: the encoding is gone with the decompression"
        );
        if path != "/json" {
            assert!(response.headers().get(CONTENT_LENGTH).is_none(), "{path}");
        }
        assert_eq!(body(response).await, origin::JSON, "{path}");
    }
    for seen in origin.seen() {
        assert_eq!(
            seen.headers.get(ACCEPT_ENCODING).unwrap(),
            "gzip, deflate",
            "{}",
            seen.target
        );
    }
    // The compressed body really was smaller on the wire than what came out.
    assert!(compress::gzip(&[b'x'; 2000]).len() < 100);
}

#[tokio::test]
async fn the_cap_applies_to_the_decompressed_size() {
    let origin = origin::http().await;
    // About 30 bytes of gzip that expand to 2000.
    let transport = builder().max_response_size(1999).build().unwrap();
    let error = send(&transport, get(origin.url("/gzip-2000")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1999 }),
        "{error:?}"
    );
    let transport = builder().max_response_size(2000).build().unwrap();
    let response = send(&transport, get(origin.url("/gzip-2000")))
        .await
        .unwrap();
    assert_eq!(body(response).await, Bytes::from(vec![b'x'; 2000]));
    // And so does a request's own cap.
    let mut request = get(origin.url("/gzip-2000"));
    request.extensions_mut().insert(MaxResponseSize(100));
    let error = send(&transport, request).await.unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 100 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_gzip_bomb_is_refused_at_the_cap() {
    // 1 GiB of zeros in about 1 MiB of gzip, against a 1 MiB cap. (The peak memory of the same
    // case under the default cap is checked by tests/decompression_bomb.rs.)
    let origin = origin::http().await;
    let transport = builder().max_response_size(1 << 20).build().unwrap();
    let error = send(&transport, get(origin.url("/gzip-bomb")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit: 1_048_576 }),
        "{error:?}"
    );
}

#[tokio::test]
async fn corrupt_compressed_data_is_a_malformed_response() {
    let origin = origin::http().await;
    let transport = builder().build().unwrap();
    let error = send(&transport, get(origin.url("/gzip-corrupt")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::MalformedResponse { .. }),
        "{error:?}"
    );
    assert!(error.is_outcome_unknown());
}

#[tokio::test]
async fn compression_can_be_turned_off() {
    let origin = origin::http().await;
    let transport = builder().response_compression(false).build().unwrap();
    assert!(!transport.response_compression());
    let response = send(&transport, get(origin.url("/json"))).await.unwrap();
    assert_eq!(body(response).await, origin::JSON);
    assert!(origin.seen()[0].headers.get(ACCEPT_ENCODING).is_none());
    // A server that compresses anyway is passed through as sent, encoding header included.
    let response = send(&transport, get(origin.url("/gzip"))).await.unwrap();
    assert_eq!(response.headers().get(CONTENT_ENCODING).unwrap(), "gzip");
    assert_eq!(body(response).await, compress::gzip(origin::JSON));
}

#[tokio::test]
async fn a_caller_chosen_accept_encoding_is_kept() {
    let origin = origin::http().await;
    let transport = builder().build().unwrap();
    let mut request = get(origin.url("/json"));
    request
        .headers_mut()
        .insert(ACCEPT_ENCODING, "identity".parse().unwrap());
    send(&transport, request).await.unwrap();
    assert_eq!(
        origin.seen()[0].headers.get(ACCEPT_ENCODING).unwrap(),
        "identity"
    );
}

#[tokio::test]
async fn only_the_facade_s_lists_and_unmarked_requests_are_asked_compressed() {
    let origin = origin::http().await;
    let transport = builder().build().unwrap();
    let marked = |endpoint: &'static okta_users::endpoints::Endpoint| {
        let mut request = get(origin.url("/json"));
        request.extensions_mut().insert(endpoint);
        request
    };
    send(&transport, marked(&okta_users::endpoints::LIST_USERS))
        .await
        .unwrap();
    send(&transport, marked(&okta_users::endpoints::GET_USER))
        .await
        .unwrap();
    send(&transport, get(origin.url("/json"))).await.unwrap();
    let asked: Vec<_> = origin
        .seen()
        .iter()
        .map(|seen| seen.headers.get(ACCEPT_ENCODING).cloned())
        .collect();
    assert_eq!(
        asked,
        [
            Some("gzip, deflate".parse().unwrap()),
            None,
            Some("gzip, deflate".parse().unwrap())
        ],
        "a page, then one user (1–4 KB: not worth inflating), then a request of the caller's own"
    );
}
