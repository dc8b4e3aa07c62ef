"""One principal's connection to `purser-gateway`: its secret exchanged for
short-lived tokens (renewed before they expire and once on a 401
`token_expired`), TLS verified against the deployment's CA, idempotency keys
and the retry rule."""

from __future__ import annotations

import json
import random
import ssl
import threading
import time
import uuid
from typing import Any, Mapping, Optional

import httpx

from .errors import PurserError, TransportError, error_for
from .models import Token

#: Statuses a safe call is tried again after: the gateway or a service was unreachable, draining or busy.
RETRIED_STATUSES = frozenset({429, 502, 503, 504})


def tls_context(ca_file: Optional[str]) -> ssl.SSLContext:
    """A client context that verifies the gateway's certificate and hostname
    against `ca_file` (the system's roots when None) and speaks TLS 1.3 only."""
    context = ssl.create_default_context(cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context


class Session:
    """Calls the gateway's JSON API as the principal whose `secret` it holds.

    Thread-safe: one session may serve many threads; they share one token
    and one connection pool.

    Token renewal: a token is renewed before a call when less than
    `renew_before` seconds (at most half its lifetime) remain (never, when
    None: for a host whose clock cannot be trusted), and once when the
    gateway answers 401 `token_expired`; the request is then sent again (a
    refused token means nothing was done).

    Retries: a call is sent again after a lost connection, a timeout or a
    429/502/503/504 only when that cannot do it twice: a read, an idempotent
    method, or a ledger call with its idempotency key, which is generated once
    per logical call and sent unchanged on every attempt (the ledger answers a
    repeat with the first outcome). Anything else raises at once.
    """

    def __init__(
        self,
        base_url: str,
        secret: str,
        *,
        ca_file: Optional[str] = None,
        timeout: float = 30.0,
        renew_before: Optional[float] = 60.0,
        attempts: int = 4,
        backoff: float = 0.2,
        user_agent: str = "purser-python",
    ) -> None:
        if not secret:
            raise ValueError("a secret is required (purser_ak_…, purser_pk_…, purser_sk_… or purser_ok_…)")
        self.base_url = base_url.rstrip("/")
        self._secret = secret
        self.renew_before = renew_before
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._http = httpx.Client(base_url=self.base_url, verify=tls_context(ca_file), timeout=timeout,
                                  headers={"user-agent": user_agent})
        self._lock = threading.Lock()
        self._token: Optional[Token] = None
        self._obtained_at = 0.0
        #: How many tokens this session obtained (the first included).
        self.renewals = 0

    def close(self) -> None:
        """Closes the connections."""
        self._http.close()

    # Tokens

    def token(self) -> Token:
        """The current token, renewed first when it is due."""
        with self._lock:
            if self._token is None or self._due(self._token):
                self._renew_locked()
            assert self._token is not None
            return self._token

    def renew(self, stale: Optional[Token] = None) -> Token:
        """A fresh token; when `stale` is given and another thread already
        replaced it, that newer token (one renewal per expiry, not per thread)."""
        with self._lock:
            if stale is None or self._token is None or self._token.token == stale.token:
                self._renew_locked()
            assert self._token is not None
            return self._token

    def _due(self, token: Token) -> bool:
        if token.expires_at is None or self.renew_before is None:
            return False
        expires = token.expires_at.timestamp()
        margin = min(self.renew_before, max(0.0, (expires - self._obtained_at) / 2))
        return time.time() >= expires - margin

    def _renew_locked(self) -> None:
        document = self._send("POST", "/v1/auth/token", body={"secret": self._secret}, token=None, safe=True)
        self._token = Token.from_json(document)
        self._obtained_at = time.time()
        self.renewals += 1

    # Calls

    def call(
        self,
        verb: str,
        path: str,
        *,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
        idempotent: bool = False,
        keyed: bool = False,
        idempotency_key: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> dict[str, Any]:
        """Sends one logical call as this principal and returns the JSON answer.

        `keyed` calls (the ledger's mutating methods) carry an
        `Idempotency-Key`: `idempotency_key`, or one generated here and reused
        on every retry of this call. `idempotent` marks a call safe to repeat
        (reads, idempotent methods). Raises a `PurserError` subclass for a
        refusal and `TransportError` when no answer arrived.
        """
        extra = dict(headers or {})
        if keyed:
            extra["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        elif idempotency_key is not None:
            raise ValueError(f"{verb} {path} takes no idempotency key")
        token = self.token()
        try:
            return self._send(verb, path, body=body, query=query, token=token, safe=idempotent or keyed, headers=extra)
        except PurserError as error:
            if error.reason != "token_expired":
                raise
        # The token expired in flight or by the gateway's clock: renew once and send the same call again.
        return self._send(verb, path, body=body, query=query, token=self.renew(token), safe=idempotent or keyed,
                          headers=extra)

    def _send(
        self,
        verb: str,
        path: str,
        *,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
        token: Optional[Token],
        safe: bool,
        headers: Optional[Mapping[str, str]] = None,
    ) -> dict[str, Any]:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token.token}"
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(verb, path, json=dict(body) if body is not None else None,
                                              params=params or None, headers=all_headers)
            except httpx.TransportError as error:
                if safe and attempt < self.attempts:
                    self._pause(attempt)
                    continue
                raise TransportError(0, "connection_failed", f"{verb} {path}: {type(error).__name__}: {error}") from error
            if response.status_code == 200:
                answer = _json(response)
                if answer is None:
                    raise PurserError(response.status_code, "invalid_response", f"{verb} {path}: not a JSON object")
                return answer
            if safe and response.status_code in RETRIED_STATUSES and attempt < self.attempts:
                self._pause(attempt)
                continue
            problem = _json(response) or {"reason": "http_" + str(response.status_code), "detail": response.text[:200]}
            raise error_for(response.status_code, problem)

    def _pause(self, attempt: int) -> None:
        time.sleep(self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(response: httpx.Response) -> Optional[dict[str, Any]]:
    try:
        value = json.loads(response.content)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
