import io
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsc.lib.formats import pub1220
from tsc.lib.formats.pub1220 import FIELDS, Payer, read, write
from tsc.lib.formats.pub1220_layout import check_table
from tsc.lib.formats.pub1220_lines import _BLOCK
from tsc.lib.formats.records import Parsed, Problem

from .strategies import PAYER, SAMPLE, TRANSMITTER, GeneratedFile, payers, transmitters

# The good file the broken ones are made from: two payers, three payees.
#   1 T | 2 A | 3 B | 4 B | 5 C | 6 K | 7 A | 8 B | 9 C | 10 K | 11 F
SECOND = replace(
    SAMPLE, payee_tin="987654321", tin_type="1", payee_name="Oak Tree Services", amounts=(("1", Decimal("500.00")),)
)
MISC_PAYER = Payer("069876543", "Charter Oak Rentals", "9 Oak St", "Hartford", "CT", "06106", "1099-MISC")
MISC = replace(
    SAMPLE,
    form="1099-MISC",
    payer_tin="069876543",
    payee_zip="061031234",
    amounts=(("1", Decimal("24000.00")), ("3", Decimal("0.01"))),
    state_tax_withheld=Decimal("1677.60"),
)
FILING = [(PAYER, [SAMPLE, SECOND]), (MISC_PAYER, [MISC])]


def good_lines() -> list[str]:
    out = io.StringIO()
    assert write(TRANSMITTER, FILING, out) == 3
    text = out.getvalue()
    assert text.endswith("\n") and "\r" not in text
    return text.splitlines()


def put(line: str, start: int, end: int, value: str) -> str:
    """Overwrite 1-based positions start-end (inclusive), the way Publication 1220 numbers them."""
    assert len(value) == end - start + 1
    return line[: start - 1] + value + line[end:]


def renumber(lines: list[str]) -> list[str]:
    return [put(line, 500, 507, f"{i:08d}") for i, line in enumerate(lines, start=1)]


def run(lines: list[str] | bytes, **kwargs) -> tuple[list[Parsed], list[Problem]]:
    data = lines if isinstance(lines, bytes) else "".join(line + "\n" for line in lines).encode("ascii")
    results = list(read(io.BytesIO(data), **kwargs))
    assert all(isinstance(r, Parsed | Problem) for r in results)
    return [r for r in results if isinstance(r, Parsed)], [r for r in results if isinstance(r, Problem)]


