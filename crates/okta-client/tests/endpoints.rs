//! Every endpoint of the façade's table (`okta_users::endpoints::ALL`) against the two other
//! places that must know it: the rate limiter's bucket classification, and the mock org's
//! router (in process, on paused time).

mod support;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use okta_layers::rate_limit::Bucket;
use okta_mock::{MockOrg, RateLimits};
use okta_users::HttpService;
use okta_users::endpoints::{self, Endpoint};

/// The bucket Okta documents for an operation ("Management rate limits", `/api/v1/users`):
/// list and create share the collection's; get one user, and update, replace or delete one
/// user, have their own; everything else under the user is "other".
fn documented_bucket(endpoint: &Endpoint) -> Bucket {
    match endpoint.operation.operation_id {
        "listUsers" | "createUser" => Bucket::UsersCollection,
        "getUser" => Bucket::UserRead,
        "updateUser" | "replaceUser" | "deleteUser" => Bucket::UserWrite,
        _ => Bucket::UsersOther,
    }
}

/// Placeholder arguments for every segment of `endpoint`: plain ids, or ids Okta accepts that
/// hold characters a path must encode (a login's `@`, a `/` that must stay in one segment).
fn placeholders(endpoint: &Endpoint, odd: bool) -> Vec<&'static str> {
    let ids: [&str; 4] = if odd {
        ["ada@example.com", "ra/1", "app name", "0oa 1"]
    } else {
        [
            "00uPlaceholder1",
            "placeholder2",
            "placeholder3",
            "placeholder4",
        ]
    };
    ids[..endpoint.segment_names().count()].to_vec()
}

#[test]
fn every_endpoint_counts_against_the_bucket_okta_documents_for_it() {
    assert_eq!(endpoints::ALL.len(), 49);
    for endpoint in endpoints::ALL {
        for odd in [false, true] {
            let path = endpoint
                .fill_path(&placeholders(endpoint, odd))
                .expect("placeholders fill the template");
            assert_eq!(
                Bucket::classify(&endpoint.method, &path),
                documented_bucket(endpoint),
                "{endpoint} as {path}"
            );
        }
    }
}

/// Okta's answers for "no such route": E0000008 (no such path) and E0000022 (the path exists,
/// not with this method). A missing user or role is E0000007, which means the route was found.
const NO_SUCH_ROUTE: [&str; 2] = ["E0000008", "E0000022"];

#[tokio::test(start_paused = true)]
async fn the_mock_org_routes_every_endpoint() {
    let org = MockOrg::builder()
        .seed(3)
        .users(2)
        .rate_limits(RateLimits::disabled())
        .build()
        .unwrap();
    let users = support::users(&org, support::api_token(&org));

    for endpoint in endpoints::ALL {
        let mut uri = endpoint.fill_path(&placeholders(endpoint, false)).unwrap();
        if !endpoint.query.is_empty() {
            uri = format!("{uri}?{}", endpoint.query);
        }
        let writes = matches!(endpoint.method.as_str(), "POST" | "PUT");
        let body = if writes { "{}" } else { "" };
        let mut request = http::Request::new(Full::new(Bytes::from_static(body.as_bytes())));
        *request.method_mut() = endpoint.method.clone();
        *request.uri_mut() = uri.parse().unwrap();
        if writes {
            request.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
        }
        request.extensions_mut().insert(endpoint.operation);

        let response = users.service().send_http(request).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let code = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json.get("errorCode")?.as_str().map(str::to_owned));
        assert!(
            status != http::StatusCode::METHOD_NOT_ALLOWED
                && !code
                    .as_deref()
                    .is_some_and(|code| NO_SUCH_ROUTE.contains(&code)),
            "{endpoint} as {uri}: the mock has no route ({status}, {code:?})"
        );
    }
}
