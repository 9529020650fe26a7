//! Soak: 2,000 users taken through creates, activations, partial and whole updates, suspends,
//! role assignments, conditional updates, password expiry and deletes — tens of thousands of
//! calls — through the whole stack against the mock org's in-process service, on paused time.
//! Every kind of write loses its answer after being applied (the `reset-after` fault) 10 % of
//! the time, and about 10 % of all requests meet one of the nine other faults (500, 503, 429,
//! resets before and after processing, latency, malformed JSON, missing `Date`, duplicated
//! `X-Rate-Limit-Reset`).
//!
//! Each call says what happened: it succeeded (from Okta's answer, or reconciled after the answer
//! was lost), or it failed with a typed error whose [`Error::effect`] says whether the change
//! happened. A user's sequence of calls is replayed on a model of the user from what the calls
//! said; afterwards the org holds exactly what the model says — no duplicate login, no lost
//! write. A call whose effect stays unknown (its reconciliation could not decide) ends its
//! user's sequence, and the org must hold one of the two states it allows.
//!
//! Deterministic: one thread, paused time, seeded faults, ids and jitter. Run with
//! `--nocapture` for the figures.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use okta_client::{Client, Error, Stack};
use okta_mock::{
    DEFAULT_SERVICE_BASE_URL, Fault, FaultPlan, Method, MockOrg, MockService, RateLimits,
};
use okta_users::models::{CreateUserRequest, RoleType, UpdateUserRequest, UserProfile};
use okta_users::reconcile::{Evidence, Outcome};
use okta_users::{Effect, Result, Users};

type OrgUsers = Users<Stack<MockService>>;

const USERS: usize = 2_000;
const TASKS: usize = 16;
/// Probability of each of the nine other fault kinds on any request: about 10 % of requests
/// meet at least one.
const P: f64 = 0.012;
/// Probability that a write of each kind is applied and its answer lost.
const P_LOST: f64 = 0.10;
/// Between one user's calls (paused time: free). A change made less than
/// `okta_users::reconcile::CLOCK_TOLERANCE` (and the `Date` header's second) before a call
/// cannot be told from the call's own — the rules' documented limit — and back-to-back calls
/// on paused time all happen at one instant.
const GAP: Duration = Duration::from_secs(5);

/// What the org holds for a user, as far as the soak looks: its status, its title, how many
/// admin roles it has. `None`: no user with the login.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Held {
    status: &'static str,
    title: String,
    roles: usize,
}

/// What the calls of one user's sequence say the org holds.
#[derive(Debug)]
enum Expect {
    /// Exactly this.
    Known(Option<Held>),
    /// One of these: a call's effect stayed unknown, and the sequence stopped there.
    OneOf(Vec<Option<Held>>),
}

/// One call's word on its change.
enum Said<T> {
    /// It happened; the value, when the call returned one.
    Applied(Option<T>, Option<Evidence>),
    /// It did not.
    NotApplied,
    /// Nothing could tell.
    Unknown,
}

#[derive(Default)]
struct Tally {
    /// (operation, how it ended) → calls.
    calls: BTreeMap<(&'static str, String), u64>,
    /// Error variants met.
    errors: BTreeMap<String, u64>,
    reconciled: u64,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (key, n) in other.calls {
            *self.calls.entry(key).or_default() += n;
        }
        for (key, n) in other.errors {
            *self.errors.entry(key).or_default() += n;
        }
        self.reconciled += other.reconciled;
    }

