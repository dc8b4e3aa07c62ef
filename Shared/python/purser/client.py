"""The clients of the gateway's JSON API, one per kind of principal:
`AgentClient` (an agent spending its own credits), `ProviderClient` (a paid
API collecting), `AdminClient` (a tenant admin managing agents, funding and
policy) and `OperatorClient` (the deployment's operator: tenants, keys and
providers). Each wraps a `Session` holding that principal's secret.

Every amount is taken as `Decimal` (or int or decimal string, never float)
and sent as a decimal string; every amount answered is a `Decimal`.
"""

from __future__ import annotations

import itertools
import json
import os
from datetime import datetime
from types import TracebackType
from typing import Any, Iterator, Mapping, Optional, TypeVar, Union
from urllib.parse import quote

from .models import (
    Agent, Balance, Capture, Charge, Created, Entry, Funding, Hold, MessageSummary, PaymentToken, Payout,
    PolicyVersion, Refund, Release, Revocation, SubAgent, Token, Transfer, WebhookDelivery, WebhookEndpoint,
)
from .money import Amount, amount_text
from .session import Session

ClientT = TypeVar("ClientT", bound="Client")


def _segment(value: str) -> str:
    return quote(value, safe="")


def _payee_agent(payee: str) -> dict[str, str]:
    """The request field naming a payee agent: `payeeAgent` for
    `handle@tenant-slug`, `payeeAgentId` for an id."""
    return {"payeeAgent": payee} if "@" in payee else {"payeeAgentId": payee}


def _micros_since_epoch(moment: Optional[datetime]) -> Optional[str]:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware (datetime.now(timezone.utc))")
    delta = moment - datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


