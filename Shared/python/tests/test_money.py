"""Amounts are exact: Decimal, int or decimal string in, decimal string out,
micro-units throughout; a float, a seventh decimal or an amount past 64-bit
micros is refused before anything is sent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from purser import amount_text, from_micros, to_micros
from purser.errors import LimitExceeded, error_for


@pytest.mark.parametrize(("given", "text", "micros"), [
    (Decimal("0.003"), "0.003", 3_000), (Decimal("0.0030"), "0.003", 3_000), (3, "3", 3_000_000),
    ("1E+2", "100", 100_000_000), ("-0.5", "-0.5", -500_000), ("0.000001", "0.000001", 1),
    ("9223372036854.775807", "9223372036854.775807", 2**63 - 1),
])
def test_amounts_convert_exactly(given: object, text: str, micros: int) -> None:
    assert amount_text(given) == text  # type: ignore[arg-type]
    assert to_micros(given) == micros  # type: ignore[arg-type]
    assert from_micros(micros) == Decimal(text) and str(from_micros(micros)) == text


@pytest.mark.parametrize("given", [0.1, True])
def test_floats_and_bools_are_refused(given: object) -> None:
    with pytest.raises(TypeError):
        to_micros(given)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["0.0000001", "NaN", "Infinity", "abc", "9223372036854.775808"])
def test_inexact_or_out_of_range_amounts_are_refused(given: str) -> None:
    with pytest.raises(ValueError):
        to_micros(given)


def test_a_hundred_charges_of_0_003_sum_to_exactly_0_3() -> None:
    assert sum((Decimal(amount_text("0.003")) for _ in range(100)), Decimal(0)) == Decimal("0.3")


def test_a_problem_document_becomes_its_error_with_rule_and_headroom() -> None:
    error = error_for(400, {"reason": "limit_exceeded", "detail": "over", "rule": "daily", "headroom": "3.25"})
    assert isinstance(error, LimitExceeded)
    assert (error.status, error.reason, error.rule, error.headroom) == (400, "limit_exceeded", "daily", Decimal("3.25"))
