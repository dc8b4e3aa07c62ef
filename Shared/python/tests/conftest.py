"""Fixtures of the SDK's tests: the real gateway in front of the real
services, started by the Swift suite `IsolatedPythonSDKSystemTests`, which
passes its address, CA, certificates and operator secret in the environment.
Without them the run stops with an error (a test never skips)."""

from __future__ import annotations

import os
import signal
import smtplib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

import pytest

from purser import AdminClient, AgentClient, OperatorClient, ProviderClient

REQUIRED = ("PURSER_TEST_GATEWAY_URL", "PURSER_TEST_CA", "PURSER_TEST_CERTS", "PURSER_TEST_OPERATOR_SECRET",
            "PURSER_TEST_SMTP_PORT", "PURSER_TEST_TOKEN_LIFETIME_SECONDS")


def pytest_configure(config: pytest.Config) -> None:
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise pytest.UsageError(
            f"{', '.join(missing)} not set: these tests run against a real gateway; "
            "run them with `deploy/dev test --filter IsolatedPythonSDK`")
    # A process started by the Swift test runner may inherit SIGTERM blocked or ignored;
    # the servers these tests start must stop on SIGTERM like anywhere else.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass
class Gateway:
    url: str
    ca: str
    certs: str
    operator_secret: str
    smtp_port: int
    token_lifetime: int


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    env = os.environ
    return Gateway(env["PURSER_TEST_GATEWAY_URL"], env["PURSER_TEST_CA"], env["PURSER_TEST_CERTS"],
                   env["PURSER_TEST_OPERATOR_SECRET"], int(env["PURSER_TEST_SMTP_PORT"]),
                   int(env["PURSER_TEST_TOKEN_LIFETIME_SECONDS"]))


@pytest.fixture(scope="session")
def operator(gateway: Gateway) -> Iterator[OperatorClient]:
    with OperatorClient(gateway.url, gateway.operator_secret, ca_file=gateway.ca) as client:
        yield client


@dataclass
class World:
    """A tenant of its own: its admin, a provider selling `search` (and `news`,
    `gambling`), and an agent holding 50 of the treasury's 100 credits."""

    gateway: Gateway
    tenant_id: str
    admin: AdminClient
    admin_secret: str
    provider: ProviderClient
    provider_id: str
    provider_secret: str
    agent: AgentClient
    agent_id: str
    agent_secret: str
    slug: str

    def new_agent(self, handle: str, credits: Decimal) -> tuple[str, str]:
        """Another agent of the tenant given `credits`; its id and secret."""
        created = self.admin.create_agent(handle)
        if credits:
            self.admin.allocate(created.id, credits)
        return created.id, created.secret

    def agent_client(self, secret: str, **options: object) -> AgentClient:
        return AgentClient(self.gateway.url, secret, ca_file=self.gateway.ca, **options)

    def send_mail(self, to: str, subject: str, body: str) -> None:
        """Delivers a message to the Email service's SMTP listener."""
        with smtplib.SMTP("127.0.0.1", self.gateway.smtp_port, timeout=10) as smtp:
            smtp.sendmail("billing@vendor.example", [to],
                          f"From: billing@vendor.example\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n")


@pytest.fixture
def world(gateway: Gateway, operator: OperatorClient) -> Iterator[World]:
    slug = "t" + uuid.uuid4().hex[:12]
    tenant_id = operator.create_tenant(slug, "Acme Research")
    admin_key = operator.create_api_key(tenant_id, "admin", label="platform")
    registered = operator.register_provider("search-" + slug, "Search API", default_category="search",
                                            categories=("news", "gambling"))
    admin = AdminClient(gateway.url, admin_key.secret, ca_file=gateway.ca)
    admin.fund(Decimal(100), "wire-0001")
    agent = admin.create_agent("researcher", display_name="Research bot")
    admin.allocate(agent.id, Decimal(50))
    provider = ProviderClient(gateway.url, registered.secret, ca_file=gateway.ca)
    agent_client = AgentClient(gateway.url, agent.secret, ca_file=gateway.ca)
    yield World(gateway, tenant_id, admin, admin_key.secret, provider, registered.id, registered.secret, agent_client, agent.id,
                agent.secret, slug)
    for client in (admin, provider, agent_client):
        client.close()