class Client:
    """A principal's client of the gateway at `url` (`https://host:8443`).

    `secret` is the principal's long-lived secret; it never leaves this
    process except to `POST /v1/auth/token`. `ca_file` is the deployment's
    CA (PEM) the gateway's certificate is verified with. Use as a context
    manager or call `close()`.
    """

    def __init__(self, url: str, secret: str, *, ca_file: Optional[str] = None, **session_options: Any) -> None:
        self.session = Session(url, secret, ca_file=ca_file, **session_options)

    @classmethod
    def from_env(cls: type[ClientT], environ: Optional[Mapping[str, str]] = None) -> ClientT:
        """A client from `PURSER_URL`, `PURSER_SECRET` and `PURSER_CA` (optional)."""
        env = os.environ if environ is None else environ
        missing = [name for name in ("PURSER_URL", "PURSER_SECRET") if not env.get(name)]
        if missing:
            raise ValueError(f"{' and '.join(missing)} must be set")
        return cls(env["PURSER_URL"], env["PURSER_SECRET"], ca_file=env.get("PURSER_CA") or None)

    def __enter__(self: ClientT) -> ClientT:
        return self

    def __exit__(self, kind: Optional[type[BaseException]], value: Optional[BaseException],
                 traceback: Optional[TracebackType]) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connections."""
        self.session.close()

    @property
    def identity(self) -> Token:
        """The current token and whose it is (`subject`, `tenant_id`, `role`)."""
        return self.session.token()

    def _pages(self, path: str, key: str, query: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
        token = ""
        while True:
            page = self.session.call("GET", path, query={**query, "pageToken": token or None}, idempotent=True)
            yield from page.get(key, [])
            token = page.get("nextPageToken") or ""
            if not token:
                return

    def _first(self, path: str, key: str, query: Mapping[str, Any], limit: int) -> Iterator[Mapping[str, Any]]:
        """At most `limit` items of a paged list, asking for pages of at most 100."""
        return itertools.islice(self._pages(path, key, {**query, "pageSize": min(limit, 100)}), max(limit, 0))


class AgentClient(Client):
    """An agent: spends and reads its own account with its own secret (`purser_ak_…`)."""

    @property
    def agent_id(self) -> str:
        return self.identity.subject

    def balance(self) -> Balance:
        """The agent's balance, held and available amounts."""
        return Balance.from_json(self.session.call("GET", f"/v1/agents/{_segment(self.agent_id)}/balance", idempotent=True))

    def authorize(self, amount: Amount, provider_id: str, *, category: str = "", task_id: str = "", description: str = "",
                  hold_ttl_seconds: int = 0, idempotency_key: Optional[str] = None) -> Hold:
        """Holds `amount` for `provider_id` (who captures or voids it) under the
        agent's policy and caps. Refusals raise `Denied` with `reason`, `rule`
        and `headroom`. Idempotent by key: a retry answers the first outcome."""
        body = {"amount": amount_text(amount), "providerId": provider_id, "category": category, "taskId": task_id,
                "description": description, "holdTtlSeconds": hold_ttl_seconds}
        return Hold.from_json(self.session.call("POST", "/v1/wallet/authorize", body=body, keyed=True,
                                                idempotency_key=idempotency_key))

    def charge(self, amount: Amount, provider_id: str, *, category: str = "", task_id: str = "", description: str = "",
               idempotency_key: Optional[str] = None) -> Charge:
        """Pays `amount` to `provider_id` at once (authorize and capture in one
        step), under the same policy and caps as `authorize`."""
        body = {"amount": amount_text(amount), "providerId": provider_id, "category": category, "taskId": task_id,
                "description": description}
        return Charge.from_json(self.session.call("POST", "/v1/wallet/charge", body=body, keyed=True,
                                                  idempotency_key=idempotency_key))

    def pay_agent(self, amount: Amount, payee_agent: str, *, category: str = "", task_id: str = "",
                  description: str = "", idempotency_key: Optional[str] = None) -> Charge:
        """Pays `amount` at once to another agent, of the tenant by id or of
        any tenant as `handle@tenant-slug`: the credits land on its balance in
        the same transaction. An unknown agent raises `PurserError` with reason
        `payee_unknown`; an agent whose tenant refuses payments from other
        tenants raises `Denied` (`payee_refuses_other_tenants`). The category is `agent`
        unless one is given; the policy's `allowed_payees` / `blocked_payees`
        apply. A revoked or frozen payee raises `Denied` (`payee_revoked`,
        `payee_frozen`) and nothing moves."""
        body = {"amount": amount_text(amount), **_payee_agent(payee_agent), "category": category, "taskId": task_id,
                "description": description}
        return Charge.from_json(self.session.call("POST", "/v1/wallet/charge", body=body, keyed=True,
                                                  idempotency_key=idempotency_key))

    def authorize_agent(self, amount: Amount, payee_agent: str, *, category: str = "", task_id: str = "",
                        description: str = "", hold_ttl_seconds: int = 0, idempotency_key: Optional[str] = None) -> Hold:
        """Holds `amount` for another agent of the tenant (by id or as
        `handle@tenant-slug`), which captures it (`capture`) or releases it
        (`void`) with its own client."""
        body = {"amount": amount_text(amount), **_payee_agent(payee_agent), "category": category, "taskId": task_id,
                "description": description, "holdTtlSeconds": hold_ttl_seconds}
        return Hold.from_json(self.session.call("POST", "/v1/wallet/authorize", body=body, keyed=True,
                                                idempotency_key=idempotency_key))

    def capture(self, hold_id: str, amount: Optional[Amount] = None, *, idempotency_key: Optional[str] = None) -> Capture:
        """Takes `amount` (all of it when None) of a hold that pays this agent;
        the credits land on its balance, the rest goes back to the payer."""
        body: dict[str, Any] = {"holdId": hold_id}
        if amount is not None:
            body["amount"] = amount_text(amount)
        return Capture.from_json(self.session.call("POST", "/v1/wallet/capture", body=body, keyed=True,
                                                   idempotency_key=idempotency_key))

    def payment_token(self, provider_id: str, max_amount: Amount, *, ttl_seconds: int = 0,
                      single_use: bool = False) -> PaymentToken:
        """A token to hand `provider_id` instead of the agent's own: it can
        only pay that provider, at most `max_amount` in all, for `ttl_seconds`
        (0: the longest allowed), once when `single_use`."""
        body = {"providerId": provider_id, "maxAmount": amount_text(max_amount), "ttlSeconds": ttl_seconds,
                "singleUse": single_use}
        return PaymentToken.from_json(self.session.call("POST", "/v1/payment-tokens", body=body))

    def entries(self, *, since: Optional[datetime] = None, until: Optional[datetime] = None,
                limit: int = 100) -> list[Entry]:
        """The agent's ledger entries, newest first, at most `limit`."""
        query = {"fromUs": _micros_since_epoch(since), "untilUs": _micros_since_epoch(until)}
        return [Entry.from_json(item) for item in self._first("/v1/wallet/entries", "entries", query, limit)]

    def inbox(self, *, since: Optional[datetime] = None, limit: int = 50) -> list[MessageSummary]:
        """The agent's mail, newest first, without bodies (see `message`)."""
        query = {"tenantId": self.identity.tenant_id, "sinceUs": _micros_since_epoch(since)}
        return [MessageSummary.from_json(item) for item in self._first("/v1/email/messages", "messages", query, limit)]

    def message(self, message_id: str) -> MessageSummary:
        """One message of the agent's with its plain-text body."""
        return MessageSummary.from_json(
            self.session.call("GET", f"/v1/email/messages/{_segment(message_id)}", query={"tenantId": self.identity.tenant_id},
                              idempotent=True))

    def addresses(self) -> list[str]:
        """The agent's mail addresses (its primary one is made on first use)."""
        return [str(a.get("address", "")) for a in self._pages(
            "/v1/email/aliases", "aliases", {"tenantId": self.identity.tenant_id, "agentId": self.agent_id})]


    # ---- Sub-agents: children this agent creates, funds, narrows and revokes.

    def _agents_path(self, agent_id: str = "") -> str:
        path = f"/v1/tenants/{_segment(self.identity.tenant_id)}/agents"
        return path + (f"/{_segment(agent_id)}" if agent_id else "")

    def create_sub_agent(self, handle: str, *, budget: Amount = 0,
                         policy: Optional[Union[Mapping[str, Any], str]] = None, display_name: str = "",
                         metadata: Optional[Mapping[str, str]] = None) -> SubAgent:
        """A child of this agent with its own handle, secret (in the answer
        only) and email address. `budget` moves from this agent's available
        balance (`InsufficientFunds` beyond it); `policy` is the child's
        override, which may only narrow this agent's effective policy
        (`InvalidRequest` `policy_looser_than_parent`, the field named in
        `detail`). The tree's depth and each agent's children are bounded
        (`depth_limit`, `child_limit`). A refused call leaves no agent."""
        text = "" if policy is None else policy if isinstance(policy, str) else json.dumps(policy)
        body = {"handle": handle, "displayName": display_name, "metadata": dict(metadata or {}),
                "budget": amount_text(budget), "policyJson": text}
        return SubAgent.from_json(self.session.call("POST", self._agents_path(self.agent_id) + "/sub-agents", body=body))

    def tree(self, agent_id: str = "") -> list[Agent]:
        """This agent's subtree (or a descendant's): the root first, parents
        before children; each `Agent` names its `parent_agent_id`."""
        query = {"subtreeOf": agent_id or self.agent_id, "pageSize": 100}
        return [Agent.from_json(a) for a in self._pages(self._agents_path(), "agents", query)]

    def top_up(self, child_id: str, amount: Amount, *, description: str = "",
               idempotency_key: Optional[str] = None) -> Transfer:
        """Moves `amount` of this agent's available credits to a descendant."""
        body = {"agentId": child_id, "fromAgentId": self.agent_id, "amount": amount_text(amount), "description": description}
        return Transfer.from_json(self.session.call("POST", "/v1/wallet/allocate", body=body, keyed=True,
                                                    idempotency_key=idempotency_key))

    def reclaim_from(self, child_id: str, amount: Amount, *, description: str = "",
                     idempotency_key: Optional[str] = None) -> Transfer:
        """Moves `amount` of a descendant's available credits back to this agent."""
        body = {"agentId": child_id, "toAgentId": self.agent_id, "amount": amount_text(amount), "description": description}
        return Transfer.from_json(self.session.call("POST", "/v1/wallet/reclaim", body=body, keyed=True,
                                                    idempotency_key=idempotency_key))

    def sub_agent_balance(self, child_id: str) -> Balance:
        """A descendant's balance."""
        return Balance.from_json(self.session.call("GET", f"/v1/agents/{_segment(child_id)}/balance", idempotent=True))

    def sub_agent_entries(self, child_id: str, *, limit: int = 100) -> list[Entry]:
        """A descendant's ledger entries, newest first."""
        return [Entry.from_json(item) for item in self._first("/v1/wallet/entries", "entries", {"accountId": child_id}, limit)]

    def set_sub_agent_policy(self, child_id: str, document: Union[Mapping[str, Any], str]) -> PolicyVersion:
        """Stores a descendant's override; it may only narrow this agent's effective policy."""
        text = document if isinstance(document, str) else json.dumps(document)
        return PolicyVersion.from_json(self.session.call("PUT", self._agents_path(child_id) + "/policy",
                                                         body={"documentJson": text}))

    def suspend_sub_agent(self, child_id: str) -> Agent:
        return Agent.from_json(self.session.call("POST", self._agents_path(child_id) + "/suspend", body={}, idempotent=True))

    def resume_sub_agent(self, child_id: str) -> Agent:
        return Agent.from_json(self.session.call("POST", self._agents_path(child_id) + "/resume", body={}, idempotent=True))

    def revoke_sub_agent(self, child_id: str, reason: str) -> Revocation:
        """Revokes a descendant and its whole subtree before answering; their
        unspent credits return to this agent."""
        return Revocation.from_json(self.session.call("POST", self._agents_path(child_id) + "/revoke",
                                                      body={"reason": reason}, idempotent=True))


