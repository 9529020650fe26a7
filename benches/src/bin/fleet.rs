//! Many replicas, one budget: N separate OS processes (1, 2, 4, 8, 16), each a replica with its
//! own client and concurrency 8, share the GET-user bucket of one mock process (the `okta-mock`
//! binary: `LIMIT` per `WINDOW_MS`, default 100 per 1000 ms, all of it to the one token), for
//! 20× the budget in all. Contenders:
//! - Okta's SDK policy (the one in `rate_limit`: no pacing, `Reset − Date + 1 s` after a 429);
//! - ours in-process as before the fleet work (`adaptive: false`);
//! - ours adaptive (the default: each replica paces to the share it is seen to use);
//! - ours on Redis (`okta_fleet::RedisStore`; a `redis-server` started on a free loopback port,
//!   or `REDIS_URL`).
//!
//! Reported per run: budget used per complete window (successes completed in each of the mock's
//! whole-second windows, the first and last left out, ÷ limit), the share of requests answered
//! 429, failed calls, and the latency Redis adds per call (each call's waits for a grant; calls
//! served from a lease add 0), p50 / p99.
//!
//! Needs `cargo build --release -p okta-mock` (or `OKTA_MOCK_BIN`).
//!
//! `fleet [REPLICAS=1,2,4,8,16] [CONTENDERS=sdk,ours,adaptive,redis] [LIMIT=100] [WINDOW_MS=1000] [MULTIPLE=20]`

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use okta_benches::bare::Bare;
use okta_benches::sdk_policy::SdkPolicy;
use okta_layers::rate_limit::{RateLimitEvent, WaitReason};

const CONCURRENCY: usize = 8;
const TOKEN: &str = "00fleet-bench-token-0000000000000000000000";

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--replica") {
        replica(&args[1..]);
        return;
    }
    let arg = |i: usize, default: &str| args.get(i).cloned().unwrap_or_else(|| default.to_owned());
    let replicas: Vec<usize> = arg(0, "1,2,4,8,16")
        .split(',')
        .filter_map(|n| n.parse().ok())
        .collect();
    let contenders: Vec<String> = arg(1, "sdk,ours,adaptive,redis")
        .split(',')
        .map(str::to_owned)
        .collect();
    let limit: u64 = arg(2, "100").parse().expect("LIMIT");
    let window_ms: u64 = arg(3, "1000").parse().expect("WINDOW_MS");
    let multiple: u64 = arg(4, "20").parse().expect("MULTIPLE");
    let calls = limit * multiple;

    let mock = Mock::start(limit, window_ms);
    let redis = contenders.iter().any(|c| c == "redis").then(Redis::start);
    let ids = mock.user_ids();
    println!(
        "GET-user bucket: {limit} per {window_ms} ms; {calls} calls ({multiple}× the budget) split over the replicas, concurrency {CONCURRENCY} each; mock: separate process\n"
    );
    println!(
        "| contender | replicas | time | budget used per complete window, mean [min–max] | 429s (share of requests) | failed calls | Redis added latency per call p50 / p99 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for contender in &contenders {
        for &n in &replicas {
            let namespace = format!("bench-{contender}-{n}-{}", epoch_ms());
            let started = Instant::now();
            let children: Vec<Child> = (0..n)
                .map(|i| {
                    let share = calls / n as u64 + u64::from((i as u64) < calls % n as u64);
                    Command::new(std::env::current_exe().expect("self"))
                        .args(["--replica", contender, &mock.url, &share.to_string()])
                        .arg(window_ms.to_string())
                        .arg(redis.as_ref().map_or("-".to_owned(), |r| r.url.clone()))
                        .arg(&namespace)
                        .arg(ids.join(","))
                        .stdout(Stdio::piped())
                        .stdin(Stdio::null())
                        .spawn()
                        .expect("a replica")
                })
                .collect();
            let reports: Vec<Report> = children
                .into_iter()
                .map(|child| {
                    let output = child.wait_with_output().expect("the replica's report");
                    Report::parse(&String::from_utf8_lossy(&output.stdout))
                })
                .collect();
            let elapsed = started.elapsed();
            print_row(contender, n, elapsed, limit, window_ms, &reports);
            std::io::stdout().flush().ok();
        }
    }
    println!(
        "\nbudget used per complete window: the replicas' successful calls completed in each of the mock's windows, \
         first and last left out, ÷ limit. 429s: responses answered 429 ÷ all responses (every attempt). Redis added \
         latency: per call, the time waiting for Redis to grant permits (a call served from a lease adds 0)."
    );
    println!("machine: {}", okta_benches::proc::machine());
}

