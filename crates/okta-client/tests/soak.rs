//! Soak: thousands of creates, updates and deletes through the whole stack against the mock org
//! with about 10 % of requests faulted (500, 503, 429, resets before and after processing, small
//! latency, malformed JSON, missing `Date`, duplicated `X-Rate-Limit-Reset`). Afterwards the mock
//! holds exactly what the calls that succeeded describe; every failure was a typed
//! `okta_users::Error`; an ambiguous failure (the request may have been processed) is reconciled
//! by reading the login back, and no login ever exists twice.
//!
//! Seeded (the fault plan and the stack's jitter); timing varies with the machine, so which
//! request draws which fault does too, but every assertion holds for any interleaving. Run with
//! `--nocapture` for the summary line.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use okta_client::{Client, Error};
use okta_mock::{Fault, FaultPlan, MockOrg, RateLimits};
use okta_users::models::{CreateUserRequest, UpdateUserRequest, User, UserProfile};
use okta_users::{Result, Users};

/// Users created; each is updated twice (a partial `POST` and a full `PUT`) and half are deleted
/// (two `DELETE`s: deactivate, then delete).
const USERS: usize = 2_000;
const TASKS: usize = 16;
/// Probability of each of the nine fault kinds: about 10 % of requests get at least one.
const P: f64 = 0.012;

/// What one call's result says about the state of the org.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// The org answered an error status: the request was not applied.
    Rejected,
    /// The request may or may not have been applied (reset, timeout, undecodable success).
    Ambiguous,
}

fn outcome<T>(result: &Result<T>) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(Error::Api(_) | Error::UnexpectedStatus { .. }) => Outcome::Rejected,
        Err(_) => Outcome::Ambiguous,
    }
}

/// The name of an error's variant (and status), for the summary.
fn variant(error: &Error) -> String {
    match error {
        Error::Api(api) => format!("Api({})", api.status.as_u16()),
        Error::UnexpectedStatus { status, .. } => format!("UnexpectedStatus({})", status.as_u16()),
        Error::Decode { .. } => "Decode".into(),
        Error::Transport { not_sent, .. } => format!("Transport(not_sent={not_sent})"),
        Error::Timeout { kind } => format!("Timeout({kind})"),
        other => format!("other: {other}"),
    }
}

/// What the calls made for one login say the org should hold.
#[derive(Debug, Default)]
struct Expect {
    /// A call that succeeded created it (or a read found it after an ambiguous create).
    exists: bool,
    /// The create failed ambiguously and no read could tell: zero or one user.
    unknown: bool,
    /// Titles the profile may have: the last successful write's, plus those of ambiguous writes
    /// after it.
    titles: Vec<&'static str>,
    /// The final delete succeeded (or found the user already gone).
    deleted: bool,
    /// A delete failed: the user may be active, deactivated or gone.
    delete_unsure: bool,
}

#[derive(Default)]
struct Tally {
    calls: BTreeMap<(&'static str, &'static str), u64>,
    errors: BTreeMap<String, u64>,
    /// A retried first DELETE (deactivate) was processed twice: the user is deleted outright.
    deactivate_escalated: u64,
}

impl Tally {
    fn count<T>(&mut self, op: &'static str, result: &Result<T>) -> Outcome {
        let outcome = outcome(result);
        let name = match outcome {
            Outcome::Ok => "ok",
            Outcome::Rejected => "rejected",
            Outcome::Ambiguous => "ambiguous",
        };
        *self.calls.entry((op, name)).or_default() += 1;
        if let Err(error) = result {
            *self.errors.entry(variant(error)).or_default() += 1;
        }
        outcome
    }
}

fn login(i: usize) -> String {
    format!("soak-{i:05}@example.com")
}

fn profile(i: usize, title: &'static str) -> UserProfile {
    let login = login(i);
    let mut profile = UserProfile::new("Soak", format!("User{i}"), login.clone(), login);
    profile.title = Some(title.into());
    profile
}

/// Reads a login back after an ambiguous call: `Some(Some(user))` found, `Some(None)` absent,
/// `None` if no read got an answer.
async fn read_back<S: okta_users::HttpService>(
    users: &Users<S>,
    login: &str,
    tally: &mut Tally,
) -> Option<Option<User>> {
    for _ in 0..5 {
        let result = users.get(login).await;
        tally.count("reconcile-get", &result);
        match result {
            Ok(user) => return Some(Some(user)),
            Err(error) if error.is_not_found() => return Some(None),
            Err(_) => {}
        }
    }
    None
}

