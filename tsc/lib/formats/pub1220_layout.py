"""The Publication 1220 record layout as data: one table of fields per record type.

Both the writer and the reader in `pub1220` use this table and nothing else for positions.
The positions follow the editions for payment years 2021 onward: eighteen payment amounts
(codes 1-9, A-H, J) at 55-270 and the first payee name line at 288-327. (The editions before
2021 had sixteen amounts, ending at G, and the payee name at 248-287; files in that layout are
refused by year.) Positions 544-662 of the B record differ by form: `FORM_FIELDS` holds them.
`check_table` (run at import) makes sure every table covers positions 1-750 exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from .records import (
    AMOUNT_CODES,
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
    amount_field,
)

RECORD_LENGTH = 750
KINDS = frozenset({"alpha", "numeric", "amount", "tin", "blank", "const", "flag", "date"})


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    start: int  # 1-based, inclusive, as Publication 1220 prints them
    end: int
    kind: str  # alpha | numeric | amount (cents, zero-filled) | tin | blank | const | flag | date
    value: str = ""  # the fixed content of a "const" field
    required: bool = False  # an alpha field that must not be blank

    @property
    def width(self) -> int:
        return self.end - self.start + 1

    @property
    def slice(self) -> slice:
        return slice(self.start - 1, self.end)


def _amounts(first: int, width: int, label: str) -> tuple[Field, ...]:
    """One field per amount code, consecutive, starting at position `first`."""
    return tuple(
        Field(label.format(code=code), first + i * width, first + (i + 1) * width - 1, "amount")
        for i, code in enumerate(AMOUNT_CODES)
    )


SEQUENCE = "Record sequence number"
FORM_SPECIFIC = "Form-specific fields"
SECOND_TIN_NOTICE = "Second TIN notice"
DIRECT_SALES = "Direct sales indicator"
FATCA = "FATCA filing requirement indicator"
WAGER_TYPE = "Type of wager code"
DATE_WON = "Date won"
RECORD_TYPE = "Record type"
PAYMENT_YEAR = "Payment year"

FIELDS: dict[str, tuple[Field, ...]] = {
    "T": (
        Field(RECORD_TYPE, 1, 1, "const", "T"),
        Field(PAYMENT_YEAR, 2, 5, "numeric"),
        Field("Prior year data indicator", 6, 6, "alpha"),
        Field("Transmitter TIN", 7, 15, "tin"),
        Field("Transmitter control code", 16, 20, "alpha", required=True),
        Field("Blank", 21, 27, "blank"),
        Field("Test file indicator", 28, 28, "alpha"),
        Field("Foreign entity indicator", 29, 29, "alpha"),
        Field("Transmitter name", 30, 69, "alpha", required=True),
        Field("Transmitter name continuation", 70, 109, "alpha"),
        Field("Company name", 110, 149, "alpha", required=True),
        Field("Company name continuation", 150, 189, "alpha"),
        Field("Company mailing address", 190, 229, "alpha"),
        Field("Company city", 230, 269, "alpha"),
        Field("Company state", 270, 271, "alpha"),
        Field("Company ZIP", 272, 280, "alpha"),
        Field("Blank", 281, 295, "blank"),
        Field("Total number of payees", 296, 303, "numeric"),
        Field("Contact name", 304, 343, "alpha"),
        Field("Contact telephone number", 344, 358, "alpha"),
        Field("Contact email address", 359, 408, "alpha"),
        Field("Blank", 409, 499, "blank"),
        Field(SEQUENCE, 500, 507, "numeric"),
        Field("Blank", 508, 517, "blank"),
        Field("Vendor indicator", 518, 518, "alpha"),
        Field("Vendor name", 519, 558, "alpha"),
        Field("Vendor mailing address", 559, 598, "alpha"),
        Field("Vendor city", 599, 638, "alpha"),
        Field("Vendor state", 639, 640, "alpha"),
        Field("Vendor ZIP", 641, 649, "alpha"),
        Field("Vendor contact name", 650, 689, "alpha"),
        Field("Vendor contact telephone number", 690, 704, "alpha"),
        Field("Blank", 705, 739, "blank"),
        Field("Vendor foreign entity indicator", 740, 740, "alpha"),
        Field("Blank", 741, 750, "blank"),
    ),
    "A": (
        Field(RECORD_TYPE, 1, 1, "const", "A"),
        Field(PAYMENT_YEAR, 2, 5, "numeric"),
        Field("Combined federal/state filer", 6, 6, "alpha"),
        Field("Blank", 7, 11, "blank"),
        Field("Payer TIN", 12, 20, "tin"),
        Field("Payer name control", 21, 24, "alpha"),
        Field("Last filing indicator", 25, 25, "alpha"),
        Field("Type of return", 26, 27, "alpha"),
        Field("Amount codes", 28, 45, "alpha"),
        Field("Blank", 46, 51, "blank"),
        Field("Foreign entity indicator", 52, 52, "alpha"),
        Field("Payer name", 53, 92, "alpha", required=True),
        Field("Payer name continuation", 93, 132, "alpha"),
        Field("Transfer agent indicator", 133, 133, "alpha"),
        Field("Payer address", 134, 173, "alpha"),
        Field("Payer city", 174, 213, "alpha"),
        Field("Payer state", 214, 215, "alpha"),
        Field("Payer ZIP", 216, 224, "alpha"),
        Field("Payer telephone number", 225, 239, "alpha"),
        Field("Blank", 240, 499, "blank"),
        Field(SEQUENCE, 500, 507, "numeric"),
        Field("Blank", 508, 750, "blank"),
    ),
    "B": (
        Field(RECORD_TYPE, 1, 1, "const", "B"),
        Field(PAYMENT_YEAR, 2, 5, "numeric"),
        Field("Corrected return indicator", 6, 6, "alpha"),
        Field("Payee name control", 7, 10, "alpha"),
        Field(F_TIN_TYPE, 11, 11, "alpha"),
        Field(F_PAYEE_TIN, 12, 20, "tin"),
        Field(F_ACCOUNT, 21, 40, "alpha"),
        Field("Payer office code", 41, 44, "alpha"),
        Field("Blank", 45, 54, "blank"),
        *_amounts(55, 12, amount_field("{code}")),
        Field("Blank", 271, 286, "blank"),
        Field("Foreign country indicator", 287, 287, "alpha"),
        Field(F_PAYEE_NAME, 288, 327, "alpha", required=True),
        Field("Payee name continuation", 328, 367, "alpha"),
        Field(F_PAYEE_ADDRESS, 368, 407, "alpha"),
        Field("Blank", 408, 447, "blank"),
        Field(F_PAYEE_CITY, 448, 487, "alpha"),
        Field(F_PAYEE_STATE, 488, 489, "alpha"),
        Field(F_PAYEE_ZIP, 490, 498, "alpha"),
        Field("Blank", 499, 499, "blank"),
        Field(SEQUENCE, 500, 507, "numeric"),
        Field("Blank", 508, 543, "blank"),
        # Second TIN notice, direct sales and FATCA indicators (1099-MISC/NEC) or the type of
        # wager, date won, transaction, race, cashier, window and IDs (W-2G): see FORM_FIELDS.
        Field(FORM_SPECIFIC, 544, 662, "alpha"),
        Field("Special data entries", 663, 722, "alpha"),
        Field(F_STATE_TAX, 723, 734, "amount"),
        Field("Local income tax withheld", 735, 746, "amount"),
        Field(F_STATE_CODE, 747, 748, "alpha"),
        Field("Blank", 749, 750, "blank"),
    ),
    "C": (
        Field(RECORD_TYPE, 1, 1, "const", "C"),
        Field("Payee count", 2, 9, "numeric"),
        Field("Blank", 10, 15, "blank"),
        *_amounts(16, 18, "Control total {code}"),
        Field("Blank", 340, 499, "blank"),
        Field(SEQUENCE, 500, 507, "numeric"),
        Field("Blank", 508, 750, "blank"),
    ),
    "K": (
        Field(RECORD_TYPE, 1, 1, "const", "K"),
        Field("Payee count", 2, 9, "numeric"),
        Field("Blank", 10, 15, "blank"),
        *_amounts(16, 18, "Control total {code}"),
        Field("Blank", 340, 499, "blank"),
        Field(SEQUENCE, 500, 507, "numeric"),
        Field("Blank", 508, 706, "blank"),
        Field("State income tax withheld total", 707, 724, "amount"),
        Field("Local income tax withheld total", 725, 742, "amount"),
        Field("Blank", 743, 746, "blank"),
        Field("Combined federal/state code", 747, 748, "alpha"),
        Field("Blank", 749, 750, "blank"),
    ),
    "F": (
        Field(RECORD_TYPE, 1, 1, "const", "F"),
        Field("Number of A records", 2, 9, "numeric"),
        Field("Zeros", 10, 30, "const", "0" * 21),
        Field("Blank", 31, 49, "blank"),
        Field("Total number of payees", 50, 57, "numeric"),
        Field("Blank", 58, 499, "blank"),
        Field(SEQUENCE, 500, 507, "numeric"),
        Field("Blank", 508, 750, "blank"),
    ),
}


# B record positions 544-662 by form (Publication 1220, 2021 onward). The positions are the
# record's own (1-based, as printed); the kinds: "flag" is "1" or blank, "date" is YYYYMMDD.
FORM_FIELDS: dict[str, tuple[Field, ...]] = {
    "1099-MISC": (
        Field(SECOND_TIN_NOTICE, 544, 544, "flag"),
        Field("Blank", 545, 546, "blank"),
        Field(DIRECT_SALES, 547, 547, "flag"),
        Field(FATCA, 548, 548, "flag"),
        Field("Blank", 549, 662, "blank"),
    ),
    "1099-NEC": (
        Field(SECOND_TIN_NOTICE, 544, 544, "flag"),
        Field("Blank", 545, 546, "blank"),
        Field(DIRECT_SALES, 547, 547, "flag"),
        Field("Blank", 548, 662, "blank"),
    ),
    "W-2G": (
        Field("Blank", 544, 546, "blank"),
        Field(WAGER_TYPE, 547, 547, "alpha"),
        Field(DATE_WON, 548, 555, "date"),
        Field("Transaction", 556, 570, "alpha"),
        Field("Race", 571, 575, "alpha"),
        Field("Cashier", 576, 580, "alpha"),
        Field("Window", 581, 585, "alpha"),
        Field("First identification", 586, 600, "alpha"),
        Field("Second identification", 601, 615, "alpha"),
        Field("Blank", 616, 662, "blank"),
    ),
}

# W-2G type of wager codes (Publication 1220, W-2G position 547).
WAGER_TYPES: dict[str, str] = {
    "1": "Horse race track (or off-track betting of a horse track nature)",
    "2": "Dog race track (or off-track betting of a dog track nature)",
    "3": "Jai-alai",
    "4": "State-conducted lottery",
    "5": "Keno",
    "6": "Bingo",
    "7": "Slot machines",
    "8": "Poker winnings",
    "9": "Any other type of gambling winnings",
}


# Field name -> slice, per record type (blank areas left out).
SLICES: dict[str, dict[str, slice]] = {
    rtype: {f.name: f.slice for f in fields if f.kind != "blank"} for rtype, fields in FIELDS.items()
}


def _check_tiles(what: str, fields: tuple[Field, ...], first: int, last: int) -> None:
    """`fields` must cover positions first-last exactly once, in order, with known kinds."""
    position = first
    for f in fields:
        if f.start != position or f.end < f.start or f.kind not in KINDS:
            raise AssertionError(f"{what} field {f.name!r} at {f.start}-{f.end}")
        position = f.end + 1
    if position != last + 1:
        raise AssertionError(f"{what} ends at {position - 1}")


def check_table() -> None:
    # Every table must tile positions 1-750 exactly; a typo in a position fails at import.
    for rtype, fields in FIELDS.items():
        _check_tiles(f"{rtype} record", fields, 1, RECORD_LENGTH)
        if fields[0].value != rtype:
            raise AssertionError(f"{rtype} record does not start with its type")
        if SLICES[rtype][SEQUENCE] != SLICES["T"][SEQUENCE]:
            raise AssertionError(f"{rtype} record sequence number is not at 500-507")
    specific = next(f for f in FIELDS["B"] if f.name == FORM_SPECIFIC)
    for form, fields in FORM_FIELDS.items():
        _check_tiles(f"{form} form-specific", fields, specific.start, specific.end)


check_table()
