"""A return's lines: what a computation gives (tsc/filing/computations.py), and how they are stored
in TaxReturn.lines (a list of the lines' `as_dict`, as JSON).

An amended return's lines are compared with the original's as stored (`line_changes`).

A form's lines are always the same numbers and labels in the same order; only the amounts change.
So a computation gives its amounts as one flat tuple beside its form's `Layout` (the lines' numbers,
labels, whether typed, how many rate columns), built once per form (and label variant). The `Line`
objects are made only when something reads them, and the stored JSON is the layout's text with the
amounts put in: exactly what `json.dumps([line.as_dict() for line in lines])` gives, without a
dict and an encoder pass per line (a bulk filer's import stores 50,000 returns at a time).

A return stores its lines compactly (issue 11): the layout once, as `entries` (a list of [number,
label, entered, rate columns or None]) under its `layout_key` (tsc/filing/stored_lines.py), and
per return only the amounts, as text separated by spaces (`compacted`). `lines_of` gives back
the very list of dicts that was stored; lines that do not fit (none) are stored as they are.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from tsc.lib.money import ZERO


@dataclass(frozen=True)
class Line:
    number: str
    label: str
    amount: Decimal
    entered: bool = False  # typed by the taxpayer (else computed)
    columns: tuple[Decimal, ...] | None = None  # OS-114: one amount per rate column; `amount` is their sum

    def as_dict(self) -> dict:
        """The line as stored in TaxReturn.lines (amounts as strings of Decimal)."""
        data = {"number": self.number, "label": self.label, "amount": str(self.amount), "entered": self.entered}
        if self.columns is not None:
            data["columns"] = [str(a) for a in self.columns]
        return data


class _Slot:
    """Stands for an amount while a layout's JSON text is made: JSON escapes it as \\ue000."""

    def __str__(self) -> str:
        return "\ue000"


_SLOT_TEXT = '"\\ue000"'
_ZERO_TEXT = str(ZERO)


class Layout:
    """A form's lines without their amounts: (number, label, entered, rate columns) each. The
    amounts of a computation are flat, line by line: the line's amount, then its columns."""

    def __init__(self, lines: tuple[tuple[str, str, bool, int], ...]):
        self.lines = lines
        self.size = sum(1 + columns for *_, columns in lines)
        # The stored JSON of these lines with a marker for each amount, then a %-template of it.
        slot = _Slot()
        text = json.dumps(
            [
                Line(number, label, slot, entered, (slot,) * columns if columns else None).as_dict()
                for number, label, entered, columns in lines
            ]
        )
        if text.count(_SLOT_TEXT) != self.size:
            raise ValueError("A line's label holds the amount marker.")
        self._template = text.replace("%", "%%").replace(_SLOT_TEXT, '"%s"')
        # As stored (tsc/filing/stored_lines.py): rate columns None when the line has none.
        self.entries = tuple((number, label, entered, columns or None) for number, label, entered, columns in lines)
        self.key = layout_key(self.entries)

    def build(self, amounts: tuple[Decimal, ...]) -> tuple[Line, ...]:
        out, i = [], 0
        for number, label, entered, columns in self.lines:
            if columns:
                out.append(Line(number, label, amounts[i], entered, amounts[i + 1 : i + 1 + columns]))
            else:
                out.append(Line(number, label, amounts[i], entered))
            i += 1 + columns
        return tuple(out)

    def json(self, amounts: tuple[Decimal, ...]) -> str:
        """The lines as TaxReturn.lines stores them, as JSON text (amounts as str of Decimal)."""
        return self._template % tuple(amounts)

    def amounts_text(self, amounts: tuple[Decimal, ...]) -> str:
        """The amounts as a return stores them beside its layout's key (`compacted`'s text): each
        one's str, that of the shared ZERO known (most of an OS-114's 75 amounts are it)."""
        return " ".join([_ZERO_TEXT if a is ZERO else str(a) for a in amounts])


