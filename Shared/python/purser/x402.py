"""x402 on Purser credits, with the x402 Python SDK (PyPI ``x402``, v2).

An agent pays a paid API's ``402 Payment Required`` from its Purser balance;
a paid API takes payment through Purser's facilitator. Purser's scheme is
``upto`` on network ``purser:<deployment id>``: the price in the requirements
is the most a call may cost and becomes a hold on the agent's account under
its policy and caps; the API settles the actual charge (at most the hold,
``"0"`` releases it). Amounts are atomic units (micros, 6 decimals), as x402
writes them; no floating point is used anywhere.

Agent side::

    from x402 import x402ClientSync
    from x402.http.clients.requests import x402_requests
    from purser.x402 import PurserGateway, register_purser_client

    gateway = PurserGateway("https://purser.example", agent_secret)
    client = register_purser_client(x402ClientSync(), gateway)
    session = x402_requests(client)
    session.get("https://api.example/search?q=…")   # a 402 is paid from the agent's credits

Paid API side (Flask)::

    from x402 import x402ResourceServerSync
    from x402.http.middleware.flask import payment_middleware
    from purser.x402 import PurserGateway, facilitator_client, register_purser_server, paid_route

    provider = PurserGateway("https://purser.example", provider_secret)
    server = register_purser_server(x402ResourceServerSync(facilitator_client(provider)))
    payment_middleware(app, {"GET /search": paid_route("$0.003", provider_id)}, server)

Depends only on the x402 SDK, requests, httpx and the standard library.
"""
from __future__ import annotations

import base64
import contextvars
import json
import threading
import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
import requests
from x402.http.facilitator_client_base import AuthHeaders, FacilitatorConfig
from x402.http.facilitator_client import HTTPFacilitatorClientSync
from x402.schemas import AssetAmount, PaymentRequirements

#: The x402 scheme Purser settles: Purser credits with ``upto`` semantics.
SCHEME = "upto"
#: How credits move: a hold on the agent's Purser account, captured by the facilitator.
ASSET_TRANSFER_METHOD = "purser-credit"
#: Decimals of every Purser amount (micros).
DECIMALS = 6
MICROS = 10**DECIMALS


def network(deployment_id: str = "local") -> str:
    """The x402 network of a Purser deployment: ``purser:<deployment id>``."""
    return f"purser:{deployment_id}"


def credits(micros: int) -> str:
    """``3000`` micros as the gateway's decimal string of credits, ``"0.003"``."""
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), MICROS)
    return f"{sign}{whole}.{fraction:06d}".rstrip("0").rstrip(".")


def micros(amount: str | int | Decimal) -> int:
    """``"0.003"`` (or ``"$0.003"``, a Decimal, an int of whole credits) as micros; refuses
    more than 6 decimals and anything that is not a finite non-negative number."""
    text = str(amount).strip().removeprefix("$").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {amount!r}") from error
    if not value.is_finite() or value < 0:
        raise ValueError(f"not an amount: {amount!r}")
    scaled = value * MICROS
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount!r} has more than {DECIMALS} decimals")
    return int(scaled)


