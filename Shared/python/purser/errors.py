"""The SDK's one error type, `PurserError`, and its subclasses by what a
caller does next. Every refusal the gateway answers (an RFC 9457 problem
document) becomes one of them carrying the HTTP `status`, the stable
`reason`, and for a spend refused by policy the `rule` and `headroom`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping, Optional

from .money import parse_amount

#: Reasons of a spend refused for want of money, by policy or by the agent's state.
DENIAL_REASONS = frozenset({
    "insufficient_funds", "limit_exceeded", "per_call_max_exceeded", "category_blocked", "provider_blocked",
    "category_not_registered", "agent_revoked", "agent_suspended", "account_frozen",
    "payee_blocked", "payee_revoked", "payee_frozen", "payee_refuses_other_tenants",
})


class PurserError(Exception):
    """A call that did not succeed.

    `status` is the HTTP status (0 when no answer arrived), `reason` the
    stable snake_case code (`limit_exceeded`, `not_found`, …), `detail` the
    human-readable message, `rule` and `headroom` (credits still allowed
    under that rule) when a policy rule refused, and `problem` the whole
    problem document.
    """

    def __init__(self, status: int, reason: str, detail: str = "", problem: Optional[Mapping[str, Any]] = None) -> None:
        self.status = status
        self.reason = reason
        self.detail = detail
        self.problem: Mapping[str, Any] = problem or {}
        rule = self.problem.get("rule")
        self.rule: Optional[str] = rule if isinstance(rule, str) else None
        self.headroom: Optional[Decimal] = _amount(self.problem.get("headroom"))
        super().__init__(f"{status} {reason}: {detail}" if status else f"{reason}: {detail}")


class TransportError(PurserError):
    """No answer: the connection failed or was cut (`status` 0). Whether the
    call took effect is unknown; the SDK retried it only when that was safe."""


class InvalidRequest(PurserError):
    """400: the request is malformed or a value is out of range (`reason` names which)."""


class Denied(PurserError):
    """A spend refused: out of money (`insufficient_funds`), over a cap
    (`limit_exceeded`, `per_call_max_exceeded`, with `rule` and `headroom`),
    blocked (`category_blocked`, `provider_blocked`, `payee_blocked`), a
    stopped agent (`agent_revoked`, `agent_suspended`), a stopped payee
    agent (`payee_revoked`, `payee_frozen`) or a payee whose tenant refuses
    payments from other tenants (`payee_refuses_other_tenants`)."""


class InsufficientFunds(Denied):
    """The agent's available balance is less than the amount."""


class LimitExceeded(Denied):
    """A policy cap refused: `rule` names it and `headroom` is what it still allows."""


class Unauthenticated(PurserError):
    """401: no, a bad or a revoked credential."""


class TokenExpired(Unauthenticated):
    """401 `token_expired`: the SDK renews and retries once before raising this."""


class PermissionDenied(PurserError):
    """403: the credential may not do this (or a payment token's bound is reached)."""


class NotFound(PurserError):
    """404: no such object, or another tenant's (the two look the same)."""


class Conflict(PurserError):
    """409: the object exists already or changed since it was read."""


class IdempotencyConflict(Conflict):
    """409 `idempotency_conflict`: the idempotency key was used for a different request."""


class RateLimited(PurserError):
    """429: too many calls in flight."""


class ServerError(PurserError):
    """5xx: the gateway or a service failed."""


class Unavailable(ServerError):
    """502, 503, 504: a service is unreachable, draining or too slow; safe calls are retried."""


def error_for(status: int, problem: Mapping[str, Any]) -> PurserError:
    """The exception for an HTTP error answer `status` with problem document `problem`."""
    reason = str(problem.get("reason") or "unknown")
    detail = str(problem.get("detail") or "")
    kind: type[PurserError]
    if status == 401:
        kind = TokenExpired if reason == "token_expired" else Unauthenticated
    elif status == 400 and reason == "insufficient_funds":
        kind = InsufficientFunds
    elif status == 400 and reason in ("limit_exceeded", "per_call_max_exceeded"):
        kind = LimitExceeded
    elif status == 400 and reason in DENIAL_REASONS:
        kind = Denied
    elif reason == "idempotency_conflict":
        kind = IdempotencyConflict
    elif status == 403:
        kind = PermissionDenied
    elif status == 404:
        kind = NotFound
    elif status == 409:
        kind = Conflict
    elif status == 429:
        kind = RateLimited
    elif status in (502, 503, 504):
        kind = Unavailable
    elif status >= 500:
        kind = ServerError
    else:
        kind = InvalidRequest
    return kind(status, reason, detail, problem)


def _amount(value: Any) -> Optional[Decimal]:
    if value is None:
        return None
    try:
        return parse_amount(value)
    except ValueError:
        return None
