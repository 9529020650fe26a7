//! A tiny HTTP client over loopback for the integration tests.
#![allow(dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use okta_mock::MockOrg;
use serde_json::Value;

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn error_code(&self) -> String {
        self.json()["errorCode"].as_str().unwrap_or("").to_owned()
    }

    /// The `next` URL from the `Link` header lines, if any.
    pub fn next_link(&self) -> Option<String> {
        self.headers
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|l| {
                l.strip_suffix("; rel=\"next\"")
                    .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_owned())
            })
    }
}

pub struct Api {
    pub client: Client<HttpConnector, Full<Bytes>>,
    pub base: String,
    pub auth: String,
}

impl Api {
    pub fn new(org: &MockOrg) -> Self {
        Api {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: org.base_url().to_owned(),
            auth: format!("SSWS {}", org.token()),
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        auth: Option<&str>,
    ) -> Resp {
        let uri = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.base, path)
        };
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("accept", "application/json");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
            .unwrap();
        let resp = self.client.request(req).await.expect("request failed");
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&str>) -> Resp {
        self.send(method, path, body, Some(&self.auth.clone()))
            .await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn create(&self, login: &str, password: Option<&str>, activate: bool) -> Value {
        let creds = password.map_or(String::new(), |p| format!(r#","credentials":{{"password":{{"value":"{p}"}},"recovery_question":{{"question":"Color?","answer":"blue sky"}}}}"#));
        let body = format!(
            r#"{{"profile":{{"firstName":"Test","lastName":"User","email":"{login}","login":"{login}","costCenter":"CC-1"}}{creds}}}"#
        );
        let r = self
            .post(&format!("/api/v1/users?activate={activate}"), &body)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.json()
    }
}
