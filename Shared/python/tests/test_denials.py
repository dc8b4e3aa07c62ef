"""Every refusal the SDK can meet arrives as the `PurserError` subclass of
its kind, carrying the HTTP status, the stable reason and, for a policy
denial, the rule and the headroom that is left."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import World

from purser import (
    AdminClient, Denied, IdempotencyConflict, InsufficientFunds, InvalidRequest, LimitExceeded, NotFound,
    OperatorClient, PermissionDenied, ProviderClient, PurserError, Unauthenticated,
)


def refusal(kind: type[PurserError], call: object) -> PurserError:
    assert callable(call)
    with pytest.raises(kind) as caught:
        call()
    return caught.value


def test_each_policy_denial_names_its_reason_rule_and_headroom(world: World) -> None:
    world.admin.set_policy({"per_call_max": "5", "limits": [{"amount": "8", "interval": "daily"}],
                            "blocked_categories": ["gambling"]})
    agent, provider_id = world.agent, world.provider_id
    agent.charge(Decimal("5"), provider_id)

    per_call = refusal(LimitExceeded, lambda: agent.charge(Decimal("5.000001"), provider_id))
    assert (per_call.status, per_call.reason) == (400, "per_call_max_exceeded")
    assert per_call.rule and per_call.headroom == Decimal("5")

    daily = refusal(LimitExceeded, lambda: agent.authorize(Decimal("3.5"), provider_id))
    assert (daily.status, daily.reason, daily.headroom) == (400, "limit_exceeded", Decimal("3"))
    assert daily.rule and "daily" in daily.rule
    assert isinstance(daily, Denied)

    blocked = refusal(Denied, lambda: agent.authorize(Decimal("1"), provider_id, category="gambling"))
    assert (blocked.status, blocked.reason, blocked.headroom) == (400, "category_blocked", None)
    assert blocked.rule

    unregistered = refusal(Denied, lambda: agent.authorize(Decimal("1"), provider_id, category="travel"))
    assert unregistered.reason == "category_not_registered"

    # Nothing of the refused calls was taken: 50 - 5.
    assert agent.balance().available == Decimal("45")


def test_out_of_money_is_insufficient_funds_not_a_cap(world: World) -> None:
    agent_id, secret = world.new_agent("poor", Decimal("0.5"))
    with world.agent_client(secret) as poor:
        error = refusal(InsufficientFunds, lambda: poor.charge(Decimal("0.500001"), world.provider_id))
        assert (error.status, error.reason, error.rule) == (400, "insufficient_funds", None)
        assert poor.balance().available == Decimal("0.5")


def test_a_revoked_agent_is_refused_and_its_holds_released(world: World) -> None:
    hold = world.agent.authorize(Decimal("2"), world.provider_id)
    world.admin.revoke_agent(world.agent_id, "key leaked")
    error = refusal(PurserError, lambda: world.agent.charge(Decimal("1"), world.provider_id))
    # Refused by the ledger, by the token verifier, or when the SDK renews its token: never paid.
    assert (error.status, error.reason) in ((400, "agent_revoked"), (401, "subject_revoked"), (401, "agent_revoked"))
    assert isinstance(error, Denied if error.status == 400 else Unauthenticated)
    assert world.admin.balance(world.agent_id).held == Decimal(0)
    voided = refusal(PurserError, lambda: world.provider.capture(world.tenant_id, hold.hold_id))
    assert voided.status == 400 and voided.reason in ("hold_voided", "agent_revoked")
    # Its secret no longer buys a token.
    with world.agent_client(world.agent_secret) as again:
        assert refusal(Unauthenticated, lambda: again.balance()).status == 401


def test_access_refusals_have_their_own_kinds(world: World, operator: OperatorClient) -> None:
    funding = refusal(PermissionDenied, lambda: world.agent.session.call(
        "POST", "/v1/wallet/fund", body={"amount": "1", "externalReference": "x"}, keyed=True))
    assert (funding.status, funding.reason) == (403, "permission_denied")

    unknown = refusal(NotFound, lambda: world.provider.capture(world.tenant_id, "00000000-0000-4000-8000-000000000000"))
    assert (unknown.status, unknown.reason) == (404, "not_found")

    other_tenant = operator.create_tenant("o" + world.tenant_id[:12].replace("-", ""), "Other")
    other_key = operator.create_api_key(other_tenant, "admin")
    with AdminClient(world.gateway.url, other_key.secret, ca_file=world.gateway.ca) as other:
        hidden = refusal(NotFound, lambda: other.session.call(
            "GET", f"/v1/agents/{world.agent_id}/balance", query={"tenantId": world.tenant_id}, idempotent=True))
        assert (hidden.status, hidden.reason) == (404, "not_found")

    with world.agent_client("purser_ak_" + "x" * 40) as stranger:
        wrong = refusal(Unauthenticated, lambda: stranger.balance())
        assert wrong.status == 401 and wrong.reason


def test_a_payment_token_pays_only_its_provider_up_to_its_bound(world: World, operator: OperatorClient) -> None:
    token = world.agent.payment_token(world.provider_id, Decimal("1"))
    over = refusal(PermissionDenied, lambda: world.provider.charge(token, Decimal("1.5")))
    assert (over.status, over.reason) == (403, "token_amount_exceeded")
    world.provider.charge(token, Decimal("0.75"))
    rest = refusal(PermissionDenied, lambda: world.provider.charge(token, Decimal("0.5")))
    assert rest.reason == "token_amount_exceeded"
    # Another provider cannot use it.
    other = operator.register_provider("x" + world.tenant_id[:12].replace("-", ""), "Other API", default_category="search")
    with ProviderClient(world.gateway.url, other.secret, ca_file=world.gateway.ca) as stranger:
        scope = refusal(PermissionDenied, lambda: stranger.charge(token, Decimal("0.1")))
        assert (scope.status, scope.reason) == (403, "token_scope")
    assert world.agent.balance().available == Decimal("49.25")


def test_bad_amounts_are_refused_before_anything_is_sent(world: World) -> None:
    before = world.agent.session.renewals
    with pytest.raises(TypeError):
        world.agent.charge(0.1, world.provider_id)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        world.agent.charge("0.0000001", world.provider_id)
    with pytest.raises(ValueError):
        world.agent.charge("NaN", world.provider_id)
    assert world.agent.session.renewals == before
    negative = refusal(InvalidRequest, lambda: world.agent.charge("-1", world.provider_id))
    assert (negative.status, negative.reason) == (400, "amount_invalid")
    assert world.agent.balance().available == Decimal("50")


def test_a_reused_idempotency_key_with_another_request_is_a_conflict(world: World) -> None:
    first = world.agent.charge(Decimal("1"), world.provider_id, idempotency_key="order-17")
    conflict = refusal(IdempotencyConflict, lambda: world.agent.charge(Decimal("2"), world.provider_id,
                                                                       idempotency_key="order-17"))
    assert (conflict.status, conflict.reason) == (409, "idempotency_conflict")
    replay = world.agent.charge(Decimal("1"), world.provider_id, idempotency_key="order-17")
    assert (replay.hold_id, replay.entry_id) == (first.hold_id, first.entry_id)
    assert world.agent.balance().available == Decimal("49")
