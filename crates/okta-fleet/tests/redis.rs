//! The fleet state against a real `redis-server` (started by each test on a free loopback port,
//! stopped at its end) and the mock org in process. Redis runs on real time, so these tests do
//! too: one-second windows, budgets of a few requests, every wait bounded.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use okta_client::Client;
use okta_fleet::{FleetSettings, RedisStore};
use okta_layers::auth::Credentials;
use okta_layers::rate_limit::{Bucket, RateLimitConfig, RateLimitEvent, RateLimiter, Scope};
use okta_mock::{DEFAULT_SERVICE_BASE_URL, MockOrg, MockService, RateLimits};
use okta_users::Users;
use support::RedisServer;
use tower_service::Service;

const TOKEN: &str = "00fleet-test-token-000000000000000000000";

/// Short waits for Redis, so that a dead one is noticed at once and retried soon.
fn settings() -> FleetSettings {
    FleetSettings {
        timeout: Duration::from_millis(200),
        failures_to_open: 1,
        cool_down: Duration::from_millis(200),
        slot_lease: Duration::from_secs(1),
        ..FleetSettings::default()
    }
}

/// An org whose GET-user bucket allows `limit` a second, all of it to our one token.
fn org(limit: u32) -> MockOrg {
    MockOrg::builder()
        .seed(11)
        .users(20)
        .token(TOKEN)
        .share(okta_mock::DEFAULT_PRINCIPAL, 100)
        .rate_limits(RateLimits {
            window: Duration::from_secs(1),
            user_get: limit,
            ..RateLimits::default()
        })
        .no_concurrency_limit()
        .build()
        .expect("mock org")
}

/// A replica: a client of its own, with its own store (connection) to the shared Redis.
fn replica(
    org: &MockOrg,
    redis: &RedisServer,
    config: impl FnOnce(&mut RateLimitConfig),
) -> Users<okta_client::Stack<MockService>> {
    let store = RedisStore::with_settings(&redis.url(), settings()).expect("store");
    let service = Client::builder()
        .org_url(DEFAULT_SERVICE_BASE_URL)
        .api_token(TOKEN)
        .configure_stack(|stack| {
            stack.rate_limit.window = Duration::from_secs(1);
            stack.rate_limit.reset_jitter = Duration::from_millis(100);
            stack.rate_limit.seed = Some(5);
            config(&mut stack.rate_limit);
        })
        .rate_limit_store(store)
        .build_service(org.service())
        .expect("client");
    Users::new(service)
}

fn rate_limited(org: &MockOrg) -> u64 {
    org.counters()
        .principal(okta_mock::DEFAULT_PRINCIPAL)
        .map_or(0, |counters| {
            counters.rate_limited(okta_mock::Bucket::UserGet)
        })
}

