//! The retry layer alone, over `service_fn`s, under paused time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use okta_users::{BoxError, Error, TimeoutKind};
use tokio::time::Instant;
use tower::{Layer, Service, ServiceExt};

use super::*;

type Answer = fn() -> Result<Response<Full<Bytes>>, BoxError>;
type Seen = Arc<Mutex<Vec<Instant>>>;

/// A service answering from a script (the last answer repeats), recording when each attempt came.
fn scripted(
    script: Vec<Answer>,
) -> (
    impl Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>, Error = BoxError, Future: Send>
    + Clone
    + Send,
    Seen,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let service = tower::service_fn(move |_request: Request<Full<Bytes>>| {
        let mut seen = record.lock().unwrap();
        seen.push(Instant::now());
        std::future::ready(script[(seen.len() - 1).min(script.len() - 1)]())
    });
    (service, seen)
}

fn status(code: u16) -> Result<Response<Full<Bytes>>, BoxError> {
    Ok(Response::builder()
        .status(code)
        .body(Full::new(Bytes::new()))
        .unwrap())
}

fn request(method: Method) -> Request<Full<Bytes>> {
    Request::builder()
        .method(method)
        .uri("/api/v1/users")
        .body(Full::new(Bytes::from_static(b"{}")))
        .unwrap()
}

fn config() -> RetryConfig {
    RetryConfig {
        seed: Some(3),
        ..RetryConfig::default()
    }
}

