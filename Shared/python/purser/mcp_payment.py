"""Priced MCP tools paid with Purser credits, following x402's MCP transport,
for the official MCP Python SDK (``mcp`` ≥ 2) and the x402 SDK.

The transport: a tool called without payment answers a tool error whose
``structuredContent`` (and text) is x402's ``PaymentRequired``
(``x402Version``, ``accepts``, ``resource``, ``error``); the client calls
again with the payment payload in ``_meta["x402/payment"]``; a paid answer
carries the settlement in ``_meta["x402/payment-response"]``. Payments are
verified before the tool runs and settled after it succeeds, through Purser's
facilitator as the provider (`purser.x402`).

Server::

    from mcp.server.mcpserver import MCPServer
    from purser.x402 import PurserGateway
    from purser.mcp_payment import PaidTools

    server = MCPServer("search")
    paid = PaidTools(PurserGateway("https://purser.example", PROVIDER_SECRET))

    @server.tool()
    @paid.require_payment("$0.003")
    def search(query: str) -> dict:
        return {"results": []}

Agent::

    from purser.mcp_payment import PayingSession
    paying = PayingSession(session, PurserGateway("https://purser.example", AGENT_SECRET))
    result = await paying.call_tool("search", {"query": "weather"})   # result.receipt: the settlement
"""
from __future__ import annotations

import asyncio
import functools
import inspect
import json
from dataclasses import dataclass
from typing import Any, Callable

from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, TextContent
from x402 import x402ClientSync, x402ResourceServerSync
from x402.schemas import PaymentPayload, PaymentRequired, ResourceConfig, ResourceInfo, SettleResponse

from .x402 import SCHEME, PurserGateway, facilitator_client, network, register_purser_client, register_purser_server

#: Where the client puts the payment payload in a tool call's ``_meta``.
PAYMENT_META_KEY = "x402/payment"
#: Where a paid tool result carries the settlement in its ``_meta``.
PAYMENT_RESPONSE_META_KEY = "x402/payment-response"