fn print_row(
    contender: &str,
    n: usize,
    elapsed: Duration,
    limit: u64,
    window_ms: u64,
    reports: &[Report],
) {
    let mut per_window = BTreeMap::<u64, u64>::new();
    let (mut ok, mut failed, mut too_many, mut waits, mut calls) = (0, 0, 0, Vec::new(), 0);
    for report in reports {
        ok += report.ok;
        failed += report.failed;
        too_many += report.too_many;
        calls += report.ok + report.failed;
        waits.extend(report.waits_us.iter().copied());
        for (window, count) in &report.windows {
            *per_window.entry(*window).or_default() += count;
        }
    }
    let _ = window_ms;
    let first = per_window.keys().next().copied().unwrap_or(0);
    let last = per_window.keys().next_back().copied().unwrap_or(0);
    let interior: Vec<f64> = (first + 1..last)
        .map(|w| per_window.get(&w).copied().unwrap_or(0) as f64 * 100.0 / limit as f64)
        .collect();
    let (_, lo, hi) = okta_benches::rounds::spread(&interior);
    let mean = interior.iter().sum::<f64>() / interior.len().max(1) as f64;
    let requests = ok + failed + too_many;
    // Calls that never waited for Redis added nothing.
    let latency = if contender == "redis" {
        waits.resize(waits.len().max(calls as usize), 0);
        waits.sort_unstable();
        let at = |q: f64| waits[((waits.len() as f64 * q) as usize).min(waits.len() - 1)];
        format!("{} µs / {} µs", at(0.5), at(0.99))
    } else {
        "—".to_owned()
    };
    println!(
        "| {contender} | {n} | {:.1} s | {mean:.1} % [{lo:.0}–{hi:.0} %] over {} windows | {too_many} of {requests} ({:.2} %) | {failed} | {latency} |",
        elapsed.as_secs_f64(),
        interior.len(),
        too_many as f64 * 100.0 / requests.max(1) as f64,
    );
}

/// What one replica reports on its last line: `ok failed too_many windows waits`, where
/// windows is `w:count,…` and waits `µs,…`.
#[derive(Debug, Default)]
struct Report {
    ok: u64,
    failed: u64,
    too_many: u64,
    windows: Vec<(u64, u64)>,
    waits_us: Vec<u64>,
}