class PurserPaymentRefused(Exception):
    """Purser refused to pay: ``status`` (HTTP), ``reason`` (``limit_exceeded``,
    ``insufficient_funds``, ``agent_revoked``…), and for a limit its ``rule``
    and ``headroom`` (credits left under it, a decimal string)."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        self.reason = problem.get("reason", "unknown")
        self.rule = problem.get("rule")
        self.headroom = problem.get("headroom")
        super().__init__(f"{status} {self.reason}: {problem.get('detail', '')}")


class PurserGateway:
    """A principal's session with a Purser gateway: exchanges its secret for a
    short-lived token (``POST /v1/auth/token``) and renews it before it expires.
    ``verify`` is the CA bundle (path) or ``True`` for the system's."""

    def __init__(self, url: str, secret: str, verify: str | bool = True, timeout: float = 30.0):
        self.url = url.rstrip("/")
        self.verify = verify
        self.timeout = timeout
        self._secret = secret
        self._session = requests.Session()
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0

    def token(self) -> str:
        """A bearer token valid for at least 30 more seconds."""
        with self._lock:
            if self._token is None or time.time() > self._expires_at - 30:
                response = self._session.post(self.url + "/v1/auth/token", json={"secret": self._secret},
                                              verify=self.verify, timeout=self.timeout)
                if response.status_code != 200:
                    raise PurserPaymentRefused(response.status_code, _problem(response))
                self._token = response.json()["token"]
                self._expires_at = _expiry(self._token)
            return self._token

    def subject(self) -> str:
        """The principal's id (the token's ``sub``): an agent id, a provider id."""
        return str(_claims(self.token())["sub"])

    def post(self, path: str, body: dict[str, Any], idempotency_key: str | None = None) -> dict[str, Any]:
        """POSTs ``body`` as this principal; a refusal raises `PurserPaymentRefused`."""
        headers = {"Authorization": f"Bearer {self.token()}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        response = self._session.post(self.url + path, json=body, headers=headers, verify=self.verify, timeout=self.timeout)
        if response.status_code != 200:
            raise PurserPaymentRefused(response.status_code, _problem(response))
        answer: dict[str, Any] = response.json()
        return answer


# The resource a payment is being created for, set by the client's before-creation hook:
# x402's scheme clients see the requirements only, and an attestation names the resource.
_resource: contextvars.ContextVar[str | None] = contextvars.ContextVar("purser_x402_resource", default=None)


class PurserCreditClient:
    """The agent's x402 scheme client (``SchemeNetworkClient``): answers a 402
    by authorizing the required amount for the payee with Purser
    (``POST /v1/x402/authorize`` with the agent's token) and carries the credit
    attestation Identity signed for the hold. A refusal (over a cap, out of
    credits, revoked) raises `PurserPaymentRefused` with its reason and headroom."""

    scheme = SCHEME

    def __init__(self, gateway: PurserGateway, category: str | None = None, task_id: str | None = None):
        self.gateway = gateway
        self.category = category
        self.task_id = task_id

    def create_payment_payload(self, requirements: PaymentRequirements) -> dict[str, Any]:
        resource = _resource.get()
        if not resource:
            raise ValueError("no resource: register the client with register_purser_client")
        body: dict[str, Any] = {
            "amount": credits(int(requirements.amount)),
            "providerId": requirements.pay_to,
            "resource": resource,
            "holdTtlSeconds": min(int(requirements.max_timeout_seconds or 0), 3600),
        }
        if self.category:
            body["category"] = self.category
        if self.task_id:
            body["taskId"] = self.task_id
        credit = self.gateway.post("/v1/x402/authorize", body, idempotency_key=f"x402-{uuid.uuid4()}")
        return {"attestation": credit["attestation"], "holdId": credit["holdId"]}


def register_purser_client(client: Any, gateway: PurserGateway, deployment_id: str = "local",
                           category: str | None = None, task_id: str | None = None, asset: str = "USD",
                           max_per_payment: str | None = None) -> Any:
    """Registers Purser's scheme on an x402 client (``x402ClientSync`` or
    ``x402Client``) for ``purser:<deployment_id>`` and returns the client.
    The client's spend controls are set to allow ``asset`` (the tenant's
    currency) on that network, at most ``max_per_payment`` credits a call
    when given; Purser's policy and caps apply to every payment anyway."""
    client.register(network(deployment_id), PurserCreditClient(gateway, category, task_id))
    allowed: dict[str, Any] = {"network": network(deployment_id), "asset": asset}
    if max_per_payment is not None:
        allowed["max_amount_per_payment"] = str(micros(max_per_payment))
    client.set_spend_controls({"allowed_assets": [allowed]})

    def remember_resource(context: Any) -> None:
        resource = getattr(context.payment_required, "resource", None)
        _resource.set(getattr(resource, "url", None))

    client.on_before_payment_creation(remember_resource)
    return client


class PurserCreditServer:
    """The paid API's x402 scheme server (``SchemeNetworkServer``): turns a price
    (``"$0.003"``, ``"0.003"``, a Decimal) into micros of ``asset`` (the
    currency of the agents' tenants) exactly. Verify and settle go to Purser's
    facilitator (`facilitator_client`)."""

    scheme = SCHEME
    default_asset_transfer_method = ASSET_TRANSFER_METHOD
    payment_flows = {ASSET_TRANSFER_METHOD: {"supported": ("authorization",), "default": "authorization"}}

    def __init__(self, asset: str = "USD"):
        self.asset = asset

    def parse_price(self, price: Any, network: str) -> AssetAmount:
        if isinstance(price, AssetAmount):
            return price
        if isinstance(price, dict) and "amount" in price:
            return AssetAmount(amount=str(price["amount"]), asset=price.get("asset") or self.asset, extra=price.get("extra", {}))
        if isinstance(price, float):
            raise ValueError("prices are decimal strings (\"$0.003\"), never floats")
        return AssetAmount(amount=str(micros(price)), asset=self.asset, extra={})

    def enhance_payment_requirements(self, requirements: PaymentRequirements, supported_kind: Any,
                                     extension_keys: list[str]) -> PaymentRequirements:
        if not requirements.asset:
            requirements.asset = self.asset
        requirements.extra = dict(requirements.extra or {})
        requirements.extra["assetTransferMethod"] = ASSET_TRANSFER_METHOD
        return requirements


def register_purser_server(server: Any, deployment_id: str = "local", asset: str = "USD") -> Any:
    """Registers Purser's scheme on an x402 resource server for ``purser:<deployment_id>``."""
    server.register(network(deployment_id), PurserCreditServer(asset))
    return server


class _ProviderAuth:
    """The facilitator's credentials: the provider's bearer token, renewed as needed."""

    def __init__(self, gateway: PurserGateway):
        self.gateway = gateway

    def get_auth_headers(self) -> AuthHeaders:
        bearer = {"Authorization": f"Bearer {self.gateway.token()}"}
        return AuthHeaders(verify=bearer, settle=bearer, supported={})


def facilitator_url(gateway: PurserGateway) -> str:
    """The facilitator a paid API points the x402 middleware at: ``<gateway>/x402``."""
    return gateway.url + "/x402"


def facilitator_client(provider: PurserGateway) -> HTTPFacilitatorClientSync:
    """An x402 facilitator client (sync, for Flask) for Purser's facilitator,
    authenticated as the provider: only the payee verifies and settles."""
    return HTTPFacilitatorClientSync(FacilitatorConfig(
        url=facilitator_url(provider), timeout=provider.timeout, auth_provider=_ProviderAuth(provider),
        http_client=httpx.Client(verify=provider.verify, timeout=provider.timeout)))


def paid_route(price: str, provider_id: str, deployment_id: str = "local", description: str = "",
               max_timeout_seconds: int = 300) -> dict[str, Any]:
    """A route of the x402 middleware's route table priced at ``price`` (the most a call costs)."""
    return {
        "accepts": {"scheme": SCHEME, "price": price, "network": network(deployment_id), "payTo": provider_id,
                    "maxTimeoutSeconds": max_timeout_seconds},
        "description": description,
    }


def _problem(response: requests.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except ValueError:
        document = {"detail": response.text}
    return document if isinstance(document, dict) else {"detail": str(document)}


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _expiry(token: str) -> float:
    return float(_claims(token).get("exp", 0))