    /// Counts a call and reads what it says about its change (and how it ended, for the
    /// user's trace).
    fn said<T>(&mut self, op: &'static str, result: Result<Outcome<T>>) -> (Said<T>, String) {
        let (how, said) = match result {
            Ok(outcome) => match outcome.reconciliation {
                None => (
                    "answered".to_owned(),
                    Said::Applied(Some(outcome.value), None),
                ),
                Some(reconciliation) => {
                    self.reconciled += 1;
                    (
                        format!("reconciled:{:?}", reconciliation.finding),
                        Said::Applied(Some(outcome.value), reconciliation.evidence),
                    )
                }
            },
            Err(error) => {
                let name = variant(&error);
                *self.errors.entry(name.clone()).or_default() += 1;
                let evidence = error.reconciliation().and_then(|r| r.evidence.clone());
                if let Some(reconciliation) = error.reconciliation() {
                    self.reconciled += 1;
                    assert!(
                        reconciliation.steps.len() <= 2,
                        "one read and one re-send at most: {reconciliation:?}"
                    );
                }
                if std::env::var_os("SOAK_DEBUG").is_some() && error.is_outcome_unknown() {
                    eprintln!("UNDECIDED {op}: {:?}", error.reconciliation());
                }
                let how = match error.reconciliation() {
                    Some(r) => format!("error:reconciled:{:?}", r.finding),
                    None => format!("error:{:?}", error.effect()),
                };
                let how = format!("{how}[{name}]");
                let said = match error.effect() {
                    Effect::Applied => Said::Applied(None, evidence),
                    Effect::NotApplied => Said::NotApplied,
                    Effect::Unknown => {
                        assert!(error.is_outcome_unknown(), "{error}");
                        Said::Unknown
                    }
                };
                (how, said)
            }
        };
        let trace = format!("{op}:{how}");
        let how = how.split('[').next().unwrap_or_default().to_owned();
        *self.calls.entry((op, how)).or_default() += 1;
        (said, trace)
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
        Error::Reconciled(reconciled) => format!(
            "Reconciled({:?}, {})",
            reconciled.reconciliation.finding,
            reconciled.error.as_ref().map_or("-".into(), variant)
        ),
        other => format!("other: {other}"),
    }
}

fn login(i: usize) -> String {
    format!("soak-{i:05}@example.com")
}

fn profile(i: usize, title: &str) -> UserProfile {
    let login = login(i);
    let mut profile = UserProfile::new("Soak", format!("User{i}"), login.clone(), login);
    profile.title = Some(title.into());
    profile
}

/// One user's sequence, replayed on the model as the calls report: `Ok(expect)` at its end,
/// or as soon as a call's effect is unknown.
struct Run<'a> {
    users: &'a OrgUsers,
    tally: &'a mut Tally,
    held: Option<Held>,
    /// Each call and how it ended, for a failure's message.
    trace: Vec<String>,
}

impl Run<'_> {
    /// Applies `change` to the model if the call says it happened; stops the sequence with both
    /// states if nothing can tell. Then waits [`GAP`] before the user's next call.
    async fn step<T>(
        &mut self,
        op: &'static str,
        result: Result<Outcome<T>>,
        change: impl FnOnce(&mut Option<Held>, Option<&T>, Option<&Evidence>),
    ) -> std::result::Result<Option<T>, Expect> {
        let (said, trace) = self.tally.said(op, result);
        self.trace.push(trace);
        tokio::time::sleep(GAP).await;
        match said {
            Said::Applied(value, evidence) => {
                change(&mut self.held, value.as_ref(), evidence.as_ref());
                Ok(value)
            }
            Said::NotApplied => Ok(None),
            Said::Unknown => {
                let mut changed = self.held.clone();
                change(&mut changed, None, None);
                Err(Expect::OneOf(vec![self.held.clone(), changed]))
            }
        }
    }
}

fn status(to: &'static str) -> impl FnOnce(&mut Option<Held>, Option<&()>, Option<&Evidence>) {
    move |held, _, _| {
        if let Some(held) = held {
            held.status = to;
        }
    }
}

fn title<T>(to: &'static str) -> impl FnOnce(&mut Option<Held>, Option<&T>, Option<&Evidence>) {
    move |held, _, _| {
        if let Some(held) = held {
            held.title = to.into();
        }
    }
}

