#!/usr/bin/env python3
"""An MCP server (the official `mcp` SDK's MCPServer) with a tool priced in
Purser credits (`purser.mcp_payment`), for x402_mcp_story.py.

Usage: x402_mcp_server.py stdio|http GATEWAY_URL CA_PEM PROVIDER_SECRET [PORT]
Tools: `search` costs 0.003 a call; `failing` costs 0.003 and always fails
(so it is never charged); `executions` (free) answers how often each priced
tool ran.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Shared", "python"))

from mcp.server.mcpserver import MCPServer  # noqa: E402

from purser.mcp_payment import PaidTools  # noqa: E402
from purser.x402 import PurserGateway  # noqa: E402


def main():
    transport, gateway_url, ca, secret = sys.argv[1:5]
    server = MCPServer("paid-search")
    paid = PaidTools(PurserGateway(gateway_url, secret, verify=ca))
    runs = {"search": 0, "failing": 0}

    @server.tool()
    @paid.require_payment("$0.003", description="Search, 0.003 a call")
    def search(query: str) -> dict:
        runs["search"] += 1
        return {"query": query, "results": ["a", "b"]}

    @server.tool()
    @paid.require_payment("$0.003", description="A tool that fails")
    def failing(query: str) -> dict:
        runs["failing"] += 1
        raise RuntimeError("upstream down")

    @server.tool()
    def executions() -> dict:
        return dict(runs)

    if transport == "stdio":
        server.run("stdio")
    else:
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[5]))


if __name__ == "__main__":
    main()
