//! Walks N users through the all-pages stream, `users.list().limit(200).stream()`, and reports
//! the time and this process's PEAK memory (`VmHWM`), which must not grow with N.
//!
//! `stream_scale [N=10000]`. Run it in a fresh process per N against one mock process seeded
//! with 110,000 users (≈ 2 % of them DEPROVISIONED, which a list leaves out) (`OKTA_MOCK_URL`, `OKTA_MOCK_TOKEN`; `benches/run-all.sh` does this);
//! without them it starts its own mock process (seeded with N users).

use std::time::Instant;

use futures_util::TryStreamExt;
use okta_benches::mock::{MockOptions, MockServer};
use okta_benches::proc::{cpu_time, status_kib};

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let mock = MockServer::start(&MockOptions {
        users: count + count / 10, // DEPROVISIONED users (~2 %) are not listed
        ..MockOptions::default()
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let users = mock.client().users();
    let hwm_before = status_kib("VmHWM").unwrap_or(0);
    let (cpu0, start) = (cpu_time(), Instant::now());
    let (seen, pages_bytes) = runtime.block_on(async {
        let mut stream = users.list().limit(200).stream();
        let mut seen = 0usize;
        let mut id_bytes = 0usize;
        while seen < count {
            let Some(user) = stream.try_next().await.expect("stream") else {
                break;
            };
            id_bytes += user.id.len();
            seen += 1;
        }
        (seen, id_bytes)
    });
    let elapsed = start.elapsed();
    let cpu = cpu_time().saturating_sub(cpu0);
    let hwm = status_kib("VmHWM").unwrap_or(0);
    let rss = status_kib("VmRSS").unwrap_or(0);
    assert_eq!(seen, count, "the org has fewer users than asked");
    std::hint::black_box(pages_bytes);
    println!(
        "| {count} | {:.2} s | {:.0} | {:.1} µs | {:.1} MiB | {:.1} MiB | {:.1} MiB |",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / count as f64,
        hwm_before as f64 / 1024.0,
        hwm as f64 / 1024.0,
        rss as f64 / 1024.0,
    );
    eprintln!(
        "stream_scale: {count} users; columns: users, time, users/s, client CPU per user, \
         VmHWM before the walk, VmHWM after (peak), VmRSS after; mock: {}; machine: {}",
        mock.kind,
        okta_benches::proc::machine()
    );
}