async fn one_user(users: &OrgUsers, i: usize, tally: &mut Tally) -> (Expect, Vec<String>) {
    let mut run = Run {
        users,
        tally,
        held: None,
        trace: Vec::new(),
    };
    let expect = match sequence(&mut run, i).await {
        Ok(()) => Expect::Known(run.held),
        Err(expect) => expect,
    };
    (expect, run.trace)
}

async fn sequence(run: &mut Run<'_>, i: usize) -> std::result::Result<(), Expect> {
    let users = run.users;
    let activate = i.is_multiple_of(2);
    let body = CreateUserRequest::new(profile(i, "v0")).password("correct horse battery");
    let created = users
        .create(body)
        .activate(activate)
        .send_reconciled()
        .await;
    let created = run
        .step("create", created, |held, _, _| {
            *held = Some(Held {
                status: if activate { "ACTIVE" } else { "STAGED" },
                title: "v0".into(),
                roles: 0,
            });
        })
        .await?;
    if run.held.is_none() {
        return Ok(());
    }
    // The user's id: from the answer, or (an applied create whose answer did not decode) from
    // a read of the login, which changes nothing.
    let id = match created {
        Some(user) => user.id,
        None => match users.get(login(i)).await {
            Ok(user) => user.id,
            Err(_) => return Ok(()),
        },
    };

    if !activate {
        let result = users.activate(&id).send_reconciled().await;
        run.step("activate", result, |held, _, _| {
            if let Some(held) = held {
                held.status = "ACTIVE";
            }
        })
        .await?;
    }

    let mut change = UserProfile::default();
    change.title = Some("v1".into());
    let result = users
        .update(&id, UpdateUserRequest::profile(change))
        .send_reconciled()
        .await;
    run.step("update", result, title("v1")).await?;

    let result = users
        .replace(&id, UpdateUserRequest::profile(profile(i, "v2")))
        .send_reconciled()
        .await;
    run.step("replace", result, title("v2")).await?;

    let result = users.suspend(&id).send_reconciled().await;
    run.step("suspend", result, status("SUSPENDED")).await?;
    let result = users.unsuspend(&id).send_reconciled().await;
    run.step("unsuspend", result, status("ACTIVE")).await?;

    if i.is_multiple_of(3) {
        let result = users
            .assign_role(&id, RoleType::HelpDeskAdmin)
            .send_reconciled()
            .await;
        let role = run
            .step("assign-role", result, |held, _, _| {
                if let Some(held) = held {
                    held.roles += 1;
                }
            })
            .await?;
        if let Some(role) = role.filter(|_| i.is_multiple_of(6)) {
            let result = users.unassign_role(&id, &role.id).send_reconciled().await;
            run.step("unassign-role", result, |held, _, _| {
                if let Some(held) = held {
                    held.roles -= 1;
                }
            })
            .await?;
        }
    }

    // Optimistic concurrency: the title changes only if the user is still the version read.
    if let Ok(user) = users.get(&id).await
        && let Some(etag) = user.etag
    {
        let mut change = UserProfile::default();
        change.title = Some("v3".into());
        let result = users
            .update(&id, UpdateUserRequest::profile(change))
            .if_match(&etag)
            .send_reconciled()
            .await;
        run.step("update-if-match", result, title("v3")).await?;
    }

    if i.is_multiple_of(2) {
        // Deactivate, then delete: each DELETE's stage as the call reports it.
        let stage = |held: &mut Option<Held>, _: Option<&()>, evidence: Option<&Evidence>| {
            let deleted = matches!(evidence, Some(Evidence::NotFound))
                || held.as_ref().is_some_and(|h| h.status == "DEPROVISIONED");
            if deleted {
                *held = None;
            } else if let Some(held) = held {
                held.status = "DEPROVISIONED";
            }
        };
        let result = users.delete(&id).send_reconciled().await;
        run.step("delete-1", result, stage).await?;
        let result = users.delete(&id).send_reconciled().await;
        run.step("delete-2", result, stage).await?;
    } else if i % 5 == 1 {
        let result = users.expire_password(&id).send_reconciled().await;
        run.step("expire-password", result, |held, _, _| {
            if let Some(held) = held {
                held.status = "PASSWORD_EXPIRED";
            }
        })
        .await?;
    }
    Ok(())
}

