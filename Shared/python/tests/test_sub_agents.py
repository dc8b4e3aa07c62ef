"""An agent gives a sub-agent a budget carved from its own, narrows its
policy, reads its ledger and revokes its subtree, through the real gateway."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import World

from purser import Denied, InsufficientFunds, InvalidRequest, NotFound


def test_a_parent_funds_narrows_reads_and_revokes_its_sub_agents(world: World) -> None:
    parent = world.agent
    world.admin.set_policy({"per_call_max": "5"}, agent_id=world.agent_id)
    child = parent.create_sub_agent("scraper", budget=Decimal(10), policy={"per_call_max": "2"})
    assert child.agent.parent_agent_id == world.agent_id and child.agent.depth == 1
    assert child.budget == Decimal(10) and child.secret.startswith("purser_ak_")
    assert parent.balance().available == Decimal(40)

    child_client = world.agent_client(child.secret)
    try:
        assert child.email_address.startswith("scraper") and child.email_address in child_client.addresses()
        grandchild = child_client.create_sub_agent("fetcher", budget=Decimal(3))
        assert grandchild.agent.ancestor_ids == (world.agent_id, child.id)
        # The child's override binds it: 2 per call, under the parent's 5.
        over = pytest.raises(Denied, child_client.charge, Decimal("2.5"), world.provider_id)
        assert over.value.reason == "per_call_max_exceeded"
        child_client.charge(Decimal("1.5"), world.provider_id)

        parent.top_up(child.id, Decimal(4))
        back = parent.reclaim_from(child.id, Decimal(1))
        assert back.counterpart_available == Decimal(37)
        assert parent.sub_agent_balance(child.id).available == Decimal("8.5")
        kinds = [e.raw.get("kind") for e in parent.sub_agent_entries(child.id)]
        assert "LEDGER_ENTRY_KIND_DELEGATE" in kinds and "LEDGER_ENTRY_KIND_RETURN" in kinds

        assert [a.id for a in parent.tree()] == [world.agent_id, child.id, grandchild.id]
        # A child reaches down, never up.
        with pytest.raises(NotFound):
            child_client.sub_agent_balance(world.agent_id)
        with pytest.raises(NotFound):
            child_client.revoke_sub_agent(world.agent_id, "mutiny")

        revoked = parent.revoke_sub_agent(child.id, "task done")
        assert revoked.revoked_descendant_ids == (grandchild.id,)
        # Every unspent credit of the subtree is back with the parent: 50 − 1.5 spent by the child.
        assert parent.balance().available == Decimal("48.5")
        assert {a.status for a in parent.tree()[1:]} == {"AGENT_STATUS_REVOKED"}
    finally:
        child_client.close()


def test_a_refused_sub_agent_leaves_nothing_behind(world: World) -> None:
    parent = world.agent
    world.admin.set_policy({"per_call_max": "5"}, agent_id=world.agent_id)
    looser = pytest.raises(InvalidRequest, parent.create_sub_agent, "loose", budget=Decimal(1), policy={"per_call_max": "9"})
    assert looser.value.reason == "policy_looser_than_parent" and "per_call_max" in looser.value.detail
    rich = pytest.raises(InsufficientFunds, parent.create_sub_agent, "rich", budget=Decimal(51))
    assert rich.value.status == 400 and rich.value.reason == "insufficient_funds"
    assert [a.id for a in parent.tree()] == [world.agent_id]
    assert parent.balance().available == Decimal(50)
