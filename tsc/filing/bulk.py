"""Storing many 1099/W-2G records fast, through `tsc.lib.bulk_insert` (COPY on PostgreSQL, one
prepared INSERT run with executemany on SQLite).

The ORM's bulk_create converts every value through every field; for a 100,000-record upload that
is most of the time. Here each value is made once as the database takes it, and the TIN is
encrypted with the same function EncryptedTextField uses (in batches), so what is stored is
exactly what the ORM would store.

An upload's batches are `Rows` (`batch_rows`), made from whole runs of records at once
(`pub1220.Run`: no Python code runs per record) with the TINs already encrypted: on PostgreSQL
the text COPY reads, on SQLite each column's values as one text. Either is a few strings, cheap
to send from the process that checks the file to the one that stores it (upload_pipeline), which
then has little left to do.
"""

import re
from collections.abc import Iterable
from decimal import Decimal
from itertools import repeat
from operator import add as _add
from operator import floordiv, itemgetter

from django.db import connection

from tsc.lib import bulk_insert, pii
from tsc.lib.formats.pub1220_runs import ZERO_AMOUNT, Run
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
    return [[None, number, *_record_values(rec)] for number, rec in numbered]


_TIN = _COLUMNS.index("payee_tin")


def insert_rows(tax_return_id: int, rows: "list[list] | Rows") -> None:
    """Store rows made by `record_rows` (or `batch_rows`) on the return, each TIN encrypted on the
    way (in place: the clear TIN does not outlive this call)."""
    if isinstance(rows, Rows):
        rows.insert(tax_return_id)
        return
    if not rows:
        return
    for row, tin in zip(rows, pii.encrypt_many([row[_TIN] for row in rows]), strict=True):
        row[0] = tax_return_id
        row[_TIN] = tin
    bulk_insert.insert_rows(InformationReturnRecord, _COLUMNS, rows)


def insert_records(tax_return_id: int, numbered: Iterable[tuple[int, InformationReturn]]) -> None:
    insert_rows(tax_return_id, record_rows(numbered))


# ---------------------------------------------------------------------------- batches of an upload

_LAST4 = itemgetter(slice(-4, None))
_CENTS = itemgetter(slice(-2, None))
_UNPLAIN = re.compile("[\t\n\r]").search
_VALUES = _COLUMNS[2:]  # what a batch holds for each row: all but the return and the record number
_TIN_VALUE = _VALUES.index("payee_tin")


class Rows:
    """A batch of records to store, numbered `first` onward, TINs encrypted: as COPY's text
    without the return's id (`copy`, on PostgreSQL), or (`columns`) for each column of _VALUES
    its values joined by line breaks (or as lists, if a value held a tab, line break or CR)."""

    __slots__ = ("first", "count", "copy", "columns")

    def __init__(self, first: int, count: int, copy: str | None, columns: tuple[str | list[str], ...] | None) -> None:
        self.first, self.count, self.copy, self.columns = first, count, copy, columns

    def __repr__(self) -> str:  # never the values: they hold names
        return f"<Rows {self.first}-{self.first + self.count - 1}>"

    def __len__(self) -> int:
        return self.count

    def __reduce__(self):
        return (Rows, (self.first, self.count, self.copy, self.columns))

    def insert(self, tax_return_id: int) -> None:
        """Store the rows on the return (inside the caller's transaction)."""
        if not self.count:
            return
        if self.copy is not None:
            # Each line gets the return's id in front: one pass over the text.
            rid = f"{tax_return_id}\t"
            text = rid + self.copy[:-1].replace("\n", "\n" + rid) + "\n"
            bulk_insert.insert_copy_text(InformationReturnRecord, _COLUMNS, text)
            return
        assert self.columns is not None
        values = [column.split("\n") if isinstance(column, str) else column for column in self.columns]
        numbers = range(self.first, self.first + self.count)
        bulk_insert.insert_columns(InformationReturnRecord, _COLUMNS, [[tax_return_id] * self.count, numbers, *values])


