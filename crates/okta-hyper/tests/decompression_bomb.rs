//! A gzip bomb under the default cap (16 MiB) costs bounded memory: the process's peak resident
//! size grows by far less than the 1 GiB the body expands to. Alone in its test binary, so no
//! other test moves the peak.

mod support;

use okta_hyper::HyperTransport;
use okta_users::Error;
use support::{get, origin, send};

/// The peak resident set size of this process (`VmHWM`), in bytes.
fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .unwrap();
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kib * 1024
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_gzip_bomb_is_refused_with_bounded_memory() {
    let origin = origin::http().await;
    let transport = HyperTransport::builder().no_proxy().build().unwrap();
    let before = peak_resident_bytes();
    let error = send(&transport, get(origin.url("/gzip-bomb")))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::BodyTooLarge { limit } if limit == 16 << 20),
        "{error:?}"
    );
    let grown = peak_resident_bytes().saturating_sub(before);
    // The cap (16 MiB) held in chunks, the compressed body (about 1 MiB) in the server, and
    // buffers; reading the bomb whole would take 1 GiB.
    assert!(grown < 96 << 20, "peak memory grew by {} MiB", grown >> 20);
}
