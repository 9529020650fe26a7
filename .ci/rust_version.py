"""Checks that the workspace's `rust-version` is true: no locked dependency (normal, dev or build,
any feature) declares a newer one. Reads `cargo metadata` on stdin; lists the newer ones on failure."""
import json
import sys


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def show(v):
    return ".".join(map(str, v))


meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
resolved = {node["id"] for node in meta["resolve"]["nodes"]}
ours = {version(p["rust_version"]) for p in meta["packages"] if p["id"] in members}
if len(ours) != 1:
    sys.exit(f"rust-version: the workspace members disagree: {sorted(ours)}")
(ours,) = ours
needs = sorted(
    (version(p["rust_version"]), p["name"], p["version"])
    for p in meta["packages"]
    if p["id"] in resolved and p["id"] not in members and p.get("rust_version")
)
newer = [n for n in needs if n[0] > ours]
for v, name, ver in newer:
    print(f"rust-version: {name} {ver} needs {show(v)}")
if newer:
    sys.exit(f"rust-version: the workspace says {show(ours)}; raise it")
print(f"rust-version {show(ours)} covers every locked dependency (the newest need: {needs[-1][1]} {show(needs[-1][0])})")
