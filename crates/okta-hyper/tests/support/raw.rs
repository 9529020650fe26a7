//! Raw TCP servers on loopback that answer every request with bytes given by the test, valid
//! HTTP or not, and count the requests they read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The most a request head may take before the server gives up on it.
const MAX_HEAD: usize = 64 * 1024;

pub struct Raw {
    pub address: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl Raw {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Requests read so far (head and body).
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Answers each request with `answer`, then closes the connection.
pub async fn answering(answer: impl Into<Bytes>) -> Raw {
    let answer = answer.into();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let raw = Raw {
        address: listener.local_addr().unwrap(),
        requests: Arc::default(),
    };
    let requests = raw.requests.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let (answer, requests) = (answer.clone(), requests.clone());
            tokio::spawn(async move {
                if read_request(&mut tcp).await.is_some() {
                    requests.fetch_add(1, Ordering::SeqCst);
                    // The client may hang up half way through a bad answer.
                    let _ = tcp.write_all(&answer).await;
                    let _ = tcp.shutdown().await;
                }
            });
        }
    });
    raw
}

/// Reads one request (head, then a `Content-Length` body); `None` if the client hung up.
async fn read_request(tcp: &mut TcpStream) -> Option<()> {
    let mut buffer = Vec::new();
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 4096];
        let n = tcp.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.saturating_sub(buffer.len() - head_end)];
    tcp.read_exact(&mut body).await.ok()?;
    Some(())
}

/// Over TLS with the test CA's certificate, offering `alpn`: after reading the client's first
/// bytes (for h2, its preface), writes `answer` and holds the connection until the client
/// closes it. Counts connections that sent something.
pub async fn answering_tls(pki: &super::pki::Pki, alpn: &[&[u8]], answer: impl Into<Bytes>) -> Raw {
    let answer = answer.into();
    let acceptor = super::pki::acceptor(pki, alpn);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let raw = Raw {
        address: listener.local_addr().unwrap(),
        requests: Arc::default(),
    };
    let requests = raw.requests.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (answer, requests, acceptor) = (answer.clone(), requests.clone(), acceptor.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut first = [0u8; 1024];
                if !matches!(tls.read(&mut first).await, Ok(n) if n > 0) {
                    return;
                }
                requests.fetch_add(1, Ordering::SeqCst);
                let _ = tls.write_all(&answer).await;
                let _ = tls.flush().await;
                // Bounded: ends when the client closes the connection.
                let mut rest = [0u8; 1024];
                while matches!(tls.read(&mut rest).await, Ok(n) if n > 0) {}
            });
        }
    });
    raw
}