class ProviderClient(Client):
    """A provider (a paid API): collects what agents authorized or paid it, with its secret (`purser_pk_…`)."""

    @property
    def provider_id(self) -> str:
        return self.identity.subject

    def capture(self, tenant_id: str, hold_id: str, amount: Optional[Amount] = None, *,
                idempotency_key: Optional[str] = None) -> Capture:
        """Takes `amount` (all of it when None) of a hold payable to this
        provider; the rest goes back to the agent."""
        body: dict[str, Any] = {"tenantId": tenant_id, "holdId": hold_id}
        if amount is not None:
            body["amount"] = amount_text(amount)
        return Capture.from_json(self.session.call("POST", "/v1/wallet/capture", body=body, keyed=True,
                                                   idempotency_key=idempotency_key))

    def void(self, tenant_id: str, hold_id: str, *, idempotency_key: Optional[str] = None) -> Release:
        """Releases a hold payable to this provider without taking anything."""
        return Release.from_json(self.session.call("POST", "/v1/wallet/void", body={"tenantId": tenant_id, "holdId": hold_id},
                                                   keyed=True, idempotency_key=idempotency_key))

    def refund(self, tenant_id: str, hold_id: str, amount: Optional[Amount] = None, *, reason: str = "",
               idempotency_key: Optional[str] = None) -> Refund:
        """Gives back `amount` (all that is left when None) of a capture made by this provider."""
        body: dict[str, Any] = {"tenantId": tenant_id, "holdId": hold_id, "reason": reason}
        if amount is not None:
            body["amount"] = amount_text(amount)
        return Refund.from_json(self.session.call("POST", "/v1/wallet/refund", body=body, keyed=True,
                                                  idempotency_key=idempotency_key))

    def charge(self, payment_token: Union[str, PaymentToken], amount: Amount, *, category: str = "", task_id: str = "",
               description: str = "", idempotency_key: Optional[str] = None) -> Charge:
        """Charges the agent that issued `payment_token` to this provider:
        the token's bound, audience and single use are enforced by the ledger."""
        token = payment_token.token if isinstance(payment_token, PaymentToken) else payment_token
        body = {"amount": amount_text(amount), "providerId": self.provider_id, "category": category, "taskId": task_id,
                "description": description}
        return Charge.from_json(self.session.call(
            "POST", "/v1/wallet/charge", body=body, keyed=True, idempotency_key=idempotency_key,
            headers={"Agent-Authorization": f"Bearer {token}"}))

    def payouts(self, *, start: Optional[datetime] = None, end: Optional[datetime] = None) -> Payout:
        """What is payable to this provider over a period (settled batches)."""
        query = {"providerId": self.provider_id, "period.startAtUs": _micros_since_epoch(start),
                 "period.endAtUs": _micros_since_epoch(end)}
        return Payout.from_json(self.session.call("GET", "/v1/settlement/payouts", query=query, idempotent=True))