def only_problem(lines: list[str] | bytes, **kwargs) -> Problem:
    _, problems = run(lines, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def has(problems: list[Problem], number: int, field: str, reason: str) -> bool:
    return any(p.record_number == number and p.field == field and reason in p.reason for p in problems)


# ---------------------------------------------------------------------------- writing


def test_good_file_reads_back_without_problems():
    parsed, problems = run(good_lines())
    assert problems == []
    assert [(p.record_number, p.record) for p in parsed] == [(3, SAMPLE), (4, SECOND), (8, MISC)]


def test_every_record_is_750_characters_in_order():
    lines = good_lines()
    assert [line[0] for line in lines] == list("TABBCKABCKF")
    assert all(len(line) == 750 for line in lines)
    assert [line[499:507] for line in lines] == [f"{i:08d}" for i in range(1, 12)]


def test_field_positions_on_a_hand_made_file():
    t, a, b, _, c, k, *_, f = good_lines()
    # T: year 2-5, TIN 7-15, TCC 16-20, test file 28, names 30-69 and 110-149, payees 296-303.
    assert (t[1:5], t[6:15], t[15:20], t[27], t[295:303]) == ("2024", "061234567", "12ABC", "T", "00000003")
    assert t[29:69] == "Nutmeg Payroll".ljust(40) and t[109:149] == "Nutmeg Payroll LLC".ljust(40)
    # A: combined federal/state 6, payer TIN 12-20, type of return 26-27, amount codes 28-45.
    assert (a[5], a[11:20], a[25:27], a[27:45]) == ("1", "061234567", "NE", "14".ljust(18))
    assert (a[52:92], a[133:173], a[173:213], a[213:215], a[215:224]) == (
        "Nutmeg Bakery".ljust(40),
        "1 Main St".ljust(40),
        "Hartford".ljust(40),
        "CT",
        "06103    ",
    )
    # B: TIN type 11, payee TIN 12-20, account 21-40, 18 amounts 55-270, name 288-327 ...
    assert (b[10], b[11:20], b[20:40]) == ("2", "123456789", "A-1001".ljust(20))
    assert b[54:66] == "000000123456"  # amount code 1: $1,234.56 in cents
    assert b[90:102] == "000000010000"  # amount code 4: $100.00
    assert b[54:270] == "000000123456" + "0" * 24 + "000000010000" + "0" * 12 * 14
    assert b[270:287] == " " * 17  # 271-286 blank, 287 foreign country indicator
    assert (b[287:327], b[367:407], b[447:487]) == (
        "Jane Q Public".ljust(40),
        "2 Elm St".ljust(40),
        "New Haven".ljust(40),
    )
    assert (b[487:489], b[489:498]) == ("CT", "06510    ")
    # ... Connecticut tax withheld 723-734 in cents, combined federal/state code 747-748.
    assert (b[722:734], b[746:748]) == ("000000008642", "08")
    # C: payees 2-9, control totals of 18 digits from 16 (code 1) and 70 (code 4).
    assert c[1:9] == "00000002"
    assert c[15:33] == f"{123456 + 50000:018d}" and c[69:87] == f"{10000:018d}"
    # K: payees 2-9, state tax total 707-724, state code 747-748.
    assert (k[1:9], k[706:724], k[746:748]) == ("00000002", f"{8642 * 2:018d}", "08")
    # F: A records 2-9, zeros 10-30, payees 50-57.
    assert (f[1:9], f[9:30], f[49:57]) == ("00000002", "0" * 21, "00000003")


def test_field_tables_cover_every_position_once(monkeypatch):
    check_table()
    for rtype, fields in FIELDS.items():
        covered = [pos for field in fields for pos in range(field.start, field.end + 1)]
        assert covered == list(range(1, 751)), rtype
    broken = FIELDS["F"][:-1] + (pub1220.Field("Blank", 508, 749, "blank"),)
    monkeypatch.setitem(FIELDS, "F", broken)
    with pytest.raises(AssertionError):
        check_table()


def test_form_specific_tables_cover_positions_544_to_662(monkeypatch):
    from tsc.lib.formats.pub1220_layout import FORM_FIELDS

    for form, fields in FORM_FIELDS.items():
        covered = [pos for field in fields for pos in range(field.start, field.end + 1)]
        assert covered == list(range(544, 663)), form
    monkeypatch.setitem(FORM_FIELDS, "W-2G", FORM_FIELDS["W-2G"][:-1])  # stops at 615
    with pytest.raises(AssertionError, match="W-2G form-specific ends at 615"):
        check_table()


def test_writer_refuses_what_it_cannot_write():
    with pytest.raises(ValueError, match="Payee TIN must be 9 digits"):
        write(TRANSMITTER, [(PAYER, [replace(SAMPLE, payee_tin="12345")])], io.StringIO())
    with pytest.raises(ValueError, match="different payer"):
        write(TRANSMITTER, [(PAYER, [MISC])], io.StringIO())
    with pytest.raises(ValueError, match="no records"):
        write(TRANSMITTER, [(PAYER, [])], io.StringIO())
    with pytest.raises(ValueError, match="Payer name must be at most 40"):
        write(TRANSMITTER, [(replace(PAYER, name="x" * 41), [SAMPLE])], io.StringIO())


@given(transmitters, st.lists(payers(), min_size=1, max_size=3))
@settings(max_examples=40, deadline=None, database=None)
def test_round_trip(transmitter, filing):
    out = io.StringIO()
    count = write(transmitter, filing, out)
    lines = out.getvalue().splitlines()
    assert all(len(line) == 750 for line in lines)
    results = list(read(io.BytesIO(out.getvalue().encode("ascii")), year=transmitter.year))
    assert [r for r in results if isinstance(r, Problem)] == []
    assert [r.record for r in results] == [rec for _, recs in filing for rec in recs]
    assert count == len(results)
    assert all(lines[r.record_number - 1][0] == "B" for r in results)


# ---------------------------------------------------------------------------- line endings and streams


def test_crlf_line_endings_are_accepted():
    lines = good_lines()
    parsed, problems = run("".join(line + "\r\n" for line in lines).encode())
    assert problems == [] and len(parsed) == 3
    # Publication 1220 lets the CR LF take positions 749-750 themselves.
    parsed, problems = run("".join(line[:748] + "\r\n" for line in lines).encode())
    assert problems == [] and len(parsed) == 3


def test_text_streams_and_a_missing_final_newline():
    text = "\n".join(good_lines())  # no newline after F
    results = list(read(io.StringIO(text)))
    assert [r.record_number for r in results] == [3, 4, 8]


# ---------------------------------------------------------------------------- broken files


def test_wrong_length():
    lines = good_lines()
    lines[2] = lines[2][:-3]  # 747: position 748 is missing, and it is not a line ending's place
    assert only_problem(lines) == Problem(3, "Record length", "is 747 characters; every record must be 750")


def test_a_line_ending_in_positions_749_and_750_is_read_as_blanks():
    lines = good_lines()
    for ending in ("\n", "\r\n", "\n\n"):
        data = "".join(line[: 750 - len(ending)] + ending for line in lines).encode()
        parsed, problems = run(data)
        assert problems == [] and len(parsed) == 3, ending


def test_a_file_without_line_breaks_is_read_record_by_record():
    parsed, problems = run("".join(good_lines()).encode())
    assert problems == [] and [p.record_number for p in parsed] == [3, 4, 8]


def test_an_over_long_first_line_is_one_long_record():
    lines = good_lines()
    data = (lines[0] + "XXXXXXXXXX\n" + "".join(line + "\n" for line in lines[1:])).encode()
    assert has(run(data)[1], 1, "Record length", "is 760 characters")


def test_missing_t():
    problems = run(renumber(good_lines()[1:]))[1]
    assert problems == [Problem(1, "Record order", "the file must start with a T (transmitter) record")]


def test_missing_f():
    assert only_problem(good_lines()[:-1]) == Problem(
        11, "F record", "is missing: the file must end with an F (end of transmission) record"
    )


def test_missing_c():
    lines = renumber([line for n, line in enumerate(good_lines(), start=1) if n not in (5, 6)])
    problem = only_problem(lines)
    assert (problem.record_number, problem.field) == (5, "C record")
    assert "missing for the payer in record 2" in problem.reason


def test_missing_c_before_f():
    lines = renumber(good_lines()[:8] + good_lines()[10:])  # the second payer's C and K are gone
    problem = only_problem(lines)
    assert (problem.record_number, problem.field) == (9, "C record")
    assert "missing for the payer in record 7: expected before the F record (record 9)" in problem.reason


def test_k_before_its_c_and_c_without_a():
    lines = good_lines()
    lines = renumber([*lines[:4], lines[5], lines[4], *lines[6:]])
    _, problems = run(lines)
    assert has(problems, 5, "Record order", "a K record must follow its payer's C record")
    lines = renumber([*good_lines()[:5], good_lines()[4], *good_lines()[5:]])
    _, problems = run(lines)
    assert has(problems, 6, "Record order", "a C record must follow an A record and its B records")


def test_c_payee_count_mismatch():
    lines = good_lines()
    lines[4] = put(lines[4], 2, 9, "00000005")
    assert only_problem(lines) == Problem(5, "C record payee count", "is 5 but the payer in record 2 has 2 B records")


def test_c_control_total_mismatch_names_the_amount_code_and_both_values():
    lines = good_lines()
    lines[4] = put(lines[4], 70, 87, f"{10001:018d}")  # amount code 4
    problem = only_problem(lines)
    assert (problem.record_number, problem.field) == (5, "C record control total 4")
    assert problem.reason == "is $100.01 but the B records of the payer in record 2 add up to $100.00 for amount code 4"


def test_k_state_total_mismatch():
    lines = good_lines()
    lines[5] = put(lines[5], 707, 724, f"{1:018d}")
    problem = only_problem(lines)
    assert (problem.record_number, problem.field) == (6, "K record state income tax withheld total")
    assert "is $0.01 but the B records for 08 (CT) add up to $172.84" in problem.reason


def test_non_numeric_amount():
    lines = good_lines()
    lines[2] = put(lines[2], 55, 66, "     1234.56")
    assert only_problem(lines) == Problem(
        3, "Payment amount 1", 'must be 12 digits of cents, zero-filled (found "1234.56")'
    )


def test_a_non_numeric_amount_that_could_be_a_tin_is_not_echoed():
    lines = good_lines()
    lines[2] = put(lines[2], 55, 66, "123-45-6789 ")
    problem = only_problem(lines)
    assert problem.field == "Payment amount 1" and "6789" not in problem.reason


def test_amount_for_a_code_the_a_record_does_not_list():
    lines = good_lines()
    lines[2] = put(lines[2], 67, 78, "000000000001")  # amount code 2; payer 1 lists 1 and 4
    _, problems = run(lines)
    assert has(problems, 3, "Payment amount 2", "the A record does not list amount code 2")


@pytest.mark.parametrize(("tin", "reason"), [("12345678X", "must be 9 digits"), ("000000000", "must not be all zeros")])
def test_bad_payee_tin(tin, reason):
    lines = good_lines()
    lines[2] = put(lines[2], 12, 20, tin)
    parsed, problems = run(lines)
    assert problems == [Problem(3, "Payee TIN", reason)]
    assert [p.record_number for p in parsed] == [4, 8]  # the bad record is not passed on


def test_bad_payer_tin_is_reported_once_at_the_a_record():
    lines = good_lines()
    lines[1] = put(lines[1], 12, 20, "06123456 ")
    parsed, problems = run(lines)
    assert problems == [Problem(2, "A record payer TIN", "must be 9 digits")]
    assert [p.record_number for p in parsed] == [8]


def test_unknown_state_code():
    lines = good_lines()
    lines[7] = put(lines[7], 747, 748, "99")
    _, problems = run(lines)
    assert has(problems, 8, "Combined federal/state code", "must be a Combined Federal/State Filing state code")


def test_a_blank_state_code_is_uncoded_and_counts_as_connecticut():
    lines = [put(line, 6, 6, " ") if line[0] == "A" else line for line in good_lines()]
    lines = [put(line, 747, 748, "  ") if line[0] == "B" else line for line in lines if line[0] != "K"]
    parsed, problems = run(renumber(lines))
    assert problems == []
    assert [p.record.state_code for p in parsed] == ["", "", ""]
    assert all(p.record.is_connecticut for p in parsed)


def test_b_before_a():
    lines = good_lines()
    lines = renumber([lines[0], lines[2], lines[1], *lines[3:]])
    _, problems = run(lines)
    assert has(problems, 2, "Record order", "before any A (payer) record")


def test_garbage_after_f():
    lines = [*good_lines(), "hello", "more"]
    assert only_problem(lines) == Problem(
        12, "Record order", "nothing may follow the F (end of transmission) record, but 2 more line(s) do"
    )


def test_unknown_record_type():
    lines = good_lines()
    lines[3] = put(lines[3], 1, 1, "X")
    _, problems = run(lines)
    assert has(problems, 4, "Record type", '"X" is not a record type')


def test_non_ascii_byte_is_a_problem_not_an_exception():
    data = bytearray("".join(line + "\n" for line in good_lines()).encode())
    data[2 * 751 + 250] = 0xE9  # record 3, position 251: inside the payee name
    parsed, problems = run(bytes(data))
    assert has(problems, 3, "Encoding", "position 251 holds a byte 0xE9")
    assert 3 not in [p.record_number for p in parsed]


def test_sequence_number_must_be_the_record_number():
    lines = good_lines()
    lines[3] = put(lines[3], 500, 507, "00000003")
    assert only_problem(lines) == Problem(
        4, "Record sequence number", 'must be 00000004, the record\'s place in the file (found "00000003")'
    )


def test_year_mismatch():
    _, problems = run(good_lines(), year=2025)
    assert has(problems, 1, "T record payment year", "is 2024; this filing is for 2025")
    assert has(problems, 2, "A record payment year", "is 2024")
    assert has(problems, 3, "Payment year", "is 2024")
    lines = good_lines()
    lines[2] = put(lines[2], 2, 5, "2023")
    assert only_problem(lines) == Problem(3, "Payment year", "is 2023; the T record says 2024")


def test_f_and_t_counts():
    lines = good_lines()
    lines[-1] = put(put(lines[-1], 2, 9, "00000001"), 50, 57, "00000004")
    lines[0] = put(lines[0], 296, 303, "00000009")
    _, problems = run(lines)
    assert problems == [
        Problem(11, "F record number of A records", "is 1 but the file has 2 A records"),
        Problem(11, "F record total number of payees", "is 4 but the file has 3 B records"),
        Problem(1, "T record total number of payees", "is 9 but the file has 3 B records"),
    ]


def test_empty_file():
    assert only_problem(b"") == Problem(1, "File", "is empty; it must start with a T (transmitter) record")


def test_random_bytes_never_raise():
    junk = bytes(range(256)) * 10 + b"\r\n\n\x00"
    _, problems = run(junk)
    assert problems


# ---------------------------------------------------------------------------- streaming


def big_file(payees: int) -> Iterator[bytes]:
    t, a, b, _, c, k, *_, f = good_lines()  # b: $1,234.56 + $100.00, tax $86.42
    yield (put(t, 296, 303, f"{payees:08d}") + "\n").encode()
    yield (a + "\n").encode()
    for n in range(3, payees + 3):
        yield (put(b, 500, 507, f"{n:08d}") + "\n").encode()
    n = payees + 3
    totals = put(put(c, 16, 33, f"{123456 * payees:018d}"), 70, 87, f"{10000 * payees:018d}")
    yield (put(put(totals, 2, 9, f"{payees:08d}"), 500, 507, f"{n:08d}") + "\n").encode()
    k = put(put(k, 16, 33, f"{123456 * payees:018d}"), 70, 87, f"{10000 * payees:018d}")
    k = put(put(k, 707, 724, f"{8642 * payees:018d}"), 2, 9, f"{payees:08d}")
    yield (put(k, 500, 507, f"{n + 1:08d}") + "\n").encode()
    f = put(put(f, 2, 9, "00000001"), 50, 57, f"{payees:08d}")
    yield (put(f, 500, 507, f"{n + 2:08d}") + "\n").encode()


def test_reading_is_streaming():
    """200,000 payees (150 MB) from a generator: the reader keeps up with the file instead of
    loading it, and what it holds does not grow with the number of records."""
    payees = 200_000
    produced = 0

    def counted() -> Iterator[bytes]:
        nonlocal produced
        batch: list[bytes] = []
        for line in big_file(payees):
            batch.append(line)
            if len(batch) == 50:  # 50 records a chunk: less test overhead per record
                produced += len(batch)
                yield b"".join(batch)
                batch.clear()
        produced += len(batch)
        yield b"".join(batch)

    results = read(io.BufferedReader(GeneratedFile(counted())))
    parsed = problems = peak = 0
    blocks = 0
    started = time.perf_counter()
    # tracemalloc makes every allocation several times slower, so it watches the first
    # 2,000 records: loading the file up front would show there, as would the steady
    # state (buffers, reader state, one record). For the other 198,000 the interpreter's
    # count of allocated blocks shows that nothing piles up.
    tracemalloc.start()
    try:
        for result in results:
            if isinstance(result, Problem):
                problems += 1
                continue
            parsed += 1
            # Read-ahead is one block of the line reader (1 MiB, about 1,400 records) and one
            # chunk, not the file.
            assert produced - result.record_number <= _BLOCK // 751 + 2 + 50
            if parsed == 2_000:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                blocks = sys.getallocatedblocks()
    finally:
        tracemalloc.stop()
    assert (parsed, problems) == (payees, 0)
    assert peak < 20_000_000, f"peak {peak:,} bytes"
    assert sys.getallocatedblocks() - blocks < 10_000  # 198,000 kept records would be millions
    assert time.perf_counter() - started < 60
