//! The mock org the benches talk to.
//!
//! [`MockServer::start`] runs `target/release/okta-mock` as a separate process pinned to one CPU
//! (`taskset -c 0`) when the binary is there (`cargo build --release -p okta-mock`), so this
//! process's CPU time is only the client's; otherwise it falls back to an in-process
//! [`MockOrg`] on its own runtime (then CPU figures include the mock: it says so).
//! `OKTA_MOCK_URL` + `OKTA_MOCK_TOKEN` point at an org started elsewhere instead.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use okta_mock::{MockOrg, RateLimits};

/// What to start.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Seeded users.
    pub users: usize,
    /// The CPU to pin a separate mock process to (`None`: not pinned).
    pub cpu: Option<usize>,
    /// Force the in-process mock (needed to read its counters).
    pub in_process: bool,
    /// Rate limits. Default: a budget of 10⁹ per bucket and minute, never reached, so that
    /// the mock does the same bookkeeping as with limits on.
    pub rate_limits: RateLimits,
    /// The mock's concurrency limit (default: none).
    pub concurrency_limit: Option<usize>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            users: 1000,
            cpu: Some(0),
            in_process: false,
            rate_limits: RateLimits::uniform(1_000_000_000, std::time::Duration::from_secs(60)),
            concurrency_limit: None,
        }
    }
}

