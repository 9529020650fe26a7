#!/usr/bin/env bash
# Instructions per decoded 200-user page, counted by callgrind: repeatable whatever the
# machine's load (wall-clock figures on a busy 2-core machine are not). Prints one line per
# contender and the ratio of `serde_json::Value` to the typed decode (the `decode` bench's ratio,
# in instructions rather than time). `user-value` and `user` decode one user as a get returns it
# (its figure is per 200 users, to compare with a page).
#
#   benches/callgrind-decode.sh                 # value, typed and the diagnostics, 20 pages each
#   benches/callgrind-decode.sh value typed     # only these
#   N=50 benches/callgrind-decode.sh            # pages per contender
set -euo pipefail
cd "$(dirname "$0")/.."

count=${N:-20}
contenders=("$@")
[ ${#contenders[@]} -gt 0 ] || contenders=(value typed typed-grown profile-skipped ignored user-value user)

cargo build -q --release -p okta-benches --bin decode_instructions
bin=target/release/decode_instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A per_page
for contender in "${contenders[@]}"; do
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_*' \
        --callgrind-out-file="$out/$contender.out" "$bin" "$contender" "$count" \
        2>"$out/$contender.err" >/dev/null
    collected=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$contender.err")
    per_page[$contender]=$((collected / count))
    printf '%-16s %12d instructions per page\n' "$contender" "${per_page[$contender]}"
done
if [ -n "${per_page[value]:-}" ] && [ -n "${per_page[typed]:-}" ]; then
    awk -v v="${per_page[value]}" -v t="${per_page[typed]}" \
        'BEGIN { printf "Value ÷ typed: %.2f× (instructions)\n", v / t }'
fi
if [ -n "${per_page[user-value]:-}" ] && [ -n "${per_page[user]:-}" ]; then
    awk -v v="${per_page[user-value]}" -v t="${per_page[user]}" \
        'BEGIN { printf "one user, Value ÷ typed: %.2f× (instructions)\n", v / t }'
fi
