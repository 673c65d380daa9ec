"""The "Upload a file containing 1099/W-2G information" CSV: one row per payee (per form).

The first row is the header, with the column names of `COLUMNS` (any order, any case;
optional columns may be left out). Every other row is one 1099-MISC, 1099-NEC or W-2G
with Connecticut income tax withheld. `LAYOUT_DOC` explains it for a web page and
`template()` gives a file to start from.

`read` works row by row (constant memory whatever the file size) and never raises on
bad input: everything wrong becomes a `Problem`, numbered by row with the header as row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import BinaryIO, TextIO

from .records import (
    AMOUNT_CODES,
    CONNECTICUT,
    F_ACCOUNT,
    F_FORM,
    F_PAYEE_ADDRESS,
    F_PAYEE_CITY,
    F_PAYEE_NAME,
    F_PAYEE_STATE,
    F_PAYEE_TIN,
    F_PAYEE_ZIP,
    F_PAYER_TIN,
    F_STATE_TAX,
    F_TIN_TYPE,
    FORMS,
    US_STATES,
    ZERO,
    InformationReturn,
    Parsed,
    Problem,
    amount_field,
    identity_problems,
    money_problems,
    shown,
    validate_record,
)


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # as written in the header row
    label: str  # the field name problems use
    required: bool  # must the header have this column?
    description: str
    example: str


# What each amount column means on each form (the Publication 1220 amount codes).
_AMOUNT_MEANING = {
    "1": "1099-MISC box 1 rents; 1099-NEC box 1 nonemployee compensation; W-2G box 1 reportable winnings",
    "2": "1099-MISC box 2 royalties; W-2G box 4 federal income tax withheld",
    "3": "1099-MISC box 3 other income",
    "4": "1099-MISC and 1099-NEC box 4 federal income tax withheld",
    "5": "1099-MISC box 5 fishing boat proceeds",
    "6": "1099-MISC box 6 medical and health care payments",
    "7": "W-2G winnings from identical wagers",
    "8": "1099-MISC box 8 substitute payments in lieu of dividends or interest",
}
_EXAMPLE_AMOUNTS = {"1": "12500.00"}

COLUMNS: tuple[Column, ...] = (
    Column("form", F_FORM, True, "1099-MISC, 1099-NEC or W-2G", "1099-NEC"),
    Column("payer_tin", F_PAYER_TIN, True, "Payer's FEIN: 9 digits, hyphen optional", "06-1234567"),
    Column("payee_tin", F_PAYEE_TIN, True, "Payee's SSN, ITIN or FEIN: 9 digits, hyphens optional", "123-45-6789"),
    Column("tin_type", F_TIN_TYPE, False, "1 or EIN; 2, SSN or ITIN; blank if not known", "2"),
    Column("payee_name", F_PAYEE_NAME, True, "Payee's name, at most 40 characters", "Jane Q Public"),
    Column("payee_address", F_PAYEE_ADDRESS, True, "Street address, at most 40 characters", "450 Columbus Blvd"),
    Column("payee_city", F_PAYEE_CITY, True, "City, at most 40 characters", "Hartford"),
    Column("payee_state", F_PAYEE_STATE, True, "2-letter state or territory code", "CT"),
    Column("payee_zip", F_PAYEE_ZIP, True, "ZIP code: 5 digits or ZIP+4 (06103-1234)", "06103"),
    Column("account_number", F_ACCOUNT, False, "Your account number for the payee, at most 20 characters", "A-1001"),
    *(
        Column(
            f"amount_{code.lower()}",
            amount_field(code),
            False,
            f"Amount code {code}: {_AMOUNT_MEANING.get(code, 'see Publication 1220 for this code on each form')}",
            _EXAMPLE_AMOUNTS.get(code, ""),
        )
        for code in AMOUNT_CODES
    ),
    Column("ct_tax_withheld", F_STATE_TAX, True, "Connecticut income tax withheld", "873.75"),
)
HEADER: tuple[str, ...] = tuple(c.name for c in COLUMNS)
_BY_NAME = {c.name: c for c in COLUMNS}
_COLUMN_OF = {c.label: c.name for c in COLUMNS}  # problem field -> column name
_AMOUNT_COLUMNS = tuple((f"amount_{code.lower()}", code) for code in AMOUNT_CODES)

LAYOUT_DOC = (
    "One row per payee (one form each), after a header row naming the columns below. Columns may\n"
    "be in any order; optional ones may be left out, but at least one amount column is needed.\n"
    "Save the file as CSV UTF-8. Amounts are dollars and cents such as 1234.56; a leading $ and\n"
    "thousands commas (1,234.56) are accepted; a blank amount is zero; no negative amounts.\n"
    "Format TIN and ZIP columns as text so the spreadsheet keeps their leading zeros.\n"
    "Problems are reported by row number as a spreadsheet shows it: the header is row 1.\n\n"
    + "\n".join(
        f"{c.name} ({'required' if c.required else 'optional'}): {c.description}."
        + (f" Example: {c.example}" if c.example else "")
        for c in COLUMNS
    )
)


def template() -> str:
    """The header and one example row, ready to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue()


