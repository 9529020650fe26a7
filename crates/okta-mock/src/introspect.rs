//! What tests can inspect: a bounded request log with secrets redacted, and counters.

use crate::ratelimit::Bucket;
use http::Method;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// One request as the mock saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// The HTTP method.
    pub method: Method,
    /// The path, as sent (still percent-encoded).
    pub path: String,
    /// The raw query string, with secret-looking values replaced by `REDACTED`.
    pub query: String,
    /// The status sent, or 0 when the connection was reset instead.
    pub status: u16,
    /// The `X-Okta-Request-Id` sent.
    pub request_id: String,
    /// The request's `X-Okta-Retry-For` (a client re-sending after a 429 names the 429's id).
    pub retry_for: Option<String>,
    /// The request's `X-Okta-Retry-Count`.
    pub retry_count: Option<String>,
}

/// A snapshot of the mock's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Every request received.
    pub requests: u64,
    /// Requests per rate-limit bucket.
    pub by_bucket: HashMap<Bucket, u64>,
    /// 429s sent because a bucket was exhausted.
    pub rate_limited: u64,
    /// 429s sent because too many requests were in flight.
    pub concurrency_rejected: u64,
    /// 401s sent for missing, wrong or expired credentials.
    pub unauthorized: u64,
    /// Injected faults by kind name (see [`crate::FaultKind::name`]).
    pub faults: BTreeMap<&'static str, u64>,
    /// Requests to `POST /oauth2/v1/token`.
    pub token_requests: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
    /// Per principal (API token or OAuth client, by name): what each bucket admitted and refused.
    pub principals: BTreeMap<String, PrincipalCounters>,
}

/// What one principal (an API token or an OAuth client) was admitted and refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PrincipalCounters {
    /// Requests admitted by each bucket (they used the principal's share and the org's budget).
    pub admitted: HashMap<Bucket, u64>,
    /// 429s because the principal's share or the org's budget of the bucket was spent.
    pub rate_limited: HashMap<Bucket, u64>,
    /// 429s because too many requests were in flight org-wide.
    pub concurrency_rejected: u64,
}

impl PrincipalCounters {
    /// Requests `bucket` admitted for this principal.
    pub fn admitted(&self, bucket: Bucket) -> u64 {
        self.admitted.get(&bucket).copied().unwrap_or(0)
    }

    /// 429s `bucket` answered this principal.
    pub fn rate_limited(&self, bucket: Bucket) -> u64 {
        self.rate_limited.get(&bucket).copied().unwrap_or(0)
    }
}

impl Counters {
    /// All injected faults, of any kind.
    pub fn faults_injected(&self) -> u64 {
        self.faults.values().sum()
    }

    /// Requests counted against `bucket`.
    pub fn bucket(&self, bucket: Bucket) -> u64 {
        self.by_bucket.get(&bucket).copied().unwrap_or(0)
    }

    /// The counters of the principal named `name` (see [`crate::DEFAULT_PRINCIPAL`]).
    pub fn principal(&self, name: &str) -> Option<&PrincipalCounters> {
        self.principals.get(name)
    }
}

/// One principal's counters on the hot path.
#[derive(Debug, Default)]
pub(crate) struct PrincipalMetrics {
    pub admitted: [AtomicU64; 6],
    pub rate_limited: [AtomicU64; 6],
    pub concurrency_rejected: AtomicU64,
}

/// Lock-free counters updated on the hot path.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    pub requests: AtomicU64,
    pub by_bucket: [AtomicU64; 6],
    pub rate_limited: AtomicU64,
    pub concurrency_rejected: AtomicU64,
    pub unauthorized: AtomicU64,
    pub token_requests: AtomicU64,
    pub tokens_issued: AtomicU64,
    pub faults: Mutex<BTreeMap<&'static str, u64>>,
    /// Per principal, in the order of the org's principals, with their names.
    pub principals: Vec<(String, PrincipalMetrics)>,
}

impl Metrics {
    /// Counters for the named principals (and the org-wide ones).
    pub fn new<'a>(principals: impl Iterator<Item = &'a str>) -> Self {
        Self {
            principals: principals
                .map(|name| (name.to_owned(), PrincipalMetrics::default()))
                .collect(),
            ..Self::default()
        }
    }

    /// The counters of principal `index`, if there is one.
    pub fn principal(&self, index: Option<usize>) -> Option<&PrincipalMetrics> {
        self.principals.get(index?).map(|(_, m)| m)
    }

    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fault(&self, name: &'static str) {
        if let Ok(mut f) = self.faults.lock() {
            *f.entry(name).or_default() += 1;
        }
    }

    pub fn snapshot(&self) -> Counters {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            requests: get(&self.requests),
            by_bucket: Bucket::ALL
                .iter()
                .map(|b| (*b, get(&self.by_bucket[b.index()])))
                .collect(),
            rate_limited: get(&self.rate_limited),
            concurrency_rejected: get(&self.concurrency_rejected),
            unauthorized: get(&self.unauthorized),
            faults: self.faults.lock().map(|f| f.clone()).unwrap_or_default(),
            token_requests: get(&self.token_requests),
            tokens_issued: get(&self.tokens_issued),
            principals: self
                .principals
                .iter()
                .map(|(name, m)| {
                    let per_bucket = |counters: &[AtomicU64; 6]| {
                        Bucket::ALL
                            .iter()
                            .map(|b| (*b, get(&counters[b.index()])))
                            .collect()
                    };
                    let counters = PrincipalCounters {
                        admitted: per_bucket(&m.admitted),
                        rate_limited: per_bucket(&m.rate_limited),
                        concurrency_rejected: get(&m.concurrency_rejected),
                    };
                    (name.clone(), counters)
                })
                .collect(),
        }
    }
}

/// The last `capacity` requests (none when capacity is 0).
#[derive(Debug)]
pub(crate) struct RequestLog {
    capacity: usize,
    entries: Mutex<VecDeque<LoggedRequest>>,
}

impl RequestLog {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(VecDeque::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.capacity > 0
    }

    pub fn push(&self, entry: LoggedRequest) {
        if let Ok(mut e) = self.entries.lock() {
            if e.len() == self.capacity {
                e.pop_front();
            }
            e.push_back(entry);
        }
    }

    pub fn snapshot(&self) -> Vec<LoggedRequest> {
        self.entries
            .lock()
            .map(|e| e.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }
}

/// Replace values of secret-looking query parameters with `REDACTED`.
pub(crate) fn redact(query: &str) -> String {
    const SECRET: [&str; 6] = ["token", "secret", "password", "assertion", "key", "code"];
    query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, v))
                if v != "true"
                    && v != "false"
                    && SECRET.iter().any(|s| k.to_ascii_lowercase().contains(s)) =>
            {
                format!("{k}=REDACTED")
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(
            redact("limit=2&access_token=abc&client_assertion=x.y.z&tempPassword=true"),
            "limit=2&access_token=REDACTED&client_assertion=REDACTED&tempPassword=true"
        );
        assert_eq!(redact("q=ada"), "q=ada");
    }

    #[test]
    fn log_is_bounded() {
        let log = RequestLog::new(2);
        for i in 0..3 {
            log.push(LoggedRequest {
                method: Method::GET,
                path: format!("/{i}"),
                query: String::new(),
                status: 200,
                request_id: String::new(),
                retry_for: None,
                retry_count: None,
            });
        }
        let paths: Vec<_> = log.snapshot().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["/1", "/2"]);
    }
}
