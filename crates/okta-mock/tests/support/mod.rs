//! One tiny HTTP client for the integration tests: over loopback (a hyper client against the
//! org's socket) or in process (the org's `tower::Service`, for tests on paused time); the ids
//! of a list; and where Okta's spec is.
#![allow(dead_code)]

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use okta_mock::{MockOrg, MockService};
use serde_json::Value;
use tower_service::Service;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

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

    /// `Date` as epoch seconds.
    pub fn date_secs(&self) -> u64 {
        httpdate::parse_http_date(self.header("date"))
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }

    /// `X-Rate-Limit-*` as (limit, remaining, reset).
    pub fn rate_limit(&self) -> (u64, u64, u64) {
        let get = |name| self.header(name).parse::<u64>().unwrap();
        (
            get("x-rate-limit-limit"),
            get("x-rate-limit-remaining"),
            get("x-rate-limit-reset"),
        )
    }
}

/// How requests reach the org.
#[derive(Clone)]
pub enum Transport {
    Loopback(Box<Client<HttpConnector, Full<Bytes>>>),
    InProcess(MockService),
}

#[derive(Clone)]
pub struct Api {
    pub transport: Transport,
    pub base: String,
    pub auth: String,
}

impl Api {
    /// Over loopback HTTP.
    pub fn new(org: &MockOrg) -> Self {
        Api {
            transport: Transport::Loopback(Box::new(
                Client::builder(TokioExecutor::new()).build_http(),
            )),
            base: org.base_url().to_owned(),
            auth: format!("SSWS {}", org.token()),
        }
    }

    /// In process, through `org.service()`, with absolute-form URIs as a client stack sends.
    pub fn in_process(org: &MockOrg) -> Self {
        Api {
            transport: Transport::InProcess(org.service()),
            base: org.base_url().to_owned(),
            auth: format!("SSWS {}", org.token()),
        }
    }

    /// The same transport, another `Authorization` value.
    pub fn with_auth(&self, auth: impl Into<String>) -> Self {
        Api {
            auth: auth.into(),
            ..self.clone()
        }
    }

    /// Send a request; the transport's error (a reset, say) comes back as it is.
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Resp, BoxError> {
        let uri = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.base, path)
        };
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("accept", "application/json");
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
            .unwrap();
        let (parts, body) = match &self.transport {
            Transport::Loopback(client) => {
                let resp = client.request(req).await?;
                let (parts, body) = resp.into_parts();
                (parts, body.collect().await?.to_bytes())
            }
            Transport::InProcess(service) => {
                let resp = service.clone().call(req).await?;
                let (parts, body) = resp.into_parts();
                (parts, body.collect().await?.to_bytes())
            }
        };
        Ok(Resp {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        auth: Option<&str>,
    ) -> Resp {
        let headers: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
        self.try_send(method, path, body, &headers)
            .await
            .expect("request failed")
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&str>) -> Resp {
        self.send(method, path, body, Some(&self.auth.clone()))
            .await
    }

    /// A call with the API's credentials and more headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut all = vec![("authorization", self.auth.as_str())];
        all.extend_from_slice(headers);
        self.try_send(method, path, body, &all)
            .await
            .expect("request failed")
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &str) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn create(&self, login: &str, password: Option<&str>, activate: bool) -> Value {
        self.create_named(login, "Test", password, activate).await
    }

    /// Create `login` with this first name.
    pub async fn create_named(
        &self,
        login: &str,
        first_name: &str,
        password: Option<&str>,
        activate: bool,
    ) -> Value {
        let creds = password.map_or(String::new(), |p| format!(r#","credentials":{{"password":{{"value":"{p}"}},"recovery_question":{{"question":"Color?","answer":"blue sky"}}}}"#));
        let body = format!(
            r#"{{"profile":{{"firstName":"{first_name}","lastName":"User","email":"{login}","login":"{login}","costCenter":"CC-1"}}{creds}}}"#
        );
        let r = self
            .post(&format!("/api/v1/users?activate={activate}"), &body)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.json()
    }
}

/// Follow `next` links from `first`, at most `max_pages` pages (a cycle fails the test).
pub async fn all_pages(api: &Api, first: &str, max_pages: usize) -> Vec<Resp> {
    let mut pages = Vec::new();
    let mut next = Some(first.to_owned());
    while let Some(url) = next {
        assert!(pages.len() < max_pages, "more than {max_pages} pages");
        let r = api.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {:?}", r.body);
        next = r.next_link();
        pages.push(r);
    }
    pages
}

/// The `id` of every object of a JSON list.
pub fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Okta's spec, from the project's root: `../shared/okta-spec/okta-users.yaml`; a failure when
/// it is missing, not a skip.
pub fn spec_path() -> std::path::PathBuf {
    let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/okta-spec/okta-users.yaml");
    assert!(
        spec.exists(),
        "Okta's spec is missing at {} (the shared folder beside the project's root)",
        spec.display()
    );
    spec
}