class PaidTools:
    """The paid side: tools priced in credits, payable to the provider ``provider`` signs in as."""

    def __init__(self, provider: PurserGateway, deployment_id: str = "local", asset: str = "USD"):
        self.provider_id = provider.subject()
        self.network = network(deployment_id)
        self.server = register_purser_server(x402ResourceServerSync(facilitator_client(provider)), deployment_id, asset)
        self.server.initialize()

    def require_payment(self, price: str, *, description: str = "", max_timeout_seconds: int = 300) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorates a tool (sync or async, returning a dict or a string) so that
        each call costs at most ``price`` credits (``"$0.003"``), paid before it
        runs and settled after it succeeds; a tool that raises is not charged
        (its hold is released)."""
        accepts = self.server.build_payment_requirements(ResourceConfig(
            scheme=SCHEME, pay_to=self.provider_id, price=price, network=self.network,
            max_timeout_seconds=max_timeout_seconds))

        def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
            resource = ResourceInfo(url=f"mcp://tool/{handler.__name__}", description=description or handler.__name__,
                                    mime_type="application/json")

            @functools.wraps(handler)
            async def paid(*args: Any, ctx: Context, **kwargs: Any) -> CallToolResult:
                payment = _payment_of(ctx)
                if payment is None:
                    return self._payment_required(accepts, resource, "Payment required")
                try:
                    payload = PaymentPayload.model_validate(json.loads(payment) if isinstance(payment, str) else payment)
                except Exception as error:  # noqa: BLE001 - any malformed payload is the client's error
                    return self._payment_required(accepts, resource, f"invalid_payload: {error}")
                requirements = self.server.find_matching_requirements(accepts, payload)
                if requirements is None:
                    return self._payment_required(accepts, resource, "invalid_payment_requirements")
                try:
                    verified = await asyncio.to_thread(self.server.verify_payment, payload, requirements)
                except Exception as error:  # noqa: BLE001 - the facilitator refused or failed
                    return self._payment_required(accepts, resource, getattr(error, "invalid_reason", None) or str(error))
                if not verified.is_valid:
                    return self._payment_required(accepts, resource, verified.invalid_reason or "invalid_payload")
                try:
                    result = handler(*args, **kwargs)
                    if inspect.isawaitable(result):
                        result = await result
                except Exception as error:  # noqa: BLE001 - the tool failed: release the hold, charge nothing
                    release = requirements.model_copy(update={"amount": "0"})
                    await asyncio.to_thread(self.server.settle_payment, payload, release)
                    return CallToolResult(content=[TextContent(type="text", text=f"tool error: {error}")], is_error=True)
                text = result if isinstance(result, str) else json.dumps(result)
                try:
                    settled = await asyncio.to_thread(self.server.settle_payment, payload, requirements)
                except Exception as error:  # noqa: BLE001
                    settled = SettleResponse(success=False, error_reason=str(error), transaction="", network=self.network)
                receipt = settled.model_dump(by_alias=True, exclude_none=True)
                if not settled.success:
                    failed = self._payment_required(accepts, resource, f"settlement failed: {settled.error_reason}")
                    failed.meta = {PAYMENT_RESPONSE_META_KEY: receipt}
                    return failed
                done = CallToolResult(content=[TextContent(type="text", text=text)], is_error=False)
                done.meta = {PAYMENT_RESPONSE_META_KEY: receipt}
                return done

            signature = inspect.signature(handler)
            parameters = list(signature.parameters.values()) + [
                inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)]
            setattr(paid, "__signature__", signature.replace(parameters=parameters, return_annotation=CallToolResult))
            paid.__annotations__ = {**getattr(handler, "__annotations__", {}), "ctx": Context, "return": CallToolResult}
            return paid

        return decorator

    def _payment_required(self, accepts: list[Any], resource: ResourceInfo, error: str) -> CallToolResult:
        required = {
            "x402Version": 2,
            "error": error,
            "resource": resource.model_dump(by_alias=True, exclude_none=True),
            "accepts": [requirement.model_dump(by_alias=True, exclude_none=True) for requirement in accepts],
        }
        return CallToolResult(content=[TextContent(type="text", text=json.dumps(required))], structured_content=required,
                              is_error=True)


def _payment_of(ctx: Context) -> Any:
    """``_meta["x402/payment"]`` of the tool call ``ctx`` serves, if any."""
    try:
        meta = ctx.request_context.meta
    except (AttributeError, ValueError):
        return None
    if meta is None:
        return None
    if isinstance(meta, dict):
        return meta.get(PAYMENT_META_KEY)
    extra = getattr(meta, "model_extra", None) or {}
    return extra.get(PAYMENT_META_KEY) or getattr(meta, PAYMENT_META_KEY, None)


@dataclass
class PaidResult:
    """A tool call's answer, and what paying it did."""

    result: CallToolResult
    #: The settlement (``_meta["x402/payment-response"]``) when the call was paid.
    receipt: dict[str, Any] | None
    paid: bool

    @property
    def text(self) -> str:
        return "".join(getattr(item, "text", "") for item in self.result.content)


class PayingSession:
    """The agent's side: an MCP ``ClientSession`` whose priced tools are paid
    from the agent's credits. A tool answering x402's payment-required result
    is paid with Purser's x402 scheme (the x402 SDK's client) and called again
    with the payment in ``_meta["x402/payment"]``. A refusal to pay (a cap,
    out of credits, revoked) raises `purser.x402.PurserPaymentRefused`."""

    def __init__(self, session: Any, gateway: PurserGateway, deployment_id: str = "local", asset: str = "USD"):
        self.session = session
        self.client = register_purser_client(x402ClientSync(), gateway, deployment_id, asset=asset)

    async def call_tool(self, name: str, arguments: dict[str, Any] | None = None) -> PaidResult:
        result = await self.session.call_tool(name, arguments or {})
        required = _payment_required_of(result)
        if required is None:
            return PaidResult(result, None, False)
        payload = await asyncio.to_thread(self.client.create_payment_payload, required)
        result = await self.session.call_tool(
            name, arguments or {}, meta={PAYMENT_META_KEY: payload.model_dump(by_alias=True, exclude_none=True)})
        receipt = (result.meta or {}).get(PAYMENT_RESPONSE_META_KEY)
        return PaidResult(result, receipt, True)


def _payment_required_of(result: CallToolResult) -> PaymentRequired | None:
    """x402's ``PaymentRequired`` in a tool error, from ``structuredContent`` or the text."""
    if not result.is_error:
        return None
    candidates = [result.structured_content] + [
        _json(getattr(item, "text", "")) for item in result.content]
    for candidate in candidates:
        if isinstance(candidate, dict) and "accepts" in candidate and "x402Version" in candidate:
            return PaymentRequired.model_validate(candidate)
    return None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
