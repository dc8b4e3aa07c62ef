"""The agent's own MCP tools (`python -m purser.mcp_tools`), driven by the
official `mcp` client over stdio and over streamable HTTP (HTTPS, bearer
token): the balance, recent spend and inbox are the agent's to the micro, a
payment token made by the tool pays only its provider up to its bound, and
refusals come back as tool errors naming their reason."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import anyio
import httpx
import httpx2
from conftest import World
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from purser import PermissionDenied
from purser.session import tls_context

TOOLS = {"balance", "recent_spend", "inbox", "read_message", "addresses", "payment_token"}


def server_environment(world: World) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PURSER_")}
    env.update(PURSER_URL=world.gateway.url, PURSER_SECRET=world.agent_secret, PURSER_CA=world.gateway.ca)
    return env


@asynccontextmanager
async def stdio_session(world: World) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "purser.mcp_tools"], env=server_environment(world))
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class HTTPServer:
    """`python -m purser.mcp_tools --transport streamable-http` over TLS with the test `gateway` certificate."""

    token = "mcp-test-token-" + os.urandom(8).hex()

    def __init__(self, world: World) -> None:
        self.port = free_port()
        env = server_environment(world)
        env["PURSER_MCP_TOKEN"] = self.token
        certs = world.gateway.certs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "purser.mcp_tools", "--transport", "streamable-http", "--port", str(self.port),
             "--tls-cert", os.path.join(certs, "gateway.pem"), "--tls-key", os.path.join(certs, "gateway.key")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.url = f"https://127.0.0.1:{self.port}/mcp"
        deadline = time.time() + 30
        while True:
            assert self.process.poll() is None, f"the MCP server exited: {self.process.stdout.read() if self.process.stdout else ''}"
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                assert time.time() < deadline, "the MCP server did not listen within 30 s"
                time.sleep(0.1)

    def stop(self) -> int:
        self.process.terminate()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("the MCP server did not stop on SIGTERM within 10 s")


@asynccontextmanager
async def http_session(server: HTTPServer, ca: str) -> AsyncIterator[ClientSession]:
    client = httpx2.AsyncClient(verify=tls_context(ca), headers={"Authorization": f"Bearer {server.token}"},
                                timeout=30)
    async with client, streamable_http_client(server.url, http_client=client) as (read, write), \
            ClientSession(read, write) as session:
        await session.initialize()
        yield session


async def call(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {result.content}"
    assert isinstance(result.structured_content, dict), result
    return result.structured_content


async def refusal(session: ClientSession, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await session.call_tool(tool, arguments)
    assert result.is_error, f"{tool} succeeded: {result.structured_content}"
    text = result.content[0].text  # type: ignore[union-attr]
    return json.loads(text[text.index("{"):])  # type: ignore[no-any-return]


async def exercise(session: ClientSession, world: World) -> None:
    """Every tool, checked against what the SDK and the ledger say."""
    listed = await session.list_tools()
    assert TOOLS <= {tool.name for tool in listed.tools}

    balance = await call(session, "balance")
    assert balance == {"balance": "50", "held": "0", "available": "50", "currency": "USD"}

    world.agent.charge(Decimal("0.003"), world.provider_id, category="search")
    hold = world.agent.charge(Decimal("1.25"), world.provider_id, category="news")
    world.provider.refund(world.tenant_id, hold.hold_id, Decimal("0.25"))
    spend = await call(session, "recent_spend", limit=10)
    assert spend["total"] == "1.003"
    assert [(p["kind"], p["amount"], p["category"]) for p in spend["payments"]] == [
        ("refund", "0.25", "news"), ("payment", "1.25", "news"), ("payment", "0.003", "search")]
    assert (await call(session, "balance"))["available"] == "48.997"

    address = (await call(session, "addresses"))["addresses"][0]
    subject = "Invoice " + os.urandom(3).hex()
    world.send_mail(address, subject, "Amount due: 12.50")
    inbox = await call(session, "inbox", limit=5)
    assert [m["subject"] for m in inbox["messages"]][:1] == [subject]
    message = await call(session, "read_message", message_id=inbox["messages"][0]["id"])
    assert message["body"].strip() == "Amount due: 12.50"

    # A payment token from the tool pays its provider, once, at most its bound.
    token = await call(session, "payment_token", provider_id=world.provider_id, max_amount="0.5", single_use=True)
    assert (token["max_amount"], token["audience"]) == ("0.5", f"provider:{world.provider_id}")
    try:
        world.provider.charge(token["token"], Decimal("0.6"))
        raise AssertionError("a charge over the token's bound went through")
    except PermissionDenied as over:
        assert over.reason == "token_amount_exceeded"
    world.provider.charge(token["token"], Decimal("0.5"))
    assert (await call(session, "balance"))["available"] == "48.497"

    refused = await refusal(session, "payment_token", provider_id=world.provider_id, max_amount="0")
    assert (refused["status"], refused["reason"]) == (400, "amount_invalid")
    missing = await refusal(session, "read_message", message_id="00000000-0000-4000-8000-000000000000")
    assert (missing["status"], missing["reason"]) == (404, "not_found")
    bad = await session.call_tool("payment_token", {"provider_id": world.provider_id, "max_amount": "0.0000001"})
    assert bad.is_error

    # Revoked: at once no payment token; every tool refuses once the services' revocation feed
    # (polled every 250 ms) has the agent, well within 5 s.
    world.admin.revoke_agent(world.agent_id, "compromised")
    no_token = await refusal(session, "payment_token", provider_id=world.provider_id, max_amount="0.1")
    assert no_token["reason"] in ("agent_revoked", "subject_revoked"), no_token
    deadline = time.monotonic() + 5
    while not (result := await session.call_tool("balance", {})).is_error:
        assert time.monotonic() < deadline, "the revoked agent's balance tool still answered 5 s after the revocation"
        await anyio.sleep(0.1)
    text = result.content[0].text  # type: ignore[union-attr]
    revoked = json.loads(text[text.index("{"):])
    assert (revoked["status"], revoked["reason"]) in ((401, "subject_revoked"), (401, "agent_revoked")), revoked


def run(body: Callable[[], Awaitable[None]]) -> None:
    anyio.run(body)


def test_the_agent_tools_over_stdio(world: World) -> None:
    async def body() -> None:
        async with stdio_session(world) as session:
            await exercise(session, world)
    run(body)


def test_the_agent_tools_over_streamable_http(world: World) -> None:
    server = HTTPServer(world)
    try:
        # No bearer token, or the wrong one: 401 before any tool runs.
        with httpx.Client(verify=tls_context(world.gateway.ca)) as raw:
            body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
            assert raw.post(server.url, json=body).status_code == 401
            assert raw.post(server.url, json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401

        async def body_() -> None:
            async with http_session(server, world.gateway.ca) as session:
                await exercise(session, world)
        run(body_)
    finally:
        status = server.stop()
    assert status in (0, -15), f"the MCP server exited {status} on SIGTERM"
