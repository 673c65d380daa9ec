"""Publication 1220 files written by hand from the IRS layout (payment years 2021 onward).

Nothing here uses `pub1220_layout` or the writer: every position below is typed from the
published record layouts, so a wrong field table in the reader fails these tests (a reader and a
writer built on the same table would agree with each other however wrong it was).
"""

import io
from datetime import date
from decimal import Decimal

from tsc.lib.formats.pub1220 import read
from tsc.lib.formats.records import Parsed, Problem


class Record:
    """A 750-character record, filled by 1-based inclusive positions as the publication prints them."""

    def __init__(self, kind: str) -> None:
        self.chars = [" "] * 750
        self.put(1, 1, kind)

    def put(self, start: int, end: int, text: str) -> "Record":
        assert len(text) <= end - start + 1, (start, end, text)
        self.chars[start - 1 : end] = list(text.ljust(end - start + 1))
        return self

    def num(self, start: int, end: int, value: int) -> "Record":
        return self.put(start, end, str(value).zfill(end - start + 1))

    def text(self, sequence: int) -> str:
        self.num(500, 507, sequence)
        return "".join(self.chars)


def t_record(payees: int, year: int = 2025) -> Record:
    r = Record("T").num(2, 5, year).put(7, 15, "061234567").put(16, 20, "12ABC")
    r.put(30, 69, "Nutmeg Payroll").put(110, 149, "Nutmeg Payroll LLC").num(296, 303, payees)
    return r.put(304, 343, "Pat Clerk").put(344, 358, "8605550100").put(518, 518, "I")


def a_record(kind: str, codes: str, year: int = 2025, cfsf: str = "1") -> Record:
    r = Record("A").num(2, 5, year).put(6, 6, cfsf).put(12, 20, "061234567").put(26, 27, kind)
    r.put(28, 45, codes).put(53, 92, "Nutmeg Bakery").put(133, 133, "0")
    return r.put(134, 173, "1 Main St").put(174, 213, "Hartford").put(214, 215, "CT").put(216, 224, "06103")


# Amount code -> its 12-digit field in the B record: 55-66 is code 1 ... 247-258 H, 259-270 J.
B_AMOUNT = {code: 55 + 12 * i for i, code in enumerate("123456789ABCDEFGHJ")}
C_TOTAL = {code: 16 + 18 * i for i, code in enumerate("123456789ABCDEFGHJ")}


def b_record(tin: str, name: str, amounts: dict[str, int], tax: int, code: str, year: int = 2025) -> Record:
    r = Record("B").num(2, 5, year).put(11, 11, "2").put(12, 20, tin).put(21, 40, "ACCT-" + tin[-4:])
    for amount_code in "123456789ABCDEFGHJ":
        r.num(B_AMOUNT[amount_code], B_AMOUNT[amount_code] + 11, amounts.get(amount_code, 0))
    r.put(288, 327, name).put(328, 367, "DBA " + name[:30]).put(368, 407, "2 Elm St")
    r.put(448, 487, "New Haven").put(488, 489, "CT").put(490, 498, "06510")
    return r.num(723, 734, tax).num(735, 746, 0).put(747, 748, code)


def totals(rtype: str, payees: int, amounts: dict[str, int]) -> Record:
    r = Record(rtype).num(2, 9, payees)
    for code in "123456789ABCDEFGHJ":
        r.num(C_TOTAL[code], C_TOTAL[code] + 17, amounts.get(code, 0))
    return r


def k_record(payees: int, amounts: dict[str, int], tax: int, code: str) -> Record:
    return totals("K", payees, amounts).num(707, 724, tax).num(725, 742, 0).put(747, 748, code)


def f_record(a_records: int, payees: int) -> Record:
    return Record("F").num(2, 9, a_records).put(10, 30, "0" * 21).num(50, 57, payees)


def file_of(records: list[Record], ending: str) -> bytes:
    lines = [r.text(n) for n, r in enumerate(records, start=1)]
    if ending == "none":
        return "".join(lines).encode("ascii")
    if ending == "LF LF in 749-750":
        return "".join(line[:748] + "\n\n" for line in lines).encode("ascii")
    if ending == "CR LF in 749-750":
        return "".join(line[:748] + "\r\n" for line in lines).encode("ascii")
    return "".join(line + ending for line in lines).encode("ascii")


