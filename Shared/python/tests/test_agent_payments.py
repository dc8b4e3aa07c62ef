"""An agent pays another agent through the gateway: at once, or by a hold the
payee captures; the payer's policy decides whom it may pay, and an agent of
another tenant is paid only if its tenant accepts payments from other tenants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import World

from purser import AdminClient, Denied, InvalidRequest, NotFound, OperatorClient, PurserError


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


def test_an_agent_pays_an_agent_of_another_tenant_only_if_that_tenant_accepts(world: World, operator: OperatorClient) -> None:
    helpers = {}
    admins = []
    for accepts in (True, False):
        slug = ("open-" if accepts else "shut-") + world.slug
        tenant_id = operator.create_tenant(slug, "Helpers", acceptsPaymentsFromOtherTenants=accepts)
        admin = AdminClient(world.gateway.url, operator.create_api_key(tenant_id, "admin").secret, ca_file=world.gateway.ca)
        admins.append(admin)
        created = admin.create_agent("helper")
        helpers[accepts] = (f"helper@{slug}", admin, world.agent_client(created.secret))
    try:
        name, _, payee = helpers[True]
        world.agent.pay_agent(Decimal("2"), name, idempotency_key="x-pay-1")
        hold = world.agent.authorize_agent(Decimal("0.5"), name)
        assert payee.capture(hold.hold_id).captured == Decimal("0.5")
        assert payee.balance().balance == Decimal("2.5")
        refused = pytest.raises(Denied, world.agent.pay_agent, Decimal("1"), helpers[False][0])
        assert refused.value.reason == "payee_refuses_other_tenants"
        assert world.agent.balance().available == Decimal("47.5")
    finally:
        for _, _, client in helpers.values():
            client.close()
        for admin in admins:
            admin.close()