fn plan() -> FaultPlan {
    let others = [
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
    // Every kind of write the soak sends: create, partial update, replace, delete, lifecycle
    // changes, role assignment and unassignment.
    let writes = [
        (Method::POST, "/api/v1/users"),
        (Method::POST, "/api/v1/users/*"),
        (Method::PUT, "/api/v1/users/*"),
        (Method::DELETE, "/api/v1/users/*"),
        (Method::POST, "/api/v1/users/*/lifecycle/*"),
        (Method::POST, "/api/v1/users/*/roles"),
        (Method::DELETE, "/api/v1/users/*/roles/*"),
    ];
    let plan = others
        .into_iter()
        .fold(FaultPlan::new(2024), |plan, fault| {
            plan.with(fault.probability(P))
        });
    writes.into_iter().fold(plan, |plan, (method, path)| {
        plan.with(Fault::reset_after().probability(P_LOST).on(method, path))
    })
}

/// What the org holds for login `i`, read through the façade (reads are retried by the stack;
/// a few more tries ride out the faults that reach the caller).
async fn held(org: &MockOrg, users: &OrgUsers, i: usize) -> Option<Held> {
    let login = login(i);
    let user = org.user(&login)?;
    let status = org.user_status(&login).unwrap();
    let title = user["profile"]["title"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let id = user["id"].as_str().unwrap().to_owned();
    if !i.is_multiple_of(3) {
        // Never given a role (and listing every user's roles would double the run).
        return Some(Held {
            status,
            title,
            roles: 0,
        });
    }
    let mut roles = None;
    for _ in 0..10 {
        if let Ok(list) = users.list_roles(&id).collect_all().await {
            roles = Some(list.len());
            break;
        }
    }
    Some(Held {
        status,
        title,
        roles: roles.expect("the roles read"),
    })
}

#[tokio::test(start_paused = true)]
async fn soak_every_write_through_lost_answers_and_faults_and_the_org_matches_the_calls() {
    let wall = Instant::now();
    let org = MockOrg::builder()
        .seed(2024)
        .users(0)
        // Generous limits with real headers: no waiting on windows, but every response reports
        // a budget and an injected 429 carries the window's real Reset.
        .rate_limits(RateLimits::uniform(1_000_000, Duration::from_secs(1)))
        .request_log_capacity(1_000_000)
        .faults(plan())
        .build()
        .unwrap();
    let service = Client::builder()
        .org_url(DEFAULT_SERVICE_BASE_URL)
        .api_token(org.token())
        .configure_stack(|stack| {
            stack.retry.max_attempts = 4;
            stack.retry.backoff_min = Duration::from_millis(1);
            stack.retry.backoff_max = Duration::from_millis(10);
            stack.retry.seed = Some(1);
            stack.rate_limit.seed = Some(2);
            // Waits after a 429 are Reset − Date (about a second; a whole window when a fault
            // took the `Date` away): cap them at 20 ms. And no pacing: an injected 429 reports
            // `Remaining: 0` until the mock's one-second window resets, and pacing would rightly
            // hold the whole bucket back until then.
            stack.rate_limit.window = Duration::from_millis(20);
            stack.rate_limit.pacing = false;
            stack.rate_limit.reset_jitter = Duration::from_millis(5);
            stack.rate_limit.concurrency_backoff = Duration::from_millis(1);
            stack.rate_limit.concurrency_backoff_max = Duration::from_millis(10);
            stack.attempt_timeout = Some(Duration::from_secs(5));
            stack.call_timeout = Some(Duration::from_secs(30));
        })
        .build_service(org.service())
        .unwrap();
    let users = Users::new(service);

    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let users = users.clone();
        let next = next.clone();
        tasks.spawn(async move {
            let mut tally = Tally::default();
            let mut expects = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= USERS {
                    break;
                }
                expects.push((i, one_user(&users, i, &mut tally).await));
            }
            (tally, expects)
        });
    }
    let mut tally = Tally::default();
    let mut expects = BTreeMap::new();
    while let Some(done) = tasks.join_next().await {
        let (part, list) = done.unwrap();
        tally.merge(part);
        expects.extend(list);
    }
    assert_eq!(expects.len(), USERS);
    let run_time = wall.elapsed();
    let counters = org.counters();
    let log = org.request_log();

    // The org against the calls: no login twice, nothing outside the soak's logins, and each
    // user as its calls say.
    let mut present = 0;
    let mut in_doubt = 0;
    for (i, (expect, trace)) in &expects {
        let count = org.users_with_login(&login(*i));
        assert!(count <= 1, "{} exists {count} times", login(*i));
        present += count;
        let actual = held(&org, &users, *i).await;
        match expect {
            Expect::Known(expected) => {
                assert_eq!(&actual, expected, "{}: {trace:?}", login(*i));
            }
            Expect::OneOf(states) => {
                in_doubt += 1;
                assert!(
                    states.contains(&actual),
                    "{}: {actual:?} not in {states:?}: {trace:?}",
                    login(*i)
                );
            }
        }
    }
    assert_eq!(
        org.user_count(),
        present,
        "no user outside the soak's logins"
    );

    let calls: u64 = tally.calls.values().sum();
    assert_eq!(
        log.len() as u64,
        counters.requests,
        "the log holds every request"
    );
    // Every 429 was followed by a re-send naming it.
    let named: std::collections::HashSet<&str> =
        log.iter().filter_map(|e| e.retry_for.as_deref()).collect();
    for entry in log.iter().filter(|e| e.status == 429) {
        assert!(named.contains(entry.request_id.as_str()), "{entry:?}");
    }
    let lost_writes = log
        .iter()
        .filter(|e| e.status == 0 && e.method != Method::GET)
        .count();
    let outcomes: Vec<String> = tally
        .calls
        .iter()
        .map(|((op, how), n)| format!("{op}/{how}={n}"))
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
        "soak: {USERS} users, {calls} calls, {} requests seen by the mock, {} faults injected [{}], \
         {lost_writes} writes closed without an answer; {} calls reconciled, {in_doubt} left in doubt; \
         outcomes [{}]; errors [{}]; {present} users left; {:.2?} wall time ({run_time:.2?} for the calls)",
        counters.requests,
        counters.faults_injected(),
        faults.join(" "),
        tally.reconciled,
        outcomes.join(" "),
        errors.join(" "),
        wall.elapsed(),
    );

    // The run really was faulty, every fault kind fired, answers were lost and reconciled.
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
    for op in [
        "create",
        "activate",
        "update",
        "suspend",
        "unsuspend",
        "assign-role",
        "update-if-match",
        "delete-1",
        "delete-2",
        "expire-password",
    ] {
        assert!(
            tally
                .calls
                .keys()
                .any(|(o, how)| *o == op && how.contains("reconciled")),
            "no {op} reconciled: {outcomes:?}"
        );
    }
    assert!(calls > 10_000, "{calls} calls");
    assert!(
        tally.reconciled * 20 > calls,
        "{} of {calls} reconciled",
        tally.reconciled
    );
    // A reconciliation that could not decide is rare: it met a second fault on its read or
    // re-send (a lost answer, a 500, a malformed body, no `Date`).
    assert!(in_doubt * 20 < USERS, "{in_doubt} users left in doubt");
}