class AdminClient(Client):
    """A tenant admin (API key `purser_sk_…` of role admin): agents, funding, policy and webhooks of its own tenant."""

    @property
    def tenant_id(self) -> str:
        return self.identity.tenant_id

    def _tenant(self) -> str:
        return f"/v1/tenants/{_segment(self.tenant_id)}"

    def create_agent(self, handle: str, *, display_name: str = "", metadata: Optional[Mapping[str, str]] = None) -> Created:
        """A new agent; its secret (`purser_ak_…`) is in the answer only."""
        body = {"handle": handle, "displayName": display_name, "metadata": dict(metadata or {})}
        answer = self.session.call("POST", f"{self._tenant()}/agents", body=body)
        return Created(str(answer["agent"]["id"]), str(answer["secret"]), answer)

    def agent(self, agent_id: str) -> Agent:
        return Agent.from_json(self.session.call("GET", f"{self._tenant()}/agents/{_segment(agent_id)}", idempotent=True))

    def agents(self) -> list[Agent]:
        """Every agent of the tenant."""
        return [Agent.from_json(a) for a in self._pages(f"{self._tenant()}/agents", "agents", {"pageSize": 100})]

    def suspend_agent(self, agent_id: str) -> Agent:
        """Stops the agent's secrets authenticating (its current tokens run out); undone by `resume_agent`."""
        return Agent.from_json(self.session.call("POST", f"{self._tenant()}/agents/{_segment(agent_id)}/suspend",
                                                 body={}, idempotent=True))

    def resume_agent(self, agent_id: str) -> Agent:
        return Agent.from_json(self.session.call("POST", f"{self._tenant()}/agents/{_segment(agent_id)}/resume",
                                                 body={}, idempotent=True))

    def revoke_agent(self, agent_id: str, reason: str) -> Agent:
        """Cuts the agent off everywhere, for good: its holds are voided and its tokens refused."""
        answer = self.session.call("POST", f"{self._tenant()}/agents/{_segment(agent_id)}/revoke",
                                   body={"reason": reason}, idempotent=True)
        return Agent.from_json(answer["agent"])

    def fund(self, amount: Amount, external_reference: str, *, description: str = "",
             idempotency_key: Optional[str] = None) -> Funding:
        """Records money from outside (`external_reference`: the transfer, invoice…) into the treasury."""
        body = {"amount": amount_text(amount), "externalReference": external_reference, "description": description}
        return Funding.from_json(self.session.call("POST", "/v1/wallet/fund", body=body, keyed=True,
                                                   idempotency_key=idempotency_key))

    def allocate(self, agent_id: str, amount: Amount, *, description: str = "",
                 idempotency_key: Optional[str] = None) -> Transfer:
        """Moves `amount` from the treasury to the agent."""
        body = {"agentId": agent_id, "amount": amount_text(amount), "description": description}
        return Transfer.from_json(self.session.call("POST", "/v1/wallet/allocate", body=body, keyed=True,
                                                    idempotency_key=idempotency_key))

    def reclaim(self, agent_id: str, amount: Amount, *, description: str = "",
                idempotency_key: Optional[str] = None) -> Transfer:
        """Moves `amount` of the agent's available credits back to the treasury."""
        body = {"agentId": agent_id, "amount": amount_text(amount), "description": description}
        return Transfer.from_json(self.session.call("POST", "/v1/wallet/reclaim", body=body, keyed=True,
                                                    idempotency_key=idempotency_key))

    def balance(self, agent_id: str) -> Balance:
        return Balance.from_json(self.session.call("GET", f"/v1/agents/{_segment(agent_id)}/balance",
                                                   query={"tenantId": self.tenant_id}, idempotent=True))

    def set_balance_alert(self, agent_id: str, below: Amount) -> Balance:
        """The agent's `agent.balance_low` threshold: the event fires once each time its available
        balance falls from at least `below` to under it (0 turns it off)."""
        return Balance.from_json(self.session.call("PUT", f"/v1/agents/{_segment(agent_id)}/balance-alert",
                                                   body={"balanceLow": amount_text(below)}, idempotent=True))

    def create_webhook(self, url: str, *, events: tuple[str, ...] = (), description: str = "") -> Created:
        """A webhook endpoint for `events` (empty: every type); its signing secret (`whsec_…`) is in the answer only.
        Deliveries follow Standard Webhooks: verify them with the `standardwebhooks` package and this secret."""
        answer = self.session.call("POST", "/v1/webhooks",
                                   body={"url": url, "eventTypes": list(events), "description": description})
        return Created(str(answer["endpoint"]["id"]), str(answer["secret"]), answer)

    def webhooks(self) -> list[WebhookEndpoint]:
        """Every webhook endpoint of the tenant."""
        return [WebhookEndpoint.from_json(e) for e in self._pages("/v1/webhooks", "endpoints", {"pageSize": 100})]

    def update_webhook(self, endpoint_id: str, *, url: Optional[str] = None, events: Optional[tuple[str, ...]] = None,
                       description: Optional[str] = None, enabled: Optional[bool] = None) -> WebhookEndpoint:
        """Changes what is given; enabling a disabled endpoint sends what it still has pending."""
        body: dict[str, Any] = {}
        if url is not None:
            body["url"] = url
        if events is not None:
            body["replaceEventTypes"] = True
            body["eventTypes"] = list(events)
        if description is not None:
            body["description"] = description
        if enabled is not None:
            body["enabled"] = enabled
        return WebhookEndpoint.from_json(self.session.call("PATCH", f"/v1/webhooks/{_segment(endpoint_id)}", body=body,
                                                           idempotent=True))

    def delete_webhook(self, endpoint_id: str) -> WebhookEndpoint:
        return WebhookEndpoint.from_json(self.session.call("DELETE", f"/v1/webhooks/{_segment(endpoint_id)}",
                                                           idempotent=True))

    def rotate_webhook_secret(self, endpoint_id: str, *, overlap_seconds: int = 0) -> Created:
        """A new signing secret (in the answer only); the previous one keeps signing for `overlap_seconds`
        (0: one day)."""
        answer = self.session.call("POST", f"/v1/webhooks/{_segment(endpoint_id)}/rotate-secret",
                                   body={"overlapSeconds": str(overlap_seconds)})
        return Created(str(answer["endpoint"]["id"]), str(answer["secret"]), answer)

    def webhook_deliveries(self, endpoint_id: str, *, limit: int = 100) -> list[WebhookDelivery]:
        """The endpoint's newest deliveries, each with its attempts."""
        return [WebhookDelivery.from_json(d) for d in
                self._first(f"/v1/webhooks/{_segment(endpoint_id)}/deliveries", "deliveries", {}, limit)]

    def redeliver_webhook(self, delivery_id: str) -> WebhookDelivery:
        """Sends a delivery again, with the same `webhook-id`."""
        return WebhookDelivery.from_json(self.session.call(
            "POST", f"/v1/webhook-deliveries/{_segment(delivery_id)}/redeliver", body={}, idempotent=True))

    def set_policy(self, document: Union[Mapping[str, Any], str], *, agent_id: Optional[str] = None,
                   expected_version: Optional[int] = None) -> PolicyVersion:
        """Stores a new version of the tenant's policy, or of one agent's
        override when `agent_id` is given. `document` is the policy (amounts as
        decimal strings: `{"per_call_max": "5", "limits": [{"amount": "50",
        "interval": "daily"}]}`). `expected_version` refuses the write (409)
        when another version was stored since."""
        text = document if isinstance(document, str) else json.dumps(document)
        body: dict[str, Any] = {"documentJson": text}
        if expected_version is not None:
            body["expectedVersion"] = str(expected_version)
        path = self._tenant() + (f"/agents/{_segment(agent_id)}/policy" if agent_id else "/policy")
        return PolicyVersion.from_json(self.session.call("PUT", path, body=body))

    def effective_policy(self, agent_id: str) -> dict[str, Any]:
        """The policy that applies to `agent_id` (tenant's and agent's merged), as the gateway answers it."""
        return self.session.call("GET", f"{self._tenant()}/agents/{_segment(agent_id)}/policy", idempotent=True)

    def entries(self, *, account_id: str = "", limit: int = 100) -> list[Entry]:
        """Ledger entries of the tenant, or of one account, newest first."""
        query = {"tenantId": self.tenant_id, "accountId": account_id or None}
        return [Entry.from_json(item) for item in self._first("/v1/wallet/entries", "entries", query, limit)]

    def audit(self) -> dict[str, Any]:
        """The ledger audit of the tenant: `clean` and any discrepancies."""
        return self.session.call("GET", "/v1/wallet/audit", query={"tenantId": self.tenant_id}, idempotent=True)


