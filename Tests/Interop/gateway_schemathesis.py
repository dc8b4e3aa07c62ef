#!/usr/bin/env python3
"""schemathesis against the gateway's own OpenAPI document, with a seeded
tenant: the document's every operation is called with generated valid and
invalid data, as the operator, as the tenant's admin and as its agent, with
the seeded tenant, agent, webhook endpoint and provider ids bound to the path
parameters.

Passes when no answer is a 5xx, every answer conforms to the document
(status, content type, body schema, headers), every schema-violating request
is refused, and no protected operation answers without a token.
`positive_data_acceptance` is not asserted: proto3 messages declare no
required fields, so the document cannot say which fields a service requires
(a missing one is a documented 400 problem).

Usage: gateway_schemathesis.py BASE_URL CA_PEM OPERATOR_SECRET [MAX_EXAMPLES]
Prints schemathesis's report per principal and `gateway schemathesis: N
passed, M failed` (runs); exits 0 when every run passed, 1 otherwise, 2 when
it cannot run.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import requests

CHECKS = ",".join([
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "ignored_auth",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
])

# Operations that would end the run's own credentials: rotating the signing
# key twice retires the key the run's tokens are signed with.
EXCLUDED = ["/v1/signing-keys/rotate"]


def call(base, ca, verb, path, token=None, body=None, key=None):
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    response = requests.request(verb, base + path, json=body, headers=headers, timeout=30, verify=ca)
    if response.status_code != 200:
        raise SystemExit(f"seeding: {verb} {path} answered {response.status_code} {response.text}")
    return response.json()


def seed(base, ca, operator_secret):
    """A tenant with an admin, a funded agent, a webhook endpoint and a provider; the ids and tokens."""
    token = lambda secret: call(base, ca, "POST", "/v1/auth/token", body={"secret": secret})["token"]
    operator = token(operator_secret)
    slug = "fuzz-" + uuid.uuid4().hex[:8]
    tenant = call(base, ca, "POST", "/v1/tenants", operator, {"slug": slug, "name": "Fuzzed"})["id"]
    admin = call(base, ca, "POST", f"/v1/tenants/{tenant}/api-keys", operator, {"role": "API_KEY_ROLE_ADMIN"})
    admin_token = token(admin["secret"])
    provider = call(base, ca, "POST", "/v1/providers", operator, {"slug": "p-" + slug, "name": "P", "defaultCategory": "search"})
    call(base, ca, "POST", "/v1/wallet/fund", admin_token, {"amount": "1000", "externalReference": "seed"}, key="seed-fund")
    agent = call(base, ca, "POST", f"/v1/tenants/{tenant}/agents", admin_token, {"handle": "fuzzed"})
    agent_id = agent["agent"]["id"]
    call(base, ca, "POST", "/v1/wallet/allocate", admin_token, {"agentId": agent_id, "amount": "100"}, key="seed-alloc")
    endpoint = call(base, ca, "POST", "/v1/webhooks", admin_token, {"url": "https://203.0.113.10/fuzz"})["endpoint"]["id"]
    return {
        "ids": {"tenant_id": tenant, "agent_id": agent_id, "provider_id": provider["provider"]["id"], "endpoint_id": endpoint},
        "tokens": {"operator": operator, "admin": admin_token, "agent": token(agent["secret"])},
    }


def run(base, ca, principal, token, ids, max_examples, workdir):
    config = os.path.join(workdir, f"{principal}.toml")
    with open(config, "w") as file:
        file.write("[parameters]\n")
        for name, value in ids.items():
            file.write(f'"path.{name}" = "{value}"\n')
    # One worker: with several, hypothesis describes its filters with
    # `ast.parse` from several threads, which CPython 3.11 does not survive.
    command = [
        shutil.which("st") or "st", "--config-file", config, "run", base + "/v1/openapi.json",
        "--tls-verify", ca, "-H", f"Authorization: Bearer {token}",
        "--checks", CHECKS, "--max-examples", str(max_examples), "--seed", "20261202",
        "--workers", "1", "--no-color", "--suppress-health-check", "all",
    ]
    for path in EXCLUDED:
        command += ["--exclude-path", path]
    # In the temporary directory: schemathesis keeps a cache in its working directory.
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=workdir)
    print(f"--- schemathesis as {principal} (exit {result.returncode})")
    print(result.stdout[-20000:])
    if result.returncode != 0:
        print(result.stderr[-4000:])
    return result.returncode == 0


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    if shutil.which("st") is None:
        print("gateway schemathesis: the `st` command (PyPI schemathesis) is not installed", file=sys.stderr)
        return 2
    base, ca, secret = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    max_examples = int(sys.argv[4]) if len(sys.argv) == 5 else 20
    seeded = seed(base, ca, secret)
    passed, failed = 0, []
    with tempfile.TemporaryDirectory() as workdir:
        for principal in ("operator", "admin", "agent"):
            if run(base, ca, principal, seeded["tokens"][principal], seeded["ids"], max_examples, workdir):
                passed += 1
            else:
                failed.append(principal)
    for principal in failed:
        print(f"FAIL: schemathesis as {principal} found a failure (report above)")
    print(f"gateway schemathesis: {passed} passed, {len(failed)} failed")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
