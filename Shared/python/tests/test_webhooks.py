"""Webhooks through the SDK: a tenant admin registers an endpoint, an agent's
spend crosses its balance-low threshold, and the event arrives signed per
Standard Webhooks (verified here with the `standardwebhooks` package); the
delivery log, rotation (both secrets sign) and redelivery (the same
`webhook-id`) as the SDK shows them."""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest
from conftest import World
from standardwebhooks.webhooks import Webhook

from purser import InvalidRequest


class Receiver:
    """A receiver on loopback that records every request's headers and body and answers 204."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver.lock:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, done: Callable[[list[tuple[dict[str, str], bytes]]], bool], seconds: float = 20) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                seen = list(self.requests)
            if done(seen):
                return seen
            time.sleep(0.05)
        raise AssertionError(f"timed out; seen {len(seen)} requests")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def test_a_balance_crossing_arrives_signed_logged_rotated_and_redelivered(world: World, receiver: Receiver) -> None:
    admin = world.admin
    created = admin.create_webhook(receiver.url, events=("agent.balance_low",), description="alerts")
    assert created.secret.startswith("whsec_")
    (endpoint,) = [e for e in admin.webhooks() if e.id == created.id]
    assert endpoint.enabled and endpoint.event_types == ("agent.balance_low",) and endpoint.url == receiver.url

    assert admin.set_balance_alert(world.agent_id, Decimal("40")).raw["balanceLow"] == "40"
    world.agent.charge(Decimal("15"), world.provider_id)  # 50 → 35: below 40
    ((headers, body),) = receiver.wait(lambda seen: len(seen) >= 1)
    payload = Webhook(created.secret).verify(body, headers)
    assert payload["type"] == "agent.balance_low" and headers["webhook-id"] == payload["id"]
    assert payload["data"]["agent_id"] == world.agent_id and payload["data"]["available_micros"] == 35_000_000

    (delivery,) = admin.webhook_deliveries(created.id)
    assert (delivery.status, delivery.event_id, delivery.attempt_count) == ("delivered", payload["id"], 1)

    # Rotated: the next delivery is signed with both secrets, so a receiver holding either verifies it.
    rotated = admin.rotate_webhook_secret(created.id)
    admin.redeliver_webhook(delivery.id)
    seen = receiver.wait(lambda seen: len(seen) >= 2)
    again_headers, again_body = seen[1]
    assert again_headers["webhook-id"] == headers["webhook-id"], "a redelivery carries the same webhook-id"
    for secret in (created.secret, rotated.secret):
        assert Webhook(secret).verify(again_body, again_headers)["id"] == payload["id"]
    assert json.loads(again_body) == json.loads(body)

    disabled = admin.update_webhook(created.id, enabled=False, events=("agent.balance_low", "agent.revoked"))
    assert not disabled.enabled and disabled.disabled_reason == "disabled_by_tenant"
    assert admin.delete_webhook(created.id).id == created.id
    assert [e for e in admin.webhooks() if e.id == created.id] == []


def test_an_endpoint_on_a_public_name_that_does_not_resolve_is_refused(world: World) -> None:
    with pytest.raises(InvalidRequest) as refused:
        world.admin.create_webhook("https://receiver.invalid/hooks")
    assert refused.value.reason == "url_unresolvable"
