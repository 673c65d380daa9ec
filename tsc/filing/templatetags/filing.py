"""Template helpers for return lines: signed dollar amounts and the OS-114 rate columns."""

from decimal import Decimal

from django import template

from tsc.lib.money import dollars

from ..forms_registry import RETURN_FORMS_BY_NAME

register = template.Library()


def _value(line, name):
    return line.get(name) if isinstance(line, dict) else getattr(line, name, None)


@register.filter
def money(value) -> str:
    """Decimal('-52.45') or '-52.45' → '-$52.45'."""
    return dollars(Decimal(str(value)))


@register.filter
def signed_money(value) -> str:
    """A difference: '+$47.55', '-$52.45', '$0.00'."""
    amount = Decimal(str(value))
    return f"+{dollars(amount)}" if amount > 0 else dollars(amount)


@register.filter
def rate_columns(form_name: str):
    """The rate columns of a form by its name ('OS-114'), or () for a form without columns."""
    form = RETURN_FORMS_BY_NAME.get(form_name)
    return form.columns if form else ()


@register.filter
def column_cells(line, columns) -> list:
    """(column, amount) for each rate column of a line; amount None when the line has no columns."""
    amounts = _value(line, "columns") or [None] * len(columns)
    return list(zip(columns, amounts, strict=False))


@register.filter
def is_count(line) -> bool:
    """A line that counts forms rather than dollars (CT-1096)."""
    return str(_value(line, "label")).startswith("Number of")


@register.filter
def intcomma_plain(value) -> str:
    """12000 → '12,000' (without loading django.contrib.humanize)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
