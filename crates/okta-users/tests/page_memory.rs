//! Memory amplification: a 15 MiB body of tiny users answering `limit=200` (476,625 users
//! once decoded to 264–638 MiB) is refused at user 201, with the heap held near the body's own
//! size. The heap is measured by a counting allocator (`cap`) around the whole test binary,
//! which holds this one test so that nothing else allocates meanwhile.

use std::alloc::System;

use bytes::Bytes;
use cap::Cap;
use http_body_util::Full;
use okta_users::{Error, RequestBody, Users};

#[global_allocator]
static HEAP: Cap<System> = Cap::new(System, usize::MAX);

const MIB: usize = 1024 * 1024;

#[tokio::test(flavor = "current_thread")]
async fn a_15_mib_page_of_tiny_users_is_refused_with_the_heap_bounded() {
    const TINY: &str = r#"{"id":"u","status":"ACTIVE","profile":{}}"#;
    let count = 15 * MIB / (TINY.len() + 1);
    let mut body = String::with_capacity(count * (TINY.len() + 1) + 1);
    body.push('[');
    for i in 0..count {
        if i > 0 {
            body.push(',');
        }
        body.push_str(TINY);
    }
    body.push(']');
    let body = Bytes::from(body);
    assert!(body.len() >= 15 * MIB - TINY.len());

    let service = tower::service_fn(move |_: http::Request<RequestBody>| {
        let body = body.clone();
        async move { Ok::<_, std::convert::Infallible>(http::Response::new(Full::new(body))) }
    });
    let users = Users::new(service);

    let before = HEAP.allocated();
    let error = users.list().limit(200).send().await.unwrap_err();
    let peak = HEAP.max_allocated().saturating_sub(before);

    assert!(
        matches!(error, Error::PageTooLarge { max_items: 200, .. }),
        "{error:?}"
    );
    // 200 decoded users and the request take well under a MiB; decoding the page whole took
    // hundreds. (The body itself was allocated before `before`.)
    assert!(peak < 4 * MIB, "peak heap during the call: {peak} bytes");
}
