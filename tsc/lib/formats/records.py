"""The information return both file formats carry, and the checks every record must pass.

Pure Python: the upload formats (Publication 1220, the non-wage CSV) read into and write
from `InformationReturn`; problems are reported as `Problem`s, never raised, so a web page
can list all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# Form name -> Publication 1220 type-of-return code (A record positions 26-27).
FORMS: dict[str, str] = {"1099-MISC": "A ", "1099-NEC": "NE", "W-2G": "W "}

# Publication 1220 payment amount codes, in the order the B record holds the amounts.
AMOUNT_CODES: tuple[str, ...] = tuple("123456789ABCDEFGHJ")  # payment years 2021 onward

# Every amount field in both formats is 12 digits of cents.
MAX_AMOUNT = Decimal("9999999999.99")
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# The 50 states, DC and the territories' USPS codes.
_STATES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP"
)
US_STATES: frozenset[str] = frozenset(_STATES.split())

# Combined Federal/State Filing program: code in B record positions 747-748 -> state.
# The codes follow Publication 1220's table (an alphabetical numbering, not FIPS: Connecticut
# is 08 here but 09 in FIPS). States join and leave the program; check the edition in use.
CFSF_STATE_CODES: dict[str, str] = {
    "01": "AL",
    "04": "AZ",
    "05": "AR",
    "06": "CA",
    "07": "CO",
    "08": "CT",
    "10": "DE",
    "11": "DC",
    "13": "GA",
    "15": "HI",
    "16": "ID",
    "18": "IN",
    "20": "KS",
    "22": "LA",
    "23": "ME",
    "24": "MD",
    "25": "MA",
    "26": "MI",
    "27": "MN",
    "28": "MS",
    "29": "MO",
    "30": "MT",
    "31": "NE",
    "34": "NJ",
    "35": "NM",
    "37": "NC",
    "38": "ND",
    "39": "OH",
    "40": "OK",
    "41": "OR",
    "42": "PA",
    "44": "RI",
    "45": "SC",
    "50": "VT",
    "51": "VA",
    "55": "WI",
}
CONNECTICUT = "08"

# Field names shared by both formats' problems, so a page can explain them in one place.
F_FORM = "Form"
F_PAYER_TIN = "Payer TIN"
F_PAYEE_TIN = "Payee TIN"
F_TIN_TYPE = "TIN type"
F_PAYEE_NAME = "Payee name"
F_PAYEE_ADDRESS = "Payee address"
F_PAYEE_CITY = "Payee city"
F_PAYEE_STATE = "Payee state"
F_PAYEE_ZIP = "Payee ZIP"
F_ACCOUNT = "Account number"
F_STATE_TAX = "State income tax withheld"
F_STATE_CODE = "Combined federal/state code"


def amount_field(code: str) -> str:
    return f"Payment amount {code}"


# Not frozen: a reader makes 100,000s of them, and a frozen dataclass takes five times as long to
# build. Treat it as a value all the same (dataclasses.replace for a changed copy).
@dataclass(slots=True)
class InformationReturn:
    form: str  # "1099-MISC" | "1099-NEC" | "W-2G"
    payer_tin: str  # 9 digits
    payee_tin: str  # 9 digits
    tin_type: str  # "1" EIN, "2" SSN/ITIN, "" unknown
    payee_name: str
    payee_address: str
    payee_city: str
    payee_state: str  # 2-letter USPS code
    payee_zip: str  # 5 or 9 digits
    account_number: str = ""
    # (amount code, dollars), non-zero amounts only, in AMOUNT_CODES order.
    amounts: tuple[tuple[str, Decimal], ...] = ()
    state_tax_withheld: Decimal = ZERO  # Connecticut income tax withheld
    # Combined Federal/State Filing code: Connecticut is 08; "" when the record carries none
    # (always so on a W-2G). Only Connecticut's records are Connecticut tax (is_connecticut).
    state_code: str = CONNECTICUT
    # Publication 1220 positions 544-662, by form: 1099-MISC and 1099-NEC indicators...
    second_tin_notice: bool = False
    direct_sales: bool = False  # $5,000 or more of consumer products sold for resale
    fatca: bool = False  # 1099-MISC only
    # ... and the W-2G's type of wager code (1-9) and date won.
    wager_type: str = ""
    date_won: date | None = None

    @property
    def total_paid(self) -> Decimal:
        amounts = self.amounts
        if len(amounts) == 1:  # the usual record (an upload asks 100,000s of times)
            return ZERO + amounts[0][1]
        return sum((amount for _, amount in amounts), ZERO)

    @property
    def is_connecticut(self) -> bool:
        """Connecticut's record: coded 08, or uncoded ("") - a file sent to DRS is filed with
        Connecticut, and a W-2G never carries a code. Another state's code is never CT tax."""
        return self.state_code in (CONNECTICUT, "")


@dataclass(frozen=True, slots=True)
class Problem:
    record_number: int  # 1-based record (line, or CSV row with the header as row 1)
    field: str  # human field name, e.g. "Payee TIN"
    reason: str  # plain language, e.g. "must be 9 digits"


@dataclass(frozen=True, slots=True)
class Parsed:
    record_number: int
    record: InformationReturn


def shown(value: str) -> str:
    """' (found "x")' for echoing a bad value, or '' when the value might be a TIN.

    Problems end up on web pages and in logs; a run of 9 digits could be someone's SSN,
    so it is never repeated back.
    """
    if sum(ch.isdigit() for ch in value) >= 9:
        return ""
    return f' (found "{value.strip()}")'