async fn one_user<S: okta_users::HttpService>(
    org: &MockOrg,
    users: &Users<S>,
    i: usize,
    tally: &mut Tally,
) -> Expect {
    let mut expect = Expect::default();
    let login = login(i);

    let created = users.create(CreateUserRequest::new(profile(i, "v0"))).await;
    let id = match tally.count("create", &created) {
        Outcome::Ok => Some(created.unwrap().id),
        Outcome::Rejected => None,
        Outcome::Ambiguous => match read_back(users, &login, tally).await {
            Some(found) => found.map(|user| user.id),
            None => {
                expect.unknown = true;
                None
            }
        },
    };
    let Some(id) = id else {
        return expect;
    };
    expect.exists = true;
    expect.titles = vec!["v0"];

    let writes: [(&'static str, &'static str); 2] = [("update", "v1"), ("replace", "v2")];
    for (op, title) in writes {
        let result = if op == "update" {
            let mut change = UserProfile::default();
            change.title = Some(title.into());
            users.update(&id, UpdateUserRequest::profile(change)).await
        } else {
            users
                .replace(&id, UpdateUserRequest::profile(profile(i, title)))
                .await
        };
        match (tally.count(op, &result), op) {
            (Outcome::Ok, _) => expect.titles = vec![title],
            // A POST is not retried once it may have been processed: an error status means it
            // was not applied.
            (Outcome::Rejected, "update") => {}
            // A PUT is retried; its last attempt's error status says nothing of an earlier
            // attempt that was processed but whose answer was lost (reset after processing).
            _ => expect.titles.push(title),
        }
    }

    if i.is_multiple_of(2) {
        let deactivated = users.delete(&id).await;
        if tally.count("delete-1", &deactivated) != Outcome::Ok {
            expect.delete_unsure = true;
            return expect;
        }
        if org.user_status(&id).is_none() {
            // The first DELETE (deactivate) was processed, its answer lost, and retried: the
            // retry deleted the user outright. Okta's DELETE on an active user is not idempotent.
            tally.deactivate_escalated += 1;
        }
        let deleted = users.delete(&id).await;
        match tally.count("delete-2", &deleted) {
            Outcome::Ok => expect.deleted = true,
            // Gone already: the first DELETE was processed twice (above), or an attempt of this
            // one was processed and its answer lost, and its retry found nothing.
            Outcome::Rejected if deleted.as_ref().is_err_and(Error::is_not_found) => {
                expect.deleted = true;
            }
            _ => expect.delete_unsure = true,
        }
    }
    expect
}

