#!/usr/bin/env python3
"""Pay per call with x402 on Purser credits, with the real x402 SDK (PyPI
`x402`): a paid Flask API behind the SDK's payment middleware, pointed at
Purser's facilitator (the gateway's /x402), and agents paying its 402s with
the SDK's requests client and Purser's scheme (Shared/python/purser/x402.py).

Checks: 100 calls at 0.003 take exactly 0.300 from the agent and give the
provider 0.300, and the settlement batch and the tenant statement show 100
entries; an `upto` call settled at 0.001 of 0.003 charges 0.001 and releases
the rest; over a daily cap the payment is refused with the limit's reason and
headroom and the API serves nothing; a revoked agent gets nothing, and its
earlier payment no longer verifies; a replayed payment settles once; another
provider cannot settle; a tampered or an expired attestation is refused; 32
agents paying at once overspend nothing and the totals are exact, the ledger
audit and the reconciliation clean. Prints the facilitator's added latency of
a paid call (verify + settle, as the paid API sees it) at 1 and 16 clients and
paid calls per second at 32 clients.

Usage: x402_story.py BASE_URL CA_PEM OPERATOR_SECRET
Prints one line per failed check and `x402 story: N passed, M failed`; exits 0
when nothing failed, 1 otherwise, 2 when it cannot run.
"""
import base64
import datetime
import json
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Shared", "python"))

import requests  # noqa: E402
from flask import Flask, jsonify, make_response  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402
from x402 import x402ClientSync, x402ResourceServerSync  # noqa: E402
from x402.http import x402HTTPClientSync  # noqa: E402
from x402.http.clients.requests import x402_requests  # noqa: E402
from x402.http.middleware.flask import payment_middleware, set_settlement_overrides  # noqa: E402

from interop_story import Story  # noqa: E402
from purser.x402 import (  # noqa: E402
    PurserGateway, PurserPaymentRefused, facilitator_client, network, paid_route, register_purser_client,
    register_purser_server,
)

PRICE = "$0.003"


class PaidAPI:
    """A Flask app with the x402 SDK's middleware: /search costs 0.003 (settled in
    full), /summarize up to 0.003 (settled at 0.001). Records how long the
    facilitator's verify and settle take per paid call and how often each
    handler ran."""

    def __init__(self, story, provider, provider_id, upto_provider, upto_provider_id):
        self.served = {"search": 0, "summarize": 0}
        self.timings = []
        self._local = threading.local()
        self._lock = story.lock

        def search():
            with story.lock:
                self.served["search"] += 1
            return jsonify({"results": ["a", "b"]})

        def summarize():
            with story.lock:
                self.served["summarize"] += 1
            response = make_response(jsonify({"summary": "short"}))
            set_settlement_overrides(response, {"amount": "1000"})
            return response

        # One facilitator client per payee: the facilitator settles only as the payee.
        self.apps = []
        search_app = Flask("search-api")
        search_app.add_url_rule("/search", view_func=search)
        # The same handler without a price: the reference a paid call is compared with.
        search_app.add_url_rule("/free", endpoint="free", view_func=lambda: jsonify({"results": ["a", "b"]}))
        summarize_app = Flask("summarize-api")
        summarize_app.add_url_rule("/summarize", view_func=summarize)
        for flask_app, gateway, route, payee in ((search_app, provider, "GET /search", provider_id),
                                                  (summarize_app, upto_provider, "GET /summarize", upto_provider_id)):
            client = self.timed(facilitator_client(gateway))
            server = register_purser_server(x402ResourceServerSync(client))
            payment_middleware(flask_app, {route: paid_route(PRICE, payee, description=route)}, server)
            self.apps.append(flask_app)
        self.servers = [make_server("127.0.0.1", 0, flask_app, threaded=True) for flask_app in self.apps]
        for server in self.servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.search_url = f"http://127.0.0.1:{self.servers[0].server_port}/search"
        self.free_url = f"http://127.0.0.1:{self.servers[0].server_port}/free"
        self.summarize_url = f"http://127.0.0.1:{self.servers[1].server_port}/summarize"

    def timed(self, client):
        """Wraps the facilitator client's verify and settle to time them per request."""
        verify, settle = client.verify, client.settle

        def timed_verify(*args, **kwargs):
            started = time.perf_counter()
            try:
                return verify(*args, **kwargs)
            finally:
                self._local.verify = time.perf_counter() - started

        def timed_settle(*args, **kwargs):
            started = time.perf_counter()
            try:
                return settle(*args, **kwargs)
            finally:
                spent = getattr(self._local, "verify", 0.0) + (time.perf_counter() - started)
                self._local.verify = 0.0
                with self._lock:
                    self.timings.append(spent)

        client.verify, client.settle = timed_verify, timed_settle
        return client

    def stop(self):
        for server in self.servers:
            server.shutdown()