/// A running mock org; stopped on drop.
pub struct MockServer {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The SSWS token it accepts.
    pub token: String,
    /// Ids of some seeded users (the first 1000 at most).
    pub user_ids: Vec<String>,
    /// Where it runs, for the report.
    pub kind: MockKind,
    child: Option<Child>,
    org: Option<MockOrg>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Where the mock runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockKind {
    /// A separate process (pinned to these CPUs, if any).
    Process(Option<usize>),
    /// Started elsewhere (`OKTA_MOCK_URL`).
    External,
    /// Inside this process: CPU figures include the mock.
    InProcess,
}

impl std::fmt::Display for MockKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MockKind::Process(Some(cpu)) => write!(f, "separate process pinned to CPU {cpu}"),
            MockKind::Process(None) => write!(f, "separate process (not pinned)"),
            MockKind::External => write!(f, "external (OKTA_MOCK_URL)"),
            MockKind::InProcess => write!(
                f,
                "IN-PROCESS (CPU figures include the mock; build okta-mock --release)"
            ),
        }
    }
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("base_url", &self.base_url)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// The `okta-mock` binary next to this executable's target directory, or `OKTA_MOCK_BIN`.
pub fn mock_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("OKTA_MOCK_BIN") {
        return Some(PathBuf::from(path));
    }
    let exe = std::env::current_exe().ok()?;
    // target/release/deps/<bench> or target/release/<bin>
    for dir in exe.ancestors().skip(1).take(3) {
        for candidate in [dir.join("okta-mock"), dir.join("release").join("okta-mock")] {
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn has_taskset() -> bool {
    Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl MockServer {
    /// Starts the mock (see the [module docs](self)). Panics if it cannot.
    pub fn start(options: &MockOptions) -> MockServer {
        let external = (
            std::env::var("OKTA_MOCK_URL"),
            std::env::var("OKTA_MOCK_TOKEN"),
        );
        if let (Ok(url), Ok(token), false) = (external.0, external.1, options.in_process) {
            return MockServer {
                base_url: url.trim_end_matches('/').to_owned(),
                token,
                user_ids: Vec::new(),
                kind: MockKind::External,
                child: None,
                org: None,
                runtime: None,
            };
        }
        if let (Some(binary), false) = (mock_binary(), options.in_process) {
            return Self::spawn(&binary, options);
        }
        Self::in_process(options)
    }

    fn spawn(binary: &std::path::Path, options: &MockOptions) -> MockServer {
        let pin = options.cpu.filter(|_| has_taskset());
        let mut command = match pin {
            Some(cpu) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpu.to_string()).arg(binary);
                c
            }
            None => Command::new(binary),
        };
        let limits = &options.rate_limits;
        command.args(["--port", "0", "--no-log", "--seed", "1"]);
        // The one token uses the whole bucket (Okta's default share is 50 %).
        command.args(["--share", "default=100"]);
        command.args(["--users", &options.users.to_string()]);
        if limits.enabled {
            command.args(["--window-ms", &limits.window.as_millis().to_string()]);
            command.args(["--limit", &limits.other.to_string()]);
            command.args(["--limit-collection", &limits.users_collection.to_string()]);
            command.args(["--limit-user-get", &limits.user_get.to_string()]);
            command.args(["--limit-user-write", &limits.user_write.to_string()]);
            command.args(["--limit-other", &limits.users_other.to_string()]);
        } else {
            command.arg("--no-rate-limits");
        }
        match options.concurrency_limit {
            Some(n) => command.args(["--concurrency", &n.to_string()]),
            None => command.arg("--no-concurrency-limit"),
        };
        let mut child = command
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the mock's first line");
        // "okta-mock listening on http://127.0.0.1:PORT (token T)"
        let rest = line
            .trim()
            .strip_prefix("okta-mock listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from okta-mock: {line:?}"));
        let (url, token) = rest.split_once(" (token ").expect("url and token");
        MockServer {
            base_url: url.to_owned(),
            token: token.trim_end_matches(')').to_owned(),
            user_ids: Vec::new(),
            kind: MockKind::Process(pin),
            child: Some(child),
            org: None,
            runtime: None,
        }
    }

    fn in_process(options: &MockOptions) -> MockServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("okta-mock")
            .enable_all()
            .build()
            .expect("mock runtime");
        let mut builder = okta_mock::MockOrg::builder()
            .seed(1)
            .users(options.users)
            .rate_limits(options.rate_limits.clone())
            // The one token uses the whole bucket (Okta's default share is 50 %).
            .share(okta_mock::DEFAULT_PRINCIPAL, 100)
            .request_log(false);
        builder = match options.concurrency_limit {
            Some(n) => builder.concurrency_limit(n),
            None => builder.no_concurrency_limit(),
        };
        let org = runtime.block_on(builder.start()).expect("mock org");
        let mut user_ids = org.user_ids();
        user_ids.truncate(1000);
        MockServer {
            base_url: org.base_url().to_owned(),
            token: org.token().to_owned(),
            user_ids,
            kind: MockKind::InProcess,
            child: None,
            org: Some(org),
            runtime: Some(runtime),
        }
    }

    /// The in-process org, to read its counters.
    pub fn org(&self) -> Option<&MockOrg> {
        self.org.as_ref()
    }

    /// A client builder for this org and its token, to configure further.
    pub fn client_builder(&self) -> okta_client::ClientBuilder {
        okta_client::Client::builder()
            .org_url(&self.base_url)
            .api_token(self.token.as_str())
    }

    /// Whether our clients ask for gzip: yes (the default; the mock then compresses every answer
    /// over 32 bytes) unless `OKTA_BENCH_COMPRESSION=off`, to compare with builds from before
    /// compression.
    fn compression() -> bool {
        std::env::var_os("OKTA_BENCH_COMPRESSION").is_none_or(|value| value != "off")
    }

    /// Our client for this org, with the default stack.
    pub fn client(&self) -> okta_client::Client {
        self.client_builder()
            .response_compression(Self::compression())
            .build()
            .expect("client")
    }

    /// Our client for this org, with the default stack, over HTTP/2 (h2c, one multiplexed
    /// connection; the mock serves HTTP/1.1 and HTTP/2 on the same port).
    pub fn client_http2(&self) -> okta_client::Client {
        let transport = okta_hyper::HyperTransport::builder()
            .http2_only(true)
            .response_compression(Self::compression())
            .build()
            .expect("transport");
        self.client_builder()
            .transport(transport)
            .build()
            .expect("client")
    }

    /// The bare hyper client for this org (the floor), HTTP/1.1 keep-alive.
    pub fn bare(&self) -> crate::bare::Bare {
        crate::bare::Bare::new(&self.base_url, &self.token)
    }

    /// The bare hyper client for this org over HTTP/2 (h2c).
    pub fn bare_http2(&self) -> crate::bare::Bare {
        crate::bare::Bare::with_http2(&self.base_url, &self.token, true)
    }

    /// Ids of seeded users: from the in-process org, or listed once over HTTP.
    pub async fn fetch_user_ids(&mut self, count: usize) -> Vec<String> {
        if self.user_ids.len() < count {
            let page = self
                .client()
                .users()
                .list()
                .limit(u32::try_from(count.min(200)).unwrap_or(200))
                .send()
                .await
                .expect("list users");
            self.user_ids = page.items.into_iter().map(|u| u.id).collect();
        }
        self.user_ids.iter().take(count).cloned().collect()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        drop(self.org.take());
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
