"""The README's "Python SDK" blocks, run as written against the real
gateway: what the README shows is what the SDK does."""

from __future__ import annotations

import contextlib
import io
import os
import re
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import Gateway

from purser import AgentClient, OperatorClient

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_blocks() -> list[str]:
    text = README.read_text()
    section = text[text.index("## Python SDK"):]
    section = section[:section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_python_blocks_run_as_written(gateway: Gateway, operator: OperatorClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = readme_blocks()
    assert len(blocks) == 4, "an admin funding, an agent paying, a provider capturing, a sub-agent's budget"
    slug = "r" + uuid.uuid4().hex[:12]
    tenant_id = operator.create_tenant(slug, "Readme Inc")
    admin_key = operator.create_api_key(tenant_id, "admin")
    provider = operator.register_provider("api-" + slug, "Search API", default_category="search")
    for name, value in {"PURSER_URL": gateway.url, "PURSER_CA": gateway.ca, "PURSER_ADMIN_SECRET": admin_key.secret,
                        "PURSER_PROVIDER_ID": provider.id, "PURSER_PROVIDER_SECRET": provider.secret}.items():
        monkeypatch.setenv(name, value)
    namespace: dict[str, object] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, str(README), "exec"), namespace)
    assert printed.getvalue().split("\n")[0] == "per_call_max_exceeded 5 per_call_max (tenant v1): 5.00"
    agent = namespace["agent"]
    with AgentClient(gateway.url, agent.secret, ca_file=gateway.ca) as me:  # type: ignore[attr-defined]
        assert me.balance().available == Decimal("45.747")
        assert [a.status for a in me.tree()] == ["AGENT_STATUS_ACTIVE", "AGENT_STATUS_REVOKED"]
