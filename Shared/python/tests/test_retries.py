"""Retries: a call whose answer is lost after the gateway acted is sent again
only when that cannot act twice. Between the SDK and the real gateway sits a
TLS proxy that lets the request through and cuts the connection before the
answer: a ledger call is retried with the idempotency key it was first sent
with and answers the first outcome, once; a call with no key is not
retried, and the SDK says it does not know whether it took effect."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Iterator
from urllib.parse import urlparse

import pytest
from conftest import World

from purser import AdminClient, AgentClient, ProviderClient, TransportError
from cutproxy import CutProxy


@pytest.fixture
def proxy(world: World) -> Iterator[CutProxy]:
    certs = world.gateway.certs
    port = urlparse(world.gateway.url).port
    assert port is not None
    cut = CutProxy(port, os.path.join(certs, "gateway.pem"), os.path.join(certs, "gateway.key"), world.gateway.ca)
    yield cut
    cut.close()


def test_a_charge_whose_answer_was_lost_is_retried_with_its_key_and_charged_once(world: World, proxy: CutProxy) -> None:
    with AgentClient(proxy.url, world.agent_secret, ca_file=world.gateway.ca, backoff=0.05) as agent:
        proxy.cut(lambda seen: seen.path == "/v1/wallet/charge")
        charged = agent.charge(Decimal("1.25"), world.provider_id, category="search")
    charges = [seen for seen in proxy.seen if seen.path == "/v1/wallet/charge"]
    assert proxy.cuts == 1 and len(charges) == 2, "the first answer was cut and the charge sent again"
    assert charges[0].idempotency_key and charges[0].idempotency_key == charges[1].idempotency_key
    captures = [e for e in world.agent.entries() if e.kind == "LEDGER_ENTRY_KIND_CAPTURE"]
    assert [(e.hold_id, e.amount) for e in captures] == [(charged.hold_id, Decimal("1.25"))]
    assert world.agent.balance().available == Decimal("48.75")


def test_two_logical_calls_get_two_keys(world: World, proxy: CutProxy) -> None:
    with AgentClient(proxy.url, world.agent_secret, ca_file=world.gateway.ca) as agent:
        agent.charge(Decimal("1"), world.provider_id)
        agent.charge(Decimal("1"), world.provider_id)
    keys = [seen.idempotency_key for seen in proxy.seen if seen.path == "/v1/wallet/charge"]
    assert len(keys) == 2 and len(set(keys)) == 2
    assert world.agent.balance().available == Decimal("48")


def test_a_capture_and_a_fund_are_retried_with_their_keys_too(world: World, proxy: CutProxy) -> None:
    hold = world.agent.authorize(Decimal("2"), world.provider_id)
    with ProviderClient(proxy.url, world.provider_secret, ca_file=world.gateway.ca, backoff=0.05) as provider:
        proxy.cut(lambda seen: seen.path == "/v1/wallet/capture")
        captured = provider.capture(world.tenant_id, hold.hold_id, Decimal("1.5"))
    assert (captured.captured, captured.released) == (Decimal("1.5"), Decimal("0.5"))
    with AdminClient(proxy.url, world.admin_secret, ca_file=world.gateway.ca, backoff=0.05) as admin:
        proxy.cut(lambda seen: seen.path == "/v1/wallet/fund")
        funded = admin.fund(Decimal("10"), "wire-0002")
    assert funded.treasury_balance == Decimal("60")
    assert proxy.cuts == 2
    assert world.agent.balance().available == Decimal("48.5")


def test_a_call_without_a_key_is_not_retried_after_a_lost_answer(world: World, proxy: CutProxy) -> None:
    with AdminClient(proxy.url, world.admin_secret, ca_file=world.gateway.ca, backoff=0.05) as admin:
        proxy.cut(lambda seen: seen.path.endswith("/agents") and seen.method == "POST")
        with pytest.raises(TransportError) as caught:
            admin.create_agent("summarizer")
    assert caught.value.status == 0 and caught.value.reason == "connection_failed"
    creates = [seen for seen in proxy.seen if seen.method == "POST" and seen.path.endswith("/agents")]
    assert len(creates) == 1, "a create with no idempotency key is sent once"
    # It did take effect: which is why it must not be sent twice.
    assert [a.handle for a in world.admin.agents()].count("summarizer") == 1


def test_a_read_is_retried_after_a_lost_answer(world: World, proxy: CutProxy) -> None:
    with AgentClient(proxy.url, world.agent_secret, ca_file=world.gateway.ca, backoff=0.05) as agent:
        proxy.cut(lambda seen: seen.path.endswith("/balance"), times=2)
        assert agent.balance().available == Decimal("50")
    assert proxy.cuts == 2
    assert len([seen for seen in proxy.seen if seen.path.endswith("/balance")]) == 3
