"""Many threads spending from one agent at once through one SDK client (one
token, renewed under them every few seconds) against the real ledger: no
interleaving overspends the balance or the daily cap, every refusal says
which, and the totals are exact to the micro."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from conftest import World

from purser import Charge, InsufficientFunds, LimitExceeded, PurserError

THREADS = 16


def spend(world: World, secret: str, amount: Decimal, calls: int) -> list[object]:
    with world.agent_client(secret) as agent:
        def one(_: int) -> object:
            try:
                return agent.charge(amount, world.provider_id, category="search")
            except PurserError as error:
                return error
        with ThreadPoolExecutor(THREADS) as pool:
            return list(pool.map(one, range(calls)))


def test_concurrent_charges_never_overspend_the_balance(world: World) -> None:
    agent_id, secret = world.new_agent("burst", Decimal("3"))
    outcomes = spend(world, secret, Decimal("0.07"), 64)
    paid = [o for o in outcomes if isinstance(o, Charge)]
    refused = [o for o in outcomes if not isinstance(o, Charge)]
    # 3 / 0.07 = 42 charges fit (2.94); the 22 others are refused for want of money, nothing else.
    assert len(paid) == 42
    assert all(isinstance(o, InsufficientFunds) and o.reason == "insufficient_funds" for o in refused), refused[:3]
    balance = world.admin.balance(agent_id)
    assert (balance.balance, balance.held, balance.available) == (Decimal("0.06"), Decimal(0), Decimal("0.06"))
    captures = [e.amount for e in world.admin.entries(account_id=agent_id) if e.kind == "LEDGER_ENTRY_KIND_CAPTURE"]
    assert len(captures) == 42 and sum(captures, Decimal(0)) == Decimal("2.94")
    assert world.admin.audit()["clean"] is True


def test_concurrent_charges_never_pass_the_daily_cap(world: World) -> None:
    agent_id, secret = world.new_agent("capped", Decimal("20"))
    world.admin.set_policy({"limits": [{"amount": "1.5", "interval": "daily"}]}, agent_id=agent_id)
    outcomes = spend(world, secret, Decimal("0.1"), 48)
    paid = [o for o in outcomes if isinstance(o, Charge)]
    refused = [o for o in outcomes if not isinstance(o, Charge)]
    assert len(paid) == 15
    assert all(isinstance(o, LimitExceeded) and o.reason == "limit_exceeded" and o.rule for o in refused), refused[:3]
    # Once the cap is reached exactly, every refusal says nothing is left.
    assert all(isinstance(o, LimitExceeded) and o.headroom is not None and o.headroom < Decimal("0.1") for o in refused)
    assert world.admin.balance(agent_id).available == Decimal("18.5")
    assert world.admin.audit()["clean"] is True
