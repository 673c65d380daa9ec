"""Storing many 1099/W-2G records fast: COPY on PostgreSQL (psycopg 3), one prepared INSERT run
with executemany on SQLite.

The ORM's bulk_create builds its SQL anew for every batch and converts every value through
every field; for a 100,000-record upload that is most of the time. The columns here are the
model's own (read from _meta), values are converted once, and the TIN is encrypted with the
same function EncryptedTextField uses, so what is stored is exactly what the ORM would store.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from tsc.lib import pii
from tsc.lib.formats.records import ZERO, InformationReturn

from .models import InformationReturnRecord

_COLUMNS = (
    "tax_return_id",
    "record_number",
    "form",
    "payee_tin",
    "payee_tin_last4",
    "tin_type",
    "payee_name",
    "payee_address",
    "payee_city",
    "payee_state",
    "payee_zip",
    "account_number",
    "amounts",
    "total_paid",
    "ct_tax_withheld",
)


def _sql() -> str:
    meta = InformationReturnRecord._meta
    columns = [meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name).column for name in _COLUMNS]
    quote = connection.ops.quote_name
    # Names come from the model's metadata, never from input; values are bound parameters.
    return (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )


def _amounts_json(amounts) -> str:
    """{"1": "2500.00"}: what json.dumps gives for the amounts, built directly (codes are 1-9, A-H,
    J and amounts are Decimals: nothing needs escaping)."""
    if len(amounts) == 1:  # the usual record: one amount
        ((code, amount),) = amounts
        return f'{{"{code}": "{amount}"}}'
    return "{" + ", ".join(f'"{code}": "{amount}"' for code, amount in amounts) + "}"


def _total(amounts) -> Decimal:
    if len(amounts) == 1:
        return amounts[0][1]
    return sum((amount for _, amount in amounts), ZERO)


def record_rows(numbered: Iterable[tuple[int, InformationReturn]]) -> list[list]:
    """The rows of the records as stored (columns of _COLUMNS), but for the return's id (None) and
    with the TIN still in clear (`insert_rows` fills in both): plain strings and numbers, cheap to
    send to another process."""
    # The amounts go as JSON text on both engines: COPY hands text to a jsonb column as it would
    # for any other type, and building the text here is cheaper than a JSON encoder per row.
    amounts, total = _amounts_json, _total
    return [
        [
            None,
            number,
            rec.form,
            rec.payee_tin,
            rec.payee_tin[-4:],  # checked: 9 ASCII digits
            rec.tin_type,
            rec.payee_name,
            rec.payee_address,
            rec.payee_city,
            rec.payee_state,
            rec.payee_zip,
            rec.account_number,
            amounts(rec.amounts) if rec.amounts else "{}",
            str(total(rec.amounts)) if rec.amounts else "0.00",
            str(rec.state_tax_withheld),
        ]
        for number, rec in numbered
    ]


_TIN = _COLUMNS.index("payee_tin")


def insert_rows(tax_return_id: int, rows: list[list]) -> None:
    """Store rows made by `record_rows` on the return, each TIN encrypted on the way (in place:
    the clear TIN does not outlive this call)."""
    if not rows:
        return
    for row, tin in zip(rows, pii.encrypt_many([row[_TIN] for row in rows]), strict=True):
        row[0] = tax_return_id
        row[_TIN] = tin
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor.cursor, rows)
        else:
            cursor.executemany(_sql(), rows)


def insert_records(tax_return_id: int, numbered: Iterable[tuple[int, InformationReturn]]) -> None:
    insert_rows(tax_return_id, record_rows(numbered))


def _copy(cursor, rows: list) -> None:
    meta = InformationReturnRecord._meta
    columns = [meta.get_field(name.removesuffix("_id") if name.endswith("_id") else name).column for name in _COLUMNS]
    quote = connection.ops.quote_name
    # Names come from the model's metadata, never from input; values go through COPY's protocol.
    statement = f"COPY {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
