"""An MCP server that gives an agent its own Purser tools: its balance, its
recent spend, its inbox and mail, its addresses, and payment tokens to hand
a provider. It acts with the agent's credentials from the environment, so an
MCP client (the agent's model host) reads and pays only as that agent.

    PURSER_URL=https://purser.example:8443 PURSER_SECRET=purser_ak_… PURSER_CA=ca.pem \\
        python -m purser.mcp_tools                       # stdio
    … PURSER_MCP_TOKEN=… python -m purser.mcp_tools --transport streamable-http --port 8765

Over streamable HTTP every request must carry `Authorization: Bearer
$PURSER_MCP_TOKEN` (the server refuses to start without one), and
`--tls-cert`/`--tls-key` (or `PURSER_MCP_TLS_CERT`/`PURSER_MCP_TLS_KEY`) serve HTTPS. A refusal by Purser is a tool error
whose text ends with a JSON object of `status`, `reason`, `detail`, `rule`
and `headroom`, so the model can tell "out of money" from "over the daily cap".
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Optional, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from .client import AgentClient
from .errors import PurserError
from .money import amount_text

T = TypeVar("T")

#: Ledger entry kinds that are the agent's spending.
SPEND_KINDS = ("LEDGER_ENTRY_KIND_CAPTURE", "LEDGER_ENTRY_KIND_REFUND")


def _text(amount: Decimal) -> str:
    return amount_text(amount)


async def _run(call: Callable[[], T]) -> T:
    """Runs a blocking SDK call off the event loop; a Purser refusal becomes a tool error with its details."""
    try:
        return await anyio.to_thread.run_sync(call)
    except PurserError as error:
        raise ToolError(json.dumps({
            "status": error.status, "reason": error.reason, "detail": error.detail, "rule": error.rule,
            "headroom": None if error.headroom is None else _text(error.headroom),
        })) from error


def build_server(agent: AgentClient, *, name: str = "purser") -> MCPServer:
    """The MCP server of `agent`'s tools; every tool acts as that agent only."""
    server: MCPServer = MCPServer(name, log_level="WARNING", instructions=(
        "Purser tools of this agent: its credit balance, recent spend, inbox, and payment tokens for providers. "
        "Amounts are decimal strings of credits."))

    @server.tool(description="The agent's credits: balance, held by open authorizations, and available to spend.")
    async def balance() -> dict[str, Any]:
        result = await _run(agent.balance)
        return {"balance": _text(result.balance), "held": _text(result.held), "available": _text(result.available),
                "currency": result.currency}

    @server.tool(description="The agent's most recent payments and refunds, newest first, with their total.")
    async def recent_spend(limit: int = 20) -> dict[str, Any]:
        if not 1 <= limit <= 100:
            raise ToolError("limit must be between 1 and 100")
        entries = await _run(lambda: agent.entries(limit=100))
        spend = [e for e in entries if e.kind in SPEND_KINDS][:limit]
        total = sum((e.amount if e.kind == SPEND_KINDS[0] else -e.amount for e in spend), Decimal(0))
        return {
            "total": _text(total),
            "payments": [{
                "kind": "refund" if e.kind == SPEND_KINDS[1] else "payment", "amount": _text(e.amount),
                "provider_id": e.provider_id, "category": e.category, "hold_id": e.hold_id,
                "at": e.created_at.isoformat() if e.created_at else None,
            } for e in spend],
        }

    @server.tool(description="The agent's mail, newest first: sender, subject and id (read one with read_message).")
    async def inbox(limit: int = 10) -> dict[str, Any]:
        if not 1 <= limit <= 100:
            raise ToolError("limit must be between 1 and 100")
        messages = await _run(lambda: agent.inbox(limit=limit))
        return {"messages": [{
            "id": m.id, "from": m.sender, "to": m.recipient, "subject": m.subject,
            "received_at": m.received_at.isoformat() if m.received_at else None,
        } for m in messages]}

    @server.tool(description="One message of the agent's mail with its plain-text body.")
    async def read_message(message_id: str) -> dict[str, Any]:
        m = await _run(lambda: agent.message(message_id))
        return {"id": m.id, "from": m.sender, "to": m.recipient, "subject": m.subject, "body": m.plain_text}

    @server.tool(description="The agent's email addresses.")
    async def addresses() -> dict[str, Any]:
        return {"addresses": await _run(agent.addresses)}

    @server.tool(description=(
        "A payment token for one provider: it lets that provider charge this agent at most max_amount in all "
        "(a decimal string), for ttl_seconds, once when single_use; it can do nothing else."))
    async def payment_token(provider_id: str, max_amount: str, ttl_seconds: int = 300,
                            single_use: bool = True) -> dict[str, Any]:
        try:
            amount = amount_text(max_amount)
        except (TypeError, ValueError) as error:
            raise ToolError(f"max_amount: {error}") from None
        token = await _run(lambda: agent.payment_token(provider_id, amount, ttl_seconds=ttl_seconds, single_use=single_use))
        return {"token": token.token, "audience": token.audience, "max_amount": _text(token.max_amount),
                "single_use": token.single_use, "expires_at": token.expires_at.isoformat() if token.expires_at else None}

    return server


class BearerGate:
    """ASGI middleware: an HTTP request without `Authorization: Bearer <token>` is answered 401 and goes no further."""

    def __init__(self, app: Callable[..., Awaitable[None]], token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Awaitable[Any]],
                       send: Callable[..., Awaitable[None]]) -> None:
        if scope.get("type") == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": b'{"error": "unauthorized"}'})
                return
        await self.app(scope, receive, send)


def serve_http(server: MCPServer, *, host: str, port: int, token: str, tls_cert: Optional[str],
               tls_key: Optional[str]) -> None:
    """Serves `server` over streamable HTTP at `/mcp`, behind the bearer gate, over TLS when a certificate is given."""
    import uvicorn

    app = BearerGate(server.streamable_http_app(host=host), token)
    uvicorn.run(app, host=host, port=port, log_level="warning", ssl_certfile=tls_cert, ssl_keyfile=tls_key)


def main(argv: Optional[list[str]] = None) -> int:
    """`python -m purser.mcp_tools`: the agent's tools over stdio (default) or streamable HTTP."""
    parser = argparse.ArgumentParser(prog="python -m purser.mcp_tools", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--tls-cert", default=os.environ.get("PURSER_MCP_TLS_CERT") or None)
    parser.add_argument("--tls-key", default=os.environ.get("PURSER_MCP_TLS_KEY") or None)
    options = parser.parse_args(argv)
    try:
        agent = AgentClient.from_env()
    except ValueError as error:
        print(f"purser.mcp_tools: {error} (the agent's gateway URL and secret)", file=sys.stderr)
        return 2
    # One line per gateway call at INFO would bury the server's own messages.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with agent:
        server = build_server(agent)
        if options.transport == "stdio":
            server.run("stdio")
            return 0
        token = os.environ.get("PURSER_MCP_TOKEN", "")
        if len(token) < 16:
            print("purser.mcp_tools: PURSER_MCP_TOKEN (16 characters or more) is required over HTTP", file=sys.stderr)
            return 2
        if bool(options.tls_cert) != bool(options.tls_key):
            print("purser.mcp_tools: --tls-cert and --tls-key go together", file=sys.stderr)
            return 2
        serve_http(server, host=options.host, port=options.port, token=token, tls_cert=options.tls_cert,
                   tls_key=options.tls_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
