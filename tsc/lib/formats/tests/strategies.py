"""Test support: Hypothesis strategies for valid records, a hand-made sample both formats
can carry, and a file whose bytes come from a generator."""

from __future__ import annotations

import io
import string
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from hypothesis import strategies as st

from tsc.lib.formats.pub1220 import Payer, Transmitter
from tsc.lib.formats.records import AMOUNT_CODES, CFSF_STATE_CODES, FORMS, US_STATES, InformationReturn

# Letters, digits and the punctuation names and addresses use; no leading/trailing spaces.
_ALPHABET = string.ascii_letters + string.digits + " &'.,#/"
MAX_CENTS = 10**12 - 1


def words(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return (
        st.text(alphabet=_ALPHABET, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: len(s) >= min_size)
    )


def names(max_size: int) -> st.SearchStrategy[str]:
    """A name: at least one character, not all digits (Publication 1220 wants letters)."""
    return words(max_size, min_size=1).filter(lambda s: not s.isdigit())


# One payment year per generated example, shared by the T record and the W-2G dates won.
years = st.shared(st.integers(2021, 2099), key="payment year")


def digits(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=size, max_size=size)


tins = digits(9).filter(lambda s: s != "000000000")
zips = st.one_of(digits(5), digits(9))
states = st.sampled_from(sorted(US_STATES))
forms = st.sampled_from(sorted(FORMS))


def cents_to_dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@st.composite
def records(
    draw: st.DrawFn,
    form: str | None = None,
    payer_tin: str | None = None,
    state_codes: tuple[str, ...] = tuple(sorted(CFSF_STATE_CODES)),
    uncoded: bool = True,
    specific: bool = True,  # positions 544-662 of Publication 1220 (the CSV has no columns for them)
) -> InformationReturn:
    codes = draw(st.lists(st.sampled_from(AMOUNT_CODES), unique=True, max_size=4))
    amounts = tuple((code, cents_to_dollars(draw(st.integers(1, MAX_CENTS)))) for code in AMOUNT_CODES if code in codes)
    total = sum(int(amount.scaleb(2)) for _, amount in amounts)
    tax = draw(st.integers(0, min(total, MAX_CENTS) if total else MAX_CENTS))
    form = form or draw(forms)
    w2g = form == "W-2G"
    indicators = specific and draw(st.booleans())
    return InformationReturn(
        form=form,
        payer_tin=payer_tin or draw(tins),
        payee_tin=draw(tins),
        tin_type=draw(st.sampled_from(["", "1", "2"])),
        payee_name=draw(names(40)),
        payee_address=draw(words(40)),
        payee_city=draw(words(40)),
        payee_state=draw(states),
        payee_zip=draw(zips),
        account_number=draw(words(20)),
        amounts=amounts,
        state_tax_withheld=cents_to_dollars(tax),
        # A W-2G carries no combined federal/state code; the others may be uncoded too.
        state_code=draw(st.sampled_from(("",) if w2g else ("", *state_codes)))
        if uncoded
        else draw(st.sampled_from(state_codes)),
        second_tin_notice=indicators and not w2g and draw(st.booleans()),
        direct_sales=indicators and not w2g and draw(st.booleans()),
        fatca=indicators and form == "1099-MISC" and draw(st.booleans()),
        wager_type=draw(st.sampled_from("123456789")) if w2g and specific else "",
        date_won=date(draw(years), draw(st.integers(1, 12)), draw(st.integers(1, 28))) if w2g and specific else None,
    )


@st.composite
def payers(draw: st.DrawFn) -> tuple[Payer, list[InformationReturn]]:
    form = draw(forms)
    payer = Payer(
        tin=draw(tins),
        name=draw(names(40)),
        address=draw(words(40)),
        city=draw(words(40)),
        state=draw(states),
        zip=draw(zips),
        form=form,
    )
    return payer, draw(st.lists(records(form=form, payer_tin=payer.tin), min_size=1, max_size=4))


transmitters = st.builds(
    Transmitter,
    year=years,
    tin=tins,
    tcc=st.text(alphabet=string.ascii_uppercase + string.digits, min_size=5, max_size=5),
    name=names(40),
    company_name=names(40),
    test_file=st.booleans(),
)

# A hand-made filing: Nutmeg Bakery reports one 1099-NEC with Connecticut tax withheld.
TRANSMITTER = Transmitter(2024, "061234567", "12ABC", "Nutmeg Payroll", "Nutmeg Payroll LLC", test_file=True)
PAYER = Payer("061234567", "Nutmeg Bakery", "1 Main St", "Hartford", "CT", "06103", "1099-NEC")
SAMPLE = InformationReturn(
    form="1099-NEC",
    payer_tin="061234567",
    payee_tin="123456789",
    tin_type="2",
    payee_name="Jane Q Public",
    payee_address="2 Elm St",
    payee_city="New Haven",
    payee_state="CT",
    payee_zip="06510",
    account_number="A-1001",
    amounts=(("1", Decimal("1234.56")), ("4", Decimal("100.00"))),
    state_tax_withheld=Decimal("86.42"),
)


class GeneratedFile(io.RawIOBase):
    """A read-only file whose bytes come from a generator: never all in memory at once."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size