def refusal_of(error):
    """The PurserPaymentRefused an x402 client error was caused by, if any."""
    seen = error
    while seen is not None:
        if isinstance(seen, PurserPaymentRefused):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def agent_session(story, secret, payloads=None):
    """An agent's requests session paying 402s with its Purser credits; the payloads it creates go to `payloads`."""
    gateway = PurserGateway(story.base, secret, verify=story.ca)
    client = register_purser_client(x402ClientSync(), gateway)
    if payloads is not None:
        client.on_after_payment_creation(lambda context: payloads.append(context.payment_payload))
    return x402_requests(client), gateway


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    story = Story(sys.argv[1], sys.argv[2], "x402 story")
    slug = "x402-" + uuid.uuid4().hex[:8]
    operator = story.token(sys.argv[3])

    tenant_id = story.ok("tenant", "POST", "/v1/tenants", token=operator, body={"slug": slug, "name": "Paying"})["id"]
    admin = story.token(story.ok("admin", "POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator,
                                 body={"role": "API_KEY_ROLE_ADMIN"})["secret"])
    story.ok("fund", "POST", "/v1/wallet/fund", token=admin, key="fund", body={"amount": "1000", "externalReference": "wire"})

    def provider(name):
        registered = story.ok("provider", "POST", "/v1/providers", token=operator,
                              body={"slug": f"{name}-{slug}", "name": name, "defaultCategory": "search"})
        return registered["provider"]["id"], registered["secret"]

    def agent(handle, credits):
        created = story.ok("agent", "POST", f"/v1/tenants/{tenant_id}/agents", token=admin, body={"handle": handle})
        agent_id = created["agent"]["id"]
        story.ok("allocate", "POST", "/v1/wallet/allocate", token=admin, key=f"alloc-{agent_id}",
                 body={"agentId": agent_id, "amount": credits})
        return agent_id, created["secret"]

    def balance(agent_id):
        return story.ok("balance", "GET", f"/v1/agents/{agent_id}/balance", token=admin, query={"tenantId": tenant_id})

    search_id, search_secret = provider("search")
    upto_id, upto_secret = provider("summarize")
    other_id, other_secret = provider("other")
    search_gateway = PurserGateway(story.base, search_secret, verify=story.ca)
    upto_gateway = PurserGateway(story.base, upto_secret, verify=story.ca)
    api = PaidAPI(story, search_gateway, search_id, upto_gateway, upto_id)
    try:
        run(story, api, tenant_id, admin, operator, agent, balance, search_id, search_secret, upto_id, upto_secret,
            other_id, other_secret)
    finally:
        api.stop()
    return story.report()


