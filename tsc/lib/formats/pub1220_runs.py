"""Consecutive B records checked at once: one regular expression over a whole run of them, whose
groups are the records' fields, then a few checks on whole columns.

A 100,000-payee file is almost all B records, and almost all of them are right. `pub1220_fast`
already checks a B record with one `fullmatch`; here the same pattern, with groups and the line
ending, goes over a whole `_BRun` (`pub1220_lines`: up to a block of plain 750-character lines)
with one `findall`. It gives one tuple of fields per record only if every record matched: the
run's lines all start with "B" and end with a line feed 750 characters later, and nothing in the
pattern matches a line feed but its end, so a match can only start at a line's start and hold
no line feed inside. Then the
checks a pattern cannot make (the sequence numbers, a name of digits only, no more tax than was
paid) and the payer's totals are done on whole columns, as C loops (`map`, `sum`): Python does
not go record by record. Anything unusual and the reader goes record by record instead, as
without runs (`_Reader.b_run` in `pub1220`).

A `Run` is what comes out: the records' fields as columns, exactly the values the record-by-record
reading gives (`Run.parsed` builds those records; tests compare both ways).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from .pub1220_fast import _text
from .pub1220_layout import (
    DIRECT_SALES,
    FATCA,
    FIELDS,
    FORM_FIELDS,
    FORM_SPECIFIC,
    PAYMENT_YEAR,
    RECORD_LENGTH,
    RECORD_TYPE,
    SECOND_TIN_NOTICE,
    SEQUENCE,
)
from .records import (
    AMOUNT_CODES,
    CFSF_STATE_CODES,
    F_ACCOUNT,
    F_PAYEE_ADDRESS,
    F_PAYEE_CITY,
    F_PAYEE_NAME,
    F_PAYEE_STATE,
    F_PAYEE_TIN,
    F_PAYEE_ZIP,
    F_STATE_CODE,
    F_STATE_TAX,
    F_TIN_TYPE,
    US_STATES,
    ZERO,
    InformationReturn,
    Parsed,
    amount_field,
)

_AMOUNT_CODE_OF = {amount_field(code): code for code in AMOUNT_CODES}
_TEXT_FIELDS = (F_PAYEE_NAME, F_PAYEE_ADDRESS, F_PAYEE_CITY, F_ACCOUNT)
ZERO_AMOUNT = "0" * 12  # an amount field (12 digits of cents) of zero


class RunPattern:
    """`findall` of a payer's right B records with their line ending, and where each field is in
    the tuples it gives (`index`)."""

    __slots__ = ("findall", "index", "codes")

    def __init__(self, findall: Callable[[str], list[tuple[str, ...]]], index: dict[str, int], codes: str) -> None:
        self.findall = findall
        self.index = index
        self.codes = codes  # the amount codes that have groups, in file order


_REPEAT = re.compile(r"([.0])\{([0-9]+)\}").fullmatch


def _by_first_character(values) -> str:
    """An alternation of two-character values, grouped by their first character ("CA|CO|CT" as
    "C[AOT]"): the same matches as `pub1220_fast._choice`, tried quicker."""
    seconds: dict[str, list[str]] = {}
    for value in sorted(values):
        if len(value) != 2:
            raise ValueError("two-character values only")
        seconds.setdefault(value[0], []).append(value[1])
    branches = (re.escape(first) + "[" + "".join(map(re.escape, rest)) + "]" for first, rest in seconds.items())
    return "(?:" + "|".join(branches) + ")"


@functools.lru_cache(maxsize=64)
def run_pattern(year_text: str | None, form: str, codes: str, crlf: bool) -> RunPattern | None:
    """The pattern of `pub1220_fast.b_pattern` for the same payer, with groups, over whole lines
    (CR LF or LF after each); None where that has none (a W-2G)."""
    if form not in FORM_FIELDS or form == "W-2G":
        return None
    parts: list[str] = []
    index: dict[str, int] = {}

    def group(name: str, pattern: str) -> str:
        index[name] = len(index)
        return f"({pattern})"

    def skip(char: str, width: int) -> None:
        """`width` characters not looked at but for a line feed (char "."), or zeros ("0"): one
        repeat with the previous one of the same kind, which matches the same and is quicker."""
        if parts and (last := _REPEAT(parts[-1])) and last.group(1) == char:
            width += int(last.group(2))
            parts.pop()
        parts.append(f"{char}{{{width}}}")

    for f in FIELDS["B"]:
        name, width = f.name, f.width
        if name == RECORD_TYPE:
            parts.append(re.escape(f.value))
        elif name == PAYMENT_YEAR:
            parts.append(re.escape(year_text) if year_text else "[0-9]{4}")
        elif name == F_TIN_TYPE:
            parts.append("[12 ]")  # read from the text with a slice (`tin_types`): no group needed
        elif name == F_PAYEE_TIN:
            parts.append(group(F_PAYEE_TIN, "(?!0{9})[0-9]{9}"))
        elif name in _AMOUNT_CODE_OF:
            code = _AMOUNT_CODE_OF[name]
            if code in codes:
                parts.append(group(code, f"[0-9]{{{width}}}"))
            else:
                skip("0", width)
        elif name == F_STATE_TAX:
            parts.append(group(name, f"[0-9]{{{width}}}"))
        elif name in _TEXT_FIELDS:
            # _text is look-aheads, then the field: the group goes around the field alone.
            text = _text(width, required=name == F_PAYEE_NAME)
            field = f"[ -~]{{{width}}}"
            if not text.endswith(field):
                raise AssertionError("pub1220_fast._text must end with the field itself")
            parts.append(text[: -len(field)] + group(name, field))
        elif name == F_PAYEE_STATE:
            parts.append(group(name, _by_first_character(US_STATES)))
        elif name == F_PAYEE_ZIP:
            parts.append(group(name, "[0-9]{9}|[0-9]{5} {4}"))
        elif name == SEQUENCE:
            skip(".", width)  # compared with the records' places column by column (`sequences_are`)
        elif name == F_STATE_CODE:
            parts.append(group(name, _by_first_character(["  ", *CFSF_STATE_CODES])))
        elif name == FORM_SPECIFIC:
            # No group: a group costs as much as a field's check, and only Run.parsed wants them.
            for sub in FORM_FIELDS[form]:
                if sub.kind == "flag":
                    parts.append("[1 ]")
                else:
                    skip(".", sub.width)
        else:  # fields the reader does not check
            skip(".", width)
    parts.append("\r\n" if crlf else "\n")
    ordered = "".join(code for code in AMOUNT_CODES if code in codes)
    # Not DOTALL: "." is anything but a line feed, so a match is one whole line (see the module).
    return RunPattern(re.compile("".join(parts)).findall, index, ordered)


_B = {f.name: f.slice for f in FIELDS["B"]}
# Each digit of consecutive numbers, for the units, tens and hundreds: a cycle ("0011...99" for
# the tens) that the digits of a run of numbers are a stretch of.
_CYCLES = {place: "".join(str(digit) * place for digit in range(10)) for place in (1, 10, 100)}


def _digit_column(first: int, count: int, place: int) -> str:
    """The digit at `place` (1, 10, 100, ...) of the numbers first ... first + count - 1."""
    if place in _CYCLES:
        cycle = _CYCLES[place]
        offset = first % len(cycle)
        return (cycle * ((offset + count) // len(cycle) + 1))[offset : offset + count]
    out = []
    at, end = first, first + count
    while at < end:  # a digit this high changes at most a few times in a run
        stop = min(end, (at // place + 1) * place)
        out.append(str(at // place % 10) * (stop - at))
        at = stop
    return "".join(out)


def sequences_are(text: str, width: int, first: int) -> bool:
    """Whether the records of `text` (lines of `width` characters each) carry the sequence
    numbers first, first + 1, ... (8 digits, zero-filled), as `_Reader.record` checks one by
    one: compared a digit position at a time, each a slice of the text taking one character per
    line, against the same digit of the expected numbers."""
    count = len(text) // width
    sequence = _B[SEQUENCE]
    digits = sequence.stop - sequence.start
    if first + count - 1 >= 10**digits:
        return False  # a record's place that does not fit: the record-by-record reading says so
    return all(
        text[sequence.start + at :: width] == _digit_column(first, count, 10 ** (digits - 1 - at))
        for at in range(digits)
    )


def tin_types(text: str, width: int) -> list[str]:
    """The TIN type of each record of `text` (lines of `width` characters), as the reader has it."""
    return list(map(TIN_TYPE_OF.__getitem__, text[_B[F_TIN_TYPE].start :: width]))


# "  " in positions 747-748 is no code: "" as the record-by-record reading has it.
STATE_CODE_OF = {"  ": "", **{code: code for code in CFSF_STATE_CODES}}
TIN_TYPE_OF = {"1": "1", "2": "2", " ": ""}

_LAST4 = operator.itemgetter(slice(-4, None))
_SPECIFIC = next(f for f in FIELDS["B"] if f.name == FORM_SPECIFIC).slice

# Flag fields of the 1099-MISC and 1099-NEC by their place in the form-specific positions.
_FLAGS = {
    form: tuple((f.name, f.start - fields[0].start) for f in fields if f.kind == "flag")
    for form, fields in FORM_FIELDS.items()
}


class Run:
    """Consecutive B records of one payer that passed every check, as columns (tuples or lists of
    the same length): the values as the record-by-record reading gives them, but for the text
    fields `accounts`, `addresses`, `cities` and `zips`, which are as in the file (the reading
    strips them) and the amounts, which are digits (`amounts`: per amount code the payer lists,
    its 12 digits of cents; `tax_digits`; and as numbers of cents, `paid` and `taxes`).
    `numbers` are the records' places in the file. Fields nobody stores are read from the run's
    text when asked for (`flags`)."""

    __slots__ = (
        "numbers",
        "form",
        "payer_tin",
        "tins",
        "tin_types",
        "accounts",
        "names",
        "addresses",
        "cities",
        "states",
        "zips",
        "amounts",
        "tax_digits",
        "state_codes",
        "paid",
        "taxes",
        "text",
        "lines",
    )
    # The columns (numbers and amounts apart).
    _COLUMNS = tuple(name for name in __slots__ if name not in ("numbers", "form", "payer_tin", "amounts", "text"))

    numbers: Sequence[int]
    form: str
    payer_tin: str
    tins: Sequence[str]
    tin_types: Sequence[str]
    accounts: Sequence[str]
    names: Sequence[str]
    addresses: Sequence[str]
    cities: Sequence[str]
    states: Sequence[str]
    zips: Sequence[str]
    amounts: tuple[tuple[str, Sequence[str]], ...]
    tax_digits: Sequence[str]
    state_codes: Sequence[str]
    paid: Sequence[int]  # cents: each record's amounts added up
    taxes: Sequence[int]  # cents: each record's state tax
    text: str  # the run's lines as read, each of `width` characters with its line ending ...
    lines: Sequence[int]  # ... and where each record's line is among them

    @property
    def last4(self) -> list[str]:
        return list(map(_LAST4, self.tins))

    @property
    def flags(self) -> list[str]:
        """Each record's form-specific positions (544-662), as in the file."""
        text = self.text
        width = RECORD_LENGTH + 1 + (text[RECORD_LENGTH : RECORD_LENGTH + 1] == "\r")  # CR LF or LF
        return [text[line * width + _SPECIFIC.start : line * width + _SPECIFIC.stop] for line in self.lines]

    def __len__(self) -> int:
        return len(self.numbers)

    def __repr__(self) -> str:  # never the fields: they hold TINs and names
        return f"<Run of {len(self)} B records from record {self.numbers[0] if len(self) else '-'}>"

    def _copy(self, take: Callable[[Sequence], Sequence]) -> Run:
        other = Run.__new__(Run)
        other.numbers = take(self.numbers)
        other.form, other.payer_tin, other.text = self.form, self.payer_tin, self.text
        for name in Run._COLUMNS:
            setattr(other, name, take(getattr(self, name)))
        other.amounts = tuple((code, take(digits)) for code, digits in self.amounts)
        return other

    def part(self, start: int, stop: int) -> Run:
        """Records start to stop (indexes in this run)."""
        return self._copy(lambda column: column[start:stop])

    def pick(self, indexes: Sequence[int]) -> Run:
        """The records at `indexes` (in this run), in that order."""
        return self._copy(lambda column: [column[i] for i in indexes])

    def parsed(self) -> list[Parsed]:
        """The records as the record-by-record reading gives them."""
        out = []
        flags = _FLAGS.get(self.form, ())
        specific = self.flags
        for i, number in enumerate(self.numbers):
            amounts = tuple(
                (code, Decimal(digits[i] + "e-2")) for code, digits in self.amounts if digits[i] != ZERO_AMOUNT
            )
            tax_digits = self.tax_digits[i]
            tax = ZERO if tax_digits == ZERO_AMOUNT else Decimal(tax_digits + "e-2")
            record = InformationReturn(
                self.form,
                self.payer_tin,
                self.tins[i],
                self.tin_types[i],
                self.names[i],
                self.addresses[i].strip(),
                self.cities[i].strip(),
                self.states[i],
                self.zips[i].rstrip(),
                self.accounts[i].strip(),
                amounts,
                tax,
                self.state_codes[i],
            )
            set_ = {name: specific[i][at] == "1" for name, at in flags}
            if any(set_.values()):  # as _Reader.form_specific
                record = replace(
                    record,
                    second_tin_notice=bool(set_.get(SECOND_TIN_NOTICE)),
                    direct_sales=bool(set_.get(DIRECT_SALES)),
                    fatca=bool(set_.get(FATCA)),
                    wager_type="",
                    date_won=None,
                )
            out.append(Parsed(number, record))
        return out
