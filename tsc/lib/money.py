"""Money is Decimal with two places, rounded half up to the cent. Never float."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_TYPED = re.compile(r"^\s*\$?\s*(-)?\s*\$?\s*([\d,]*\.?\d*)\s*$")


def cents(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half up: 0.005 → 0.01, 2.675 → 2.68 (exact, unlike float)."""
    if isinstance(value, float):
        raise TypeError("money must not be float")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, rate_percent: Decimal | str) -> Decimal:
    """amount × rate% rounded to the cent: percent_of(Decimal('1000.00'), '6.35') == Decimal('63.50')."""
    return cents(amount * Decimal(rate_percent) / 100)


def parse_amount(text: str) -> Decimal:
    """What people type: '1,234.5', '$1234.50', '1234' → Decimal('1234.50'). Raises ValueError."""
    match = _TYPED.match(text or "")
    if not match or not match.group(2) or match.group(2) in {".", ","}:
        raise ValueError("Enter an amount in dollars and cents, like 1234.56.")
    digits = match.group(2).replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:
        raise ValueError("Enter an amount in dollars and cents, like 1234.56.") from exc
    if value.as_tuple().exponent < -2:
        raise ValueError("Enter no more than 2 digits after the decimal point.")
    return cents(-value if match.group(1) else value)


def dollars(value: Decimal) -> str:
    """Decimal('1234.5') → '$1,234.50'; negatives as '-$12.00'."""
    value = cents(value)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"