def run(story, api, tenant_id, admin, operator, agent, balance, search_id, search_secret, upto_id, upto_secret,
        other_id, other_secret):
    supported = story.ok("supported", "GET", "/x402/supported")
    story.expect(supported["kinds"] == [{"x402Version": 2, "scheme": "upto", "network": network(),
                                         "extra": {"assetTransferMethod": "purser-credit"}}], f"supported {supported}")

    # An unpaid call answers 402 with the requirements.
    unpaid = requests.get(api.search_url, timeout=30)
    story.expect(unpaid.status_code == 402, f"an unpaid call answers 402, got {unpaid.status_code}")

    # 1. 100 calls at 0.003: exactly 0.300 moves.
    alice_id, alice_secret = agent("alice", "10")
    payloads = []
    alice, _ = agent_session(story, alice_secret, payloads)
    single = []
    paid_round_trips = []
    for _ in range(100):
        before = len(api.timings)
        started = time.perf_counter()
        response = alice.get(api.search_url, timeout=60)
        paid_round_trips.append(time.perf_counter() - started)
        story.expect(response.status_code == 200 and response.json() == {"results": ["a", "b"]},
                     f"paid call answered {response.status_code} {response.text[:200]}")
        story.expect("PAYMENT-RESPONSE" in response.headers, "a paid answer carries the settlement receipt")
        if len(api.timings) > before:
            single.append(api.timings[-1])
    story.expect(api.served["search"] == 100, f"the API served {api.served['search']} paid calls")
    after = balance(alice_id)
    story.expect(after["balance"] == "9.7" and after["held"] == "0", f"100 calls at 0.003 take exactly 0.3: {after}")
    receipt = json.loads(base64.b64decode(response.headers["PAYMENT-RESPONSE"]))
    story.expect(receipt["success"] is True and receipt["amount"] == "3000" and receipt["payer"] == alice_id,
                 f"receipt {receipt}")

    # 2. upto: authorized 0.003, settled 0.001; the rest is released.
    upto_call = alice.get(api.summarize_url, timeout=60)
    story.expect(upto_call.status_code == 200, f"upto call {upto_call.status_code} {upto_call.text[:200]}")
    after_upto = balance(alice_id)
    story.expect(after_upto["balance"] == "9.699" and after_upto["held"] == "0",
                 f"an upto call settled at 0.001 charges 0.001 and holds nothing: {after_upto}")
    upto_receipt = json.loads(base64.b64decode(upto_call.headers.get("PAYMENT-RESPONSE", "e30=")))
    upto_token = story.token(upto_secret)
    hold = story.ok("get hold", "GET", f"/v1/wallet/holds/{payloads[-1].payload['holdId']}", token=upto_token,
                    query={"tenantId": tenant_id})
    story.expect(hold["status"] == "HOLD_STATUS_CAPTURED" and hold["amount"] == "0.003" and hold["captured"] == "0.001",
                 f"the upto hold: {hold}")
    story.expect(upto_receipt.get("amount") == "1000", f"upto receipt {upto_receipt}")

    # 3. A replayed payment payload settles once.
    replay = requests.get(api.search_url, headers=x402HTTPClientSync(x402ClientSync()).encode_payment_signature_header(
        payloads[0]), timeout=30)
    story.expect(replay.status_code == 402, f"a replayed payment is refused, got {replay.status_code}")
    story.expect(balance(alice_id)["balance"] == "9.699", "a replayed payment takes nothing")
    story.expect(api.served["search"] == 100, "a replayed payment is served nothing")
    facilitator_checks(story, tenant_id, alice_secret, alice_id, search_id, search_secret, other_id, other_secret, balance)

    # 4. Over a daily cap: refused with the rule's reason and headroom; nothing served.
    capped_id, capped_secret = agent("capped", "1")
    story.ok("cap", "PUT", f"/v1/tenants/{tenant_id}/agents/{capped_id}/policy", token=admin,
             body={"documentJson": '{"limits": [{"amount": "0.005", "interval": "daily"}]}'})
    capped, _ = agent_session(story, capped_secret)
    story.expect(capped.get(api.search_url, timeout=60).status_code == 200, "a call under the cap is paid")
    served = api.served["search"]
    try:
        response = capped.get(api.search_url, timeout=60)
        story.expect(False, f"a call over the daily cap was answered {response.status_code}")
    except Exception as error:  # the x402 client raises what paying raised
        refusal = refusal_of(error)
        story.expect(refusal is not None and refusal.reason == "limit_exceeded" and refusal.headroom == "0.002"
                     and refusal.rule, f"over the cap: {error!r} {getattr(refusal, 'problem', None)}")
    story.expect(api.served["search"] == served, "a call over the cap is served nothing")
    story.expect(balance(capped_id)["balance"] == "0.997", "over the cap, only the paid call was charged")

    # 5. A revoked agent gets nothing, and its payment made before revocation no longer verifies.
    revoked_id, revoked_secret = agent("revoked", "1")
    revoked, _ = agent_session(story, revoked_secret)
    pending = credit(story, revoked_secret, search_id, "http://api.example/early")
    story.ok("revoke", "POST", f"/v1/tenants/{tenant_id}/agents/{revoked_id}/revoke", token=admin, body={"reason": "leaked"})
    served = api.served["search"]
    try:
        response = revoked.get(api.search_url, timeout=60)
        story.expect(False, f"a revoked agent was answered {response.status_code}")
    except Exception as error:
        refusal = refusal_of(error)
        story.expect(refusal is not None and refusal.reason in ("agent_revoked", "subject_revoked"),
                     f"a revoked agent: {error!r}")
    story.expect(api.served["search"] == served, "a revoked agent is served nothing")
    search_token = story.token(search_secret)
    verdict = story.ok("verify after revocation", "POST", "/x402/verify", token=search_token,
                       body=facilitator_body(pending, search_id, "3000", "http://api.example/early"))
    story.expect(verdict["isValid"] is False and verdict["invalidReason"] == "invalid_transaction_state",
                 f"a revoked agent's earlier payment: {verdict}")
    # It paid nothing: its whole credit (1) went back to the treasury when it was revoked.
    after_revoke = balance(revoked_id)
    story.expect(after_revoke["balance"] == "0" and after_revoke["held"] == "0", f"a revoked agent keeps nothing: {after_revoke}")
    returned = story.ok("returned", "GET", "/v1/wallet/entries", token=admin,
                        query={"accountId": revoked_id, "kind": "LEDGER_ENTRY_KIND_RETURN"})["entries"]
    story.expect([(e["amount"], e["debitAccount"]) for e in returned] == [("1", revoked_id)],
                 f"a revoked agent paid nothing and returned its credit: {returned}")

    # A suspended agent (its token still valid) gets no attestation, and nothing stays held.
    paused_id, paused_secret = agent("paused", "1")
    paused_token = story.token(paused_secret)
    story.ok("suspend", "POST", f"/v1/tenants/{tenant_id}/agents/{paused_id}/suspend", token=admin, body={})
    response, problem = story.call("POST", "/v1/x402/authorize", token=paused_token, key="paused-1",
                                   body={"amount": "0.003", "providerId": search_id, "resource": "http://api.example/p"})
    story.expect(response.status_code == 400 and problem.get("reason") == "agent_suspended",
                 f"a suspended agent's credit: {response.status_code} {problem}")
    paused = balance(paused_id)
    story.expect(paused["balance"] == "1" and paused["held"] == "0", f"a refused credit holds nothing: {paused}")

    # 6. Figures, and 32 agents at once.
    free_round_trips = []
    plain = requests.Session()
    for _ in range(100):
        started = time.perf_counter()
        free = plain.get(api.free_url, timeout=60)
        free_round_trips.append(time.perf_counter() - started)
        story.expect(free.status_code == 200, f"the unpaid route answered {free.status_code}")
    print(f"x402 figures: reference, the same handler unpaid, 1 client: p50 {statistics.median(free_round_trips) * 1000:.1f} ms, "
          f"p99 {percentile(free_round_trips, 0.99) * 1000:.1f} ms; paid call (402, authorize, verify, handler, settle): "
          f"p50 {statistics.median(paid_round_trips) * 1000:.1f} ms, p99 {percentile(paid_round_trips, 0.99) * 1000:.1f} ms")
    figures(story, api, agent, balance, single)

    # 7. Settlement and finance: the batch and the statement show the 100 calls; audit and reconciliation clean.
    day = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    start = int(day.timestamp()) * 1_000_000
    period = {"startAtUs": str(start), "endAtUs": str(start + 86_400_000_000)}
    # The capture feed hands Settlement an entry once no older transaction can still commit before it, so the
    # last captures may reach a run a moment late: run until the search provider's batch holds every paid call.
    search_token = story.token(search_secret)
    expected = api.served["search"] + 1
    for _ in range(40):
        story.ok("run settlement", "POST", "/v1/settlement/run", token=operator, body={"period": period})
        search_batches = story.ok("batches", "GET", "/v1/settlement/batches", token=search_token,
                                  query={"tenantId": tenant_id})["batches"]
        if batch_count(search_batches) >= expected:
            break
        time.sleep(0.25)
    batches = story.ok("batches", "GET", "/v1/settlement/batches", token=admin,
                       query={"providerId": upto_id})["batches"]
    story.expect(len(batches) == 1 and batches[0]["net"] == "0.001" and batches[0]["entryCount"] == "1",
                 f"the upto provider's batch: {batches}")
    statement = story.ok("statement", "GET", "/v1/settlement/statements", token=admin,
                         query={"tenantId": tenant_id, "period.startAtUs": period["startAtUs"],
                                "period.endAtUs": period["endAtUs"]})
    by_agent = {line["key"]: line for line in statement.get("byAgent", [])}
    story.expect(by_agent.get(alice_id, {}).get("entryCount") == "102" and by_agent[alice_id]["net"] == "0.304",
                 f"the statement shows alice's 100 calls, the upto call and the replayed settle: {by_agent.get(alice_id)}")
    search_net = sum(Decimal(batch["net"]) for batch in search_batches)
    story.expect(len(search_batches) == 1 and batch_count(search_batches) == expected,
                 f"the search provider's batch counts every paid call: {search_batches}")
    story.expect(search_net == Decimal("0.003") * expected,
                 f"the search provider is owed exactly 0.003 per paid call: {search_net}")
    audit = story.ok("audit", "GET", "/v1/wallet/audit", token=admin, query={"tenantId": tenant_id})
    story.expect(audit["clean"] is True, f"audit {audit}")
    reconciled = story.ok("reconcile", "POST", "/v1/settlement/reconcile", token=operator, body={"period": period})
    story.expect(reconciled["balanced"] is True, f"reconciliation {reconciled}")


