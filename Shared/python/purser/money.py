"""Exact amounts: the JSON API writes every amount as a decimal string of
credits with at most six decimals (one micro-unit); this module converts
between those strings, `decimal.Decimal` and integer micros without ever
passing through a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Union

#: Micro-units in one credit.
MICROS_PER_CREDIT = 1_000_000
#: The largest amount the ledger stores (Int64 micros).
MAX_MICROS = 2**63 - 1

#: What the SDK accepts as an amount: a Decimal, an int number of credits or a decimal string.
Amount = Union[Decimal, int, str]


def to_micros(amount: Amount) -> int:
    """The exact number of micro-units in `amount`.

    Raises `TypeError` for a float or a bool (a float cannot hold 0.1 exactly)
    and `ValueError` for an amount that is not finite, has more than six
    decimals or does not fit the ledger's 64-bit micros.
    """
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError("amounts are Decimal, int or str, never float or bool")
    if isinstance(amount, int):
        value = Decimal(amount)
    elif isinstance(amount, str):
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            raise ValueError(f"{amount!r} is not a decimal amount") from None
    elif isinstance(amount, Decimal):
        value = amount
    else:
        raise TypeError(f"amounts are Decimal, int or str, not {type(amount).__name__}")
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not a finite amount")
    micros = value.scaleb(6)
    if micros != micros.to_integral_value():
        raise ValueError(f"{amount!r} has more than six decimals (one micro-unit is 0.000001)")
    result = int(micros)
    if abs(result) > MAX_MICROS:
        raise ValueError(f"{amount!r} does not fit 64-bit micro-units")
    return result


def from_micros(micros: int) -> Decimal:
    """`micros` as an exact Decimal of credits (`3000` → `Decimal("0.003")`)."""
    return Decimal(_micros_text(micros))


def amount_text(amount: Amount) -> str:
    """`amount` as the JSON API writes it: a plain decimal string with no exponent
    and no trailing zeros (`Decimal("0.0030")` → `"0.003"`)."""
    return _micros_text(to_micros(amount))


def _micros_text(micros: int) -> str:
    sign = "-" if micros < 0 else ""
    whole, fraction = divmod(abs(micros), MICROS_PER_CREDIT)
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:06d}".rstrip("0")


def parse_amount(text: object) -> Decimal:
    """An amount of a JSON answer (a decimal string) as a Decimal; raises
    `ValueError` for anything else (a number would already have been rounded)."""
    if not isinstance(text, str):
        raise ValueError(f"expected a decimal string amount, found {text!r}")
    return from_micros(to_micros(text))
