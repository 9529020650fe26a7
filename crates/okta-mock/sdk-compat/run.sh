#!/usr/bin/env bash
# Okta's official SDKs (Python `okta`, Node `@okta/okta-sdk-nodejs`) against the okta-mock binary.
#
#   bash crates/okta-mock/sdk-compat/run.sh            # both SDKs
#   SDK_COMPAT=python bash crates/okta-mock/sdk-compat/run.sh   # or: node
#
# Builds the mock, starts it on a free loopback port, installs the pinned SDKs into
# $TARGET/sdk-compat/ (once; reinstalled only when the pins change), runs the check scripts and
# stops the mock on exit. Exits non-zero if anything fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
cache="$target/sdk-compat"
which_sdks="${SDK_COMPAT:-all}"
token="sdk-compat-$RANDOM$RANDOM"
mkdir -p "$cache"

want() { [[ "$which_sdks" == all || "$which_sdks" == "$1" ]]; }
stamp_of() { cat "$@" | cksum | cut -d' ' -f1; }

# --- the SDKs, installed once per set of pins -------------------------------------------------
if want python; then
  py_dir="$cache/python"
  py_stamp="$(stamp_of "$here/requirements.txt")"
  if [[ "$(cat "$py_dir/.stamp" 2>/dev/null || true)" != "$py_stamp" ]]; then
    echo "sdk-compat: installing Okta's Python SDK into $py_dir"
    rm -rf "$py_dir"
    PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check --no-warn-conflicts \
      --no-input --target "$py_dir" -r "$here/requirements.txt"
    echo "$py_stamp" >"$py_dir/.stamp"
  fi
fi
if want node; then
  node_dir="$cache/node"
  node_stamp="$(stamp_of "$here/node/package.json" "$here/node/package-lock.json")"
  if [[ "$(cat "$node_dir/.stamp" 2>/dev/null || true)" != "$node_stamp" ]]; then
    echo "sdk-compat: installing Okta's Node SDK into $node_dir"
    rm -rf "$node_dir"
    mkdir -p "$node_dir"
    cp "$here/node/package.json" "$here/node/package-lock.json" "$node_dir/"
    (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$node_stamp" >"$node_dir/.stamp"
  fi
fi

# --- the mock org -------------------------------------------------------------------------------
cargo build --quiet -p okta-mock --bin okta-mock
log="$cache/okta-mock.log"
# Port 0: the OS picks a free port and the mock prints the address it bound (no race).
"$target/debug/okta-mock" --port 0 --token "$token" --users 50 --seed 7 >"$log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; wait "$mock" 2>/dev/null || true' EXIT
org=""
for _ in $(seq 1 100); do
  org="$(sed -n 's/^okta-mock listening on \(http:[^ ]*\).*/\1/p' "$log")"
  [[ -n "$org" ]] && break
  kill -0 "$mock" 2>/dev/null || { cat "$log" >&2; echo "sdk-compat: okta-mock exited" >&2; exit 1; }
  sleep 0.1
done
[[ -n "$org" ]] || { cat "$log" >&2; echo "sdk-compat: okta-mock did not start" >&2; exit 1; }
echo "sdk-compat: okta-mock at $org"

# --- the checks ---------------------------------------------------------------------------------
export OKTA_CLIENT_ORGURL="$org" OKTA_CLIENT_TOKEN="$token"
passed=0
failed=0
run_check() { # name, command...
  local name="$1" out="$cache/$1.out" rc=0 line p f
  shift
  "$@" 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  line="$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n1 || true)"
  if [[ -z "$line" ]]; then
    echo "sdk-compat: $name printed no summary (exit $rc)" >&2
    failed=$((failed + 1))
    return
  fi
  p="$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")"
  f="$(sed -E 's/.*, ([0-9]+) failed$/\1/' <<<"$line")"
  passed=$((passed + p))
  failed=$((failed + f))
  if [[ $rc -ne 0 && $f -eq 0 ]]; then failed=$((failed + 1)); fi
}
if want python; then
  # Nothing from the machine's site-packages: only what run.sh installed.
  run_check python env PYTHONPATH="$py_dir" PYTHONNOUSERSITE=1 python3 "$here/check_python_sdk.py"
fi
if want node; then
  run_check node env OKTA_SDK_NODE_DIR="$node_dir" node "$here/check_node_sdk.mjs"
fi
if ! want python && ! want node; then
  echo "sdk-compat: SDK_COMPAT must be all, python or node (got $which_sdks)" >&2
  exit 2
fi
echo "sdk-compat: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