def batch_count(batches):
    return sum(int(batch["entryCount"]) for batch in batches)


def credit(story, agent_secret, provider_id, resource, amount="0.003", ttl=300):
    """An attestation the agent obtains directly (what the x402 client does on a 402)."""
    token = story.token(agent_secret)
    return story.ok("authorize credit", "POST", "/v1/x402/authorize", token=token, key=f"credit-{uuid.uuid4()}",
                    body={"amount": amount, "providerId": provider_id, "resource": resource, "holdTtlSeconds": ttl})


def facilitator_body(credit_answer, pay_to, amount, resource, attestation=None, settle_amount=None):
    requirements = {"scheme": "upto", "network": network(), "asset": "USD", "amount": amount, "payTo": pay_to,
                    "maxTimeoutSeconds": 300, "extra": {}}
    return {
        "x402Version": 2,
        "paymentPayload": {"x402Version": 2, "accepted": requirements, "resource": {"url": resource},
                           "payload": {"attestation": attestation or credit_answer["attestation"],
                                       "holdId": credit_answer["holdId"]}},
        "paymentRequirements": dict(requirements, amount=settle_amount or amount),
    }


def facilitator_checks(story, tenant_id, agent_secret, agent_id, search_id, search_secret, other_id, other_secret, balance):
    """The facilitator called directly: replayed settle, another provider, tampered and expired attestations."""
    search_token, other_token = story.token(search_secret), story.token(other_secret)
    resource = "http://api.example/direct"
    before = Decimal(balance(agent_id)["balance"])
    paid = credit(story, agent_secret, search_id, resource)
    body = facilitator_body(paid, search_id, "3000", resource)
    verdict = story.ok("verify", "POST", "/x402/verify", token=search_token, body=body)
    story.expect(verdict == {"isValid": True, "payer": agent_id}, f"verify {verdict}")

    # Another provider: neither verify nor settle.
    stolen = story.ok("settle by another provider", "POST", "/x402/settle", token=other_token, body=body)
    story.expect(stolen["success"] is False and stolen["errorReason"] == "not_payee", f"another provider settles: {stolen}")
    own = story.ok("settle as payTo", "POST", "/x402/settle", token=other_token,
                   body=facilitator_body(paid, other_id, "3000", resource))
    story.expect(own["success"] is False and own["errorReason"] == "invalid_payment_requirements",
                 f"another provider naming itself payTo: {own}")
    response, problem = story.call("POST", "/x402/settle", token=story.token(agent_secret), body=body)
    story.expect(response.status_code == 403 and problem.get("reason") == "permission_denied",
                 f"the payer settles its own payment: {response.status_code} {problem}")
    response, problem = story.call("POST", "/x402/verify", body=body)
    story.expect(response.status_code == 401 and problem.get("reason") == "token_missing", f"no token: {response.status_code}")

    # Settled once, however often it is replayed.
    first = story.ok("settle", "POST", "/x402/settle", token=search_token, body=body)
    again = story.ok("settle replay", "POST", "/x402/settle", token=search_token, body=body)
    story.expect(first["success"] is True and first["amount"] == "3000" and first["network"] == network(),
                 f"settle {first}")
    story.expect(again == first, f"a replayed settle answers the first settlement: {again} vs {first}")
    story.expect(Decimal(balance(agent_id)["balance"]) == before - Decimal("0.003"), "a replayed settle moves money once")
    more = story.ok("settle more", "POST", "/x402/settle", token=search_token,
                    body=facilitator_body(paid, search_id, "3000", resource, settle_amount="2000"))
    story.expect(more["success"] is False and more["errorReason"] == "invalid_transaction_state",
                 f"another amount for a settled payment: {more}")
    closed = story.ok("verify settled", "POST", "/x402/verify", token=search_token, body=body)
    story.expect(closed["isValid"] is False and closed["invalidReason"] == "invalid_transaction_state",
                 f"a settled payment no longer verifies: {closed}")

    # Tampered: more money, another payee, a forged signature.
    fresh = credit(story, agent_secret, search_id, resource)
    header, claims, signature = fresh["attestation"].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    decoded["amount"] = "3000000"
    forged_claims = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode().rstrip("=")
    for label, attestation in (("raised amount", f"{header}.{forged_claims}.{signature}"),
                               ("bad signature", f"{header}.{claims}.{signature[:-4]}AAAA"),
                               ("not a JWS", "not-an-attestation")):
        verdict = story.ok("verify tampered", "POST", "/x402/verify", token=search_token,
                           body=facilitator_body(fresh, search_id, "3000", resource, attestation=attestation))
        story.expect(verdict["isValid"] is False and verdict["invalidReason"] == "invalid_payload",
                     f"tampered ({label}): {verdict}")
        settled = story.ok("settle tampered", "POST", "/x402/settle", token=search_token,
                           body=facilitator_body(fresh, search_id, "3000", resource, attestation=attestation))
        story.expect(settled["success"] is False, f"tampered settle ({label}): {settled}")
    over = story.ok("settle above the hold", "POST", "/x402/settle", token=search_token,
                    body=facilitator_body(fresh, search_id, "3000", resource, settle_amount="3001"))
    story.expect(over["success"] is False and over["errorReason"] == "amount_exceeds_hold", f"above the hold: {over}")
    for label, change in (("scheme", {"scheme": "exact"}), ("network", {"network": "eip155:8453"}),
                          ("asset", {"asset": "EUR"})):
        body = facilitator_body(fresh, search_id, "3000", resource)
        body["paymentRequirements"].update(change)
        body["paymentPayload"]["accepted"].update(change)
        verdict = story.ok("verify " + label, "POST", "/x402/verify", token=search_token, body=body)
        expected = {"scheme": "invalid_scheme", "network": "invalid_network", "asset": "invalid_payment_requirements"}[label]
        story.expect(verdict["isValid"] is False and verdict["invalidReason"] == expected, f"{label}: {verdict}")
    body = facilitator_body(fresh, search_id, "3000", resource)
    body["x402Version"] = 1
    verdict = story.ok("verify v1", "POST", "/x402/verify", token=search_token, body=body)
    story.expect(verdict["invalidReason"] == "invalid_x402_version", f"version 1: {verdict}")
    response, problem = story.call("POST", "/x402/verify", token=search_token, body={"x402Version": 2})
    story.expect(response.status_code == 400, f"a body that is not an x402 request: {response.status_code} {problem}")
    voided = story.ok("settle zero", "POST", "/x402/settle", token=search_token,
                      body=facilitator_body(fresh, search_id, "3000", resource, settle_amount="0"))
    story.expect(voided["success"] is True and voided["amount"] == "0", f"settling 0 releases the hold: {voided}")

    # Expired: a one-second hold.
    short = credit(story, agent_secret, search_id, resource, ttl=1)
    time.sleep(2.2)
    verdict = story.ok("verify expired", "POST", "/x402/verify", token=search_token,
                       body=facilitator_body(short, search_id, "3000", resource))
    story.expect(verdict["isValid"] is False and verdict["invalidReason"] == "attestation_expired", f"expired: {verdict}")
    story.expect(Decimal(balance(agent_id)["balance"]) == before - Decimal("0.003"),
                 "refused payments take nothing; the settled one took 0.003 once")


