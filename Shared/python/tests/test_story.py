"""The README's Python story through the SDK: an admin funds the tenant and
an agent, sets a policy; the agent authorizes and charges; the provider
captures, charges with a payment token and refunds; the ledger and the
settlement agree to the micro."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from conftest import World

from purser import LimitExceeded, OperatorClient


def test_the_readme_story_runs_through_the_sdk(world: World, operator: OperatorClient) -> None:
    admin, agent, provider = world.admin, world.agent, world.provider
    policy = admin.set_policy({"per_call_max": "5", "limits": [{"amount": "8", "interval": "daily"}],
                               "blocked_categories": ["gambling"]})
    assert policy.version == 1

    # The agent: a hold the provider captures in part, then a charge.
    hold = agent.authorize(Decimal("3"), world.provider_id, category="search", description="query batch")
    assert (hold.amount, hold.available_after) == (Decimal("3"), Decimal("47"))
    captured = provider.capture(world.tenant_id, hold.hold_id, Decimal("2.5"))
    assert (captured.captured, captured.released) == (Decimal("2.5"), Decimal("0.5"))
    charged = agent.charge(Decimal("2"), world.provider_id, category="search")
    assert charged.amount == Decimal("2") and charged.available_after == Decimal("45.5")

    # A payment token: the provider charges with it, at most 1 in all.
    token = agent.payment_token(world.provider_id, Decimal("1"))
    assert token.max_amount == Decimal("1") and token.audience == f"provider:{world.provider_id}"
    paid = provider.charge(token, Decimal("0.25"), category="search")
    assert paid.amount == Decimal("0.25")
    assert paid.available_after == Decimal(0), "a provider never sees the agent's balance"

    # A void and a refund, both the payee's acts.
    second = agent.authorize("1", world.provider_id)
    assert provider.void(world.tenant_id, second.hold_id).released == Decimal("1")
    refunded = provider.refund(world.tenant_id, charged.hold_id, Decimal("0.5"), reason="partial")
    assert refunded.refunded == Decimal("0.5")

    # 50 - 2.5 - 2 - 0.25 + 0.5 = 45.75, nothing held.
    balance = agent.balance()
    assert (balance.balance, balance.held, balance.available) == (Decimal("45.75"), Decimal(0), Decimal("45.75"))
    spent = agent.entries()
    captures = [e.amount for e in spent if e.kind == "LEDGER_ENTRY_KIND_CAPTURE"]
    refunds = [e.amount for e in spent if e.kind == "LEDGER_ENTRY_KIND_REFUND"]
    assert sorted(captures) == [Decimal("0.25"), Decimal("2"), Decimal("2.5")]
    assert refunds == [Decimal("0.5")]
    assert admin.balance(world.agent_id).balance == Decimal("45.75")
    assert admin.audit()["clean"] is True

    # The daily cap: 8 - 4.75 spent = 3.25 left.
    try:
        agent.charge(Decimal("4"), world.provider_id)
        raise AssertionError("a charge over the daily cap went through")
    except LimitExceeded as denied:
        assert (denied.status, denied.reason, denied.headroom) == (400, "limit_exceeded", Decimal("3.25"))
        assert denied.rule

    # Settlement: the provider's payout of the period is what it captured, net of the refund.
    start = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    operator.run_settlement(start, end)
    payout = provider.payouts(start=start, end=end)
    assert [(t.currency, t.net) for t in payout.totals] == [("USD", Decimal("4.25"))]

