"""NACHA ACH files: the daily batch of taxpayer debits DRS sends to its bank.

94-character records, one file header (1), per effective date a CCD batch (5 header, 6 entry
detail each followed by a 7 addenda carrying the TXP tax payment segment, 8 batch control), a
file control (9), and lines of 9s padding the file to a multiple of 10 records (blocking factor
10). Written as a stream: memory does not grow with the number of payments.

Field positions follow the NACHA Operating Rules' record layouts (1-based positions in the
comments); tests check the output with an independent checker written from those rules.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

RECORD = 94
BLOCKING = 10
SERVICE_CLASS_DEBITS = "225"
CHECKING_DEBIT = "27"
SAVINGS_DEBIT = "37"
_ALLOWED = set(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`{|}~")


@dataclass(frozen=True)
class Originator:
    """DRS as the originator of the debits, and the bank that receives the file."""

    destination_routing: str  # 9 digits: the bank (or ACH operator) the file goes to
    destination_name: str
    origin_id: str  # 10 characters: DRS's company identification, e.g. "1" + its EIN
    origin_name: str
    company_name: str  # up to 16, shown on the taxpayer's bank statement
    odfi_routing: str  # 9 digits: DRS's bank, the originating depository financial institution
    entry_description: str = "CT TAX PMT"


@dataclass(frozen=True)
class Debit:
    """One tax payment: a CCD debit with its TXP addenda."""

    routing_number: str
    account_number: str
    account_type: str  # "checking" or "savings"
    amount: Decimal
    effective_date: date  # the requested payment date
    taxpayer_id: str  # the Connecticut Tax Registration Number, digits only
    taxpayer_name: str
    tax_type_code: str
    period_end: date


@dataclass
class Totals:
    batches: int = 0
    entries: int = 0
    records: int = 0
    entry_hash: int = 0
    total_debits: int = 0  # cents


def _text(value: str, width: int) -> str:
    """Alphanumeric field: upper case, left-justified, blank-filled, only characters ACH carries."""
    value = value.upper()
    if not (value.isascii() and value.isprintable()):  # the common case needs no cleaning
        value = "".join(ch if ch in _ALLOWED else " " for ch in value)
    return value[:width].ljust(width)


def _number(value: int, width: int) -> str:
    text = str(value)
    if value < 0 or len(text) > width:
        raise ValueError(f"{value} does not fit in {width} digits")
    return text.zfill(width)


def _cents(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("amounts are in whole cents")
    return int(cents)


def txp(debit: Debit) -> str:
    """The TXP segment: TXP*taxpayer id*tax type*period end YYMMDD*T*amount in cents\\."""
    return f"TXP*{debit.taxpayer_id}*{debit.tax_type_code}*{debit.period_end:%y%m%d}*T*{_cents(debit.amount)}\\"


def _check(record: str) -> str:
    if len(record) != RECORD:
        raise ValueError(f"a NACHA record must be {RECORD} characters, not {len(record)}")
    return record


def write(
    debits: Iterable[Debit], originator: Originator, *, created: datetime, totals: Totals | None = None
) -> Iterator[str]:
    """The file's lines (without line endings), debits grouped in one batch per effective date.
    `debits` must come sorted by effective date. Fills `totals` as it goes."""
    totals = totals if totals is not None else Totals()
    odfi8 = originator.odfi_routing[:8]
    yield _check(
        "1"
        + "01"
        + " "
        + _number(int(originator.destination_routing), 9)
        + _text(originator.origin_id, 10)
        + f"{created:%y%m%d}"
        + f"{created:%H%M}"
        + "A"
        + "094"
        + "10"
        + "1"
        + _text(originator.destination_name, 23)
        + _text(originator.origin_name, 23)
        + _text("", 8)
    )
    totals.records = 1
    for effective, group in groupby(debits, key=lambda d: d.effective_date):
        totals.batches += 1
        batch_number = totals.batches
        entries = 0
        entry_hash = 0
        batch_debits = 0
        yield _check(
            "5"
            + SERVICE_CLASS_DEBITS
            + _text(originator.company_name, 16)
            + _text("", 20)
            + _text(originator.origin_id, 10)
            + "CCD"
            + _text(originator.entry_description, 10)
            + _text("", 6)
            + f"{effective:%y%m%d}"
            + "   "  # settlement date: the ACH operator fills it in
            + "1"
            + odfi8
            + _number(batch_number, 7)
        )
        for debit in group:
            totals.entries += 1
            entries += 1
            trace = odfi8 + _number(totals.entries, 7)
            cents = _cents(debit.amount)
            entry_hash += int(debit.routing_number[:8])
            batch_debits += cents
            code = CHECKING_DEBIT if debit.account_type == "checking" else SAVINGS_DEBIT
            yield _check(
                "6"
                + code
                + debit.routing_number[:8]
                + debit.routing_number[8]
                + _text(debit.account_number, 17)
                + _number(cents, 10)
                + _text(debit.taxpayer_id, 15)
                + _text(debit.taxpayer_name, 22)
                + "  "
                + "1"
                + trace
            )
            yield _check("7" + "05" + _text(txp(debit), 80) + "0001" + trace[-7:])
        totals.entry_hash += entry_hash
        totals.total_debits += batch_debits
        yield _check(
            "8"
            + SERVICE_CLASS_DEBITS
            + _number(entries * 2, 6)
            + _number(entry_hash % 10**10, 10)
            + _number(batch_debits, 12)
            + _number(0, 12)
            + _text(originator.origin_id, 10)
            + _text("", 19)
            + _text("", 6)
            + odfi8
            + _number(batch_number, 7)
        )
        totals.records += 2 + entries * 2
    totals.records += 1  # the file control
    blocks = -(-totals.records // BLOCKING)
    yield _check(
        "9"
        + _number(totals.batches, 6)
        + _number(blocks, 6)
        + _number(totals.entries * 2, 8)
        + _number(totals.entry_hash % 10**10, 10)
        + _number(totals.total_debits, 12)
        + _number(0, 12)
        + _text("", 39)
    )
    for _ in range(blocks * BLOCKING - totals.records):
        yield "9" * RECORD
