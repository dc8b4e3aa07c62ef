#!/usr/bin/env python3
"""Priced MCP tools paid with Purser credits over x402's MCP transport, with
the official MCP SDK (PyPI `mcp`) on both sides, over stdio and over
streamable HTTP: an MCP server (x402_mcp_server.py) whose `search` tool costs
0.003, and agents calling it through `purser.mcp_payment.PayingSession`.

Checks, per transport: an unpaid call answers x402's payment-required tool
error; 10 paid calls take exactly 0.030 and each answer carries its
settlement in `_meta["x402/payment-response"]`; a tool that fails charges
nothing; over a daily cap the payment is refused with the rule's reason and
headroom and the tool does not run; a revoked agent gets nothing. Then the
ledger audit is clean.

Usage: x402_mcp_story.py BASE_URL CA_PEM OPERATOR_SECRET
Prints one line per failed check and `x402 mcp story: N passed, M failed`;
exits 0 when nothing failed, 1 otherwise, 2 when it cannot run.
"""
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Shared", "python"))

import requests  # noqa: E402
from mcp import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

from purser.mcp_payment import PAYMENT_RESPONSE_META_KEY, PayingSession  # noqa: E402
from purser.x402 import PurserGateway, PurserPaymentRefused  # noqa: E402

sys.path.insert(0, HERE)
from interop_story import Story  # noqa: E402


class McpStory(Story):
    def report(self):
        for failure in self.failures:
            print("FAIL:", failure, flush=True)
            print("FAIL:", failure, file=sys.stderr, flush=True)
        print(f"{self.label}: {self.passed} passed, {len(self.failures)} failed", flush=True)
        return 0 if not self.failures else 1


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def check_transport(story, label, connect, world):
    """The checks over one transport; `connect` opens (read, write) streams to a fresh server."""
    tenant_id, admin, balance, agent, server_args = world
    payer_id, payer_secret = agent(f"{label}-payer", "1")
    capped_id, capped_secret = agent(f"{label}-capped", "1")
    story.ok("cap", "PUT", f"/v1/tenants/{tenant_id}/agents/{capped_id}/policy", token=admin,
             body={"documentJson": '{"limits": [{"amount": "0.005", "interval": "daily"}]}'})
    revoked_id, revoked_secret = agent(f"{label}-revoked", "1")
    async with connect(server_args) as streams:
        async with ClientSession(streams[0], streams[1]) as session:
            await session.initialize()
            tools = {tool.name for tool in (await session.list_tools()).tools}
            story.expect({"search", "failing", "executions"} <= tools, f"{label}: tools {tools}")

            async def executions():
                result = await session.call_tool("executions", {})
                return json.loads(result.content[0].text)

            unpaid = await session.call_tool("search", {"query": "free?"})
            required = unpaid.structured_content or {}
            story.expect(unpaid.is_error and required.get("x402Version") == 2 and required["accepts"][0]["amount"] == "3000"
                         and required["accepts"][0]["scheme"] == "upto" and required["resource"]["url"] == "mcp://tool/search",
                         f"{label}: an unpaid call answers payment required: {unpaid}")

            payer = PayingSession(session, PurserGateway(story.base, payer_secret, verify=story.ca))
            for index in range(10):
                paid = await payer.call_tool("search", {"query": f"q{index}"})
                story.expect(paid.paid and not paid.result.is_error and json.loads(paid.text)["query"] == f"q{index}",
                             f"{label}: paid call {index}: {paid.result}")
                receipt = paid.receipt or {}
                story.expect(receipt.get("success") is True and receipt.get("amount") == "3000"
                             and receipt.get("payer") == payer_id, f"{label}: receipt in _meta[{PAYMENT_RESPONSE_META_KEY}]: {receipt}")
            after = balance(payer_id)
            story.expect(after["balance"] == "0.97" and after["held"] == "0", f"{label}: 10 calls take exactly 0.03: {after}")
            story.expect((await executions())["search"] == 10, f"{label}: the tool ran 10 times")

            failed = await payer.call_tool("failing", {"query": "x"})
            story.expect(failed.result.is_error and failed.receipt is None, f"{label}: a failing tool: {failed.result}")
            after = balance(payer_id)
            story.expect(after["balance"] == "0.97" and after["held"] == "0", f"{label}: a failing tool charges nothing: {after}")

            capped = PayingSession(session, PurserGateway(story.base, capped_secret, verify=story.ca))
            first = await capped.call_tool("search", {"query": "under the cap"})
            story.expect(first.paid and not first.result.is_error, f"{label}: a call under the cap: {first.result}")
            try:
                over = await capped.call_tool("search", {"query": "over the cap"})
                story.expect(False, f"{label}: a call over the cap was answered {over.result}")
            except PurserPaymentRefused as refusal:
                story.expect(refusal.reason == "limit_exceeded" and refusal.headroom == "0.002" and refusal.rule,
                             f"{label}: over the cap: {refusal.problem}")
            story.expect((await executions())["search"] == 11, f"{label}: a call over the cap does not run the tool")
            story.expect(balance(capped_id)["balance"] == "0.997", f"{label}: over the cap only the paid call was charged")

            revoked_gateway = PurserGateway(story.base, revoked_secret, verify=story.ca)
            revoked_gateway.token()  # its token was issued before the revocation
            revoked = PayingSession(session, revoked_gateway)
            story.ok("revoke", "POST", f"/v1/tenants/{tenant_id}/agents/{revoked_id}/revoke", token=admin, body={"reason": "x"})
            try:
                answer = await revoked.call_tool("search", {"query": "revoked"})
                story.expect(False, f"{label}: a revoked agent was answered {answer.result}")
            except PurserPaymentRefused as refusal:
                story.expect(refusal.reason in ("agent_revoked", "subject_revoked", "agent_suspended"),
                             f"{label}: a revoked agent: {refusal.problem}")
            story.expect((await executions())["search"] == 11, f"{label}: a revoked agent does not run the tool")
            # It paid nothing: its whole credit (1) went back to the treasury when it was revoked.
            left = balance(revoked_id)
            story.expect(left["balance"] == "0" and left["held"] == "0", f"{label}: a revoked agent keeps nothing: {left}")
            returned = story.ok("returned", "GET", "/v1/wallet/entries", token=admin,
                                query={"accountId": revoked_id, "kind": "LEDGER_ENTRY_KIND_RETURN"})["entries"]
            story.expect([(e["amount"], e["debitAccount"]) for e in returned] == [("1", revoked_id)],
                         f"{label}: a revoked agent paid nothing and returned its credit: {returned}")


