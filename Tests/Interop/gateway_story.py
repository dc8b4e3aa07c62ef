#!/usr/bin/env python3
"""The README story over the gateway's JSON API, with Python `requests`: a
tenant, its keys, a provider, an agent, a policy, holds, captures, charges,
payment tokens, refunds, replays and conflicts, and every denial reason the
story can reach, each checked by HTTP status and problem `reason`.

Usage: gateway_story.py BASE_URL CA_PEM OPERATOR_SECRET
Prints one line per failed check and `gateway story: N passed, M failed`;
exits 0 when nothing failed, 1 otherwise, 2 when it cannot run.
"""
import sys
import uuid

import requests

from interop_story import Story


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    story = Story(sys.argv[1], sys.argv[2], "gateway story")
    slug = "acme-" + uuid.uuid4().hex[:8]
    operator = story.token(sys.argv[3])

    # 1. The operator creates a tenant and its keys.
    tenant = story.ok("create tenant", "POST", "/v1/tenants", token=operator, body={"slug": slug, "name": "Acme Research"})
    tenant_id = tenant["id"]
    story.refused("slug taken", 409, "slug_taken", "POST", "/v1/tenants", token=operator, body={"slug": slug, "name": "Again"})
    admin = story.ok("admin key", "POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator,
                     body={"role": "API_KEY_ROLE_ADMIN", "label": "platform"})
    finance = story.ok("finance key", "POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator,
                       body={"role": "API_KEY_ROLE_FINANCE", "label": "books"})
    admin_token, finance_token = story.token(admin["secret"]), story.token(finance["secret"])

    # 2. The operator registers a provider.
    provider = story.ok("provider", "POST", "/v1/providers", token=operator,
                        body={"slug": "search-" + slug, "name": "Search API", "defaultCategory": "search",
                              "categories": ["news", "gambling"]})
    provider_id, provider_token = provider["provider"]["id"], story.token(provider["secret"])

    # 3. The admin funds the tenant, creates an agent and gives it credits.
    funded = story.ok("fund", "POST", "/v1/wallet/fund", token=admin_token, key="fund-1",
                      body={"amount": "100", "externalReference": "wire-0001"})
    story.expect(funded["amount"] == "100", f"fund amount {funded}")
    replay = story.ok("fund replay", "POST", "/v1/wallet/fund", token=admin_token, key="fund-1",
                      body={"amount": "100", "externalReference": "wire-0001"})
    story.expect(replay["entryId"] == funded["entryId"], "a replayed fund answers the first entry")
    story.refused("fund conflict", 409, "idempotency_conflict", "POST", "/v1/wallet/fund", token=admin_token, key="fund-1",
                  body={"amount": "101", "externalReference": "wire-0001"})
    agent = story.ok("agent", "POST", f"/v1/tenants/{tenant_id}/agents", token=admin_token,
                     body={"handle": "researcher", "displayName": "Research bot"})
    agent_id, agent_token = agent["agent"]["id"], story.token(agent["secret"])
    allocated = story.ok("allocate", "POST", "/v1/wallet/allocate", token=admin_token, key="alloc-1",
                         body={"agentId": agent_id, "amount": "50"})
    story.expect(allocated["agentAvailable"] == "50", f"allocate {allocated}")

    # 4. A policy: at most 5 per call, 8 per day, no gambling.
    document = '{"per_call_max": "5", "limits": [{"amount": "8", "interval": "daily"}], "blocked_categories": ["gambling"]}'
    story.ok("policy", "PUT", f"/v1/tenants/{tenant_id}/policy", token=admin_token, body={"documentJson": document})
    story.refused("malformed policy", 400, "invalid_document", "PUT", f"/v1/tenants/{tenant_id}/policy", token=admin_token,
                  body={"documentJson": '{"per_call_max": "-1"}'})
    story.refused("bad policy", 400, "invalid_policy", "PUT", f"/v1/tenants/{tenant_id}/policy", token=admin_token,
                  body={"documentJson": '{"limits": [{"amount": "1", "interval": "daily", "count": 0}]}'})

    # 5. The agent spends; the provider captures.
    hold = story.ok("authorize", "POST", "/v1/wallet/authorize", token=agent_token, key="auth-1",
                    body={"amount": "3", "providerId": provider_id, "category": "search"})
    story.expect(hold["amount"] == "3" and hold["availableAfter"] == "47", f"authorize {hold}")
    again = story.ok("authorize replay", "POST", "/v1/wallet/authorize", token=agent_token, key="auth-1",
                     body={"amount": "3", "providerId": provider_id, "category": "search"})
    story.expect(again["holdId"] == hold["holdId"], "a replayed authorization answers the first hold")
    story.refused("authorize conflict", 409, "idempotency_conflict", "POST", "/v1/wallet/authorize", token=agent_token,
                  key="auth-1", body={"amount": "2", "providerId": provider_id, "category": "search"})
    captured = story.ok("capture", "POST", "/v1/wallet/capture", token=provider_token, key="cap-1",
                        body={"tenantId": tenant_id, "holdId": hold["holdId"], "amount": "2.5"})
    story.expect(captured["captured"] == "2.5" and captured["released"] == "0.5", f"capture {captured}")
    # The payer is not the payee: the hold is not one it may capture.
    story.refused("capture by the paying agent", 404, "not_found", "POST", "/v1/wallet/capture", token=agent_token,
                  key="cap-2", body={"tenantId": tenant_id, "holdId": hold["holdId"]})
    charged = story.ok("charge", "POST", "/v1/wallet/charge", token=agent_token, key="charge-1",
                       body={"amount": "2", "providerId": provider_id, "category": "search"})
    story.expect(charged["amount"] == "2", f"charge {charged}")

    # A payment token bound to the provider: at most 1 in all, once.
    pay = story.ok("payment token", "POST", "/v1/payment-tokens", token=agent_token,
                   body={"providerId": provider_id, "maxAmount": "1", "singleUse": True})
    story.expect(pay["maxAmount"] == "1", f"payment token {pay}")
    paid_headers = {"Agent-Authorization": f"Bearer {pay['token']}"}
    story.refused("payment token over its amount", 403, "token_amount_exceeded", "POST", "/v1/wallet/charge",
                  token=provider_token, key="ptok-0", headers=paid_headers,
                  body={"amount": "1.5", "providerId": provider_id, "category": "search"})
    story.ok("charge with a payment token", "POST", "/v1/wallet/charge", token=provider_token, key="ptok-1",
             headers=paid_headers, body={"amount": "0.5", "providerId": provider_id, "category": "search"})
    story.refused("single-use token twice", 403, "token_used", "POST", "/v1/wallet/charge", token=provider_token,
                  key="ptok-2", headers=paid_headers, body={"amount": "0.1", "providerId": provider_id, "category": "search"})

    # A refund by the payee.
    refunded = story.ok("refund", "POST", "/v1/wallet/refund", token=provider_token, key="refund-1",
                        body={"tenantId": tenant_id, "holdId": charged["holdId"], "amount": "0.5", "reason": "partial"})
    story.expect(refunded["refunded"] == "0.5", f"refund {refunded}")

    # 6. Denials, each with its reason.
    story.refused("per call max", 400, "per_call_max_exceeded", "POST", "/v1/wallet/authorize", token=agent_token,
                  key="deny-1", body={"amount": "6", "providerId": provider_id, "category": "search"})
    story.refused("blocked category", 400, "category_blocked", "POST", "/v1/wallet/authorize", token=agent_token,
                  key="deny-2", body={"amount": "1", "providerId": provider_id, "category": "gambling"})
    story.refused("unregistered category", 400, "category_not_registered", "POST", "/v1/wallet/authorize",
                  token=agent_token, key="deny-3", body={"amount": "1", "providerId": provider_id, "category": "travel"})
    daily = story.refused("daily limit", 400, "limit_exceeded", "POST", "/v1/wallet/charge", token=agent_token,
                          key="deny-4", body={"amount": "4.5", "providerId": provider_id, "category": "search"})
    story.expect("rule" in daily and daily.get("headroom") == "3", f"a limit denial names its rule and headroom: {daily}")
    story.refused("not a decimal", 400, "amount_not_string", "POST", "/v1/wallet/authorize", token=agent_token,
                  key="deny-5", body={"amount": 1, "providerId": provider_id})
    story.refused("negative amount", 400, "amount_invalid", "POST", "/v1/wallet/authorize", token=agent_token,
                  key="deny-6", body={"amount": "-1", "providerId": provider_id})
    story.refused("no key", 400, "idempotency_key_required", "POST", "/v1/wallet/authorize", token=agent_token,
                  body={"amount": "1", "providerId": provider_id})
    story.refused("no token", 401, "token_missing", "GET", f"/v1/agents/{agent_id}/balance")
    story.refused("an agent may not fund", 403, "permission_denied", "POST", "/v1/wallet/fund", token=agent_token,
                  key="deny-7", body={"amount": "1"})
    other = story.ok("other tenant", "POST", "/v1/tenants", token=operator, body={"slug": "other-" + slug, "name": "Other"})
    other_admin = story.ok("other admin", "POST", f"/v1/tenants/{other['id']}/api-keys", token=operator,
                           body={"role": "API_KEY_ROLE_ADMIN"})
    story.refused("another tenant's agent", 404, "not_found", "GET", f"/v1/agents/{agent_id}/balance",
                  token=story.token(other_admin["secret"]), query={"tenantId": tenant_id})
    poor = story.ok("poor agent", "POST", f"/v1/tenants/{tenant_id}/agents", token=admin_token, body={"handle": "poor"})
    story.refused("insufficient funds", 400, "insufficient_funds", "POST", "/v1/wallet/authorize",
                  token=story.token(poor["secret"]), key="deny-8", body={"amount": "1", "providerId": provider_id})

    balance = story.ok("balance", "GET", f"/v1/agents/{agent_id}/balance", token=agent_token)
    # 50 - 2.5 captured - 2 charged - 0.5 by token + 0.5 refunded = 45.5
    story.expect(balance["balance"] == "45.5" and balance["held"] == "0", f"balance {balance}")
    entries = story.ok("entries", "GET", "/v1/wallet/entries", token=finance_token,
                       query={"tenantId": tenant_id, "accountId": agent_id, "pageSize": "50"})
    story.expect(len(entries["entries"]) >= 5, f"entries {len(entries['entries'])}")

    # 8. Revocation: the agent's next call is refused.
    story.ok("revoke", "POST", f"/v1/tenants/{tenant_id}/agents/{agent_id}/revoke", token=admin_token,
             body={"reason": "key leaked"})
    # Refused by the Wallet's ledger (the account is revoked) or, once the revocation feed reached the
    # token verifier, before any handler runs: either way, nothing is held.
    response, document = story.call("POST", "/v1/wallet/authorize", token=agent_token, key="after-revoke",
                                    body={"amount": "1", "providerId": provider_id})
    story.expect((response.status_code, document.get("reason")) in ((400, "agent_revoked"), (401, "subject_revoked")),
                 f"revoked agent: {response.status_code} {document}")

    # 9. Finance.
    audit = story.ok("audit", "GET", "/v1/wallet/audit", token=finance_token, query={"tenantId": tenant_id})
    story.expect(audit["clean"] is True, f"audit {audit}")
    return story.report()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except requests.RequestException as error:
        print(f"gateway story: cannot reach the gateway: {error}", file=sys.stderr)
        sys.exit(2)
