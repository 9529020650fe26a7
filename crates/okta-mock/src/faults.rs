//! Seeded fault injection: each [`Fault`] fires with a probability on the requests it is scoped to.

use http::Method;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Mutex;
use std::time::Duration;

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Answer with this status (500, 503, 429…) without processing the request.
    Status(u16),
    /// Close the connection before processing: state is not changed.
    ResetBefore,
    /// Process the request, then close the connection: state changed, response lost.
    ResetAfter,
    /// Sleep this long before processing.
    Latency(Duration),
    /// Replace a successful body with truncated, invalid JSON.
    MalformedJson,
    /// Omit the `Date` header.
    MissingDate,
    /// Send two `X-Rate-Limit-Reset` header lines with different values.
    DuplicateReset,
}

impl FaultKind {
    /// A short stable name, used as the key in [`crate::Counters::faults`].
    pub fn name(&self) -> &'static str {
        match self {
            FaultKind::Status(500) => "status-500",
            FaultKind::Status(503) => "status-503",
            FaultKind::Status(429) => "status-429",
            FaultKind::Status(_) => "status-other",
            FaultKind::ResetBefore => "reset-before",
            FaultKind::ResetAfter => "reset-after",
            FaultKind::Latency(_) => "latency",
            FaultKind::MalformedJson => "malformed-json",
            FaultKind::MissingDate => "missing-date",
            FaultKind::DuplicateReset => "duplicate-reset",
        }
    }
}

/// One fault rule: a kind, a probability, and an optional method and path scope.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    kind: FaultKind,
    probability: f64,
    method: Option<Method>,
    path: Option<String>,
}

impl Fault {
    /// A fault of `kind` that fires on every request (probability 1) until scoped.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            probability: 1.0,
            method: None,
            path: None,
        }
    }

    /// Answer with `status` (e.g. 500, 503, 429) instead of processing.
    pub fn status(status: u16) -> Self {
        Self::new(FaultKind::Status(status))
    }

    /// Close the connection before processing the request.
    pub fn reset_before() -> Self {
        Self::new(FaultKind::ResetBefore)
    }

    /// Process the request, then close the connection without answering.
    pub fn reset_after() -> Self {
        Self::new(FaultKind::ResetAfter)
    }

    /// Delay the request by `delay`.
    pub fn latency(delay: Duration) -> Self {
        Self::new(FaultKind::Latency(delay))
    }

    /// Send a truncated JSON body with status 200.
    pub fn malformed_json() -> Self {
        Self::new(FaultKind::MalformedJson)
    }

    /// Leave out the `Date` header.
    pub fn missing_date() -> Self {
        Self::new(FaultKind::MissingDate)
    }

    /// Send `X-Rate-Limit-Reset` twice with different values.
    pub fn duplicate_reset() -> Self {
        Self::new(FaultKind::DuplicateReset)
    }

    /// Fire with probability `p` (clamped to 0..=1).
    #[must_use]
    pub fn probability(mut self, p: f64) -> Self {
        self.probability = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        self
    }

    /// Only on requests with `method` whose path matches `pattern`.
    ///
    /// In a pattern `*` matches one path segment and a trailing `/**` any rest; otherwise the path
    /// must be equal.
    #[must_use]
    pub fn on(mut self, method: Method, pattern: &str) -> Self {
        self.method = Some(method);
        self.path = Some(pattern.to_owned());
        self
    }

    /// Only on requests whose path matches `pattern` (any method); see [`Fault::on`].
    #[must_use]
    pub fn path(mut self, pattern: &str) -> Self {
        self.path = Some(pattern.to_owned());
        self
    }

    /// Only on requests with `method` (any path).
    #[must_use]
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// What the fault does.
    pub fn kind(&self) -> &FaultKind {
        &self.kind
    }

    fn applies(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method)
            && self.path.as_deref().is_none_or(|p| path_matches(p, path))
    }
}

/// Segment-wise match: `*` is any one segment, a trailing `**` is any rest.
pub(crate) fn path_matches(pattern: &str, path: &str) -> bool {
    let mut pat = pattern.trim_end_matches('/').split('/');
    let mut segs = path.trim_end_matches('/').split('/');
    loop {
        match (pat.next(), segs.next()) {
            (Some("**"), _) => return true,
            (Some(p), Some(s)) if p == "*" || p == s => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// A seeded list of fault rules.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    seed: u64,
    faults: Vec<Fault>,
}

impl FaultPlan {
    /// An empty plan whose draws come from a generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            faults: Vec::new(),
        }
    }

    /// Add a rule.
    #[must_use]
    pub fn with(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// The rules, in order.
    pub fn faults(&self) -> &[Fault] {
        &self.faults
    }
}

/// The faults that fired for one request.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Injected {
    pub status: Option<u16>,
    pub reset_before: bool,
    pub reset_after: bool,
    pub latency: Duration,
    pub malformed: bool,
    pub missing_date: bool,
    pub duplicate_reset: bool,
    pub fired: Vec<&'static str>,
}

/// Draws faults for requests, in arrival order, from one seeded generator.
#[derive(Debug)]
pub(crate) struct FaultEngine {
    faults: Vec<Fault>,
    rng: Mutex<StdRng>,
}

impl FaultEngine {
    pub fn new(plan: FaultPlan) -> Self {
        Self {
            rng: Mutex::new(StdRng::seed_from_u64(plan.seed)),
            faults: plan.faults,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.faults.is_empty()
    }

    /// One draw per rule that applies to the request (so unrelated traffic does not shift draws).
    pub fn draw(&self, method: &Method, path: &str) -> Injected {
        let mut out = Injected::default();
        let Ok(mut rng) = self.rng.lock() else {
            return out;
        };
        for f in self.faults.iter().filter(|f| f.applies(method, path)) {
            if rng.random::<f64>() >= f.probability {
                continue;
            }
            out.fired.push(f.kind.name());
            match &f.kind {
                FaultKind::Status(s) => out.status = out.status.or(Some(*s)),
                FaultKind::ResetBefore => out.reset_before = true,
                FaultKind::ResetAfter => out.reset_after = true,
                FaultKind::Latency(d) => out.latency += *d,
                FaultKind::MalformedJson => out.malformed = true,
                FaultKind::MissingDate => out.missing_date = true,
                FaultKind::DuplicateReset => out.duplicate_reset = true,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_segments() {
        assert!(path_matches("/api/v1/users", "/api/v1/users"));
        assert!(!path_matches("/api/v1/users", "/api/v1/users/00u1"));
        assert!(path_matches("/api/v1/users/*", "/api/v1/users/00u1"));
        assert!(!path_matches(
            "/api/v1/users/*",
            "/api/v1/users/00u1/groups"
        ));
        assert!(path_matches(
            "/api/v1/users/**",
            "/api/v1/users/00u1/groups"
        ));
        assert!(path_matches(
            "/api/v1/users/*/lifecycle/*",
            "/api/v1/users/x/lifecycle/activate"
        ));
    }

    #[test]
    fn draws_are_deterministic_and_scoped() {
        let plan = FaultPlan::new(7).with(
            Fault::status(503)
                .probability(0.5)
                .on(Method::POST, "/api/v1/users"),
        );
        let run = || {
            let e = FaultEngine::new(plan.clone());
            (0..64)
                .map(|_| e.draw(&Method::POST, "/api/v1/users").status.is_some())
                .collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
        let e = FaultEngine::new(plan);
        assert_eq!(e.draw(&Method::GET, "/api/v1/users").status, None);
    }
}