/// Sends `calls` gets through `users`, `concurrency` at a time; returns the failures.
async fn drive(
    users: &Users<okta_client::Stack<MockService>>,
    ids: &[String],
    calls: usize,
    concurrency: usize,
) -> usize {
    use futures_util::StreamExt;
    futures_util::stream::iter(0..calls)
        .map(|i| {
            let users = users.clone();
            let id = ids[i % ids.len()].clone();
            async move { users.get(id).await.is_err() }
        })
        .buffer_unordered(concurrency)
        .filter(|failed| std::future::ready(*failed))
        .count()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_through_one_redis_never_exceed_the_budget_and_every_key_expires() {
    let redis = RedisServer::start();
    let org = org(12);
    let ids = org.user_ids();
    let set_slots = |config: &mut RateLimitConfig| config.concurrency_limit = Some(6);
    let (first, second) = (
        replica(&org, &redis, set_slots),
        replica(&org, &redis, set_slots),
    );
    // 72 calls: three windows' worth of the budget, both replicas at once.
    let (a, b) = tokio::join!(drive(&first, &ids, 36, 4), drive(&second, &ids, 36, 4));
    assert_eq!((a, b), (0, 0), "no call failed");
    let counters = org.counters();
    let principal = counters
        .principal(okta_mock::DEFAULT_PRINCIPAL)
        .expect("counted");
    assert_eq!(principal.admitted(okta_mock::Bucket::UserGet), 72);
    assert_eq!(
        rate_limited(&org),
        0,
        "together the replicas never went over the budget of a window"
    );
    let keys = redis.keys_with_ttl();
    for kind in [":users.read:w:", ":users.read:budget", ":slots"] {
        assert!(
            keys.iter().any(|(key, _)| key.contains(kind)),
            "a {kind} key: {keys:?}"
        );
    }
    for (key, ttl) in &keys {
        assert!(*ttl > 0, "{key} has no TTL ({ttl})");
        assert!(!key.contains(TOKEN), "{key} names the token");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_seen_by_one_replica_holds_the_others_back_until_the_reset() {
    let redis = RedisServer::start();
    let org = org(6);
    let ids = org.user_ids();
    let (first, second) = (replica(&org, &redis, |_| {}), replica(&org, &redis, |_| {}));
    // The second replica learns the budget, then a window starts afresh.
    second.get(ids[0].clone()).await.expect("a first call");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    tokio::time::sleep(Duration::from_millis(
        1_050 - u64::from(now.subsec_millis()),
    ))
    .await;
    // Someone outside the fleet (the same token, no coordination) spends the window.
    let mut outsider = org.service();
    let mut spent = 0;
    while spent < 6 {
        let request = http::Request::get(format!(
            "{DEFAULT_SERVICE_BASE_URL}/api/v1/users/{}",
            ids[1]
        ))
        .header("authorization", format!("SSWS {TOKEN}"))
        .body(Full::<Bytes>::default())
        .unwrap();
        let status = outsider.call(request).await.expect("answer").status();
        assert_eq!(status, 200, "the outsider spends the window");
        spent += 1;
    }
    // The first replica runs into the 429: it blocks the bucket for the whole fleet.
    let blocked = tokio::spawn({
        let first = first.clone();
        let id = ids[2].clone();
        async move { first.get(id).await.is_ok() }
    });
    let block_key_set = async {
        for _ in 0..100 {
            if redis
                .keys_with_ttl()
                .iter()
                .any(|(key, _)| key.ends_with(":users.read:block"))
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    };
    assert!(block_key_set.await, "the 429 blocked the bucket in Redis");
    assert_eq!(rate_limited(&org), 1);
    // The second replica waits for the reset instead of collecting a 429 of its own.
    second
        .get(ids[3].clone())
        .await
        .expect("the second replica's call");
    assert!(
        blocked.await.unwrap(),
        "the first replica's call, re-sent after the reset"
    );
    assert_eq!(
        rate_limited(&org),
        1,
        "only the first replica's request was answered 429"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_killed_mid_run_fails_no_call_and_coordination_resumes_after_a_restart() {
    let mut redis = RedisServer::start();
    let org = org(40);
    let ids = org.user_ids();
    let events = Arc::new(Mutex::new(Vec::new()));
    let store = RedisStore::with_settings(&redis.url(), settings()).expect("store");
    let config = RateLimitConfig {
        window: Duration::from_secs(1),
        ..RateLimitConfig::default()
    }
    .observer({
        let events = events.clone();
        move |event: &RateLimitEvent| {
            if matches!(
                event,
                RateLimitEvent::StoreUnavailable { .. } | RateLimitEvent::StoreRestored
            ) {
                events.lock().unwrap().push(event.clone());
            }
        }
    });
    let scope = Scope::new("mock.okta.example", &Credentials::api_token(TOKEN));
    let state = store.state(&scope, &config);
    let limiter = RateLimiter::with_state(config, state.clone());
    let users = Users::new(
        Client::builder()
            .org_url(DEFAULT_SERVICE_BASE_URL)
            .api_token(TOKEN)
            .rate_limiter(limiter)
            .build_service(org.service())
            .expect("client"),
    );
    assert_eq!(drive(&users, &ids, 20, 4).await, 0);
    assert!(state.is_coordinating() && state.failures() == 0);
    redis.kill();
    assert_eq!(
        drive(&users, &ids, 30, 4).await,
        0,
        "no call fails while Redis is down"
    );
    assert!(!state.is_coordinating(), "paced locally");
    assert!(state.failures() > 0);
    redis.restart();
    // Coordination resumes at the first request after the cool-down.
    let mut resumed = false;
    for _ in 0..40 {
        assert_eq!(drive(&users, &ids, 2, 2).await, 0);
        if state.is_coordinating() {
            resumed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(resumed, "coordination resumed after the restart");
    assert_eq!(drive(&users, &ids, 10, 4).await, 0);
    assert!(
        redis
            .keys_with_ttl()
            .iter()
            .any(|(key, _)| key.contains(":users.read:")),
        "the restarted Redis holds the bucket's state again"
    );
    let events = events.lock().unwrap().clone();
    assert!(
        matches!(
            events.as_slice(),
            [
                RateLimitEvent::StoreUnavailable { .. },
                RateLimitEvent::StoreRestored,
                ..
            ]
        ),
        "{events:?}"
    );
    // A Redis restarted empty mid-window does not know what the window already spent; the
    // replica's own view bounds the damage to a few 429s at the hand-over (retried, not
    // failed).
    assert!(rate_limited(&org) <= 5, "{} 429s", rate_limited(&org));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_or_flushed_redis_fails_no_call() {
    let redis = RedisServer::start();
    let org = org(40);
    let ids = org.user_ids();
    let store = RedisStore::with_settings(&redis.url(), settings()).expect("store");
    let config = RateLimitConfig {
        window: Duration::from_secs(1),
        ..RateLimitConfig::default()
    };
    let scope = Scope::new("mock.okta.example", &Credentials::api_token(TOKEN));
    let state = store.state(&scope, &config);
    let users = Users::new(
        Client::builder()
            .org_url(DEFAULT_SERVICE_BASE_URL)
            .api_token(TOKEN)
            .rate_limiter(RateLimiter::with_state(config, state.clone()))
            .build_service(org.service())
            .expect("client"),
    );
    assert_eq!(drive(&users, &ids, 10, 4).await, 0);
    // Redis stops answering for a second: the waits are bounded, the calls go on.
    let url = redis.url();
    let sleeper = std::thread::spawn(move || {
        let client = redis::Client::open(url).unwrap();
        let mut connection = client.get_connection().unwrap();
        let _: redis::RedisResult<()> = redis::cmd("DEBUG")
            .arg("SLEEP")
            .arg("1")
            .query(&mut connection);
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        drive(&users, &ids, 10, 4).await,
        0,
        "no call fails while Redis is slow"
    );
    assert!(state.failures() > 0, "the round trips timed out");
    sleeper.join().unwrap();
    // Flushed (its scripts too): the next round trips load them again and count afresh.
    redis.query(&["SCRIPT", "FLUSH"]).expect("SCRIPT FLUSH");
    redis.query(&["FLUSHALL"]).expect("FLUSHALL");
    let mut coordinating = false;
    for _ in 0..40 {
        assert_eq!(drive(&users, &ids, 2, 2).await, 0);
        if state.is_coordinating()
            && redis
                .keys_with_ttl()
                .iter()
                .any(|(key, _)| key.contains(":users.read:"))
        {
            coordinating = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(coordinating, "coordination goes on after the flush");
}

/// Set in the child process of the test below: the Redis URL to hold slots in.
const CHILD_ENV: &str = "OKTA_FLEET_TEST_SLOT_HOLDER";
const SLOTS: u32 = 3;

fn slot_config() -> RateLimitConfig {
    RateLimitConfig {
        window: Duration::from_secs(1),
        concurrency_limit: Some(SLOTS),
        // No pacing: every request asks for a slot at once.
        pacing: false,
        ..RateLimitConfig::default()
    }
}

fn slot_limiter(url: &str) -> RateLimiter {
    let store = RedisStore::with_settings(url, settings()).expect("store");
    let scope = Scope::new("mock.okta.example", &Credentials::api_token(TOKEN));
    RateLimiter::with_store(slot_config(), &store, &scope)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_while_holding_slots_frees_them_after_the_lease() {
    if let Ok(url) = std::env::var(CHILD_ENV) {
        // The replica that dies: take every slot, say so, and hold them until killed.
        let limiter = slot_limiter(&url);
        let mut held = Vec::new();
        for _ in 0..SLOTS {
            held.push(limiter.acquire(Bucket::UserRead).await);
        }
        println!("holding {SLOTS}");
        tokio::time::sleep(Duration::from_secs(60)).await;
        unreachable!("killed before");
    }
    let redis = RedisServer::start();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_replica_killed_while_holding_slots_frees_them_after_the_lease",
            "--nocapture",
        ])
        .env(CHILD_ENV, redis.url())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the child replica");
    let stdout = child.stdout.take().unwrap();
    let holding = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line.contains("holding"))
    });
    let holding = tokio::time::timeout(Duration::from_secs(20), holding).await;
    assert!(matches!(holding, Ok(Ok(true))), "the child took the slots");
    let limiter = slot_limiter(&redis.url());
    assert!(
        tokio::time::timeout(
            Duration::from_millis(300),
            limiter.acquire(Bucket::UserRead)
        )
        .await
        .is_err(),
        "while the child lives its slots are taken"
    );
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    // Within the lease (1 s) and a margin, every slot is ours.
    let mut permits = Vec::new();
    for _ in 0..SLOTS {
        let permit =
            tokio::time::timeout(Duration::from_secs(5), limiter.acquire(Bucket::UserRead))
                .await
                .expect("the dead replica's slots were freed when its lease ran out");
        permits.push(permit);
    }
    let held: u32 = redis
        .hash("okta-rl:mock.okta.example:slots:n")
        .iter()
        .map(|(_, n)| n.parse::<u32>().unwrap())
        .sum();
    assert_eq!(held, SLOTS, "the fleet holds exactly the limit, all ours");
}
