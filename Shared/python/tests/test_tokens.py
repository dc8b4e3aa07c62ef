"""Token renewal against Identity's real 10 s tokens: the SDK renews a token
before it runs out, and renews and resends once when the gateway refuses an
expired one (401 `token_expired`); a principal that may no longer
authenticate gets the refusal, not a loop."""

from __future__ import annotations

import time
from decimal import Decimal

import httpx
import pytest
from conftest import World

from purser import Unauthenticated
from purser.session import tls_context

#: How long verifiers still accept a token past its expiry (PurserAuth's leeway).
LEEWAY_SECONDS = 30


def test_a_token_is_renewed_before_it_expires(world: World) -> None:
    agent = world.agent
    first = agent.session.token()
    lifetime = world.gateway.token_lifetime
    assert first.expires_at is not None
    assert first.expires_at.timestamp() - time.time() <= lifetime + 1
    renewals = agent.session.renewals
    time.sleep(lifetime / 2 + 0.5)
    agent.charge(Decimal("0.1"), world.provider_id)
    assert agent.session.renewals == renewals + 1
    assert agent.session.token().token != first.token
    # Long past the first token's expiry (and the verifiers' leeway is not needed): calls keep working.
    deadline = time.time() + lifetime * 2
    while time.time() < deadline:
        agent.balance()
        time.sleep(1)
    assert agent.balance().available == Decimal("49.9")
    assert agent.session.renewals >= renewals + 3


def test_a_token_refused_as_expired_is_renewed_and_the_call_sent_again(world: World) -> None:
    # A client that never renews early (renew_before=None) holds a token past its expiry and the leeway.
    with world.agent_client(world.agent_secret, renew_before=None) as agent:
        stale = agent.session.token()
        assert stale.expires_at is not None
        time.sleep(max(0.0, stale.expires_at.timestamp() - time.time()) + LEEWAY_SECONDS + 2)
        # The gateway really refuses that token now.
        with httpx.Client(verify=tls_context(world.gateway.ca)) as raw:
            refused = raw.get(f"{world.gateway.url}/v1/agents/{world.agent_id}/balance",
                              headers={"Authorization": f"Bearer {stale.token}"})
        assert (refused.status_code, refused.json()["reason"]) == (401, "token_expired")
        # The SDK's charge with it is renewed and sent again: one charge, with a new token.
        charged = agent.charge(Decimal("0.2"), world.provider_id)
        assert charged.amount == Decimal("0.2")
        assert agent.session.renewals == 2
        assert agent.session.token().token != stale.token
        assert [e.amount for e in agent.entries() if e.kind == "LEDGER_ENTRY_KIND_CAPTURE"] == [Decimal("0.2")]
        assert agent.balance().available == Decimal("49.8")


def test_a_suspended_agent_gets_the_refusal_when_its_token_is_renewed(world: World) -> None:
    world.admin.suspend_agent(world.agent_id)
    agent = world.agent_client(world.agent_secret)
    with agent, pytest.raises(Unauthenticated) as caught:
        agent.balance()
    assert (caught.value.status, caught.value.reason) == (401, "agent_suspended")
    world.admin.resume_agent(world.agent_id)
    with world.agent_client(world.agent_secret) as resumed:
        assert resumed.balance().available == Decimal("50")
