import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsc.lib.formats.nonwage_csv import COLUMNS, HEADER, LAYOUT_DOC, MAX_LINE, parse_amount, read, template, write
from tsc.lib.formats.records import Parsed, Problem

from .strategies import SAMPLE, GeneratedFile, records

ROW = (
    "1099-NEC,061234567,123456789,2,Jane Q Public,2 Elm St,New Haven,CT,06510,A-1001,"
    "1234.56,,,100.00,,,,,,,,,,,,,,,86.42"
)


def csv_text(*rows: str, header: str = ",".join(HEADER)) -> bytes:
    return "".join(f"{row}\r\n" for row in (header, *rows)).encode()


def run(data: bytes | str) -> tuple[list[Parsed], list[Problem]]:
    stream = io.StringIO(data, newline="") if isinstance(data, str) else io.BytesIO(data)
    results = list(read(stream))
    return [r for r in results if isinstance(r, Parsed)], [r for r in results if isinstance(r, Problem)]


def problems_of(*rows: str, **kwargs) -> list[tuple[int, str, str]]:
    return [(p.record_number, p.field, p.reason) for p in run(csv_text(*rows, **kwargs))[1]]


def test_a_row_reads_as_the_sample():
    parsed, problems = run(csv_text(ROW))
    assert problems == []
    assert parsed == [Parsed(2, SAMPLE)]


def test_header_and_layout_document_every_column():
    assert HEADER[:3] == ("form", "payer_tin", "payee_tin") and HEADER[-1] == "ct_tax_withheld"
    assert len(HEADER) == len(set(HEADER)) == 29
    for column in COLUMNS:
        assert column.name in LAYOUT_DOC
    assert "1,234.56" in LAYOUT_DOC and "$" in LAYOUT_DOC


def test_template_is_a_valid_file():
    text = template()
    assert text.splitlines()[0] == ",".join(HEADER)
    parsed, problems = run(text.encode())
    assert problems == [] and len(parsed) == 1
    assert parsed[0].record.state_tax_withheld == Decimal("873.75")


@given(st.lists(records(state_codes=("08",), uncoded=False, specific=False), max_size=6))
@settings(max_examples=60, deadline=None, database=None)
def test_round_trip(recs):
    out = io.StringIO(newline="")
    assert write(recs, out) == len(recs)
    parsed, problems = run(out.getvalue().encode("utf-8"))
    assert problems == []
    assert [p.record for p in parsed] == recs
    assert [p.record_number for p in parsed] == list(range(2, len(recs) + 2))


def test_writer_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="Connecticut records only"):
        write([replace(SAMPLE, state_code="06")], io.StringIO())
    with pytest.raises(ValueError, match="Payee name is required"):
        write([replace(SAMPLE, payee_name="")], io.StringIO())


@pytest.mark.parametrize(
    ("text", "dollars"),
    [
        ("1234.56", "1234.56"),
        ("$1,234.56", "1234.56"),
        ("1,234,567", "1234567.00"),
        ("1234.5", "1234.50"),
        (".50", "0.50"),
        ("  7 ", "7.00"),
        ("", "0.00"),
    ],
)
def test_amounts_accepted(text, dollars):
    assert parse_amount(text) == Decimal(dollars)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,23", "must be an amount in dollars and cents like 1234.56"),
        ("12.345", "must be in whole cents"),
        ("-5.00", "must not be negative"),
        ("(5.00)", "must not be negative"),
        ("abc", 'like 1234.56 (found "abc")'),
        ("1.2.3", "must be an amount"),
        ("$", "must be an amount"),
        ("1e5", "must be an amount"),
    ],
)
def test_amounts_refused(text, reason):
    result = parse_amount(text)
    assert isinstance(result, str) and reason in result


# ---------------------------------------------------------------------------- broken files


def test_missing_column_stops_reading():
    header = ",".join(name for name in HEADER if name != "payee_tin")
    row = ROW.replace(",123456789,", ",", 1)
    assert problems_of(row, header=header) == [(1, "Header", 'is missing the required column "payee_tin"')]


def test_extra_and_repeated_columns_are_named():
    problems = problems_of(ROW + ",x,y", header=",".join(HEADER) + ",notes,form")
    assert (1, "Header", '"notes" is not a column of this layout; see the layout for the names') in problems
    assert (1, "Header", 'column "form" appears more than once') in problems