def _run_values(run: Run) -> tuple[Iterable[str], ...]:
    """The values of _VALUES for the records of a run, a column each. An amount is written as
    str() of the Decimal the reader makes of its 12 digits of cents: "2500.00" for
    "000000250000": the whole dollars of the cents the reader added up, a point, the last two
    digits."""
    count = len(run)
    strip = str.strip
    point, hundred = repeat(".", count), repeat(100, count)
    taxes = map(_add, map(_add, map(str, map(floordiv, run.taxes, hundred)), point), map(_CENTS, run.tax_digits))
    if len(run.amounts) == 1 and 0 not in run.paid:  # one amount each, never zero: the usual file
        code, digits = run.amounts[0]
        whole = map(str, map(floordiv, run.paid, repeat(100, count)))
        paid = list(map(_add, map(_add, whole, repeat(".", count)), map(_CENTS, digits)))
        amounts: Iterable[str] = map(_add, map(_add, repeat(f'{{"{code}": "', count), paid), repeat('"}', count))
    else:
        json, paid = [], []
        for i, total in enumerate(run.paid):
            found = [
                f'"{code}": "{int(digits[i]) // 100}.{digits[i][-2:]}"'
                for code, digits in run.amounts
                if digits[i] != ZERO_AMOUNT
            ]
            json.append("{" + ", ".join(found) + "}")
            paid.append(f"{total // 100}.{total % 100:02d}")
        amounts = json
    return (
        repeat(run.form, count),
        run.tins,
        map(_LAST4, run.tins),
        run.tin_types,
        run.names,
        map(strip, run.addresses),
        map(strip, run.cities),
        run.states,
        map(str.rstrip, run.zips),
        map(strip, run.accounts),
        amounts,
        paid,
        taxes,
    )


def _record_values(rec: InformationReturn) -> tuple[str, ...]:
    """The values of _VALUES for one record: plain strings, the TIN in clear. The amounts go as
    JSON text on both engines: COPY hands text to a jsonb column as it would for any other type,
    and building the text here is cheaper than a JSON encoder per row."""
    return (
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
        _amounts_json(rec.amounts) if rec.amounts else "{}",
        str(rec.total_paid),
        str(rec.state_tax_withheld),
    )


def batch_rows(first: int, pieces: Iterable["InformationReturn | Run"]) -> tuple[Rows, Decimal, Decimal]:
    """The rows of the records (`pub1220.Run`s of them, or single records) numbered `first`
    onward, the TINs encrypted, with the amounts they paid and the tax they withheld: the same
    values `record_rows` and `insert_rows` give record by record."""
    columns: list[list[str]] = [[] for _ in _VALUES]
    paid = withheld = ZERO
    plain = True  # no value holds a tab, a line break or a CR (a run's never do: its pattern says so)
    for piece in pieces:
        if isinstance(piece, Run):
            for column, values in zip(columns, _run_values(piece), strict=True):
                column.extend(values)
            paid += Decimal(sum(piece.paid)).scaleb(-2)
            withheld += Decimal(sum(piece.taxes)).scaleb(-2)
        else:
            values = _record_values(piece)
            for column, value in zip(columns, values, strict=True):
                column.append(value)
            plain = plain and not _UNPLAIN(" ".join(values))
            paid += piece.total_paid
            withheld += piece.state_tax_withheld
    count = len(columns[0])
    columns[_TIN_VALUE] = pii.encrypt_many(columns[_TIN_VALUE])
    if connection.vendor == "postgresql":
        if not plain:
            return Rows(first, count, None, tuple(columns)), paid, withheld  # write_row escapes them
        text = "\n".join(map("\t".join, zip(map(str, range(first, first + count)), *columns, strict=True))) + "\n"
        if "\\" in text:  # COPY's text format: a backslash is written twice
            text = text.replace("\\", "\\\\")
        return Rows(first, count, text, None), paid, withheld
    texts = tuple("\n".join(column) for column in columns) if plain else tuple(columns)
    return Rows(first, count, None, texts), paid, withheld
