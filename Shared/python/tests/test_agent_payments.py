"""An agent pays another agent of its tenant through the gateway: at once, or
by a hold the payee captures; the payer's policy decides whom it may pay."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import World

from purser import Denied, InvalidRequest, NotFound, PurserError


def test_an_agent_pays_another_at_once_and_by_a_hold_its_payee_captures(world: World) -> None:
    payee_id, payee_secret = world.new_agent("helper", Decimal(0))
    payee = world.agent_client(payee_secret)
    try:
        paid = world.agent.pay_agent(Decimal("1.25"), payee_id, description="subtask", idempotency_key="pay-1")
        again = world.agent.pay_agent(Decimal("1.25"), payee_id, description="subtask", idempotency_key="pay-1")
        assert paid.amount == Decimal("1.25") and again.entry_id == paid.entry_id
        hold = world.agent.authorize_agent(Decimal("2"), payee_id)
        with pytest.raises(NotFound):
            world.provider.capture(world.tenant_id, hold.hold_id)
        captured = payee.capture(hold.hold_id, Decimal("0.5"))
        assert captured.captured == Decimal("0.5") and captured.released == Decimal("1.5")
        assert payee.balance().balance == Decimal("1.75")
        assert world.agent.balance().available == Decimal("48.25")
    finally:
        payee.close()


def test_the_payers_policy_and_a_revoked_payee_refuse_with_a_reason(world: World) -> None:
    payee_id, _ = world.new_agent("helper", Decimal(0))
    world.admin.set_policy({"blocked_payees": [payee_id]}, agent_id=world.agent_id)
    blocked = pytest.raises(Denied, world.agent.pay_agent, Decimal("1"), payee_id)
    assert blocked.value.reason == "payee_blocked" and blocked.value.rule and "blocked_payees" in blocked.value.rule
    world.admin.set_policy({}, agent_id=world.agent_id)
    world.admin.revoke_agent(payee_id, "done")
    revoked = pytest.raises(Denied, world.agent.pay_agent, Decimal("1"), payee_id)
    assert revoked.value.reason == "payee_revoked"
    assert world.agent.balance().available == Decimal(50)


def test_a_payee_agent_is_named_as_handle_at_tenant_slug(world: World) -> None:
    payee_id, payee_secret = world.new_agent("helper", Decimal(0))
    payee = world.agent_client(payee_secret)
    try:
        world.agent.pay_agent(Decimal("1"), f"helper@{world.slug}")
        hold = world.agent.authorize_agent(Decimal("0.5"), f"helper@{world.slug}")
        assert payee.capture(hold.hold_id).captured == Decimal("0.5")
        assert payee.balance().balance == Decimal("1.5")
        unknown = pytest.raises(PurserError, world.agent.pay_agent, Decimal("1"), "helper@no-such-tenant")
        assert unknown.value.reason == "payee_unknown"
        malformed = pytest.raises(InvalidRequest, world.agent.pay_agent, Decimal("1"), "helper@")
        assert malformed.value.reason == "payee_invalid"
        assert world.agent.balance().available == Decimal("48.5")
    finally:
        payee.close()
