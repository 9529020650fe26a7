#!/usr/bin/env bash
# Runs every benchmark of okta-benches with the pinning of BENCHMARKS.md: the mock org in its
# own process on CPU 0, the client on CPU 1. Prints Markdown tables; a copy goes to
# target/bench-results.md.
#
#   benches/run-all.sh            # everything (≈ 6 minutes on 2 cores, once built)
#   QUICK=1 benches/run-all.sh    # criterion --quick and 3 rounds (a smoke test)
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/bench-results.md
mkdir -p target
: >"$out"
log() { tee -a "$out"; }

if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
    client=(taskset -c 1)
    server=(taskset -c 0)
else
    echo "note: no taskset or fewer than 2 CPUs: nothing is pinned" | log
    client=()
    server=()
fi
criterion_args=()
if [ "${QUICK:-0}" = 1 ]; then
    criterion_args=(--quick)
    export ROUNDS=3
fi

echo "== building" >&2
cargo build --release -p okta-mock --bin okta-mock
cargo build --release -p okta-benches --bins
cargo bench -p okta-benches --features peer --no-run

{
    echo "# okta-benches results, $(date -u +%FT%TZ)"
    echo
    echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), nproc $(nproc)"
    echo "- load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- git: $(git rev-parse --short HEAD 2>/dev/null || echo '?') $(git status --porcelain 2>/dev/null | wc -l | tr -d ' ') files changed"
} | log

for bench in decode stack_overhead end_to_end peer_compare compression; do
    echo "== $bench (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    echo -e "\n## $bench (load at start $(cut -d' ' -f1-3 /proc/loadavg))" | log
    "${client[@]}" cargo bench -q -p okta-benches --features peer --bench "$bench" -- "${criterion_args[@]}" | log
done

echo "== stream_scale" >&2
echo -e "\n## stream_scale (load at start $(cut -d' ' -f1-3 /proc/loadavg))\n" | log
mock_out=$(mktemp)
"${server[@]}" target/release/okta-mock --port 0 --users 110000 --limit 1000000000 \
    --no-concurrency-limit --no-log >"$mock_out" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; rm -f "$mock_out"' EXIT
for _ in $(seq 600); do
    grep -q listening "$mock_out" && break
    sleep 0.1
done
line=$(head -n1 "$mock_out")
url=$(echo "$line" | sed -E 's/.*listening on ([^ ]+) .*/\1/')
token=$(echo "$line" | sed -E 's/.*\(token (.*)\)$/\1/')
echo "| users | time | users/s | client CPU / user | VmHWM before walk | VmHWM peak | VmRSS after |" | log
echo "| --- | --- | --- | --- | --- | --- | --- |" | log
for n in 10000 100000; do
    OKTA_MOCK_URL="$url" OKTA_MOCK_TOKEN="$token" "${client[@]}" target/release/stream_scale "$n" | log
done
kill "$mock_pid" 2>/dev/null || true

echo "== rate_limit" >&2
echo -e "\n## rate_limit (load at start $(cut -d' ' -f1-3 /proc/loadavg))\n" | log
target/release/rate_limit | log

echo -e "\nload at end: $(cut -d' ' -f1-3 /proc/loadavg)" | log
echo "results: $out" >&2