def dollars(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def tin_problem(value: str) -> str | None:
    if len(value) != 9 or not (value.isascii() and value.isdigit()):
        return "must be 9 digits"
    if value == "000000000":
        return "must not be all zeros"
    return None


# Spreadsheets run a cell starting with one of these as a formula (CSV injection), and
# Publication 1220 allows none of them at the start of a name anyway.
_FORMULA_STARTS = ("=", "+", "-", "@")


def _text_problem(value: str, width: int) -> str | None:
    # Both formats must be able to carry the value: Publication 1220 is plain ASCII in
    # fixed-width fields, so a valid record is one that fits there.
    if not (value.isascii() and value.isprintable()):
        return "must use plain letters, digits and punctuation (no accented letters, symbols or tabs)"
    if len(value) > width:
        return f"is {len(value)} characters; at most {width} fit"
    if value.startswith(_FORMULA_STARTS):
        return "must not start with =, +, - or @"
    if value != value.strip():
        return "must not start or end with a space"
    return None


def money_problem(amount: Decimal) -> str | None:
    if not amount.is_finite():
        return "must be an amount in dollars and cents"
    if amount < 0:
        return "must not be negative"
    if amount != amount.quantize(CENT):
        return "must be in whole cents"
    if amount > MAX_AMOUNT:
        return f"is more than {dollars(MAX_AMOUNT)}, the largest amount the file formats hold"
    return None


def _money_ok(amount: Decimal) -> bool:
    # The common case in one expression: the readers call this 100,000s of times.
    return amount.is_finite() and ZERO <= amount <= MAX_AMOUNT and amount == amount.quantize(CENT)


_TIN_TYPE_REASON = "must be 1 (EIN), 2 (SSN, ITIN or ATIN) or blank"
_STATE_REASON = "must be a 2-letter U.S. state or territory code like CT"
_STATE_CODE_REASON = "must be a Combined Federal/State Filing state code (Connecticut is 08) or blank"


def validate_record(rec: InformationReturn, record_number: int) -> list[Problem]:
    """Every problem with one record; [] means both formats can carry it as it is."""
    return identity_problems(rec, record_number) + money_problems(rec, record_number)


def identity_problems(rec: InformationReturn, record_number: int) -> list[Problem]:
    """The checks on everything but the money (form, TINs, name, address, state code)."""
    problems: list[Problem] = []
    n = record_number
    if rec.form not in FORMS:
        problems.append(Problem(n, F_FORM, f"must be 1099-MISC, 1099-NEC or W-2G{shown(rec.form)}"))
    # The common case is tested inline (no call): the readers check 100,000s of records.
    for field, tin in ((F_PAYER_TIN, rec.payer_tin), (F_PAYEE_TIN, rec.payee_tin)):
        if len(tin) != 9 or not (tin.isdigit() and tin.isascii()) or tin == "000000000":
            problems.append(Problem(n, field, tin_problem(tin) or ""))
    if rec.tin_type not in ("1", "2", ""):
        problems.append(Problem(n, F_TIN_TYPE, _TIN_TYPE_REASON + shown(rec.tin_type)))
    name = rec.payee_name
    if not name.strip():
        problems.append(Problem(n, F_PAYEE_NAME, "is required"))
        name = ""  # one problem is enough
    for field, value, width in (
        (F_PAYEE_NAME, name, 40),
        (F_PAYEE_ADDRESS, rec.payee_address, 40),
        (F_PAYEE_CITY, rec.payee_city, 40),
        (F_ACCOUNT, rec.account_number, 20),
    ):
        if (
            len(value) > width
            or not (value.isascii() and value.isprintable())
            or value.startswith(_FORMULA_STARTS)
            or value != value.strip()
        ):
            problems.append(Problem(n, field, _text_problem(value, width) or ""))
    if rec.payee_state not in US_STATES:
        problems.append(Problem(n, F_PAYEE_STATE, _STATE_REASON + shown(rec.payee_state)))
    zip_code = rec.payee_zip
    if not (len(zip_code) in (5, 9) and zip_code.isascii() and zip_code.isdigit()):
        problems.append(Problem(n, F_PAYEE_ZIP, f"must be 5 or 9 digits{shown(zip_code)}"))
    if rec.state_code and rec.state_code not in CFSF_STATE_CODES:
        problems.append(Problem(n, F_STATE_CODE, _STATE_CODE_REASON + shown(rec.state_code)))
    if name.isdigit():
        problems.append(
            Problem(n, F_PAYEE_NAME, "is all digits; a name must have letters (is the file in the pre-2021 layout?)")
        )
    return problems


def money_problems(rec: InformationReturn, record_number: int) -> list[Problem]:
    """Amount codes and amounts, and the state tax withheld against the total paid."""
    problems: list[Problem] = []
    n = record_number
    money_ok = True
    seen: set[str] = set()
    for code, amount in rec.amounts:
        if code in seen or code not in AMOUNT_CODES:
            reason = "appears more than once" if code in seen else "is not an amount code; the codes are 1-9, A-H and J"
            problems.append(Problem(n, amount_field(code), reason))
            money_ok = False
        seen.add(code)
        if not _money_ok(amount):
            problems.append(Problem(n, amount_field(code), money_problem(amount) or ""))
            money_ok = False
    tax = rec.state_tax_withheld
    if not _money_ok(tax):
        problems.append(Problem(n, F_STATE_TAX, money_problem(tax) or ""))
    elif money_ok and tax:
        total = rec.total_paid
        # A record with no payments may still show tax withheld; otherwise tax <= paid.
        if 0 < total < tax:
            problems.append(tax_problem(tax, total, n))
    return problems


def tax_problem(tax: Decimal, total_paid: Decimal, record_number: int) -> Problem:
    return Problem(record_number, F_STATE_TAX, f"is {dollars(tax)}, more than the {dollars(total_paid)} paid")
