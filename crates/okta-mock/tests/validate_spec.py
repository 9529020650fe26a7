"""Validate recorded mock responses against Okta's OpenAPI spec (used by tests/operations.rs).

usage: validate_spec.py SPEC.yaml RECORDED.json — exits 1 listing every mismatch.
OpenAPI 3.0 → JSON Schema: `nullable` adds null, `oneOf` becomes `anyOf` (Okta's role
schemas overlap and rely on a discriminator).
"""
import json, sys, yaml, jsonschema

spec = yaml.safe_load(open(sys.argv[1]))
recorded = json.load(open(sys.argv[2]))

def convert(node):
    if isinstance(node, list):
        return [convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: convert(v) for k, v in node.items() if k not in ("discriminator", "example", "examples", "x-okta-ignore-redocly-rules-for-sdk")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/definitions/")
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = out["enum"] + [None]
        if "$ref" in out or "allOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out

definitions = convert(spec["components"]["schemas"])
responses = spec["components"].get("responses", {})
ops = {}
for path, item in spec["paths"].items():
    for method, op in item.items():
        if isinstance(op, dict) and "operationId" in op:
            ops[op["operationId"]] = op

failures = []
for rec in recorded:
    op = ops[rec["op"]]
    status = str(rec["status"])
    resp = op["responses"].get(status)
    if resp is None:
        failures.append(f"{rec['op']}: status {status} not in spec ({list(op['responses'])})")
        continue
    if "$ref" in resp:
        resp = responses[resp["$ref"].split("/")[-1]]
    content = resp.get("content", {})
    if not content:
        if rec["body"] not in (None, ""):
            failures.append(f"{rec['op']}: {status} has no content in spec but body {rec['body']!r:.80}")
        continue
    schema = next(iter(content.values())).get("schema")
    if schema is None:
        continue
    body = json.loads(rec["body"])
    full = dict(convert(schema), definitions=definitions)
    errors = list(jsonschema.Draft7Validator(full).iter_errors(body))
    for e in errors[:3]:
        failures.append(f"{rec['op']} {status}: {e.message[:200]} at {list(e.absolute_path)}")

print(f"validated {len(recorded)} responses, {len(failures)} problems")
for f in failures:
    print("  " + f)
sys.exit(1 if failures else 0)
