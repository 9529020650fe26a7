//! Response compression on a 200-user page (`GET /api/v1/users?limit=200`, 228 KB of JSON):
//! bytes on the wire and client CPU with gzip asked for (the default) and without
//! (`ClientBuilder::response_compression(false)`).
//!
//! - **Bytes**: the page fetched through an in-process TCP relay that counts what crosses it
//!   each way (response: status line, headers and body as sent), once per setting; the relay
//!   is used for this count only.
//! - **CPU**: alternating rounds, straight to the mock (a separate process pinned to CPU 0
//!   when `target/release/okta-mock` is built; run this process with `taskset -c 1`), for the
//!   page decoded into users (`users.list().limit(200)`) and for the body alone through the
//!   stack (no JSON decode), each with and without compression; CPU is this process's.
//! - **Instructions** (steadier than time on a busy machine): run under callgrind with
//!   `-- --pages N --compression on|off`: the process fetches N pages and exits; N = 0 gives
//!   the fixed cost to subtract (see BENCHMARKS.md for the commands).
//!
//! `cargo bench -p okta-benches --bench compression` (`ROUNDS=n`, `PAGES=n` per round).

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use okta_benches::mock::{MockOptions, MockServer};
use okta_benches::rounds::{Contender, alternate, measure, print_table, rounds_from_env};
use okta_client::Client;
use okta_users::endpoints::LIST_USERS;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

const PAGE: &str = "/api/v1/users?limit=200";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(pages) = arg("--pages") {
        let pages: u64 = pages.parse().expect("--pages N");
        let compression = arg("--compression").as_deref() != Some("off");
        return fetch_only(pages, compression);
    }
    let mock = MockServer::start(&MockOptions::default());
    println!(
        "mock: {:?} at {}; client CPUs {}",
        mock.kind,
        mock.base_url,
        okta_benches::proc::cpus_allowed()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(wire_bytes(&mock));
    cpu_rounds(&mock, &runtime);
}

/// A client of `mock` at `base_url`, asking for compression or not.
fn client(mock: &MockServer, base_url: &str, compression: bool) -> Client {
    Client::builder()
        .org_url(base_url)
        .api_token(mock.token.as_str())
        .no_proxy()
        .response_compression(compression)
        .build()
        .expect("client")
}

/// The page's body through the default stack, undecoded.
async fn page_body(client: &Client) -> Bytes {
    let mut request = http::Request::get(PAGE)
        .body(Full::new(Bytes::new()))
        .unwrap();
    request.extensions_mut().insert(LIST_USERS.operation);
    let response = client
        .service()
        .clone()
        .oneshot(request)
        .await
        .expect("page");
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap().to_bytes()
}

/// Bytes each way through a relay to the mock, per page, with and without compression.
async fn wire_bytes(mock: &MockServer) {
    println!("\n### Bytes on the wire, one 200-user page\n");
    println!(
        "| client | response bytes (status, headers, body) | request bytes | JSON body decoded | × smaller |"
    );
    println!("| --- | --- | --- | --- | --- |");
    let mut uncompressed = 0;
    for compression in [false, true] {
        let relay = Relay::start(&mock.base_url).await;
        let client = client(mock, &relay.url, compression);
        const PAGES: u64 = 5;
        let mut body_len = 0;
        for _ in 0..PAGES {
            body_len = page_body(&client).await.len();
        }
        drop(client);
        let down = relay.down.load(Ordering::SeqCst) / PAGES;
        let up = relay.up.load(Ordering::SeqCst) / PAGES;
        if !compression {
            uncompressed = down;
        }
        println!(
            "| {} | {down} | {up} | {body_len} | {:.2} |",
            if compression {
                "gzip asked for (default)"
            } else {
                "`response_compression(false)`"
            },
            uncompressed as f64 / down as f64
        );
    }
}

/// Client CPU per page, alternating rounds.
fn cpu_rounds(mock: &MockServer, runtime: &tokio::runtime::Runtime) {
    let rounds = rounds_from_env(15);
    let pages: u64 = std::env::var("PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let on = client(mock, &mock.base_url, true);
    let off = client(mock, &mock.base_url, false);
    let decoded = |client: &Client| {
        let users = client.users();
        move || {
            let users = users.clone();
            measure(pages, || {
                runtime.block_on(async {
                    for _ in 0..pages {
                        black_box(users.list().limit(200).send().await.expect("list"));
                    }
                })
            })
        }
    };
    let body = |client: &Client| {
        let client = client.clone();
        move || {
            measure(pages, || {
                runtime.block_on(async {
                    for _ in 0..pages {
                        black_box(page_body(&client).await);
                    }
                })
            })
        }
    };
    let mut contenders = vec![
        Contender::new("decoded, uncompressed", decoded(&off)),
        Contender::new("decoded, gzip", decoded(&on)),
        Contender::new("body only, uncompressed", body(&off)),
        Contender::new("body only, gzip", body(&on)),
    ];
    let reports = alternate(rounds, &mut contenders);
    print_table(
        &format!("Client CPU per 200-user page, {rounds} rounds of {pages} pages"),
        &reports[..2],
        0,
    );
    print_table(
        "… the body alone (stack and transport, no JSON decode)",
        &reports[2..],
        0,
    );
}

/// For callgrind: fetch `pages` pages and exit (0 pages: the fixed cost alone). The mock runs
/// in another process (`OKTA_MOCK_URL`/`OKTA_MOCK_TOKEN`, or the release binary).
fn fetch_only(pages: u64, compression: bool) {
    let mock = MockServer::start(&MockOptions::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = client(&mock, &mock.base_url, compression);
    runtime.block_on(async {
        for _ in 0..pages {
            black_box(client.users().list().limit(200).send().await.expect("list"));
        }
    });
    println!("fetched {pages} pages (compression {compression})");
}

/// A TCP relay to the mock counting the bytes each way.
struct Relay {
    url: String,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
}

impl Relay {
    async fn start(target: &str) -> Relay {
        let target = target
            .strip_prefix("http://")
            .expect("an http:// mock")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (up2, down2) = (up.clone(), down.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(&target).await.unwrap();
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(client_read, server_write, up2.clone()));
                tokio::spawn(pump(server_read, client_write, down2.clone()));
            }
        });
        Relay { url, up, down }
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    count: Arc<AtomicU64>,
) {
    let mut buffer = vec![0; 64 * 1024];
    while let Ok(n) = from.read(&mut buffer).await {
        if n == 0 || to.write_all(&buffer[..n]).await.is_err() {
            break;
        }
        count.fetch_add(n as u64, Ordering::SeqCst);
    }
    let _ = to.shutdown().await;
}