def run(data: bytes, year: int = 2025) -> tuple[list[Parsed], list[Problem]]:
    results = list(read(io.BytesIO(data), year=year))
    return [r for r in results if isinstance(r, Parsed)], [r for r in results if isinstance(r, Problem)]


# One 1099-NEC payer with three payees: Connecticut (08), California (06) and one uncoded.
CT_AMOUNTS = {"1": 1_234_56, "H": 500_00, "J": 25_00}
CA_AMOUNTS = {"1": 9_000_00}
UNCODED_AMOUNTS = {"J": 700_00}


def nec_filing() -> list[Record]:
    payer_totals = {"1": 1_234_56 + 9_000_00, "H": 500_00, "J": 25_00 + 700_00}
    return [
        t_record(3),
        a_record("NE", "1HJ"),
        b_record("123456789", "Jane Q Public", CT_AMOUNTS, 86_42, "08"),
        b_record("987654321", "Golden State Consulting", CA_AMOUNTS, 450_00, "06"),
        b_record("111223333", "Oak Tree Services", UNCODED_AMOUNTS, 35_00, "  "),
        totals("C", 3, payer_totals),
        k_record(1, CT_AMOUNTS, 86_42, "08"),
        k_record(1, CA_AMOUNTS, 450_00, "06"),
        f_record(1, 3),
    ]


ENDINGS = ("\n", "\r\n", "LF LF in 749-750", "CR LF in 749-750", "none")


def test_every_field_is_read_from_its_published_position_with_each_record_separator():
    for ending in ENDINGS:
        parsed, problems = run(file_of(nec_filing(), ending))
        assert problems == [], ending
        jane, golden, oak = (p.record for p in parsed)
        assert [p.record_number for p in parsed] == [3, 4, 5], ending
        assert (jane.form, jane.payer_tin, jane.payee_tin, jane.tin_type) == ("1099-NEC", "061234567", "123456789", "2")
        assert (jane.payee_name, jane.payee_address, jane.payee_city) == ("Jane Q Public", "2 Elm St", "New Haven")
        assert (jane.payee_state, jane.payee_zip, jane.account_number) == ("CT", "06510", "ACCT-6789")
        # Amount codes H and J (247-258 and 259-270) sit where the old layout put the payee name.
        assert jane.amounts == (("1", Decimal("1234.56")), ("H", Decimal("500.00")), ("J", Decimal("25.00")))
        assert jane.state_tax_withheld == Decimal("86.42")
        assert golden.payee_name == "Golden State Consulting" and oak.amounts == (("J", Decimal("700.00")),)


def test_only_connecticut_records_are_connecticut_tax():
    parsed, _ = run(file_of(nec_filing(), "\n"))
    records = [p.record for p in parsed]
    assert [r.state_code for r in records] == ["08", "06", ""]
    assert [r.is_connecticut for r in records] == [True, False, True]
    connecticut_tax = sum(r.state_tax_withheld for r in records if r.is_connecticut)
    assert connecticut_tax == Decimal("121.42")  # 86.42 + 35.00; California's 450.00 is not CT tax


def test_the_k_record_for_connecticut_is_checked_against_connecticut_records_only():
    filing = nec_filing()
    filing[6] = k_record(2, {"1": 1_234_56 + 9_000_00}, 86_42 + 450_00, "08")  # CT K counting California
    _, problems = run(file_of(filing, "\n"))
    reasons = {(p.record_number, p.field): p.reason for p in problems}
    assert reasons[(7, "K record payee count")] == "is 2 but the payer in record 2 has 1 B records"
    assert "B records for 08 (CT) add up to $86.42" in reasons[(7, "K record state income tax withheld total")]


def test_c_record_totals_cover_amount_codes_h_and_j():
    filing = nec_filing()
    filing[5] = totals("C", 3, {"1": 1_234_56 + 9_000_00, "H": 500_00, "J": 25_00})  # J misses Oak Tree's 700.00
    _, problems = run(file_of(filing, "\n"))
    assert [(p.record_number, p.field) for p in problems] == [(6, "C record control total J")]
    assert "add up to $725.00 for amount code J" in problems[0].reason