@dataclass(frozen=True)
class Computation:
    layout: Layout = field(repr=False)
    amounts: tuple[Decimal, ...]  # in the layout's order (see Layout)
    tax_due: Decimal  # after credits and payments, before penalty and interest
    credit: Decimal  # overpayment carried forward (never negative)
    penalty: Decimal = ZERO
    interest: Decimal = ZERO

    def __post_init__(self):
        if len(self.amounts) != self.layout.size:
            raise ValueError(f"{len(self.amounts)} amounts for {self.layout.size} places")

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        return self.layout.build(self.amounts)

    def lines_json(self) -> str:
        """`json.dumps([line.as_dict() for line in self.lines])`, from the layout's template."""
        return self.layout.json(self.amounts)

    def amounts_text(self) -> str:
        """The amounts as stored beside `layout.key`: `lines_of(layout.entries, this)` is the
        list of each line's `as_dict`."""
        return self.layout.amounts_text(self.amounts)

    @property
    def amount_due(self) -> Decimal:
        return self.tax_due + self.penalty + self.interest


# ---- stored: the layout once, the amounts per return ------------------------------------------------


def layout_key(entries) -> str:
    """The key a layout is stored under: a digest of its entries (the same entries, the same key,
    in any process: nothing to look up before storing a return)."""
    text = json.dumps([list(e) for e in entries], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_LINE_KEYS = {"number", "label", "amount", "entered"}
_COLUMNS_LINE_KEYS = {*_LINE_KEYS, "columns"}


def _plain(amount) -> bool:
    return type(amount) is str and amount != "" and " " not in amount


def compacted(lines) -> tuple[tuple, str] | None:
    """(entries, amounts text) of stored lines (a list of `Line.as_dict`), or None when they do not
    fit that shape (no lines, another key, an amount that is not a string without spaces): such
    lines are stored as they are."""
    if type(lines) is not list or not lines:
        return None
    entries, amounts = [], []
    for line in lines:
        if type(line) is not dict:
            return None
        keys = line.keys()
        if keys != _LINE_KEYS and keys != _COLUMNS_LINE_KEYS:
            return None
        number, label, amount, entered = line["number"], line["label"], line["amount"], line["entered"]
        if type(number) is not str or type(label) is not str or type(entered) is not bool or not _plain(amount):
            return None
        amounts.append(amount)
        width = None
        if "columns" in line:
            columns = line["columns"]
            if type(columns) is not list or not all(_plain(a) for a in columns):
                return None
            amounts.extend(columns)
            width = len(columns)
        entries.append((number, label, entered, width))
    return tuple(entries), " ".join(amounts)


def lines_of(entries, amounts_text: str) -> list[dict]:
    """The stored lines (as `Line.as_dict` gives them) of a layout's entries and a return's
    amounts text: the inverse of `compacted`."""
    amounts = amounts_text.split(" ")
    out, i = [], 0
    for number, label, entered, width in entries:
        line = {"number": number, "label": label, "amount": amounts[i], "entered": entered}
        i += 1
        if width is not None:
            line["columns"] = amounts[i : i + width]
            i += width
        out.append(line)
    if i != len(amounts):
        raise ValueError(f"{len(amounts)} amounts for a layout of {i}")
    return out


# ---- amended returns: what changed ----------------------------------------------------------------


@dataclass(frozen=True)
class LineChange:
    number: str
    label: str
    original: Decimal
    amended: Decimal

    @property
    def difference(self) -> Decimal:
        return self.amended - self.original


def _line_key(line: dict) -> str:
    return line["number"] or line["label"]


def line_changes(original: list[dict], amended: list[dict]) -> list[LineChange]:
    """Each line of an amended return beside what the return it amends reported (both as stored
    in TaxReturn.lines). A line in rate columns is followed by a row for each column that changed."""
    from .computations import OS114_COLUMNS  # the columns' headings (that module builds on this one)

    before = {_line_key(line): line for line in original}
    changes = []
    for line in amended:
        old = before.get(_line_key(line), {})
        changes.append(
            LineChange(line["number"], line["label"], Decimal(old.get("amount", ZERO)), Decimal(line["amount"]))
        )
        old_columns = old.get("columns") or [ZERO] * len(OS114_COLUMNS)
        for col, was, now in zip(OS114_COLUMNS, old_columns, line.get("columns") or (), strict=False):
            if Decimal(was) != Decimal(now):
                changes.append(LineChange("", f"Line {line['number']}, {col.heading}", Decimal(was), Decimal(now)))
    return changes