def figures(story, api, agent, balance, single):
    """Latency of verify + settle at 1 and 16 clients, and 32 agents paying at once."""
    def burst(clients, calls_each, credits_each):
        agents = [agent(f"load{clients}-{index}", credits_each) for index in range(clients)]
        sessions = [agent_session(story, secret)[0] for _, secret in agents]
        outcomes = [[] for _ in range(clients)]
        first_timing = len(api.timings)

        def pay(index):
            for _ in range(calls_each):
                try:
                    outcomes[index].append(sessions[index].get(api.search_url, timeout=120).status_code)
                except Exception as error:
                    refusal = refusal_of(error)
                    outcomes[index].append(refusal.reason if refusal else repr(error))

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(pay, range(clients)))
        elapsed = time.perf_counter() - started
        return agents, outcomes, api.timings[first_timing:], elapsed

    _, outcomes, sixteen, _ = burst(16, 10, "1")
    story.expect(all(code == 200 for calls in outcomes for code in calls), f"16 clients: {outcomes}")

    # 32 agents, each with credits for exactly 10 calls, each trying 13: 10 paid, 3 refused, nothing overspent.
    agents, outcomes, _, elapsed = burst(32, 13, "0.03")
    paid = sum(1 for calls in outcomes for code in calls if code == 200)
    story.expect(all(calls.count(200) == 10 and calls.count("insufficient_funds") == 3 for calls in outcomes),
                 f"32 agents: each pays exactly 10 calls and is refused 3: {outcomes}")
    for agent_id, _ in agents:
        left = balance(agent_id)
        story.expect(left["balance"] == "0" and left["held"] == "0", f"an agent spent exactly its credits: {left}")

    def ms(seconds):
        return f"{seconds * 1000:.1f}"

    if single and sixteen:
        print(f"x402 figures: verify+settle added latency, 1 client: p50 {ms(statistics.median(single))} ms, "
              f"p99 {ms(percentile(single, 0.99))} ms ({len(single)} calls)")
        print(f"x402 figures: verify+settle added latency, 16 clients: p50 {ms(statistics.median(sixteen))} ms, "
              f"p99 {ms(percentile(sixteen, 0.99))} ms ({len(sixteen)} calls)")
    print(f"x402 figures: 32 clients: {paid} paid calls in {elapsed:.2f} s = {paid / elapsed:.1f} paid calls/s "
          f"(each paid call: authorize, verify, handler, settle; {32 * 13 - paid} refusals included in the time)")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except requests.RequestException as error:
        print(f"x402 story: cannot reach the gateway: {error}", file=sys.stderr)
        sys.exit(2)