class OperatorClient(Client):
    """The deployment's operator (`purser_ok_…`): tenants, their API keys and providers."""

    def create_tenant(self, slug: str, name: str, **options: Any) -> str:
        """A new tenant; returns its id. `options`: emailDomain, timeZone, currency, adminCanReadMail,
        acceptsPaymentsFromOtherTenants."""
        return str(self.session.call("POST", "/v1/tenants", body={"slug": slug, "name": name, **options})["id"])

    def create_api_key(self, tenant_id: str, role: str = "admin", *, label: str = "") -> Created:
        """A tenant API key of `role` (`admin` or `finance`); its secret is in the answer only."""
        body = {"role": "API_KEY_ROLE_" + role.upper(), "label": label}
        answer = self.session.call("POST", f"/v1/tenants/{_segment(tenant_id)}/api-keys", body=body)
        return Created(str(answer["key"]["id"]), str(answer["secret"]), answer)

    def register_provider(self, slug: str, name: str, *, default_category: str = "",
                          categories: tuple[str, ...] = ()) -> Created:
        """A new provider (a paid API); its secret (`purser_pk_…`) is in the answer only."""
        body = {"slug": slug, "name": name, "defaultCategory": default_category, "categories": list(categories)}
        answer = self.session.call("POST", "/v1/providers", body=body)
        return Created(str(answer["provider"]["id"]), str(answer["secret"]), answer)

    def run_settlement(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Settles the captures of [start, end) into batches per provider;
        both bounds are midnights UTC. Running a period again changes nothing."""
        period = {"startAtUs": _micros_since_epoch(start), "endAtUs": _micros_since_epoch(end)}
        return self.session.call("POST", "/v1/settlement/run", body={"period": period}, idempotent=True)
