//! A recording service for the façade's tests: it answers with canned responses, in order, and
//! keeps every request it was sent.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use okta_users::{Operation, RequestBody, Users};

/// One request as the service received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: http::Method,
    pub uri: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub operation: Option<Operation>,
}

impl Recorded {
    /// The body as JSON (panics in a test when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON request body")
    }
}

/// A canned response.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Canned {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Canned {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: Bytes::from(body.into()),
        }
    }

    pub fn empty(status: u16) -> Self {
        Canned {
            status,
            headers: vec![],
            body: Bytes::new(),
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// A `Users` over a service that answers `responses` in order (the last one repeats).
pub fn recorder(responses: Vec<Canned>) -> (Users<impl okta_users::HttpService>, Log) {
    let log: Log = Arc::default();
    let queue = Arc::new(Mutex::new(VecDeque::from(responses)));
    let service_log = log.clone();
    let service = tower::service_fn(move |request: http::Request<RequestBody>| {
        let log = service_log.clone();
        let queue = queue.clone();
        async move {
            let (parts, body) = request.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            log.lock().unwrap().push(Recorded {
                method: parts.method,
                uri: parts.uri.to_string(),
                headers: parts.headers,
                body,
                operation: parts.extensions.get::<Operation>().copied(),
            });
            let canned = {
                let mut queue = queue.lock().unwrap();
                if queue.len() > 1 {
                    queue.pop_front().unwrap()
                } else {
                    queue.front().cloned().expect("a canned response")
                }
            };
            let mut response = http::Response::builder().status(canned.status);
            for (name, value) in &canned.headers {
                response = response.header(*name, value.as_str());
            }
            Ok::<_, Infallible>(response.body(Full::new(canned.body)).unwrap())
        }
    });
    (Users::new(service), log)
}

/// The single request recorded (panics unless exactly one was).
pub fn only(log: &Log) -> Recorded {
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1, "expected exactly one request, got {:?}", *log);
    log[0].clone()
}

/// A JSON fixture from `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A JSON fixture from `tests/fixtures`, parsed.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// The request carried the `Operation` named `name` (Okta's `operation_id`).
pub fn assert_operation(recorded: &Recorded, name: &str, operation_id: &str) {
    let operation = recorded.operation.expect("an Operation extension");
    assert_eq!(
        (operation.name, operation.operation_id),
        (name, operation_id)
    );
}

/// The request had no body, and so no `Content-Type`.
pub fn assert_no_body(recorded: &Recorded) {
    assert!(
        recorded.body.is_empty(),
        "no body expected for {}, got {:?}",
        recorded.uri,
        recorded.body
    );
    assert!(
        recorded.headers.get(http::header::CONTENT_TYPE).is_none(),
        "no content-type without a body"
    );
}

/// The request was `method uri`, for the operation `name` (`operation_id`), without a body.
pub fn assert_sent(
    recorded: &Recorded,
    method: http::Method,
    uri: &str,
    name: &str,
    operation_id: &str,
) {
    assert_eq!(recorded.method, method, "method of {uri}");
    assert_eq!(recorded.uri, uri);
    assert_operation(recorded, name, operation_id);
    assert_no_body(recorded);
}