# ---------------------------------------------------------------------------- writing


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}" if amount else ""


def write(records: Iterable[InformationReturn], out: TextIO) -> int:
    """Write the header and one row per record; returns the number of rows written.

    Streams: `records` may be any iterable. Open `out` with newline="". Raises ValueError
    for a record `validate_record` rejects or one for a state other than Connecticut (this
    layout has no state column).
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for count, rec in enumerate(records, start=1):
        problems = validate_record(rec, count)
        if problems:
            listed = "; ".join(f"{p.field} {p.reason}" for p in problems)
            raise ValueError(f"record {count}: {listed}")
        if rec.state_code != CONNECTICUT:
            raise ValueError(f"record {count}: this layout holds Connecticut records only")
        amounts = dict(rec.amounts)
        zip_code = rec.payee_zip if len(rec.payee_zip) == 5 else f"{rec.payee_zip[:5]}-{rec.payee_zip[5:]}"
        writer.writerow(
            [
                rec.form,
                rec.payer_tin,
                rec.payee_tin,
                rec.tin_type,
                rec.payee_name,
                rec.payee_address,
                rec.payee_city,
                rec.payee_state,
                zip_code,
                rec.account_number,
                *(_money(amounts.get(code, ZERO)) for code in AMOUNT_CODES),
                f"{rec.state_tax_withheld:.2f}",
            ]
        )
    return count


# ---------------------------------------------------------------------------- reading

# A row longer than this is not a payee: stop rather than hold it in memory.
MAX_LINE = 65_536

# 1234.56, 1,234.56, $1,234.56, 1234, 1234.5, .50
_AMOUNT = re.compile(r"\$?(?P<whole>\d{1,3}(?:,\d{3})+|\d*)(?:\.(?P<cents>\d{0,2}))?")
_TIN = re.compile(r"\d{9}|\d{2}-\d{7}|\d{3}-\d{2}-\d{4}")
_ZIP = re.compile(r"(\d{5})(?:-?(\d{4}))?")
_FORM_NAMES = {name.upper(): name for name in FORMS}
_STATES = {state: state for state in US_STATES}  # "ct" is read as CT; anything else is shown as typed
_TIN_TYPES = {"1": "1", "EIN": "1", "2": "2", "SSN": "2", "ITIN": "2", "ATIN": "2", "": ""}
_LOST_ZERO = "; a spreadsheet may have dropped a leading zero: format the column as text"


def parse_amount(text: str) -> Decimal | str:
    """Dollars from a cell (blank is zero), or the reason it is not an amount."""
    value = text.strip()
    if not value:
        return ZERO
    match = _AMOUNT.fullmatch(value)
    if match is None or not (match["whole"] or match["cents"]):
        if value.startswith(("-", "(")) or value.endswith("-"):
            return "must not be negative"
        if re.fullmatch(r"\$?[\d,]*\.\d{3,}", value):
            return "must be in whole cents (at most 2 digits after the point)"
        return f"must be an amount in dollars and cents like 1234.56{shown(value)}"
    whole = (match["whole"] or "0").replace(",", "")
    return Decimal(f"{whole}.{(match['cents'] or '').ljust(2, '0')}")


class _Lines:
    """The stream's lines as text for the csv module, one at a time, remembering whether the
    lines of the current row were valid UTF-8 and whether a line was too long to read."""

    def __init__(self, stream: BinaryIO | TextIO) -> None:
        self.stream = stream
        self.bad_encoding = False
        self.too_long = False
        self.first = True

    def __iter__(self) -> Iterator[str]:
        read = self.stream.readline
        while True:
            line = read(MAX_LINE + 1)
            if not line:
                return
            if len(line) > MAX_LINE:
                self.too_long = True
                return
            if isinstance(line, bytes):
                if self.first and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                try:
                    text = line.decode("utf-8")
                except UnicodeDecodeError:
                    self.bad_encoding = True
                    text = line.decode("utf-8", "replace")
            else:
                text = line.removeprefix("\ufeff") if self.first else line
            self.first = False
            yield text


def read(stream: BinaryIO | TextIO) -> Iterator[Parsed | Problem]:
    """Parsed for each valid row and Problem for everything wrong, in file order.

    `stream` is a binary file (UTF-8, a byte-order mark is fine) or a text file opened with
    newline="". A row with any problem is not yielded as Parsed; entirely blank rows are
    skipped. Header problems come first; if a required column is missing, nothing else is read.
    """
    lines = _Lines(stream)
    rows = csv.reader(iter(lines))
    row_number = 0
    header: list[str] = []
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Problem(row_number + 1, "Row", f"could not be read as CSV ({exc}); is a quote left open?")
            return
        row_number += 1
        bad_encoding, lines.bad_encoding = lines.bad_encoding, False
        if bad_encoding:
            yield Problem(row_number, "Encoding", "is not UTF-8 text; save the file as CSV UTF-8")
            if row_number > 1:
                continue
        if row_number == 1:
            header = [name.strip().lower() for name in row]
            problems = _header_problems(header)
            yield from problems
            if not all(c.name in header for c in COLUMNS if c.required):
                return  # rows without a required column cannot be read
            continue
        if not any(cell.strip() for cell in row):
            continue
        yield from _row(row_number, header, row)
    if lines.too_long:
        yield Problem(row_number + 1, "Row", f"is longer than {MAX_LINE:,} characters; nothing after it was read")
    elif row_number == 0:
        yield Problem(1, "Header", f"the file is empty; the first row must name the columns: {','.join(HEADER)}")


def _header_problems(header: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in header:
        if not name:
            continue  # a blank column (a trailing comma) holds nothing
        if name in seen:
            problems.append(Problem(1, "Header", f'column "{name}" appears more than once'))
        elif name not in _BY_NAME:
            problems.append(
                Problem(1, "Header", f'"{name}" is not a column of this layout; see the layout for the names')
            )
        seen.add(name)
    for c in COLUMNS:
        if c.required and c.name not in seen:
            problems.append(Problem(1, "Header", f'is missing the required column "{c.name}"'))
    if not any(name in seen for name, _ in _AMOUNT_COLUMNS):
        problems.append(Problem(1, "Header", "is missing an amount column: at least one of amount_1 ... amount_g"))
    return problems


def _row(n: int, header: list[str], row: list[str]) -> Iterator[Parsed | Problem]:
    if len(row) != len(header) and (len(row) < len(header) or any(cell.strip() for cell in row[len(header) :])):
        yield Problem(n, "Row", f"has {len(row)} values; the header has {len(header)} columns")
        return
    cells = dict(zip(header, row, strict=False))  # unknown columns were reported with the header

    def cell(name: str) -> str:
        return cells.get(name, "").strip()

    problems: list[Problem] = []
    money_read = True
    amounts: list[tuple[str, Decimal]] = []
    for name, code in _AMOUNT_COLUMNS:
        text = cells.get(name)
        if not text or text.isspace():
            continue  # blank is zero, as most amount cells are
        amount = parse_amount(text)
        if isinstance(amount, str):
            problems.append(Problem(n, amount_field(code), amount))
            money_read = False
        elif amount:
            amounts.append((code, amount))
    tax = parse_amount(cells["ct_tax_withheld"])
    if isinstance(tax, str):
        problems.append(Problem(n, F_STATE_TAX, tax))
        money_read = False
        tax = ZERO

    form, state, zip_code, tin_type = cell("form"), cell("payee_state"), cell("payee_zip"), cell("tin_type")
    zip_match = _ZIP.fullmatch(zip_code)
    record = InformationReturn(
        form=_FORM_NAMES.get(form.upper(), form),
        payer_tin=_tin(cell("payer_tin")),
        payee_tin=_tin(cell("payee_tin")),
        tin_type=_TIN_TYPES.get(tin_type.upper(), tin_type),
        payee_name=cell("payee_name"),
        payee_address=cell("payee_address"),
        payee_city=cell("payee_city"),
        payee_state=_STATES.get(state.upper(), state),
        payee_zip="".join(zip_match.groups("")) if zip_match else zip_code,
        account_number=cell("account_number"),
        amounts=tuple(amounts),
        state_tax_withheld=tax,
    )
    problems.extend(
        _hint(p, cell(_COLUMN_OF[p.field])) if p.field in _HINTED else p for p in identity_problems(record, n)
    )
    if money_read:
        problems.extend(money_problems(record, n))
    if problems:
        # In column order, as the user reads the row.
        yield from sorted(problems, key=lambda p: HEADER.index(_COLUMN_OF.get(p.field, "ct_tax_withheld")))
    else:
        yield Parsed(n, record)


def _tin(value: str) -> str:
    # Hyphens only where FEINs (12-3456789) and SSNs (123-45-6789) have them.
    return value.replace("-", "") if _TIN.fullmatch(value) else value


_HINTED = frozenset({F_PAYER_TIN, F_PAYEE_TIN, F_PAYEE_ZIP})


def _hint(problem: Problem, value: str) -> Problem:
    """Spreadsheets turn 06103 into 6103: say so when a short run of digits is the problem."""
    if value.isdigit() and len(value) in (4, 7, 8):
        return replace(problem, reason=problem.reason + _LOST_ZERO)
    return problem