def test_a_payee_name_of_digits_is_a_problem_never_a_name():
    # What the old reader did to every file: read the name from 248-287, i.e. amounts H and J.
    filing = nec_filing()
    filing[2].put(288, 327, "000000050000000000002500")
    parsed, problems = run(file_of(filing, "\n"))
    assert [(p.record_number, p.field) for p in problems] == [(3, "Payee name")]
    assert "all digits" in problems[0].reason
    assert [p.record_number for p in parsed] == [4, 5]


def test_a_blank_payee_name_is_required():
    filing = nec_filing()
    filing[2].put(288, 327, "")
    _, problems = run(file_of(filing, "\n"))
    assert [(p.record_number, p.field, p.reason) for p in problems] == [(3, "Payee name", "is required")]


def test_a_file_for_a_year_before_2021_is_refused_with_the_reason():
    filing = [t_record(1, 2019), a_record("NE", "1", 2019), b_record("123456789", "Jane", {"1": 100}, 0, "08", 2019)]
    filing += [totals("C", 1, {"1": 100}), k_record(1, {"1": 100}, 0, "08"), f_record(1, 1)]
    _, problems = run(file_of(filing, "\n"), year=2019)
    assert problems[0].record_number == 1 and problems[0].field == "T record payment year"
    assert "before 2021 use an older Publication 1220 layout" in problems[0].reason


def test_1099_misc_direct_sales_and_fatca_indicators():
    misc = b_record("123456789", "Charter Oak Rentals", {"1": 24_000_00}, 1_677_60, "08")
    misc.put(544, 544, "1").put(547, 547, "1").put(548, 548, "1")
    filing = [t_record(1), a_record("A ", "1"), misc, totals("C", 1, {"1": 24_000_00})]
    filing += [k_record(1, {"1": 24_000_00}, 1_677_60, "08"), f_record(1, 1)]
    parsed, problems = run(file_of(filing, "\n"))
    assert problems == []
    record = parsed[0].record
    assert record.form == "1099-MISC" and record.second_tin_notice and record.direct_sales and record.fatca
    filing[2].put(547, 547, "Y")
    _, problems = run(file_of(filing, "\n"))
    assert [(p.field, p.reason) for p in problems] == [("Direct sales indicator", 'must be "1" or blank (found "Y")')]


def w2g_filing(wager: str = "4", won: str = "20250704", code: str = "  ") -> list[Record]:
    b = b_record("123456789", "Lucky Winner", {"1": 10_000_00}, 699_00, code)
    b.put(547, 547, wager).put(548, 555, won).put(556, 570, "TX-991").put(576, 580, "C12").put(581, 585, "W3")
    return [t_record(1), a_record("W ", "1", cfsf=" "), b, totals("C", 1, {"1": 10_000_00}), f_record(1, 1)]


def test_w2g_type_of_wager_and_date_won_are_read_and_checked():
    parsed, problems = run(file_of(w2g_filing(), "\r\n"))
    assert problems == []
    record = parsed[0].record
    assert (record.form, record.wager_type, record.date_won) == ("W-2G", "4", date(2025, 7, 4))
    assert record.state_code == "" and record.is_connecticut
    assert [p.field for p in run(file_of(w2g_filing(wager="X"), "\n"))[1]] == ["Type of wager code"]
    assert [p.field for p in run(file_of(w2g_filing(won="20250231"), "\n"))[1]] == ["Date won"]
    _, problems = run(file_of(w2g_filing(won="20240704"), "\n"))
    assert [(p.field, p.reason) for p in problems] == [("Date won", "is 07/04/2024, not in payment year 2025")]


def test_w2g_has_no_combined_federal_state_code():
    _, problems = run(file_of(w2g_filing(code="08"), "\n"))
    assert [(p.field, p.reason) for p in problems] == [
        ("Combined federal/state code", 'must be blank on a W-2G (positions 747-748) (found "08")')
    ]
