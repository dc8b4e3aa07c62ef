"""What the SDK's calls return: small frozen records of the gateway's JSON
answers, amounts as `Decimal` and times as aware UTC `datetime`s. Each keeps
the whole answer in `raw` for fields it does not name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Mapping, Optional

from .money import parse_amount

JSON = Mapping[str, Any]


def _amount(data: JSON, key: str) -> Decimal:
    return parse_amount(data.get(key, "0"))


def _time(data: JSON, key: str) -> Optional[datetime]:
    """A `…Us` field (micros since the epoch, a string in proto3 JSON); None for 0."""
    micros = int(data.get(key) or 0)
    if micros == 0:
        return None
    seconds, rest = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=rest)


def _str(data: JSON, key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Token:
    """A bearer token from `POST /v1/auth/token` and whose it is."""

    token: str
    expires_at: Optional[datetime]
    subject: str
    tenant_id: str
    role: str

    @staticmethod
    def from_json(data: JSON) -> "Token":
        return Token(_str(data, "token"), _time(data, "expiresAtUs"), _str(data, "subject"), _str(data, "tenantId"),
                     _str(data, "role"))


@dataclass(frozen=True)
class Balance:
    """An agent's account: `available` = `balance` − `held`."""

    agent_id: str
    balance: Decimal
    held: Decimal
    available: Decimal
    currency: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Balance":
        return Balance(_str(data, "agentId"), _amount(data, "balance"), _amount(data, "held"), _amount(data, "available"),
                       _str(data, "currency"), data)


@dataclass(frozen=True)
class Hold:
    """An authorization: `amount` held for a provider until captured, voided or expired."""

    hold_id: str
    amount: Decimal
    available_after: Decimal
    expires_at: Optional[datetime]
    currency: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Hold":
        return Hold(_str(data, "holdId"), _amount(data, "amount"), _amount(data, "availableAfter"),
                    _time(data, "expiresAtUs"), _str(data, "currency"), data)


@dataclass(frozen=True)
class Charge:
    """A charge (authorize and capture in one step)."""

    hold_id: str
    entry_id: str
    amount: Decimal
    available_after: Decimal
    currency: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Charge":
        return Charge(_str(data, "holdId"), _str(data, "entryId"), _amount(data, "amount"),
                      _amount(data, "availableAfter"), _str(data, "currency"), data)


@dataclass(frozen=True)
class Capture:
    """A capture: `captured` paid to the provider, `released` back to the agent."""

    hold_id: str
    entry_id: str
    captured: Decimal
    released: Decimal
    currency: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Capture":
        return Capture(_str(data, "holdId"), _str(data, "entryId"), _amount(data, "captured"), _amount(data, "released"),
                       _str(data, "currency"), data)


@dataclass(frozen=True)
class Release:
    """A voided hold: `released` back to the agent."""

    hold_id: str
    released: Decimal
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Release":
        return Release(_str(data, "holdId"), _amount(data, "released"), data)


@dataclass(frozen=True)
class Refund:
    """A refund of (part of) a capture."""

    hold_id: str
    entry_id: str
    refunded: Decimal
    total_refunded: Decimal
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Refund":
        return Refund(_str(data, "holdId"), _str(data, "entryId"), _amount(data, "refunded"),
                      _amount(data, "totalRefunded"), data)


@dataclass(frozen=True)
class PaymentToken:
    """A token an agent hands one provider: it pays that provider at most `max_amount` in all."""

    token: str
    token_id: str
    audience: str
    max_amount: Decimal
    single_use: bool
    expires_at: Optional[datetime]

    @staticmethod
    def from_json(data: JSON) -> "PaymentToken":
        return PaymentToken(_str(data, "token"), _str(data, "tokenId"), _str(data, "audience"),
                            _amount(data, "maxAmount"), bool(data.get("singleUse")), _time(data, "expiresAtUs"))


@dataclass(frozen=True)
class Entry:
    """One ledger entry: `amount` moved from `debit_account` to `credit_account`."""

    entry_id: str
    kind: str
    debit_account: str
    credit_account: str
    amount: Decimal
    agent_id: str
    provider_id: str
    category: str
    hold_id: str
    description: str
    created_at: Optional[datetime]
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Entry":
        return Entry(_str(data, "entryId"), _str(data, "kind"), _str(data, "debitAccount"), _str(data, "creditAccount"),
                     _amount(data, "amount"), _str(data, "agentId"), _str(data, "providerId"), _str(data, "category"),
                     _str(data, "holdId"), _str(data, "description"), _time(data, "createdAtUs"), data)


@dataclass(frozen=True)
class Transfer:
    """A movement between the treasury, or an ancestor agent, and an agent
    (allocate, reclaim); `counterpart_*` are the ancestor's after the move."""

    entry_id: str
    amount: Decimal
    agent_balance: Decimal
    agent_available: Decimal
    treasury_balance: Decimal
    raw: JSON = field(repr=False, compare=False)
    counterpart_balance: Decimal = Decimal(0)
    counterpart_available: Decimal = Decimal(0)

    @staticmethod
    def from_json(data: JSON) -> "Transfer":
        return Transfer(_str(data, "entryId"), _amount(data, "amount"), _amount(data, "agentBalance"),
                        _amount(data, "agentAvailable"), _amount(data, "treasuryBalance"), data,
                        _amount(data, "counterpartBalance"), _amount(data, "counterpartAvailable"))


