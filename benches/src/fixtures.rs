//! Deterministic fixtures: a 200-user page as the mock serves it plus custom profile
//! attributes, and canned responses with Okta's headers.

use bytes::Bytes;
use http_body_util::Full;
use serde_json::{Value, json};

/// The custom profile attributes added to every user of [`users_page`].
pub const CUSTOM_ATTRIBUTES: [&str; 6] = [
    "employeeBadge",
    "clearanceLevel",
    "isContractor",
    "skills",
    "hireDate",
    "badgeColorScore",
];

/// `count` (≤ 200) users as `GET /api/v1/users?limit={count}` returns them from a mock org seeded with `seed`,
/// each with six custom profile attributes (string, integer, boolean, string array, date
/// string, number), as one JSON array.
pub fn users_page(count: usize, seed: u64) -> Bytes {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let users: Vec<Value> = runtime.block_on(async {
        let org = okta_mock::MockOrg::builder()
            .seed(seed)
            .users(count * 2)
            .request_log(false)
            .start()
            .await
            .expect("mock org");
        let list: Vec<Value> = serde_json::from_slice(&get(&org, count).await).expect("JSON");
        assert_eq!(list.len(), count, "the mock listed too few users");
        let users = list
            .into_iter()
            .enumerate()
            .map(|(n, mut user)| {
                add_custom_attributes(&mut user, n);
                user
            })
            .collect();
        org.shutdown().await;
        users
    });
    Bytes::from(serde_json::to_vec(&users).expect("JSON"))
}

/// One user as `GET /api/v1/users/{id}` returns it (with every lifecycle link allowed in its
/// status, each with its `method`) from a mock org seeded with `seed`, plus the six custom
/// profile attributes of [`users_page`]: the body of the commonest call.
pub fn one_user(seed: u64) -> Bytes {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut user: Value = runtime.block_on(async {
        let org = okta_mock::MockOrg::builder()
            .seed(seed)
            .users(4)
            .request_log(false)
            .start()
            .await
            .expect("mock org");
        let list: Vec<Value> = serde_json::from_slice(&get(&org, 1).await).expect("JSON");
        let id = list[0]["id"].as_str().expect("an id").to_owned();
        let body = crate::bare::Bare::new(org.base_url(), org.token())
            .get(&format!("/api/v1/users/{id}"))
            .await;
        org.shutdown().await;
        serde_json::from_slice(&body).expect("JSON")
    });
    add_custom_attributes(&mut user, 0);
    Bytes::from(serde_json::to_vec(&user).expect("JSON"))
}

/// `GET /api/v1/users?limit={count}` from `org`, the body.
async fn get(org: &okta_mock::MockOrg, count: usize) -> Bytes {
    crate::bare::Bare::new(org.base_url(), org.token())
        .get(&format!("/api/v1/users?limit={count}"))
        .await
}

fn add_custom_attributes(user: &mut Value, n: usize) {
    const SKILLS: [&str; 5] = ["rust", "go", "sql", "okta", "terraform"];
    let profile = user
        .get_mut("profile")
        .and_then(Value::as_object_mut)
        .expect("a profile");
    profile.insert("employeeBadge".into(), json!(format!("B-{:05}", n * 7 + 3)));
    profile.insert("clearanceLevel".into(), json!(n % 5));
    profile.insert("isContractor".into(), json!(n.is_multiple_of(7)));
    profile.insert(
        "skills".into(),
        json!(
            SKILLS
                .iter()
                .skip(n % 3)
                .take(1 + n % 3)
                .collect::<Vec<_>>()
        ),
    );
    profile.insert(
        "hireDate".into(),
        json!(format!(
            "20{:02}-{:02}-{:02}",
            10 + n % 14,
            1 + n % 12,
            1 + n % 28
        )),
    );
    profile.insert("badgeColorScore".into(), json!(n as f64 / 8.0));
}

/// A `200 OK` with `body` and the headers Okta sends: `Content-Type`, `Date`,
/// `X-Okta-Request-Id`, and a rate-limit budget far from exhausted (limit 600, remaining 599,
/// reset an hour after `Date`), so the rate limiter takes its fast path.
pub fn ok_response(body: Bytes) -> http::Response<Full<Bytes>> {
    let now = std::time::SystemTime::now();
    let reset = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + 3600;
    http::Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .header("date", httpdate::fmt_http_date(now))
        .header("x-okta-request-id", "XbenchRequestId0000000AAAB")
        .header("x-rate-limit-limit", "600")
        .header("x-rate-limit-remaining", "599")
        .header("x-rate-limit-reset", reset.to_string())
        .body(Full::new(body))
        .expect("response")
}