def test_optional_columns_may_be_left_out_and_reordered():
    header = (
        "payee_tin,form,payer_tin,payee_name,payee_address,payee_city,payee_state,payee_zip,amount_1,ct_tax_withheld"
    )
    parsed, problems = run(
        csv_text('123-45-6789,1099-nec,06-1234567,Jane,1 Elm,Hartford,ct,06103-1234,"$1,000",5', header=header)
    )
    assert problems == []
    rec = parsed[0].record
    assert (rec.form, rec.payee_tin, rec.payer_tin, rec.payee_state, rec.payee_zip) == (
        "1099-NEC",
        "123456789",
        "061234567",
        "CT",
        "061031234",
    )
    assert rec.amounts == (("1", Decimal("1000.00")),) and rec.tin_type == "" and rec.account_number == ""


def test_header_needs_an_amount_column():
    header = ",".join(name for name in HEADER if not name.startswith("amount_"))
    assert (1, "Header", "is missing an amount column: at least one of amount_1 ... amount_g") in problems_of(
        header=header
    )


def test_bad_amount():
    row = ROW.replace(",1234.56,", ",12.34.5,")
    assert problems_of(row) == [
        (2, "Payment amount 1", 'must be an amount in dollars and cents like 1234.56 (found "12.34.5")')
    ]


def test_bad_tin_is_not_repeated_back():
    problems = problems_of(ROW.replace(",123456789,", ",1234567890,"))
    assert problems == [(2, "Payee TIN", "must be 9 digits")]


def test_dropped_leading_zeros_are_explained():
    problems = problems_of(ROW.replace("061234567", "61234567").replace("06510", "6510"))
    assert [(n, field) for n, field, _ in problems] == [(2, "Payer TIN"), (2, "Payee ZIP")]
    assert all("dropped a leading zero" in reason for _, _, reason in problems)


def test_blank_name():
    assert problems_of(ROW.replace("Jane Q Public", " ")) == [(2, "Payee name", "is required")]


def test_bad_state():
    assert problems_of(ROW.replace(",CT,", ",Conn,")) == [
        (2, "Payee state", 'must be a 2-letter U.S. state or territory code like CT (found "Conn")')
    ]


def test_tax_more_than_paid():
    assert problems_of(ROW.replace(",86.42", ",2000.00")) == [
        (2, "State income tax withheld", "is $2,000.00, more than the $1,334.56 paid")
    ]


def test_row_with_the_wrong_number_of_values():
    short = ROW.rsplit(",", 1)[0]
    assert problems_of(ROW, short) == [(3, "Row", "has 28 values; the header has 29 columns")]
    # Trailing empty cells (some spreadsheets add them) are not values.
    assert problems_of(ROW + ",,") == []


def test_rows_are_numbered_as_rows_with_the_header_as_row_1():
    quoted = ROW.replace("2 Elm St", '"2 Elm St\nApt 4"')
    problems = problems_of("", ROW, quoted, ",,,", ROW.replace(",CT,", ",XX,"))
    assert [(n, field) for n, field, _ in problems] == [(4, "Payee address"), (6, "Payee state")]


def test_not_utf8():
    data = csv_text(ROW) + ROW.replace("Jane Q Public", "José").encode("cp1252") + b"\r\n" + ROW.encode() + b"\r\n"
    parsed, problems = run(data)
    assert problems == [Problem(3, "Encoding", "is not UTF-8 text; save the file as CSV UTF-8")]
    assert [p.record_number for p in parsed] == [2, 4]


def test_byte_order_mark_crlf_and_text_streams():
    parsed, problems = run(b"\xef\xbb\xbf" + csv_text(ROW))
    assert problems == [] and len(parsed) == 1
    parsed, problems = run(("\ufeff" + csv_text(ROW).decode()).replace("\r\n", "\n"))
    assert problems == [] and len(parsed) == 1


def test_empty_file_and_overlong_line():
    assert problems_of(header="")[0][:2] == (1, "Header")
    assert run(b"")[1][0].reason.startswith("the file is empty")
    problems = problems_of(ROW, "x" * (MAX_LINE + 1), ROW)
    assert problems == [(3, "Row", f"is longer than {MAX_LINE:,} characters; nothing after it was read")]


def test_reading_is_streaming():
    rows = 5_000
    produced = 0

    def lines() -> Iterator[bytes]:
        nonlocal produced
        for line in csv_text(*[ROW] * rows).splitlines(keepends=True):
            produced += 1
            yield line

    count = 0
    for result in read(io.BufferedReader(GeneratedFile(lines()))):
        assert isinstance(result, Parsed)
        assert produced - result.record_number <= 60  # one 8 KiB buffer of rows, not the file
        count += 1
    assert count == rows


def test_written_file_is_plain_csv():
    out = io.StringIO(newline="")
    write([SAMPLE, replace(SAMPLE, payee_zip="065101234", amounts=())], out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == list(HEADER)
    assert rows[1] == ROW.split(",")
    assert rows[2][8] == "06510-1234" and rows[2][10:26] == [""] * 16
