//! A real `redis-server` for the tests: started on a free loopback port in a temporary
//! directory (no persistence), stopped on drop; and the mock org with the clients the tests run.

#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `redis-server` of our own. Fails loudly when the binary is missing: these tests are never
/// skipped (`.ci/run` installs Debian's `redis-server`).
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

impl RedisServer {
    /// Starts a server and waits (at most 10 s) until it answers.
    pub fn start() -> RedisServer {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut server = RedisServer {
            child: None,
            port: free_port(),
            dir,
        };
        server.restart();
        server
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, empty.
    pub fn restart(&mut self) {
        self.kill();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--protected-mode", "no"])
            // `DEBUG SLEEP`, to make it slow.
            .args(["--enable-debug-command", "yes"])
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot run redis-server ({error}): these tests need a real Redis; \
                     install it with `apt-get install -y redis-server` (.ci/run does)"
                )
            });
        self.child = Some(child);
        for _ in 0..200 {
            if self.query(&["PING"]).is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "redis-server did not answer on port {} within 10 s",
            self.port
        );
    }

    /// One command over a fresh connection; `None` if the server does not answer.
    pub fn query(&self, args: &[&str]) -> Option<redis::Value> {
        let client = redis::Client::open(self.url()).ok()?;
        let mut connection = client
            .get_connection_with_timeout(Duration::from_secs(1))
            .ok()?;
        let mut command = redis::cmd(args[0]);
        for arg in &args[1..] {
            command.arg(*arg);
        }
        command.query(&mut connection).ok()
    }

    /// Every key, with its TTL in ms (`-1`: none).
    pub fn keys_with_ttl(&self) -> Vec<(String, i64)> {
        let client = redis::Client::open(self.url()).expect("url");
        let mut connection = client.get_connection().expect("connection");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg("*")
            .query(&mut connection)
            .expect("KEYS");
        keys.into_iter()
            .map(|key| {
                let ttl: i64 = redis::cmd("PTTL")
                    .arg(&key)
                    .query(&mut connection)
                    .expect("PTTL");
                (key, ttl)
            })
            .collect()
    }

    /// A hash's fields.
    pub fn hash(&self, key: &str) -> Vec<(String, String)> {
        let client = redis::Client::open(self.url()).expect("url");
        let mut connection = client.get_connection().expect("connection");
        redis::cmd("HGETALL")
            .arg(key)
            .query(&mut connection)
            .expect("HGETALL")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