def stdio_transport(server_args):
    return stdio_client(StdioServerParameters(command=sys.executable, args=[os.path.join(HERE, "x402_mcp_server.py"),
                                                                            "stdio", *server_args]))


class HTTPServerProcess:
    """The MCP server over streamable HTTP, as its own process."""

    def __init__(self, server_args):
        self.port = free_port()
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "x402_mcp_server.py"), "http", *server_args, str(self.port)],
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    self.log.seek(0)
                    raise SystemExit(f"the MCP server stopped: {self.log.read().decode()[-2000:]}")
                time.sleep(0.2)
        raise SystemExit("the MCP server did not listen within 30 s")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # open streams keep a graceful shutdown waiting
            self.process.kill()
            self.process.wait(timeout=5)
        self.log.close()


def http_transport(server_process):
    def connect(server_args):
        return streamable_http_client(f"http://127.0.0.1:{server_process.port}/mcp")
    return connect


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    story = McpStory(sys.argv[1], sys.argv[2], "x402 mcp story")
    slug = "mcp-" + uuid.uuid4().hex[:8]
    operator = story.token(sys.argv[3])
    tenant_id = story.ok("tenant", "POST", "/v1/tenants", token=operator, body={"slug": slug, "name": "Tools"})["id"]
    admin = story.token(story.ok("admin", "POST", f"/v1/tenants/{tenant_id}/api-keys", token=operator,
                                 body={"role": "API_KEY_ROLE_ADMIN"})["secret"])
    story.ok("fund", "POST", "/v1/wallet/fund", token=admin, key="fund", body={"amount": "100", "externalReference": "wire"})
    provider = story.ok("provider", "POST", "/v1/providers", token=operator,
                        body={"slug": "tools-" + slug, "name": "Tools", "defaultCategory": "search"})

    def agent(handle, credits):
        created = story.ok("agent", "POST", f"/v1/tenants/{tenant_id}/agents", token=admin, body={"handle": handle})
        agent_id = created["agent"]["id"]
        story.ok("allocate", "POST", "/v1/wallet/allocate", token=admin, key=f"alloc-{agent_id}",
                 body={"agentId": agent_id, "amount": credits})
        return agent_id, created["secret"]

    def balance(agent_id):
        return story.ok("balance", "GET", f"/v1/agents/{agent_id}/balance", token=admin, query={"tenantId": tenant_id})

    server_args = [story.base, story.ca, provider["secret"]]
    world = (tenant_id, admin, balance, agent, server_args)
    asyncio.run(check_transport(story, "stdio", stdio_transport, world))
    http_server = HTTPServerProcess(server_args)
    try:
        asyncio.run(check_transport(story, "http", http_transport(http_server), world))
    finally:
        http_server.stop()
    audit = story.ok("audit", "GET", "/v1/wallet/audit", token=admin, query={"tenantId": tenant_id})
    story.expect(audit["clean"] is True, f"audit {audit}")
    return story.report()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except requests.RequestException as error:
        print(f"x402 mcp story: cannot reach the gateway: {error}", file=sys.stderr)
        sys.exit(2)
