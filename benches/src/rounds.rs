//! Contenders measured in alternating rounds: each round runs every contender once (the
//! starting contender rotates), so a slow phase of a busy machine hits all of them alike.
//! Reported: the median per operation with its spread (min–max over rounds), and ratios
//! against the baseline computed round by round (paired), median and spread.

use std::time::{Duration, Instant};

use crate::proc::cpu_time;

/// One measured round of one contender.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Wall-clock time of the round.
    pub wall: Duration,
    /// CPU time of this process during the round.
    pub cpu: Duration,
    /// Operations done.
    pub ops: u64,
}

/// Runs `f` (which does `ops` operations) and measures it.
pub fn measure(ops: u64, f: impl FnOnce()) -> Sample {
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    f();
    Sample {
        wall: wall0.elapsed(),
        cpu: cpu_time().saturating_sub(cpu0),
        ops,
    }
}

/// A contender: a name and a closure that runs one round.
pub struct Contender<'a> {
    /// Shown in the report.
    pub name: String,
    /// Runs one round and measures it (see [`measure`]).
    pub run: Box<dyn FnMut() -> Sample + 'a>,
}

impl<'a> Contender<'a> {
    /// A contender named `name`.
    pub fn new(name: impl Into<String>, run: impl FnMut() -> Sample + 'a) -> Self {
        Contender {
            name: name.into(),
            run: Box::new(run),
        }
    }
}

/// The rounds of one contender.
#[derive(Debug, Clone)]
pub struct Report {
    /// The contender's name.
    pub name: String,
    /// Wall nanoseconds per operation, one per round.
    pub wall_ns: Vec<f64>,
    /// CPU nanoseconds per operation, one per round.
    pub cpu_ns: Vec<f64>,
}

/// Runs one unrecorded warm-up round, then `rounds` rounds of every contender, alternating.
pub fn alternate(rounds: usize, contenders: &mut [Contender<'_>]) -> Vec<Report> {
    let n = contenders.len();
    let mut reports: Vec<Report> = contenders
        .iter()
        .map(|c| Report {
            name: c.name.clone(),
            wall_ns: Vec::new(),
            cpu_ns: Vec::new(),
        })
        .collect();
    for c in contenders.iter_mut() {
        (c.run)();
    }
    for round in 0..rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let s = (contenders[i].run)();
            let ops = s.ops.max(1) as f64;
            reports[i].wall_ns.push(s.wall.as_nanos() as f64 / ops);
            reports[i].cpu_ns.push(s.cpu.as_nanos() as f64 / ops);
        }
    }
    reports
}

/// A contender that runs `op(0..n)` on `runtime`, `concurrency` operations at a time.
pub fn driven<'a, F, Fut>(
    name: &str,
    runtime: &'a tokio::runtime::Runtime,
    n: u64,
    concurrency: usize,
    op: &'a F,
) -> Contender<'a>
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    Contender::new(name, move || {
        measure(n, || runtime.block_on(drive(n, concurrency, op)))
    })
}

/// Runs `contenders` in alternating rounds and prints their table, the first as the baseline.
pub fn compare(title: &str, rounds: usize, mut contenders: Vec<Contender<'_>>) {
    let reports = alternate(rounds, &mut contenders);
    print_table(title, &reports, 0);
}

/// The median and the extremes of `values`.
pub fn spread(values: &[f64]) -> (f64, f64, f64) {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let mid = v.len() / 2;
    let median = if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    };
    (median, v[0], v[v.len() - 1])
}

/// A duration in ns, shown in the unit that suits it.
pub fn human(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

/// Paired per-round ratios `f(other, baseline)`.
fn paired(other: &[f64], base: &[f64], f: impl Fn(f64, f64) -> f64) -> (f64, f64, f64) {
    let ratios: Vec<f64> = other.iter().zip(base).map(|(&o, &b)| f(o, b)).collect();
    spread(&ratios)
}

/// Prints a Markdown table: per contender, wall time and CPU time per operation (median
/// [min–max]), throughput, and ratios against `reports[baseline]` — throughput ratio
/// (baseline time ÷ contender time; > 1 is faster) and CPU ratio (contender CPU ÷ baseline
/// CPU; < 1 is cheaper).
pub fn print_table(title: &str, reports: &[Report], baseline: usize) {
    println!("\n### {title}\n");
    println!(
        "| contender | wall / op, median [min–max] | ops/s | CPU / op, median [min–max] | throughput × {b} | CPU × {b} |",
        b = reports[baseline].name
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let base = &reports[baseline];
    for r in reports {
        let (w, wl, wh) = spread(&r.wall_ns);
        let (c, cl, ch) = spread(&r.cpu_ns);
        let (tr, trl, trh) = paired(&r.wall_ns, &base.wall_ns, |o, b| b / o);
        let (cr, crl, crh) = paired(&r.cpu_ns, &base.cpu_ns, |o, b| o / b);
        println!(
            "| {} | {} [{}–{}] | {:.0} | {} [{}–{}] | {tr:.3} [{trl:.3}–{trh:.3}] | {cr:.3} [{crl:.3}–{crh:.3}] |",
            r.name,
            human(w),
            human(wl),
            human(wh),
            1e9 / w,
            human(c),
            human(cl),
            human(ch),
        );
    }
}

/// Runs `op(0..n)` with at most `concurrency` operations in flight (on the current task).
pub async fn drive<F, Fut>(n: u64, concurrency: usize, op: F)
where
    F: Fn(u64) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    use futures_util::StreamExt;
    if concurrency <= 1 {
        for i in 0..n {
            op(i).await;
        }
    } else {
        futures_util::stream::iter(0..n)
            .for_each_concurrent(concurrency, op)
            .await;
    }
}

/// Rounds to run: `ROUNDS` from the environment, or `default`.
pub fn rounds_from_env(default: usize) -> usize {
    std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .max(1)
}

/// Whether the criterion part should be skipped (`SKIP_CRITERION=1`), to run only the rounds.
pub fn skip_criterion() -> bool {
    std::env::var("SKIP_CRITERION").is_ok_and(|v| v == "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_gives_median_and_extremes() {
        assert_eq!(spread(&[3.0, 1.0, 2.0]), (2.0, 1.0, 3.0));
        assert_eq!(spread(&[4.0, 1.0, 2.0, 3.0]), (2.5, 1.0, 4.0));
    }

    #[test]
    fn rounds_alternate_and_record_every_contender() {
        let mut order = Vec::new();
        let log = std::cell::RefCell::new(&mut order);
        let mut contenders = vec![
            Contender::new("a", || {
                log.borrow_mut().push('a');
                measure(1, || {})
            }),
            Contender::new("b", || {
                log.borrow_mut().push('b');
                measure(2, || {})
            }),
        ];
        let reports = alternate(2, &mut contenders);
        drop(contenders);
        assert_eq!(reports[0].wall_ns.len(), 2);
        assert_eq!(reports[1].cpu_ns.len(), 2);
        assert_eq!(order.iter().collect::<String>(), "ababba");
    }
}