impl Report {
    fn parse(output: &str) -> Report {
        let line = output
            .lines()
            .rev()
            .find(|line| line.starts_with("report "))
            .unwrap_or_else(|| panic!("no report from a replica: {output:?}"));
        let fields: Vec<&str> = line.split(' ').collect();
        let list = |i: usize| -> Vec<&str> {
            fields
                .get(i)
                .map(|f| f.split(',').filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };
        Report {
            ok: fields[1].parse().expect("ok"),
            failed: fields[2].parse().expect("failed"),
            too_many: fields[3].parse().expect("429s"),
            windows: list(4)
                .iter()
                .filter_map(|pair| {
                    let (w, n) = pair.split_once(':')?;
                    Some((w.parse().ok()?, n.parse().ok()?))
                })
                .collect(),
            waits_us: list(5).iter().filter_map(|w| w.parse().ok()).collect(),
        }
    }
}

/// One replica: `--replica CONTENDER URL CALLS WINDOW_MS REDIS_URL NAMESPACE IDS`.
fn replica(args: &[String]) {
    let [contender, url, calls, window_ms, redis, namespace, ids] = args else {
        panic!("replica arguments: {args:?}");
    };
    let calls: u64 = calls.parse().expect("calls");
    let window = Duration::from_millis(window_ms.parse().expect("window"));
    let ids: Vec<String> = ids.split(',').map(str::to_owned).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let too_many = Arc::new(Mutex::new(0u64));
    let waits = Arc::new(Mutex::new(Vec::<u64>::new()));
    let observer = {
        let (too_many, waits) = (too_many.clone(), waits.clone());
        move |event: &RateLimitEvent| match event {
            RateLimitEvent::Got429 { .. } => {
                if std::env::var_os("FLEET_TRACE_429").is_some() {
                    eprintln!("429 at {} ms into the second", epoch_ms() % 1000);
                }
                *too_many.lock().unwrap() += 1
            }
            RateLimitEvent::StoreUnavailable { error } => {
                eprintln!("replica: store unavailable at {}: {error}", epoch_ms())
            }
            RateLimitEvent::StoreRestored => eprintln!("replica: store restored at {}", epoch_ms()),
            RateLimitEvent::Waited {
                reason: WaitReason::SharedState,
                duration,
                ..
            } => waits.lock().unwrap().push(duration.as_micros() as u64),
            _ => {}
        }
    };
    let mut builder = okta_client::Client::builder()
        .org_url(url)
        .api_token(TOKEN)
        .configure_stack(|stack| {
            stack.rate_limit.window = window;
            stack.rate_limit.adaptive = contender != "ours";
            stack.rate_limit = stack.rate_limit.clone().observer(observer);
        });
    if contender == "redis" {
        let settings = okta_fleet::FleetSettings {
            namespace: namespace.clone(),
            ..okta_fleet::FleetSettings::default()
        };
        builder = builder.rate_limit_store(
            okta_fleet::RedisStore::with_settings(redis, settings).expect("redis url"),
        );
    }
    let client = builder.build().expect("client");
    let users = client.users();
    let sdk = SdkPolicy::new(Bare::new(url, TOKEN));
    let done_at = Mutex::new(Vec::new());
    let failed = Mutex::new(0u64);
    let sdk_429s = Mutex::new(0u64);
    runtime.block_on(okta_benches::rounds::drive(calls, CONCURRENCY, |i| {
        let users = users.clone();
        let id = ids[i as usize % ids.len()].clone();
        let (sdk, done_at, failed, sdk_429s) = (&sdk, &done_at, &failed, &sdk_429s);
        async move {
            let ok = if contender == "sdk" {
                let (ok, seen) = sdk.get_user_counting(&id).await;
                *sdk_429s.lock().unwrap() += u64::from(seen);
                ok
            } else {
                match users.get(id).await {
                    Ok(_) => true,
                    Err(error) => {
                        eprintln!("replica: call failed: {error}");
                        false
                    }
                }
            };
            if ok {
                done_at.lock().unwrap().push(epoch_ms());
            } else {
                *failed.lock().unwrap() += 1;
            }
        }
    }));
    if std::env::var_os("FLEET_TRACE_429").is_some() {
        let snapshot = client
            .rate_limiter()
            .snapshot(okta_layers::rate_limit::Bucket::UserRead);
        eprintln!("share {:.3}", snapshot.share);
    }
    let window_ms = window.as_millis().max(1) as u64;
    let mut windows = BTreeMap::<u64, u64>::new();
    let done_at = done_at.into_inner().unwrap();
    for at in &done_at {
        *windows.entry(at / window_ms).or_default() += 1;
    }
    let windows: Vec<String> = windows.iter().map(|(w, n)| format!("{w}:{n}")).collect();
    let waits: Vec<String> = waits.lock().unwrap().iter().map(u64::to_string).collect();
    println!(
        "report {} {} {} {} {}",
        done_at.len(),
        failed.into_inner().unwrap(),
        *too_many.lock().unwrap() + sdk_429s.into_inner().unwrap(),
        windows.join(","),
        waits.join(","),
    );
}

/// The `okta-mock` binary, one token with the whole bucket; stopped on drop.
struct Mock {
    child: Child,
    url: String,
}

impl Mock {
    fn start(limit: u64, window_ms: u64) -> Mock {
        let binary = okta_benches::mock::mock_binary()
            .expect("the okta-mock binary: cargo build --release -p okta-mock (or OKTA_MOCK_BIN)");
        let mut child = Command::new(binary)
            .args(["--port", "0", "--no-log", "--seed", "1", "--users", "200"])
            .args(["--token", TOKEN, "--share", "default=100"])
            .args(["--window-ms", &window_ms.to_string()])
            .args(["--limit", "1000000000", "--limit-collection", "1000000000"])
            .args([
                "--limit-user-get",
                &limit.to_string(),
                "--no-concurrency-limit",
            ])
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("okta-mock");
        let mut line = String::new();
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        stdout.read_line(&mut line).expect("the mock's first line");
        // Keep reading: the mock prints more, and a closed pipe would end it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let url = line
            .trim()
            .strip_prefix("okta-mock listening on ")
            .and_then(|rest| rest.split_once(' '))
            .map(|(url, _)| url.to_owned())
            .unwrap_or_else(|| panic!("unexpected first line from okta-mock: {line:?}"));
        Mock { child, url }
    }

    /// The ids of the first 200 users (the collection's bucket is never limited).
    fn user_ids(&self) -> Vec<String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let body = runtime.block_on(Bare::new(&self.url, TOKEN).get("/api/v1/users?limit=200"));
        let users: Vec<serde_json::Value> = serde_json::from_slice(&body).expect("users");
        users
            .iter()
            .filter_map(|user| user["id"].as_str().map(str::to_owned))
            .collect()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `redis-server` on a free loopback port (or `REDIS_URL`); stopped on drop.
struct Redis {
    child: Option<Child>,
    url: String,
    _dir: std::path::PathBuf,
}

impl Redis {
    fn start() -> Redis {
        let dir = std::env::temp_dir().join(format!("okta-fleet-bench-{}", std::process::id()));
        if let Ok(url) = std::env::var("REDIS_URL") {
            return Redis {
                child: None,
                url,
                _dir: dir,
            };
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        std::fs::create_dir_all(&dir).expect("a directory for Redis");
        let child = Command::new("redis-server")
            .args([
                "--bind",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (apt-get install -y redis-server), or set REDIS_URL");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Redis {
            child: Some(child),
            url: format!("redis://127.0.0.1:{port}/"),
            _dir: dir,
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&self._dir);
        }
    }
}
