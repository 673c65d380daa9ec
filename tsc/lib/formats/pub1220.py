"""IRS Publication 1220 "standard format": fixed-width 750-character records T, A, B, C, K, F.

A file is one T (transmitter) record, then for each payer an A record, one B record per
payee, a C record (payer totals) and optionally K records (state totals for the Combined
Federal/State Filing program), and finally one F (end of transmission) record. Positions
500-507 of every record hold its sequence number (1, 2, 3 ... in file order).

The layout is the table `FIELDS` (in `pub1220_layout`), used by both `write` and `read`:
no position is written anywhere else. Check it against the edition for the tax year.

`read` is a generator working one line at a time (constant memory whatever the file
size) and never raises on bad input: everything wrong becomes a `Problem`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from operator import lt as _lt
from typing import BinaryIO, TextIO

from .pub1220_fast import amount_plan, b_pattern, flags_slice
from .pub1220_layout import (
    DATE_WON,
    DIRECT_SALES,
    FATCA,
    FIELDS,
    FORM_FIELDS,
    PAYMENT_YEAR,
    RECORD_LENGTH,
    RECORD_TYPE,
    SECOND_TIN_NOTICE,
    SEQUENCE,
    SLICES,
    WAGER_TYPE,
    WAGER_TYPES,
    Field,
)
from .pub1220_lines import _LIMIT, _BRun, _Line, _lines  # noqa: F401 - _LIMIT, _Line: part of this module's reading
from .pub1220_runs import STATE_CODE_OF, Run, run_pattern, sequences_are, tin_types
from .records import (
    AMOUNT_CODES,
    CFSF_STATE_CODES,
    F_ACCOUNT,
    F_FORM,
    F_PAYEE_ADDRESS,
    F_PAYEE_CITY,
    F_PAYEE_NAME,
    F_PAYEE_STATE,
    F_PAYEE_TIN,
    F_PAYEE_ZIP,
    F_PAYER_TIN,
    F_STATE_CODE,
    F_STATE_TAX,
    F_TIN_TYPE,
    FORMS,
    ZERO,
    InformationReturn,
    Parsed,
    Problem,
    amount_field,
    dollars,
    identity_problems,
    shown,
    tax_problem,
    tin_problem,
    validate_record,
)

__all__ = [
    "FIELDS",
    "RECORD_LENGTH",
    "Field",
    "Parsed",
    "Payer",
    "Problem",
    "Run",
    "Transmitter",
    "read",
    "read_runs",
    "render",
    "write",
]

_S = SLICES
_SEQ = _S["T"][SEQUENCE]
_B = _S["B"]
_B_AMOUNTS = tuple(_B[amount_field(code)] for code in AMOUNT_CODES)
# The sixteen B amounts are consecutive, so "all zero" is one comparison on one slice.
_B_AMOUNT_BLOCK = slice(_B_AMOUNTS[0].start, _B_AMOUNTS[-1].stop)
_AMOUNT_WIDTH = _B_AMOUNTS[0].stop - _B_AMOUNTS[0].start
if _B_AMOUNT_BLOCK.stop - _B_AMOUNT_BLOCK.start != _AMOUNT_WIDTH * len(AMOUNT_CODES):
    raise AssertionError("the B record amounts must be consecutive fields of one width")
_NOT_ZERO = re.compile("[^0]").search
_ZERO_AMOUNT = "0" * _AMOUNT_WIDTH  # one B amount (and the state tax) of zero
_B_ZERO_BLOCK = "0" * (_B_AMOUNT_BLOCK.stop - _B_AMOUNT_BLOCK.start)
_B_YEAR, _B_TIN, _B_TIN_TYPE, _B_ACCOUNT = _B[PAYMENT_YEAR], _B[F_PAYEE_TIN], _B[F_TIN_TYPE], _B[F_ACCOUNT]
_B_NAME, _B_ADDRESS, _B_CITY = _B[F_PAYEE_NAME], _B[F_PAYEE_ADDRESS], _B[F_PAYEE_CITY]
_B_STATE, _B_ZIP, _B_TAX, _B_CODE = _B[F_PAYEE_STATE], _B[F_PAYEE_ZIP], _B[F_STATE_TAX], _B[F_STATE_CODE]
_FORM_BY_CODE = {code: form for form, code in FORMS.items()}
# The B record's positions 544-662 by form, as (field, slice, label), blanks left out.
_FORM_SPECIFIC = {
    form: tuple((f, f.slice, f.name) for f in fields if f.kind != "blank") for form, fields in FORM_FIELDS.items()
}
# The first payment year of the layout in FIELDS (eighteen amount codes, payee name at 288).
FIRST_YEAR = 2021
_INDEX = {code: i for i, code in enumerate(AMOUNT_CODES)}
_sum = sum
# Markers in _PayerState.unreadable beside the amount indexes.
_TAX = len(AMOUNT_CODES)  # a B record's state tax could not be read
_LOST = -1  # a whole B record could not be read (wrong length)


# ---------------------------------------------------------------------------- writing


@dataclass
class Transmitter:
    year: int
    tin: str
    tcc: str  # Transmitter Control Code issued by the IRS
    name: str
    company_name: str
    test_file: bool = False
    company_address: str = ""
    company_city: str = ""
    company_state: str = ""
    company_zip: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""


@dataclass
class Payer:
    tin: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    form: str  # "1099-MISC" | "1099-NEC" | "W-2G"; one A record holds one type of return
    phone: str = ""


def _format(f: Field, value: object) -> str:
    width = f.width
    if f.kind == "const":
        return f.value
    if f.kind == "blank":
        return " " * width
    if f.kind in ("numeric", "amount"):
        text = str(value if isinstance(value, int) else int(str(value or 0)))
        if len(text) > width or text.startswith("-"):
            raise ValueError(f"{f.name} does not fit in {width} digits")
        return text.zfill(width)
    text = "" if value is None else str(value)
    if f.kind == "tin" and tin_problem(text):
        raise ValueError(f"{f.name} {tin_problem(text)}")
    if f.required and not text.strip():
        raise ValueError(f"{f.name} is required")
    if len(text) > width or not (text.isascii() and text.isprintable()):
        raise ValueError(f"{f.name} must be at most {width} plain ASCII characters")
    return text.ljust(width)


def _default(f: Field) -> str | None:
    """What a field holds when no value is given; None when it needs one (TINs, required)."""
    if f.kind == "tin" or f.required:
        return None
    return _format(f, None)


# Per record type: (field, its default) - most fields of a record are defaults.
_PLAN = {rtype: tuple((f, _default(f)) for f in fields) for rtype, fields in FIELDS.items()}


def render(rtype: str, values: dict[str, object]) -> str:
    """One record of 750 characters (no line ending); fields not given are blank or zero.

    Raises ValueError when a value does not fit its field (too long, not ASCII, a TIN
    that is not 9 digits, a required field left empty).
    """
    unknown = values.keys() - _S[rtype].keys()
    if unknown:
        raise ValueError(f"{rtype} record has no field {sorted(unknown)}")
    get = values.get
    return "".join(
        default if (value := get(f.name)) is None and default is not None else _format(f, value)
        for f, default in _PLAN[rtype]
    )


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2))


@dataclass
class _Totals:
    payees: int = 0
    amounts: list[int] = field(default_factory=lambda: [0] * len(AMOUNT_CODES))
    state_tax: int = 0

    def add(self, cents: list[tuple[int, int]], state_tax: int) -> None:
        """One B record: its non-zero amounts as (index in AMOUNT_CODES, cents)."""
        self.payees += 1
        amounts = self.amounts
        for index, value in cents:
            amounts[index] += value
        self.state_tax += state_tax

    def controls(self) -> dict[str, object]:
        values: dict[str, object] = {"Payee count": self.payees}
        for code, total in zip(AMOUNT_CODES, self.amounts, strict=True):
            values[f"Control total {code}"] = total
        return values


def write(
    transmitter: Transmitter,
    payers: Sequence[tuple[Payer, Sequence[InformationReturn]]],
    out: TextIO,
) -> int:
    """Write a whole Publication 1220 file to `out`; returns the number of B records.

    `payers` and each payer's records must be sequences (lists, tuples, or anything with
    len() that can be iterated twice): the T record needs the total number of payees and
    each A record the amount codes its B records use, both before those records are
    written. Records are written as they are iterated, so a lazy Sequence keeps memory flat.

    Raises ValueError for records that `validate_record` rejects or that do not belong to
    their payer: a file is only written when it is right.
    """
    total = sum(len(records) for _, records in payers)
    seq = 0

    def emit(rtype: str, values: dict[str, object]) -> None:
        nonlocal seq
        seq += 1
        values[SEQUENCE] = seq
        out.write(render(rtype, values) + "\n")

    t = transmitter
    emit(
        "T",
        {
            PAYMENT_YEAR: t.year,
            "Transmitter TIN": t.tin,
            "Transmitter control code": t.tcc,
            "Test file indicator": "T" if t.test_file else "",
            "Transmitter name": t.name,
            "Company name": t.company_name,
            "Company mailing address": t.company_address,
            "Company city": t.company_city,
            "Company state": t.company_state,
            "Company ZIP": t.company_zip,
            "Total number of payees": total,
            "Contact name": t.contact_name,
            "Contact telephone number": t.contact_phone,
            "Contact email address": t.contact_email,
            "Vendor indicator": "I",  # software written in house, not bought from a vendor
        },
    )
    for number, (payer, records) in enumerate(payers, start=1):
        if payer.form not in FORMS:
            raise ValueError(f"payer {number}: form must be one of {', '.join(FORMS)}")
        if not records:
            raise ValueError(f"payer {number} has no records; an A record needs at least one B record")
        used = {code for rec in records for code, _ in rec.amounts}
        codes = "".join(code for code in AMOUNT_CODES if code in used) or "1"
        emit(
            "A",
            {
                PAYMENT_YEAR: t.year,
                "Combined federal/state filer": "1",
                "Payer TIN": payer.tin,
                "Type of return": FORMS[payer.form],
                "Amount codes": codes,
                "Payer name": payer.name,
                "Transfer agent indicator": "0",
                "Payer address": payer.address,
                "Payer city": payer.city,
                "Payer state": payer.state,
                "Payer ZIP": payer.zip,
                "Payer telephone number": payer.phone,
            },
        )
        totals = _Totals()
        states: dict[str, _Totals] = {}
        for index, rec in enumerate(records, start=1):
            problems = validate_record(rec, index)
            if rec.form != payer.form or rec.payer_tin != payer.tin:
                problems.append(Problem(index, F_FORM, "belongs to a different payer or form than its A record"))
            if problems:
                listed = "; ".join(f"{p.field} {p.reason}" for p in problems)
                raise ValueError(f"payer {number}, record {index}: {listed}")
            cents = [(_INDEX[code], _cents(amount)) for code, amount in rec.amounts]
            tax = _cents(rec.state_tax_withheld)
            values: dict[str, object] = {
                PAYMENT_YEAR: t.year,
                F_TIN_TYPE: rec.tin_type,
                F_PAYEE_TIN: rec.payee_tin,
                F_ACCOUNT: rec.account_number,
                F_PAYEE_NAME: rec.payee_name,
                F_PAYEE_ADDRESS: rec.payee_address,
                F_PAYEE_CITY: rec.payee_city,
                F_PAYEE_STATE: rec.payee_state,
                F_PAYEE_ZIP: rec.payee_zip,
                F_STATE_TAX: tax,
                # Positions 747-748 are blank on a W-2G: it is not in the combined program.
                F_STATE_CODE: "" if rec.form == "W-2G" else rec.state_code,
                "Form-specific fields": _form_specific(rec),
            }
            for index, amount in cents:
                values[amount_field(AMOUNT_CODES[index])] = amount
            emit("B", values)
            totals.add(cents, tax)
            states.setdefault(rec.state_code, _Totals()).add(cents, tax)
        emit("C", totals.controls())
        for code in sorted(states):
            if not code:
                continue  # uncoded records have no state to total for
            k = states[code].controls()
            k["State income tax withheld total"] = states[code].state_tax
            k["Combined federal/state code"] = code
            emit("K", k)
    emit("F", {"Number of A records": len(payers), "Total number of payees": total})
    return total


def _form_specific(rec: InformationReturn) -> str:
    """Positions 544-662 of a B record, from FORM_FIELDS."""
    fields = FORM_FIELDS[rec.form]
    values = {
        SECOND_TIN_NOTICE: "1" if rec.second_tin_notice else "",
        DIRECT_SALES: "1" if rec.direct_sales else "",
        FATCA: "1" if rec.fatca else "",
        WAGER_TYPE: rec.wager_type,
        DATE_WON: f"{rec.date_won:%Y%m%d}" if rec.date_won else "",
    }
    return "".join(values.get(f.name, "").ljust(f.width)[: f.width] for f in fields)


# ---------------------------------------------------------------------------- reading


class _PayerState:
    """What the reader remembers about the payer whose A record is open: counts, not records."""

    __slots__ = (
        "record_number",
        "tin",
        "form",
        "cfsf",
        "codes",
        "usable",
        "totals",
        "states",
        "unreadable",
        "fast",
        "fast_year",
        "fast_amounts",
        "flags",
    )

    def __init__(self, record_number: int, tin: str, form: str | None, cfsf: bool, codes: str | None) -> None:
        self.record_number = record_number
        self.tin = tin
        self.form = form
        self.cfsf = cfsf
        self.codes = codes  # the A record's amount codes, or None when they could not be read
        self.usable = form is not None and tin_problem(tin) is None
        self.totals = _Totals()
        self.states: dict[str, _Totals] = {}
        # Amount indexes whose sums are unknown because a B record's field was unreadable;
        # the C and K totals for those codes are not compared (the B problem says enough).
        self.unreadable: set[int] = set()
        # The B record's fast path (pub1220_fast), made at the first B record for the year then in force.
        self.fast: Callable[[str], object] | None = None
        self.fast_year: str | None | bool = False  # False: not made yet
        self.fast_amounts: tuple[tuple[int, str, slice], ...] = ()
        self.flags = slice(0, 0)

    def fast_for(self, year_text: str | None) -> Callable[[str], object] | None:
        if self.fast_year != year_text:
            self.fast_year = year_text
            usable = self.usable and self.codes is not None and self.form is not None
            self.fast = b_pattern(year_text, self.form, self.codes) if usable else None  # type: ignore[arg-type]
            if self.fast is not None:
                self.fast_amounts = amount_plan(self.codes)  # type: ignore[arg-type]
                self.flags = flags_slice(self.form)  # type: ignore[arg-type]
        return self.fast


def _label(rtype: str, name: str) -> str:
    return f"{rtype} record {name[0].lower()}{name[1:]}"


def _digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


# Fields the generic check looks at: everything but blanks, the record type (already
# known) and the sequence number (checked for every record).
_CHECKED = {
    rtype: tuple(
        (f, f.slice, _label(rtype, f.name))
        for f in fields
        if f.kind != "blank" and f.name not in (RECORD_TYPE, SEQUENCE)
    )
    for rtype, fields in FIELDS.items()
}


def _check_fields(rtype: str, text: str, n: int, problems: list[Problem]) -> None:
    """Kind checks for the T, A, C, K and F records (the B record has its own, faster ones)."""
    for f, sl, label in _CHECKED[rtype]:
        value = text[sl]
        if f.kind in ("numeric", "amount"):
            if not _digits(value):
                problems.append(Problem(n, label, f"must be {f.width} digits, zero-filled{shown(value)}"))
        elif f.kind == "tin":
            reason = tin_problem(value)
            if reason:
                problems.append(Problem(n, label, reason))
        elif f.kind == "const":
            if value != f.value:
                problems.append(Problem(n, label, f'must be "{f.value}"{shown(value)}'))
        elif f.required and not value.strip():
            problems.append(Problem(n, label, "is required"))


def _number(text: str, rtype: str, name: str) -> int | None:
    value = text[_S[rtype][name]]
    return int(value) if _digits(value) else None


def _state_name(code: str) -> str:
    return f"{code} ({CFSF_STATE_CODES[code]})" if code in CFSF_STATE_CODES else f'"{code}"'


class _Reader:
    def __init__(self, year: int | None) -> None:
        self.year = year
        self.year_text = None if year is None else f"{year:04d}"
        self.t_number = 0  # record number of the T record, 0 before it
        self.t_total: int | None = None
        self.a_count = 0
        self.b_count = 0
        self.payer: _PayerState | None = None  # the payer whose A record is open
        self.closed: _PayerState | None = None  # the payer whose C record came last (for K)
        self.f_number = 0

    # -- the file, record by record

    def run(self, stream: BinaryIO | TextIO) -> Iterator[Parsed | Problem]:
        return self._run(_lines(stream))

    def run_with_runs(self, stream: BinaryIO | TextIO) -> Iterator[Parsed | Problem | Run]:
        return self._run(_lines(stream, runs=True))

    def _run(self, items) -> Iterator[Parsed | Problem | Run]:
        """Every record of the file, checked, then what the file as a whole lacks. From
        `run_with_runs`, plain runs of right B records come as one `Run` each (see `read_runs`)."""
        n = 0
        after_f = 0
        for item in items:
            if type(item) is _BRun:
                found = self.b_run(n, item)
                if found is not None:
                    n += item.count
                    yield found
                    continue
                lines: Sequence[_Line] = item.lines()
            else:
                lines = (item,)
            for line in lines:
                n += 1
                if self.f_number:
                    after_f += 1
                    continue
                problems: list[Problem] = []
                parsed = self.record(n, line, problems)
                yield from problems
                if parsed is not None and not problems:
                    yield parsed
        yield from self.finish(n, after_f)

    def record(self, n: int, line: _Line, problems: list[Problem]) -> Parsed | None:
        if line.non_ascii:
            position, what = line.non_ascii
            problems.append(
                Problem(n, "Encoding", f"position {position} holds a {what}; Publication 1220 files are plain ASCII")
            )
        text: str | None = line.text
        if RECORD_LENGTH - 2 <= line.length < RECORD_LENGTH:
            # Positions 749-750 may hold the line ending (CR LF, LF or LF LF): they are blank.
            text = line.text.ljust(RECORD_LENGTH)
        elif line.length != RECORD_LENGTH:
            problems.append(
                Problem(n, "Record length", f"is {line.length} characters; every record must be {RECORD_LENGTH}")
            )
            text = None  # fields would be misplaced: only the record type is used
        rtype = line.text[:1]
        if n == 1 and rtype != "T":
            problems.append(Problem(1, "Record order", "the file must start with a T (transmitter) record"))
        handler = self.handlers.get(rtype)
        if handler is None:
            if line.length:
                problems.append(
                    Problem(n, "Record type", f'"{rtype}" is not a record type; records start with T, A, B, C, K or F')
                )
            return None
        if text is not None:
            sequence = text[_SEQ]
            if sequence != f"{n:08d}":
                problems.append(
                    Problem(n, SEQUENCE, f"must be {n:08d}, the record's place in the file{shown(sequence)}")
                )
        return handler(self, n, text, problems)

    def year_problem(self, n: int, label: str, value: str, problems: list[Problem]) -> None:
        if self.year_text is None or value == self.year_text:
            return
        if not _digits(value):
            return  # the kind check already says so
        where = "this filing is for" if self.year is not None else "the T record says"
        problems.append(Problem(n, label, f"is {value}; {where} {self.year_text}"))

    def missing_c(self, n: int, before: str) -> Problem:
        assert self.payer is not None
        return Problem(
            n, "C record", f"is missing for the payer in record {self.payer.record_number}: expected before {before}"
        )

    # -- one method per record type

    def on_t(self, n: int, text: str | None, problems: list[Problem]) -> None:
        if self.t_number:
            problems.append(Problem(n, "Record order", f"a file has one T record; the first is record {self.t_number}"))
            return
        self.t_number = n
        if n != 1:
            problems.append(Problem(n, "Record order", "the T record must be the first record"))
        if text is None:
            return
        _check_fields("T", text, n, problems)
        year = text[_S["T"][PAYMENT_YEAR]]
        if _digits(year) and int(year) < FIRST_YEAR:
            problems.append(
                Problem(
                    n,
                    _label("T", PAYMENT_YEAR),
                    f"is {year}: files for payment years before {FIRST_YEAR} use an older Publication 1220 "
                    "layout and are outside the 3-year filing window. Write the file for a current year.",
                )
            )
        if self.year_text is None:
            self.year_text = year if _digits(year) else None
        else:
            self.year_problem(n, _label("T", PAYMENT_YEAR), year, problems)
        if text[_S["T"]["Test file indicator"]] not in ("T", " "):
            problems.append(Problem(n, _label("T", "Test file indicator"), 'must be "T" for a test file or blank'))
        self.t_total = _number(text, "T", "Total number of payees")

    def on_a(self, n: int, text: str | None, problems: list[Problem]) -> None:
        if self.payer is not None:
            problems.append(self.missing_c(n, f"the next A record (record {n})"))
        self.a_count += 1
        if text is None:
            self.payer = _PayerState(n, "", None, False, None)
            return
        s = _S["A"]
        _check_fields("A", text, n, problems)
        self.year_problem(n, _label("A", PAYMENT_YEAR), text[s[PAYMENT_YEAR]], problems)
        form = _FORM_BY_CODE.get(text[s["Type of return"]])
        if form is None:
            problems.append(
                Problem(
                    n,
                    _label("A", "Type of return"),
                    f'must be "A " (1099-MISC), "NE" (1099-NEC) or "W " (W-2G){shown(text[s["Type of return"]])}',
                )
            )
        cfsf = text[s["Combined federal/state filer"]]
        if cfsf not in ("1", " "):
            problems.append(
                Problem(
                    n,
                    _label("A", "Combined federal/state filer"),
                    'must be "1" (Combined Federal/State Filing) or blank',
                )
            )
        codes: str | None = text[s["Amount codes"]].strip()
        if not codes or any(c not in AMOUNT_CODES for c in codes) or len(set(codes)) != len(codes):
            problems.append(
                Problem(
                    n,
                    _label("A", "Amount codes"),
                    f"must list each amount code used once, from 1-9, A-H and J{shown(codes or '')}",
                )
            )
            codes = None
        if text[s["Payer name"]].strip().isdigit():
            problems.append(Problem(n, _label("A", "Payer name"), "is all digits; a name must have letters"))
        self.payer = _PayerState(n, text[s["Payer TIN"]], form, cfsf == "1", codes)

    def on_b(self, n: int, text: str | None, problems: list[Problem]) -> Parsed | None:
        self.b_count += 1
        p = self.payer
        if p is None:
            where = "after its payer's C record" if self.closed else "before any A (payer) record"
            problems.append(
                Problem(
                    n,
                    "Record order",
                    f"this B record comes {where}; B records belong between an A record and its C record",
                )
            )
            return None
        if text is None:
            p.totals.payees += 1
            p.unreadable.update((*range(len(AMOUNT_CODES)), _TAX, _LOST))
            return None
        fast = p.fast_for(self.year_text)
        if fast is not None and fast(text) is not None and (parsed := self.fast_b(n, text, p, problems)):
            return parsed
        year = text[_B_YEAR]
        if year != self.year_text:
            if not _digits(year):
                problems.append(Problem(n, PAYMENT_YEAR, f"must be 4 digits{shown(year)}"))
            else:
                self.year_problem(n, PAYMENT_YEAR, year, problems)

        code = text[_B_CODE]
        if code == "  ":
            code = ""  # uncoded: filed with Connecticut (records.InformationReturn.is_connecticut)
        elif p.form == "W-2G":
            problems.append(Problem(n, F_STATE_CODE, f"must be blank on a W-2G (positions 747-748){shown(code)}"))
        state = p.states.get(code)
        if state is None:
            state = p.states[code] = _Totals()
        payer_totals, state_totals = p.totals.amounts, state.amounts

        paid = 0  # cents
        amounts: tuple[tuple[str, Decimal], ...] = ()
        block = text[_B_AMOUNT_BLOCK]
        if block != _B_ZERO_BLOCK:
            found: list[tuple[str, Decimal]] = []
            # Most amounts are zero: jump from one non-zero character to the next instead
            # of slicing all sixteen amounts.
            end = 0
            while (nonzero := _NOT_ZERO(block, end)) is not None:
                index = nonzero.start() // _AMOUNT_WIDTH
                end = (index + 1) * _AMOUNT_WIDTH
                value = block[end - _AMOUNT_WIDTH : end]
                code_ = AMOUNT_CODES[index]
                if value.isdigit() and value.isascii():
                    cents = int(value)
                    paid += cents
                    payer_totals[index] += cents
                    state_totals[index] += cents
                    found.append((code_, Decimal(value + "e-2")))  # cents -> dollars, exactly
                    if p.codes is not None and code_ not in p.codes:
                        problems.append(
                            Problem(
                                n,
                                amount_field(code_),
                                f"is not zero, but the A record does not list amount code {code_}",
                            )
                        )
                else:
                    problems.append(
                        Problem(n, amount_field(code_), f"must be 12 digits of cents, zero-filled{shown(value)}")
                    )
                    p.unreadable.add(index)
            amounts = tuple(found)

        tax_text = text[_B_TAX]
        tax = 0
        state_tax = ZERO
        if tax_text != _ZERO_AMOUNT:
            if _digits(tax_text):
                tax = int(tax_text)
                state_tax = Decimal(tax_text + "e-2")
            else:
                problems.append(Problem(n, F_STATE_TAX, f"must be 12 digits of cents, zero-filled{shown(tax_text)}"))
                p.unreadable.add(_TAX)
        p.totals.payees += 1
        p.totals.state_tax += tax
        state.payees += 1
        state.state_tax += tax

        # Positional arguments: measurably faster than keywords at 100,000s of records.
        record = InformationReturn(
            p.form or "",  # form
            p.tin,  # payer_tin
            text[_B_TIN],  # payee_tin
            text[_B_TIN_TYPE].strip(),  # tin_type
            text[_B_NAME].strip(),  # payee_name
            text[_B_ADDRESS].strip(),  # payee_address
            text[_B_CITY].strip(),  # payee_city
            text[_B_STATE],  # payee_state
            text[_B_ZIP].rstrip(),  # payee_zip
            text[_B_ACCOUNT].strip(),  # account_number
            amounts,
            state_tax,  # state_tax_withheld
            code,  # state_code
        )
        if p.form is not None:
            record = self.form_specific(n, text, p.form, record, problems)
        # Amounts read from digits are always whole, non-negative cents that fit, so of the
        # money checks only "no more tax than was paid" is left.
        for problem in identity_problems(record, n):
            # The A record's problems are reported once, at the A record.
            if p.usable or problem.field not in (F_FORM, F_PAYER_TIN):
                problems.append(problem)
        if 0 < paid < tax:
            problems.append(tax_problem(state_tax, record.total_paid, n))
        return Parsed(n, record) if p.usable else None

    def fast_b(self, n: int, text: str, p: _PayerState, problems: list[Problem]) -> Parsed | None:
        """A B record the payer's pattern matched: every field check passed (pub1220_fast). The
        same record, totals and problems as the checks below would give; None leaves it to them."""
        name = text[_B_NAME].strip()
        if name.isdigit():
            return None  # the checks below say why
        code = text[_B_CODE]
        if code == "  ":
            code = ""
        state = p.states.get(code)
        if state is None:
            state = p.states[code] = _Totals()
        payer_totals, state_totals = p.totals.amounts, state.amounts
        paid = 0
        found: list[tuple[str, Decimal]] = []
        for index, code_, sl in p.fast_amounts:
            value = text[sl]
            if value != _ZERO_AMOUNT:
                cents = int(value)
                paid += cents
                payer_totals[index] += cents
                state_totals[index] += cents
                found.append((code_, Decimal(value + "e-2")))
        tax_text = text[_B_TAX]
        tax, state_tax = (int(tax_text), Decimal(tax_text + "e-2")) if tax_text != _ZERO_AMOUNT else (0, ZERO)
        p.totals.payees += 1
        p.totals.state_tax += tax
        state.payees += 1
        state.state_tax += tax
        record = InformationReturn(
            p.form,  # type: ignore[arg-type]
            p.tin,
            text[_B_TIN],
            text[_B_TIN_TYPE].strip(),
            name,
            text[_B_ADDRESS].strip(),
            text[_B_CITY].strip(),
            text[_B_STATE],
            text[_B_ZIP].rstrip(),
            text[_B_ACCOUNT].strip(),
            tuple(found),
            state_tax,
            code,
        )
        if text[p.flags].strip():
            record = self.form_specific(n, text, p.form, record, problems)  # type: ignore[arg-type]
        if 0 < paid < tax:
            problems.append(tax_problem(state_tax, record.total_paid, n))
        return Parsed(n, record)

    def b_run(self, n: int, run: _BRun) -> Run | None:
        """Records n+1 ... n+run.count, all B records, at once (pub1220_runs): the `Run` when
        every check `record` and `on_b` would make passes, with the counts and totals updated as
        they would; None (nothing updated) when any might not, to be read record by record."""
        p = self.payer
        if p is None or n == 0 or self.f_number or p.fast_for(self.year_text) is None:
            return None  # no open payer, a file that does not start with T, after F, or a W-2G
        pattern = run_pattern(self.year_text, p.form, p.codes, run.crlf)  # type: ignore[arg-type]
        if pattern is None:
            return None
        found = pattern.findall(run.text)
        count = run.count
        if len(found) != count:
            return None  # a record the pattern does not match
        columns = list(zip(*found, strict=True))
        at = pattern.index
        first = n + 1
        width = RECORD_LENGTH + 1 + run.crlf
        if not sequences_are(run.text, width, first):
            return None
        names = list(map(str.strip, columns[at[F_PAYEE_NAME]]))
        if any(map(str.isdigit, names)):
            return None  # a name of digits only
        amounts = tuple((code, columns[at[code]]) for code in pattern.codes)
        cents = [list(map(int, digits)) for _, digits in amounts]  # [0-9]{12}: nothing else int() takes
        paid = cents[0] if len(cents) == 1 else list(map(_sum, zip(*cents, strict=True)))
        tax_digits = columns[at[F_STATE_TAX]]
        taxes = list(map(int, tax_digits))
        if any(map(_lt, paid, taxes)) and any(0 < money < tax for money, tax in zip(paid, taxes, strict=True)):
            return None  # more tax withheld than paid: the record-by-record reading says so
        codes = list(map(STATE_CODE_OF.__getitem__, columns[at[F_STATE_CODE]]))

        # Every check passed: count them as on_b would, record by record.
        self.b_count += count
        indexes = [_INDEX[code] for code, _ in amounts]
        payer = p.totals
        payer.payees += count
        for index, column in zip(indexes, cents, strict=True):
            payer.amounts[index] += sum(column)
        payer.state_tax += sum(taxes)
        if codes.count(codes[0]) == count:  # one state (or none) for all, as usual
            state = p.states.get(codes[0])
            if state is None:
                state = p.states[codes[0]] = _Totals()
            state.payees += count
            for index, column in zip(indexes, cents, strict=True):
                state.amounts[index] += sum(column)
            state.state_tax += sum(taxes)
        else:
            for i, code in enumerate(codes):
                state = p.states.get(code)
                if state is None:
                    state = p.states[code] = _Totals()
                state.payees += 1
                for index, column in zip(indexes, cents, strict=True):
                    state.amounts[index] += column[i]
                state.state_tax += taxes[i]

        out = Run.__new__(Run)
        out.numbers = range(first, first + count)
        out.form, out.payer_tin = p.form, p.tin  # type: ignore[assignment]
        out.tins = columns[at[F_PAYEE_TIN]]
        out.tin_types = tin_types(run.text, width)
        out.accounts, out.names = columns[at[F_ACCOUNT]], names
        out.addresses, out.cities = columns[at[F_PAYEE_ADDRESS]], columns[at[F_PAYEE_CITY]]
        out.states, out.zips = columns[at[F_PAYEE_STATE]], columns[at[F_PAYEE_ZIP]]
        out.amounts = amounts
        out.tax_digits, out.state_codes = tax_digits, codes
        out.paid, out.taxes = paid, taxes
        out.text, out.lines = run.text, range(count)
        return out

    def form_specific(
        self, n: int, text: str, form: str, record: InformationReturn, problems: list[Problem]
    ) -> InformationReturn:
        """Positions 544-662: the indicators of a 1099-MISC or 1099-NEC, the W-2G's wager and date won."""
        values: dict[str, object] = {}
        for f, sl, name in _FORM_SPECIFIC[form]:
            value = text[sl]
            if f.kind == "flag":
                if value not in ("1", " "):
                    problems.append(Problem(n, name, f'must be "1" or blank{shown(value)}'))
                values[name] = value == "1"
            elif name == WAGER_TYPE:
                if value not in WAGER_TYPES:
                    problems.append(Problem(n, name, f"must be a type of wager code from 1 to 9{shown(value)}"))
                values[name] = value.strip()
            elif f.kind == "date":
                values[name] = self.date_won(n, value, problems)
        if not values or not any(values.values()):
            return record
        return replace(
            record,
            second_tin_notice=bool(values.get(SECOND_TIN_NOTICE)),
            direct_sales=bool(values.get(DIRECT_SALES)),
            fatca=bool(values.get(FATCA)),
            wager_type=str(values.get(WAGER_TYPE, "")),
            date_won=values.get(DATE_WON),  # type: ignore[arg-type]
        )

    def date_won(self, n: int, value: str, problems: list[Problem]) -> date | None:
        try:
            won = date(int(value[:4]), int(value[4:6]), int(value[6:])) if _digits(value) else None
        except ValueError:
            won = None
        if won is None:
            problems.append(Problem(n, DATE_WON, f"must be a date written YYYYMMDD{shown(value)}"))
        elif self.year_text is not None and f"{won.year:04d}" != self.year_text:
            problems.append(Problem(n, DATE_WON, f"is {won:%m/%d/%Y}, not in payment year {self.year_text}"))
        return won

    def on_c(self, n: int, text: str | None, problems: list[Problem]) -> None:
        p = self.payer
        if p is None:
            problems.append(Problem(n, "Record order", "a C record must follow an A record and its B records"))
            return
        self.payer, self.closed = None, p
        if text is not None:
            _check_fields("C", text, n, problems)
            self.compare("C", n, text, p, p.totals, problems)

    def on_k(self, n: int, text: str | None, problems: list[Problem]) -> None:
        p = self.closed
        if self.payer is not None or p is None:
            problems.append(Problem(n, "Record order", "a K record must follow its payer's C record"))
            return
        if text is None:
            return
        _check_fields("K", text, n, problems)
        label = _label("K", "Combined federal/state code")
        code = text[_S["K"]["Combined federal/state code"]]
        state = p.states.get(code)
        if code not in CFSF_STATE_CODES:
            problems.append(Problem(n, label, f"must be a Combined Federal/State Filing state code{shown(code)}"))
        elif state is None:
            problems.append(Problem(n, label, f"is {_state_name(code)}, but none of the payer's B records is"))
        if state is None or _LOST in p.unreadable:
            return  # a B record of unknown state: the K counts cannot be checked
        self.compare("K", n, text, p, state, problems)
        reported = _number(text, "K", "State income tax withheld total")
        if reported is not None and _TAX not in p.unreadable and reported != state.state_tax:
            problems.append(
                Problem(
                    n,
                    _label("K", "State income tax withheld total"),
                    f"is {_money(reported)} but the B records for {_state_name(code)} "
                    f"add up to {_money(state.state_tax)}",
                )
            )

    def compare(self, rtype: str, n: int, text: str, p: _PayerState, totals: _Totals, problems: list[Problem]) -> None:
        """C and K records: payee count and the sixteen control totals against the B records."""
        whose = f"the payer in record {p.record_number}"
        count = _number(text, rtype, "Payee count")
        if count is not None and count != totals.payees:
            problems.append(
                Problem(n, _label(rtype, "Payee count"), f"is {count} but {whose} has {totals.payees} B records")
            )
        for i, code in enumerate(AMOUNT_CODES):
            reported = _number(text, rtype, f"Control total {code}")
            if reported is None or i in p.unreadable or reported == totals.amounts[i]:
                continue
            problems.append(
                Problem(
                    n,
                    _label(rtype, f"Control total {code}"),
                    f"is {_money(reported)} but the B records of {whose} add up to "
                    f"{_money(totals.amounts[i])} for amount code {code}",
                )
            )

    def on_f(self, n: int, text: str | None, problems: list[Problem]) -> None:
        if self.payer is not None:
            problems.append(self.missing_c(n, f"the F record (record {n})"))
            self.payer = None
        self.f_number = n
        if text is None:
            return
        _check_fields("F", text, n, problems)
        for name, actual, what in (
            ("Number of A records", self.a_count, "A records"),
            ("Total number of payees", self.b_count, "B records"),
        ):
            reported = _number(text, "F", name)
            if reported is not None and reported != actual:
                problems.append(Problem(n, _label("F", name), f"is {reported} but the file has {actual} {what}"))

    handlers = {"T": on_t, "A": on_a, "B": on_b, "C": on_c, "K": on_k, "F": on_f}

    def finish(self, last: int, after_f: int) -> Iterator[Problem]:
        if last == 0:
            yield Problem(1, "File", "is empty; it must start with a T (transmitter) record")
            return
        if after_f:
            yield Problem(
                self.f_number + 1,
                "Record order",
                f"nothing may follow the F (end of transmission) record, but {after_f} more line(s) do",
            )
        if self.payer is not None:
            yield self.missing_c(last + 1, "the end of the file")
        if not self.f_number:
            yield Problem(last + 1, "F record", "is missing: the file must end with an F (end of transmission) record")
        if self.t_total is not None and self.t_total != self.b_count:
            yield Problem(
                self.t_number,
                _label("T", "Total number of payees"),
                f"is {self.t_total} but the file has {self.b_count} B records",
            )


def _money(cents: int) -> str:
    return dollars(Decimal(cents).scaleb(-2))


def read(stream: BinaryIO | TextIO, *, year: int | None = None) -> Iterator[Parsed | Problem]:
    """Parsed for each valid B record and Problem for everything wrong, in file order.

    `stream` is a binary file (preferred: bytes are checked as ASCII and CR LF is seen as
    such) or a text file; it needs `readline(size)`. A B record with any problem is not
    yielded as Parsed. Problems found only at the end of the file (missing F, the T
    record's payee count) come last. `year`, when given, is the payment year every T, A
    and B record must carry; otherwise A and B records must match the T record.
    """
    return _Reader(year).run(stream)


def read_runs(stream: BinaryIO | TextIO, *, year: int | None = None) -> Iterator[Parsed | Problem | Run]:
    """`read`, but consecutive B records that pass every check may come together as one `Run`
    (their fields as columns; `Run.parsed()` gives the `Parsed` that `read` would have given, in
    the same place). Everything else is exactly as `read` gives it: the same problems, in the same
    order. Checking a large file this way costs a fraction of `read` (pub1220_runs)."""
    return _Reader(year).run_with_runs(stream)
