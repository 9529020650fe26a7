#!/usr/bin/env bash
# Runs the `tour` example (all 49 operations, every all-pages stream) against the mock org through
# ../shared/conformance/prism-check, which validates every request and response against Okta's spec.
#
# The tour authenticates with OAuth 2.0 private_key_jwt, as one operation of the spec
# (assignLinkedObjectValueForPrimary) accepts only OAuth.
#
# Known defect of the spec, allowed here and nowhere else: StandardRole and CustomRole overlap (each
# only requires `type`), so every role body — the spec's own examples included — matches both
# branches of their `oneOf`, which Prism reports as "must match exactly one schema in oneOf".
set -euo pipefail
cd "$(dirname "$0")/.."
check=../shared/conformance/prism-check
[[ -x $check ]] || { echo "conformance: $check not found, skipped"; exit 0; }

cargo build -q --example tour --bin okta-mock
keys=crates/okta-mock/tests/keys
out=$(mktemp -d)
target/debug/okta-mock --port 0 --users 50 --seed 7 --token conformance-token \
  --oauth-client tour-client="$keys/rsa_public.pem" --behind-proxy >"$out/mock.log" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 1 100); do grep -q 'listening on' "$out/mock.log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$out/mock.log" | head -1)
[[ -n $url ]] || { echo "conformance: the mock did not start"; cat "$out/mock.log"; exit 1; }

set +e
OKTA_CLIENT_AUTHORIZATIONMODE=PrivateKey OKTA_CLIENT_CLIENTID=tour-client \
  OKTA_CLIENT_SCOPES="okta.users.read okta.users.manage" OKTA_CLIENT_PRIVATEKEY="$keys/rsa_private.pem" \
  "$check" --upstream "$url" -- target/debug/examples/tour | tee "$out/report"
set -e

summary=$(tail -1 "$out/report")
echo "$summary" | grep -q 'operations=49/49' || { echo "conformance: not every operation was exercised"; exit 1; }
echo "$summary" | grep -q 'command_exit=0' || { echo "conformance: the tour failed"; exit 1; }
unexpected=$(grep '^violation' "$out/report" | grep -v -E '^violation x[0-9]+: (GET|POST) /api/v1/users/\{userId\}/roles: response\.body(\.[0-9]+)?: Response body (property [0-9]+ )?must match exactly one schema in oneOf$' || true)
if [[ -n $unexpected ]]; then
  echo "conformance: violations of Okta's spec:"
  echo "$unexpected"
  exit 1
fi
echo "conformance: 49/49 operations, no violations besides the spec's overlapping role oneOf"
