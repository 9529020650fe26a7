//! This process, from `/proc`: CPU time (all threads, nanoseconds) and peak resident memory.

use std::time::Duration;

/// CPU time used so far by every live thread of this process (user + system), from
/// `/proc/self/task/*/schedstat` (nanosecond resolution). Falls back to `/proc/self/stat`
/// (clock ticks, usually 10 ms) where schedstat is missing.
///
/// Bench clients run on a current-thread runtime, so all their work is on live threads.
pub fn cpu_time() -> Duration {
    schedstat_sum().unwrap_or_else(stat_ticks)
}

fn schedstat_sum() -> Option<Duration> {
    let mut total = 0u64;
    for entry in std::fs::read_dir("/proc/self/task").ok()? {
        let mut path = entry.ok()?.path();
        path.push("schedstat");
        // A thread may have exited since the listing: skip it.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        total += text.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

fn stat_ticks() -> Duration {
    let text = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = text.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // fields[0] is field 3 (state), so utime (14) is fields[11], stime (15) fields[12].
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// A field of `/proc/self/status` in KiB, e.g. `VmHWM` (peak resident set) or `VmRSS`.
pub fn status_kib(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        value.split_whitespace().next()?.parse().ok()
    })
}

/// The CPUs this process may run on (`Cpus_allowed_list` of `/proc/self/status`).
pub fn cpus_allowed() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| "?".into())
}

/// One line about the machine: CPU model, `nproc`, load averages, this process's CPUs.
pub fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "?".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    format!(
        "{model}, {cpus} CPUs usable, load {}, client on CPUs {}",
        load.join(" "),
        cpus_allowed()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_advances_with_work() {
        let before = cpu_time();
        let mut x = 0u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        assert!(cpu_time() > before, "{x}");
    }

    #[test]
    fn peak_memory_is_known() {
        assert!(status_kib("VmHWM").is_some_and(|kib| kib > 0));
    }
}
