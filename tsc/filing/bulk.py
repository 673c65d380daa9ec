"""Storing many 1099/W-2G records fast, through `tsc.lib.bulk_insert` (COPY on PostgreSQL, one
prepared INSERT run with executemany on SQLite).

The ORM's bulk_create converts every value through every field; for a 100,000-record upload that
is most of the time. Here each value is made once as the database takes it, and the TIN is
encrypted with the same function EncryptedTextField uses (in batches), so what is stored is
exactly what the ORM would store.
"""

from collections.abc import Iterable

from tsc.lib import bulk_insert, pii
from tsc.lib.formats.records import InformationReturn

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


def _amounts_json(amounts) -> str:
    """{"1": "2500.00"}: what json.dumps gives for the amounts, built directly (codes are 1-9, A-H,
    J and amounts are Decimals: nothing needs escaping)."""
    if len(amounts) == 1:  # the usual record: one amount
        ((code, amount),) = amounts
        return f'{{"{code}": "{amount}"}}'
    return "{" + ", ".join(f'"{code}": "{amount}"' for code, amount in amounts) + "}"


def record_rows(numbered: Iterable[tuple[int, InformationReturn]]) -> list[list]:
    """The rows of the records as stored (columns of _COLUMNS), but for the return's id (None) and
    with the TIN still in clear (`insert_rows` fills in both): plain strings and numbers, cheap to
    send to another process."""
    # The amounts go as JSON text on both engines: COPY hands text to a jsonb column as it would
    # for any other type, and building the text here is cheaper than a JSON encoder per row.
    amounts = _amounts_json
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
            str(rec.total_paid),
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
    bulk_insert.insert_rows(InformationReturnRecord, _COLUMNS, rows)


def insert_records(tax_return_id: int, numbered: Iterable[tuple[int, InformationReturn]]) -> None:
    insert_rows(tax_return_id, record_rows(numbered))
