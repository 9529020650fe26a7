//! `okta-mock`: serve a mock Okta org until Ctrl-C.

use okta_mock::{Fault, FaultPlan, Method, MockOrg, RateLimits};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: okta-mock [--port N] [--token T] [--users N] [--seed N]
  [--api-token NAME=TOKEN]... [--share PRINCIPAL=PERCENT]... [--default-share PERCENT]
  [--window-ms N] [--limit N] [--limit-collection N] [--limit-user-get N] [--limit-user-write N]
  [--limit-other N] [--no-rate-limits] [--concurrency N] [--no-concurrency-limit]
  [--fault KIND:P[@METHOD:PATH]]... [--fault-seed N] [--latency-ms N] [--no-log]
  [--oauth-client ID=PEM_FILE]... [--token-ttl-secs N] [--behind-proxy]
  [--require-dpop ID]... [--dpop-nonce-secs N] [--dpop-api-nonce]
  fault kinds: 500 503 429 (any status), reset-before, reset-after, malformed, no-date, dup-reset
  principals: --token's is named \"default\", each --api-token's NAME, each --oauth-client's ID;
  each may use PERCENT (1..=100, default 50 as Okta) of every rate-limit bucket
  without --seed, ids and data are random per run (the seed drawn is printed)";

fn parse_fault(spec: &str) -> Result<Fault, String> {
    let (main, scope) = match spec.split_once('@') {
        Some((m, s)) => (m, Some(s)),
        None => (spec, None),
    };
    let (kind, p) = main
        .split_once(':')
        .ok_or(format!("--fault {spec}: expected KIND:PROBABILITY"))?;
    let p: f64 = p
        .parse()
        .map_err(|_| format!("--fault {spec}: bad probability"))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("--fault {spec}: probability must be within 0..=1"));
    }
    let fault = match kind {
        "reset-before" => Fault::reset_before(),
        "reset-after" => Fault::reset_after(),
        "malformed" => Fault::malformed_json(),
        "no-date" => Fault::missing_date(),
        "dup-reset" => Fault::duplicate_reset(),
        s => match s.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => Fault::status(code),
            _ => return Err(format!("--fault {spec}: unknown kind {kind}")),
        },
    }
    .probability(p);
    match scope {
        None => Ok(fault),
        Some(scope) => {
            let (m, path) = scope
                .split_once(':')
                .ok_or(format!("--fault {spec}: scope is METHOD:PATH"))?;
            let m = Method::from_bytes(m.as_bytes())
                .map_err(|_| format!("--fault {spec}: bad method"))?;
            Ok(fault.on(m, path))
        }
    }
}

fn parse_percent(flag: &str, v: &str) -> Result<u8, String> {
    v.parse::<u8>()
        .ok()
        .filter(|p| (1..=100).contains(p))
        .ok_or(format!("{flag}: {v} is not a percentage within 1..=100"))
}