#[tokio::test(start_paused = true)]
async fn a_get_is_retried_after_a_503_with_backoff() {
    let (service, seen) = scripted(vec![|| status(503), || status(200)]);
    let service = RetryLayer::new(config()).layer(service);
    let response = service.oneshot(request(Method::GET)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert!(
        seen[1] - seen[0] <= Duration::from_millis(100),
        "{:?}",
        seen[1] - seen[0]
    );
}

#[tokio::test(start_paused = true)]
async fn attempts_are_capped_and_the_last_answer_returned() {
    let (service, seen) = scripted(vec![|| status(502)]);
    let service = RetryLayer::new(config()).layer(service);
    let response = service.oneshot(request(Method::DELETE)).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_retried_after_an_ambiguous_failure() {
    let timeout: Answer = || {
        Err(Box::new(Error::Timeout {
            kind: TimeoutKind::Attempt,
        }))
    };
    let reset: Answer = || {
        Err(Box::new(Error::Transport {
            not_sent: false,
            source: "reset".into(),
        }))
    };
    for answer in [timeout, reset, || status(503)] {
        let (service, seen) = scripted(vec![answer, || status(200)]);
        let service = RetryLayer::new(config()).layer(service);
        let _ = service.oneshot(request(Method::POST)).await;
        assert_eq!(seen.lock().unwrap().len(), 1);
    }
    // The same failures are retried for a PUT.
    for answer in [timeout, reset] {
        let (service, seen) = scripted(vec![answer, || status(200)]);
        let service = RetryLayer::new(config()).layer(service);
        assert!(service.oneshot(request(Method::PUT)).await.is_ok());
        assert_eq!(seen.lock().unwrap().len(), 2);
    }
}

#[tokio::test(start_paused = true)]
async fn a_post_is_retried_when_it_was_never_sent() {
    let (service, seen) = scripted(vec![
        || {
            Err(Box::new(Error::Transport {
                not_sent: true,
                source: "refused".into(),
            }))
        },
        || status(201),
    ]);
    let service = RetryLayer::new(config()).layer(service);
    let response = service.oneshot(request(Method::POST)).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_empty_budget_stops_retries_for_every_call() {
    let budget = RetryBudgetConfig {
        capacity: 10,
        retry_cost: 5,
        ..RetryBudgetConfig::default()
    };
    let layer = RetryLayer::new(RetryConfig {
        budget,
        max_attempts: 10,
        ..config()
    });
    let (service, seen) = scripted(vec![|| status(503)]);
    let service = layer.layer(service);
    // The first call spends the budget on two retries…
    service.clone().oneshot(request(Method::GET)).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 3);
    // …and the next call gets none.
    service.clone().oneshot(request(Method::GET)).await.unwrap();
    assert_eq!(seen.lock().unwrap().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn successes_refill_the_budget() {
    let policy = RetryPolicy::new(RetryConfig {
        budget: RetryBudgetConfig {
            capacity: 10,
            ..RetryBudgetConfig::default()
        },
        ..config()
    });
    assert!(policy.budget().try_withdraw(10));
    let (service, _) = scripted(vec![|| status(200)]);
    let mut service = tower::retry::RetryLayer::new(policy.clone()).layer(service);
    for _ in 0..3 {
        service
            .ready()
            .await
            .unwrap()
            .call(request(Method::GET))
            .await
            .unwrap();
    }
    assert_eq!(policy.budget().available(), 3);
}

/// Counts its clones; answers from a script like [`scripted`].
struct CountingClones {
    clones: Arc<std::sync::atomic::AtomicUsize>,
    answers: Arc<Mutex<Vec<Answer>>>,
}

impl Clone for CountingClones {
    fn clone(&self) -> Self {
        self.clones
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        CountingClones {
            clones: self.clones.clone(),
            answers: self.answers.clone(),
        }
    }
}

impl Service<Request<Full<Bytes>>> for CountingClones {
    type Response = Response<Full<Bytes>>;
    type Error = BoxError;
    type Future = std::future::Ready<Result<Response<Full<Bytes>>, BoxError>>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), BoxError>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<Full<Bytes>>) -> Self::Future {
        let mut answers = self.answers.lock().unwrap();
        let answer = if answers.len() > 1 {
            answers.remove(0)
        } else {
            answers[0]
        };
        std::future::ready(answer())
    }
}

#[tokio::test(start_paused = true)]
async fn the_inner_service_is_cloned_only_to_re_send() {
    use std::sync::atomic::Ordering::SeqCst;
    let clones = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let inner = CountingClones {
        clones: clones.clone(),
        answers: Arc::new(Mutex::new(vec![|| status(200)])),
    };
    let mut service = RetryLayer::new(config()).layer(inner);
    let mut get = async || {
        let ready = service.ready().await.unwrap();
        let response = ready.call(request(Method::GET)).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    };
    let after_layering = clones.load(SeqCst);
    for _ in 0..5 {
        get().await;
    }
    assert_eq!(
        clones.load(SeqCst),
        after_layering,
        "successful calls clone nothing"
    );

    *service.get_ref().answers.lock().unwrap() = vec![|| status(503), || status(200)];
    let ready = service.ready().await.unwrap();
    let response = ready.call(request(Method::GET)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        clones.load(SeqCst),
        after_layering + 1,
        "one clone for the one re-send"
    );
}

/// A re-send waiting for a `ConcurrencyLimit(1)` permit held elsewhere is woken when the permit
/// is released: the retry keeps the one clone that registered the waiter until it sends.
#[tokio::test(start_paused = true)]
async fn a_re_send_waiting_for_a_concurrency_permit_is_woken_when_it_is_released() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let flaky_calls = Arc::new(AtomicUsize::new(0));
    let count = flaky_calls.clone();
    let backend = tower::service_fn(move |request: Request<Full<Bytes>>| {
        let first_flaky = request.uri().path() == "/flaky" && count.fetch_add(1, SeqCst) == 0;
        async move {
            if request.uri().path() == "/hold" {
                // Holds the only permit for a second.
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            status(if first_flaky { 503 } else { 200 })
        }
    });
    let service = tower::ServiceBuilder::new()
        .layer(crate::timeout::TimeoutLayer::call(Duration::from_secs(10)))
        .layer(RetryLayer::new(config()))
        .layer(tower::limit::ConcurrencyLimitLayer::new(1))
        .service(backend);
    let path = |path: &str| {
        let mut request = request(Method::GET);
        *request.uri_mut() = path.parse().unwrap();
        request
    };
    let start = Instant::now();
    let flaky = tokio::spawn(service.clone().oneshot(path("/flaky")));
    // Its first attempt is answered 503 at once; it then waits its backoff (≤ 100 ms)…
    for _ in 0..100 {
        if flaky_calls.load(SeqCst) == 1 {
            break;
        }
        tokio::task::yield_now().await;
    }
    assert_eq!(flaky_calls.load(SeqCst), 1);
    // …while another call takes the permit for a second.
    let hold = tokio::spawn(service.clone().oneshot(path("/hold")));
    let response = flaky
        .await
        .unwrap()
        .expect("woken when the permit is released");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(Instant::now() - start, Duration::from_secs(1));
    assert_eq!(flaky_calls.load(SeqCst), 2);
    hold.await.unwrap().unwrap();
}
