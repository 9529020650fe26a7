//! The floor the benches measure against: a bare `hyper_util` client sending what our client
//! sends (`User-Agent`, `Accept`, `Authorization: SSWS …`) and reading the body to bytes.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A pooled HTTP/1.1 (keep-alive) or HTTP/2 (one multiplexed h2c connection) client for one
/// org and token. Cheap to share by reference.
#[derive(Clone)]
pub struct Bare {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    auth: String,
}

impl Bare {
    /// A client for the org at `base` (`http://127.0.0.1:PORT`) with API token `token`.
    pub fn new(base: &str, token: &str) -> Self {
        Self::with_http2(base, token, false)
    }

    /// The same speaking HTTP/2 with prior knowledge (h2c) when `http2`.
    pub fn with_http2(base: &str, token: &str, http2: bool) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        Bare {
            client: Client::builder(TokioExecutor::new())
                .http2_only(http2)
                .build(http),
            base: base.to_owned(),
            auth: format!("SSWS {token}"),
        }
    }

    /// `GET {base}{path_and_query}` with our headers plus `extra`; the response read whole, or
    /// `None` if the request or its body failed.
    pub async fn send(
        &self,
        path_and_query: &str,
        extra: &[(&str, &str)],
    ) -> Option<http::Response<Bytes>> {
        let mut request = http::Request::get(format!("{}{path_and_query}", self.base))
            .header("user-agent", okta_layers::headers::DEFAULT_USER_AGENT)
            .header("accept", "application/json")
            .header("authorization", &self.auth);
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::default()).expect("request");
        let (parts, body) = self.client.request(request).await.ok()?.into_parts();
        let body = body.collect().await.ok()?.to_bytes();
        Some(http::Response::from_parts(parts, body))
    }

    /// The body of a successful `GET {base}{path_and_query}`; panics otherwise.
    pub async fn get(&self, path_and_query: &str) -> Bytes {
        let response = self
            .send(path_and_query, &[])
            .await
            .expect("bare: response");
        assert!(response.status().is_success(), "{}", response.status());
        response.into_body()
    }
}