fn parse(args: &[String]) -> Result<okta_mock::MockOrgBuilder, String> {
    let mut b = MockOrg::builder().port(8080);
    let mut limits = RateLimits::default();
    let mut faults = Vec::new();
    let mut fault_seed = 0u64;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{flag} needs a value"));
        let num = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: {v} is not a number"))
        };
        let num32 = |v: String| {
            v.parse::<u32>()
                .map_err(|_| format!("{flag}: {v} is not a number up to {}", u32::MAX))
        };
        match flag.as_str() {
            "--port" => {
                b = b.port(u16::try_from(num(value()?)?).map_err(|_| "--port: out of range")?)
            }
            "--token" => b = b.token(value()?),
            "--api-token" => {
                let v = value()?;
                let (name, token) = v
                    .split_once('=')
                    .ok_or("--api-token: expected NAME=TOKEN")?;
                b = b.api_token(name, token);
            }
            "--share" => {
                let v = value()?;
                let (name, percent) = v
                    .split_once('=')
                    .ok_or("--share: expected PRINCIPAL=PERCENT")?;
                b = b.share(name, parse_percent("--share", percent)?);
            }
            "--default-share" => b = b.default_share(parse_percent(flag, &value()?)?),
            "--users" => b = b.users(num(value()?)? as usize),
            "--seed" => b = b.seed(num(value()?)?),
            "--window-ms" => limits.window = Duration::from_millis(num(value()?)?.max(1)),
            "--limit" => {
                let n = num32(value()?)?;
                limits = RateLimits {
                    window: limits.window,
                    ..RateLimits::uniform(n, limits.window)
                };
            }
            "--limit-collection" => limits.users_collection = num32(value()?)?,
            "--limit-user-get" => limits.user_get = num32(value()?)?,
            "--limit-user-write" => limits.user_write = num32(value()?)?,
            "--limit-other" => limits.users_other = num32(value()?)?,
            "--no-rate-limits" => limits.enabled = false,
            "--concurrency" => b = b.concurrency_limit(num(value()?)? as usize),
            "--no-concurrency-limit" => b = b.no_concurrency_limit(),
            "--fault" => faults.push(parse_fault(&value()?)?),
            "--fault-seed" => fault_seed = num(value()?)?,
            "--latency-ms" => faults.push(Fault::latency(Duration::from_millis(num(value()?)?))),
            "--no-log" => b = b.request_log(false),
            "--token-ttl-secs" => b = b.access_token_ttl(Duration::from_secs(num(value()?)?)),
            "--behind-proxy" => b = b.accept_loopback_audiences(true),
            "--require-dpop" => b = b.require_dpop(value()?),
            "--dpop-nonce-secs" => b = b.dpop_nonce_lifetime(Duration::from_secs(num(value()?)?)),
            "--dpop-api-nonce" => b = b.dpop_api_nonce(true),
            "--oauth-client" => {
                let v = value()?;
                let (id, file) = v
                    .split_once('=')
                    .ok_or("--oauth-client: expected ID=PEM_FILE")?;
                let pem = std::fs::read_to_string(file)
                    .map_err(|e| format!("--oauth-client: {file}: {e}"))?;
                b = b.oauth_client(id, pem);
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    let plan = faults
        .into_iter()
        .fold(FaultPlan::new(fault_seed), FaultPlan::with);
    Ok(b.rate_limits(limits).faults(plan))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let builder = match parse(&args) {
        Ok(b) => b,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("okta-mock: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("okta-mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let org = match builder.start().await {
            Ok(org) => org,
            Err(e) => {
                eprintln!("okta-mock: {e}");
                return ExitCode::FAILURE;
            }
        };
        // The first line's form is read by scripts and the benches: keep it.
        println!(
            "okta-mock listening on {} (token {})",
            org.base_url(),
            org.token()
        );
        println!(
            "okta-mock seed {} (--seed {} replays this org)",
            org.seed(),
            org.seed()
        );
        let _ = tokio::signal::ctrl_c().await;
        org.shutdown().await;
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_parse() {
        assert!(parse(&args("--port 9000 --users 10 --seed 3 --fault 503:0.1 --fault reset-before:0.05@POST:/api/v1/users --latency-ms 20")).is_ok());
        assert!(parse(&args("--bogus")).is_err());
        assert!(parse(&args("--port")).is_err());
        assert!(parse(&args("--users many")).is_err());
        assert!(parse(&args("--fault 503:2")).is_err());
        assert!(parse(&args("--fault explode:0.1")).is_err());
        assert!(
            parse(&args(
                "--api-token replica=tok --share replica=30 --share default=100 --default-share 40"
            ))
            .is_ok()
        );
        assert!(parse(&args("--api-token replica")).is_err());
        assert!(parse(&args("--share replica=0")).is_err());
        assert!(parse(&args("--share replica=101")).is_err());
        assert!(parse(&args("--default-share x")).is_err());
        assert!(parse(&args("--limit-user-get 4294967296")).is_err());
    }
}