@dataclass(frozen=True)
class Funding:
    """Money from outside into the tenant's treasury."""

    entry_id: str
    amount: Decimal
    treasury_balance: Decimal
    currency: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Funding":
        return Funding(_str(data, "entryId"), _amount(data, "amount"), _amount(data, "treasuryBalance"),
                       _str(data, "currency"), data)


@dataclass(frozen=True)
class Agent:
    """An agent of a tenant (never its secret)."""

    id: str
    tenant_id: str
    handle: str
    display_name: str
    status: str
    raw: JSON = field(repr=False, compare=False)
    #: The agent that created this one ("" for an agent its tenant created).
    parent_agent_id: str = ""
    #: Every ancestor, the root first and the parent last.
    ancestor_ids: tuple[str, ...] = ()
    #: 0 for a root agent, its parent's depth + 1 for a sub-agent.
    depth: int = 0

    @staticmethod
    def from_json(data: JSON) -> "Agent":
        return Agent(_str(data, "id"), _str(data, "tenantId"), _str(data, "handle"), _str(data, "displayName"),
                     _str(data, "status"), data, _str(data, "parentAgentId"),
                     tuple(str(a) for a in data.get("ancestorIds") or ()), int(data.get("depth") or 0))


@dataclass(frozen=True)
class SubAgent:
    """A sub-agent just created: the agent, its secret (shown once), its address and the budget it was given."""

    agent: Agent
    secret: str
    email_address: str
    budget: Decimal
    raw: JSON = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.agent.id

    @staticmethod
    def from_json(data: JSON) -> "SubAgent":
        return SubAgent(Agent.from_json(data.get("agent") or {}), _str(data, "secret"), _str(data, "emailAddress"),
                        _amount(data, "budget"), data)


@dataclass(frozen=True)
class Revocation:
    """A revoked agent and the descendants revoked with it in the same transaction."""

    agent: Agent
    revoked_descendant_ids: tuple[str, ...]
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Revocation":
        return Revocation(Agent.from_json(data.get("agent") or {}),
                          tuple(str(a) for a in data.get("revokedDescendantIds") or ()), data)


@dataclass(frozen=True)
class Created:
    """Something made with a secret that is shown once (an agent, a key, a provider): its id and the secret."""

    id: str
    secret: str
    raw: JSON = field(repr=False, compare=False)


@dataclass(frozen=True)
class PolicyVersion:
    """A stored policy document and its version."""

    tenant_id: str
    agent_id: str
    version: int
    document_json: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "PolicyVersion":
        return PolicyVersion(_str(data, "tenantId"), _str(data, "agentId"), int(data.get("version") or 0),
                             _str(data, "documentJson"), data)


@dataclass(frozen=True)
class MessageSummary:
    """A mail message in the agent's inbox (the body is read with `message`)."""

    id: str
    recipient: str
    sender: str
    subject: str
    received_at: Optional[datetime]
    plain_text: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "MessageSummary":
        return MessageSummary(_str(data, "id"), _str(data, "recipient"), _str(data, "from"), _str(data, "subject"),
                              _time(data, "receivedAtUs"), _str(data, "plainText"), data)


@dataclass(frozen=True)
class PayoutTotal:
    """What is payable to a provider in one currency."""

    currency: str
    net: Decimal
    paid: Decimal
    due: Decimal
    pending: Decimal

    @staticmethod
    def from_json(data: JSON) -> "PayoutTotal":
        return PayoutTotal(_str(data, "currency"), _amount(data, "net"), _amount(data, "paid"), _amount(data, "due"),
                           _amount(data, "pending"))


@dataclass(frozen=True)
class Payout:
    """A provider's payout over a period: totals per currency and the batches."""

    provider_id: str
    totals: tuple[PayoutTotal, ...]
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "Payout":
        return Payout(_str(data, "providerId"), tuple(PayoutTotal.from_json(t) for t in data.get("totals", [])), data)


@dataclass(frozen=True)
class WebhookEndpoint:
    """A webhook endpoint of the tenant (never its signing secret); `event_types` empty = every type."""

    id: str
    url: str
    event_types: tuple[str, ...]
    description: str
    enabled: bool
    disabled_reason: str
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "WebhookEndpoint":
        return WebhookEndpoint(_str(data, "id"), _str(data, "url"), tuple(str(t) for t in data.get("eventTypes", [])),
                               _str(data, "description"), _str(data, "status") == "WEBHOOK_ENDPOINT_STATUS_ENABLED",
                               _str(data, "disabledReason"), data)


@dataclass(frozen=True)
class WebhookDelivery:
    """One event sent (or to be sent) to one endpoint: `status` is `pending`, `delivered` or `failed`;
    `event_id` is the `webhook-id` of every attempt; `raw["attempts"]` holds the newest attempts."""

    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    agent_id: str
    status: str
    attempt_count: int
    raw: JSON = field(repr=False, compare=False)

    @staticmethod
    def from_json(data: JSON) -> "WebhookDelivery":
        status = _str(data, "status").removeprefix("WEBHOOK_DELIVERY_STATUS_").lower()
        return WebhookDelivery(_str(data, "id"), _str(data, "endpointId"), _str(data, "eventId"), _str(data, "eventType"),
                               _str(data, "agentId"), status, int(data.get("attemptCount") or 0), data)
