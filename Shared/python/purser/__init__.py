"""purser: the Python client of Purser's JSON API.

    from decimal import Decimal
    from purser import AgentClient, Denied

    with AgentClient("https://purser.example:8443", secret, ca_file="ca.pem") as agent:
        try:
            agent.charge(Decimal("0.003"), provider_id, category="search")
        except Denied as denied:
            print(denied.reason, denied.rule, denied.headroom)

Clients: `AgentClient`, `ProviderClient`, `AdminClient`, `OperatorClient`.
Errors: `PurserError` and its subclasses. `python -m purser.mcp_tools`
serves an agent's own tools over MCP.
"""

from .client import AdminClient, AgentClient, Client, OperatorClient, ProviderClient
from .errors import (
    Conflict, Denied, IdempotencyConflict, InsufficientFunds, InvalidRequest, LimitExceeded, NotFound,
    PermissionDenied, PurserError, RateLimited, ServerError, TokenExpired, TransportError, Unauthenticated, Unavailable,
)
from .models import (
    Agent, Balance, Capture, Charge, Created, Entry, Funding, Hold, MessageSummary, PaymentToken, Payout, PayoutTotal,
    PolicyVersion, Refund, Release, Revocation, SubAgent, Token, Transfer, WebhookDelivery, WebhookEndpoint,
)
from .money import amount_text, from_micros, to_micros
from .session import Session

__all__ = [
    "AdminClient", "AgentClient", "Client", "OperatorClient", "ProviderClient", "Session",
    "PurserError", "TransportError", "InvalidRequest", "Denied", "InsufficientFunds", "LimitExceeded",
    "Unauthenticated", "TokenExpired", "PermissionDenied", "NotFound", "Conflict", "IdempotencyConflict",
    "RateLimited", "ServerError", "Unavailable",
    "Agent", "Balance", "Capture", "Charge", "Created", "Entry", "Funding", "Hold", "MessageSummary", "PaymentToken",
    "Payout", "PayoutTotal", "PolicyVersion", "Refund", "Release", "Revocation", "SubAgent", "Token", "Transfer", "WebhookDelivery", "WebhookEndpoint",
    "amount_text", "from_micros", "to_micros",
]
