#!/usr/bin/env bash
# Instructions per call through the `stack_overhead` bench's lines, counted by callgrind:
# repeatable whatever the machine's load. Prints one line per contender and, for the stack
# lines, the instructions above the bare in-memory service (the stack's own cost per call).
#
#   benches/callgrind-stack.sh                  # bare, shaping, stack, users-bare, users-stack
#   benches/callgrind-stack.sh bare rate-limit  # only these (see stack_instructions' docs)
#   N=50000 benches/callgrind-stack.sh          # calls per contender
#   KEEP=dir benches/callgrind-stack.sh         # keep the callgrind outputs (callgrind_annotate)
#   BIN=path benches/callgrind-stack.sh         # count this build instead (e.g. another commit's)
set -euo pipefail
cd "$(dirname "$0")/.."

count=${N:-20000}
contenders=("$@")
[ ${#contenders[@]} -gt 0 ] || contenders=(bare shaping stack users-bare users-stack)

if [ -n "${BIN:-}" ]; then
    bin=$BIN
else
    cargo build -q --release -p okta-benches --bin stack_instructions
    bin=${CARGO_TARGET_DIR:-target}/release/stack_instructions
fi
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$out"' EXIT

declare -A per_call
for contender in "${contenders[@]}"; do
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_*' \
        --callgrind-out-file="$out/$contender.out" "$bin" "$contender" "$count" \
        2>"$out/$contender.err" >/dev/null
    collected=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$contender.err")
    per_call[$contender]=$((collected / count))
    printf '%-14s %9d instructions per call' "$contender" "${per_call[$contender]}"
    case $contender in
        bare | users-bare) echo ;;
        users-*) printf '  (+%d over users-bare)\n' $((per_call[$contender] - ${per_call[users-bare]:-0})) ;;
        *) [ -n "${per_call[bare]:-}" ] && printf '  (+%d over bare)\n' $((per_call[$contender] - per_call[bare])) || echo ;;
    esac
done