fn plan() -> FaultPlan {
    let faults = [
        Fault::status(500),
        Fault::status(503),
        Fault::status(429),
        Fault::reset_before(),
        Fault::reset_after(),
        Fault::latency(Duration::from_millis(5)),
        Fault::malformed_json(),
        Fault::missing_date(),
        Fault::duplicate_reset(),
    ];
    faults
        .into_iter()
        .fold(FaultPlan::new(2024), |plan, fault| {
            plan.with(fault.probability(P))
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_creates_updates_and_deletes_through_faults_and_the_org_matches() {
    let org = Arc::new(
        MockOrg::builder()
            .seed(2024)
            .users(0)
            // Generous limits with real headers: no waiting on windows, but every response reports
            // a budget and an injected 429 carries the window's real Reset.
            .rate_limits(RateLimits::uniform(1_000_000, Duration::from_secs(1)))
            .request_log_capacity(100_000)
            .faults(plan())
            .start()
            .await
            .unwrap(),
    );
    assert_eq!(org.user_count(), 0);
    let client = Client::builder()
        .org_url(org.base_url())
        .api_token(org.token())
        .configure_stack(|stack| {
            stack.retry.max_attempts = 4;
            stack.retry.backoff_min = Duration::from_millis(1);
            stack.retry.backoff_max = Duration::from_millis(10);
            stack.retry.seed = Some(1);
            stack.rate_limit.seed = Some(2);
            // Waits after a 429 are Reset − Date (about a second): cap them at 20 ms. And no
            // pacing: an injected 429 reports `Remaining: 0` until the mock's one-second window
            // resets, and pacing would rightly hold the whole bucket back until then.
            stack.rate_limit.window = Duration::from_millis(20);
            stack.rate_limit.pacing = false;
            stack.rate_limit.reset_jitter = Duration::from_millis(5);
            stack.rate_limit.concurrency_backoff = Duration::from_millis(1);
            stack.rate_limit.concurrency_backoff_max = Duration::from_millis(10);
            stack.attempt_timeout = Some(Duration::from_secs(5));
            stack.call_timeout = Some(Duration::from_secs(30));
        })
        .build()
        .unwrap();

    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let users = client.users();
        let next = next.clone();
        let org = org.clone();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut expects = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= USERS {
                    break;
                }
                expects.push((i, one_user(&org, &users, i, &mut tally).await));
            }
            (tally, expects)
        });
    }
    let mut tally = Tally::default();
    let mut expects = BTreeMap::new();
    while let Some(done) = tasks.join_next().await {
        let (part, list) = done.unwrap();
        for (key, n) in part.calls {
            *tally.calls.entry(key).or_default() += n;
        }
        for (key, n) in part.errors {
            *tally.errors.entry(key).or_default() += n;
        }
        tally.deactivate_escalated += part.deactivate_escalated;
        expects.extend(list);
    }
    assert_eq!(expects.len(), USERS);

    // The org against the calls.
    let mut present = 0;
    let mut unknown_present = 0;
    for (i, expect) in &expects {
        let login = login(*i);
        let count = org.users_with_login(&login);
        assert!(count <= 1, "{login} exists {count} times");
        if expect.deleted {
            assert_eq!(count, 0, "{login} was deleted: {expect:?}");
        } else if expect.exists && !expect.delete_unsure {
            assert_eq!(count, 1, "{login}: {expect:?}");
            let user = org.user(&login).unwrap();
            let title = user["profile"]["title"].as_str().unwrap_or_default();
            assert!(
                expect.titles.contains(&title),
                "{login} has title {title:?}, calls say {:?}",
                expect.titles
            );
            assert_ne!(org.user_status(&login), Some("DEPROVISIONED"), "{login}");
        } else if !expect.exists && !expect.unknown {
            assert_eq!(count, 0, "{login} was never created: {expect:?}");
        }
        present += count;
        if expect.unknown {
            unknown_present += count;
        }
    }
    assert_eq!(
        org.user_count(),
        present,
        "no user outside the soak's logins"
    );

    let counters = org.counters();
    let calls: u64 = tally.calls.values().sum();
    let log = org.request_log();
    assert_eq!(
        log.len() as u64,
        counters.requests,
        "the log holds every request"
    );
    let resent_after_429 = log.iter().filter(|e| e.retry_for.is_some()).count();
    // Every 429 was followed by a re-send of its request naming it (none gave up: at most three
    // 429s in a row are re-sent, and four in a row are improbable at this rate).
    let named: std::collections::HashSet<&str> =
        log.iter().filter_map(|e| e.retry_for.as_deref()).collect();
    for entry in log.iter().filter(|e| e.status == 429) {
        assert!(named.contains(entry.request_id.as_str()), "{entry:?}");
    }
    let outcomes: Vec<String> = tally
        .calls
        .iter()
        .map(|((op, outcome), n)| format!("{op}/{outcome}={n}"))
        .collect();
    let errors: Vec<String> = tally
        .errors
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    let faults: Vec<String> = counters
        .faults
        .iter()
        .map(|(k, n)| format!("{k}={n}"))
        .collect();
    println!(
        "soak: {USERS} users, {calls} calls, {} requests seen by the mock, {} faults injected [{}]; \
         outcomes [{}]; errors [{}]; {} requests carrying X-Okta-Retry-For; {} deactivations escalated to deletion \
         by a retried DELETE; {} users left ({} after an unresolved ambiguous create)",
        counters.requests,
        counters.faults_injected(),
        faults.join(" "),
        outcomes.join(" "),
        errors.join(" "),
        resent_after_429,
        tally.deactivate_escalated,
        present,
        unknown_present,
    );

    // The run really was faulty, and most calls still succeeded.
    for kind in [
        "status-500",
        "status-503",
        "status-429",
        "reset-before",
        "reset-after",
        "latency",
        "malformed-json",
        "missing-date",
        "duplicate-reset",
    ] {
        assert!(
            counters.faults.get(kind).copied().unwrap_or(0) > 0,
            "no {kind}"
        );
    }
    let ok: u64 = tally
        .calls
        .iter()
        .filter(|((_, outcome), _)| *outcome == "ok")
        .map(|(_, n)| n)
        .sum();
    assert!(ok * 10 > calls * 8, "{ok} of {calls} calls succeeded");
    assert!(resent_after_429 > 0);
}
