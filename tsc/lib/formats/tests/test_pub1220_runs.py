"""Runs of B records checked at once (pub1220_runs, `read_runs`) must read every file exactly as
`read` does record by record: the same records (a Run's `parsed()`), the same problems, in the
same order. Each test reads the same bytes both ways and compares. The files are written by hand
from the IRS layout (test_pub1220_by_hand), never by our writer."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsc.lib.formats import pub1220, pub1220_lines
from tsc.lib.formats.pub1220 import Run, read, read_runs

from .test_pub1220_by_hand import Record, a_record, b_record, f_record, file_of, k_record, t_record, totals

CODES = "123456789ABCDEFGHJ"


def payees(count: int, codes: str = "1", state: str = "08", start: int = 0) -> list[Record]:
    """B records with amounts under each of `codes` (one of them zero now and then) and tax."""
    out = []
    for i in range(start, start + count):
        amounts = {code: (i * 7919 + 13 * n) % 4_000_00 for n, code in enumerate(codes)}
        out.append(b_record(f"{300000000 + i:09d}", f"Payee {i} \\ Sons", amounts, (i * 31) % 900, state))
    return out


def filing(groups: list[tuple[str, str, list[Record]]]) -> list[Record]:
    """T, then per (type of return, amount codes, B records) an A, the Bs, a C and the K records
    (control totals and counts as the B records give them), then F."""
    records = [t_record(sum(len(bs) for _, _, bs in groups))]
    for kind, codes, bs in groups:
        records.append(a_record(kind, codes))
        records.extend(bs)
        sums: dict[str, dict[str, int]] = {}
        counts: dict[str, int] = {}
        taxes: dict[str, int] = {}
        for b in bs:
            text = "".join(b.chars)
            state = text[746:748]
            counts[state] = counts.get(state, 0) + 1
            taxes[state] = taxes.get(state, 0) + int(text[722:734])
            for n, code in enumerate(CODES):
                value = int(text[54 + 12 * n : 66 + 12 * n])
                sums.setdefault(state, {})[code] = sums.setdefault(state, {}).get(code, 0) + value
        payer = {code: sum(s.get(code, 0) for s in sums.values()) for code in CODES}
        records.append(totals("C", len(bs), payer))
        records.extend(k_record(counts[s], sums[s], taxes[s], s) for s in sorted(counts) if s.strip())
    return [*records, f_record(len(groups), sum(len(bs) for _, _, bs in groups))]


def both_ways(data: bytes, **kwargs) -> tuple[list, list]:
    """What read_runs gives (runs opened into their records) and what read gives."""
    runs = list(read_runs(io.BytesIO(data), **kwargs))
    opened = [p for item in runs for p in (item.parsed() if isinstance(item, Run) else [item])]
    return opened, list(read(io.BytesIO(data), **kwargs))


def run_count(data: bytes, **kwargs) -> int:
    return sum(len(item) for item in read_runs(io.BytesIO(data), **kwargs) if isinstance(item, Run))


def good() -> list[Record]:
    return filing([("NE", "1", payees(6)), ("A ", "1AJ", payees(5, "1AJ", start=10))])


def test_a_good_file_reads_the_same_and_comes_in_runs():
    for ending in ("\n", "\r\n", "LF LF in 749-750", "CR LF in 749-750", "none"):
        data = file_of(good(), ending)
        runs, records = both_ways(data, year=2025)
        assert runs == records, ending
        assert all(isinstance(p, pub1220.Parsed) for p in records) and len(records) == 11
        # Only plain lines make runs: 750 characters and CR LF or LF after each.
        assert run_count(data, year=2025) == (11 if ending in ("\n", "\r\n") else 0), ending


def test_runs_hold_the_values_read_gives():
    data = file_of(good(), "\n")
    (run,) = [item for item in read_runs(io.BytesIO(data), year=2025) if isinstance(item, Run) and len(item) == 6]
    assert list(run.numbers) == [3, 4, 5, 6, 7, 8]
    assert run.tins[0] == "300000000" and run.last4[0] == "0000" and run.names[0] == "Payee 0 \\ Sons"
    assert run.tin_types[0] == "2" and run.state_codes[0] == "08" and run.accounts[0].strip() == "ACCT-0000"
    assert run.paid == [(i * 7919) % 4_000_00 for i in range(6)] and run.taxes == [(i * 31) % 900 for i in range(6)]
    assert "TIN" not in repr(run) and "300000000" not in repr(run)


# What a careless or hostile file puts in a field: blanks, zeros, digits, letters, a formula
# start, a tab, a line break of its own, a CR and a character beyond ASCII.
ODD = [" ", "0", "9", "1", "2", "X", "=", "-", "\t", "\n", "\r", "\u00e9"]


@pytest.mark.parametrize("position", range(1, 751))
def test_one_odd_character_anywhere_in_a_run(position):
    for char in ODD:
        for index, ending in ((4, "\n"), (13, "\r\n")):  # a 1099-NEC payee, a 1099-MISC payee with three codes
            records = good()
            records[index].put(position, position, char)
            data = "".join(r.text(n) + ending for n, r in enumerate(records, 1)).encode("utf-8")
            runs, records_ = both_ways(data, year=2025)
            assert runs == records_, (position, char, index)


@pytest.mark.parametrize(
    ("start", "end", "value"),
    [
        (288, 327, "12345"),  # a name of digits
        (288, 327, ""),  # no name
        (12, 20, "000000000"),  # an all-zero TIN
        (723, 734, "000400000000"),  # more tax withheld than paid
        (55, 66, "000000000000"),  # nothing paid (and then tax withheld is no problem)
        (747, 748, "06"),  # another state's record among Connecticut's
        (747, 748, "  "),  # an uncoded record among Connecticut's
        (747, 748, "99"),  # not a state code
        (500, 507, "00000099"),  # a wrong sequence number
        (2, 5, "2024"),  # another payment year
        (544, 544, "1"),  # second TIN notice
        (547, 547, "1"),  # direct sales
    ],
)
def test_fields_that_look_almost_right(start, end, value):
    records = good()
    records[5].put(start, end, value)
    runs, records_ = both_ways(file_of(records, "\n"), year=2025)
    assert runs == records_


def test_records_for_several_states_in_one_run_are_totalled_by_state():
    bs = payees(3) + payees(2, state="06", start=3) + payees(2, state="  ", start=5) + payees(1, start=7)
    data = file_of(filing([("NE", "1", bs)]), "\n")
    runs, records = both_ways(data, year=2025)
    assert runs == records and all(isinstance(p, pub1220.Parsed) for p in records)  # K records agree
    assert run_count(data, year=2025) == 8


def test_a_wrong_k_record_is_found_the_same_after_a_run():
    records = filing([("NE", "1", payees(4) + payees(2, state="06", start=4))])
    records[-3] = k_record(3, {"1": 1}, 5, "08")
    runs, records_ = both_ways(file_of(records, "\n"), year=2025)
    assert runs == records_ and [p.record_number for p in records_ if isinstance(p, pub1220.Problem)] == [10] * 3


@pytest.mark.parametrize("year", [None, 2024])
def test_the_year_comes_from_the_t_record_or_differs(year):
    runs, records = both_ways(file_of(good(), "\n"), year=year)
    assert runs == records


def test_b_records_before_the_first_a_or_after_f_or_first_in_the_file():
    records = good()
    bs = payees(3, start=50)
    for data in (
        file_of(bs + records, "\n"),  # B records first: the file must start with T
        file_of(records[:1] + bs + records[1:], "\n"),  # before any A record
        file_of(records + bs, "\n"),  # after F
        file_of(records[:9] + bs + records[9:], "\n"),  # after a C record
    ):
        runs, records_ = both_ways(data, year=2025)
        assert runs == records_


def test_w2g_payers_are_read_record_by_record():
    b = b_record("123456789", "Lucky Winner", {"1": 10_000_00}, 699_00, "  ")
    b.put(547, 547, "4").put(548, 555, "20250704")
    data = file_of(
        [t_record(1), a_record("W ", "1", cfsf=" "), b, totals("C", 1, {"1": 10_000_00}), f_record(1, 1)], "\n"
    )
    assert both_ways(data, year=2025)[0] == both_ways(data, year=2025)[1] and run_count(data, year=2025) == 0


@pytest.mark.parametrize("block", [700, 751, 752, 1500, 5000])
def test_runs_cut_by_block_ends(block, monkeypatch):
    monkeypatch.setattr(pub1220_lines, "_BLOCK", block)
    for ending in ("\n", "\r\n"):
        runs, records = both_ways(file_of(good(), ending), year=2025)
        assert runs == records


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.integers(1, 750), st.sampled_from(ODD + ["B", "A", "C"])), max_size=4),
    st.sampled_from(["\n", "\r\n"]),
    st.sampled_from([900, 1600, 1 << 20]),
)
def test_random_damage_reads_the_same(changes, ending, block):
    records = good()
    for index, position, char in changes:
        records[index].put(position, position, char)
    lines = [r.text(n) for n, r in enumerate(records, 1)]
    data = "".join(line + ending for line in lines).encode("utf-8")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pub1220_lines, "_BLOCK", block)
        runs, records_ = both_ways(data, year=2025)
    assert runs == records_


@pytest.mark.parametrize(
    ("first", "count"), [(1, 1), (3, 1500), (95, 20), (9_990, 30), (999_000, 2_500), (99_999_990, 9)]
)
def test_sequence_numbers_are_compared_a_digit_position_at_a_time(first, count):
    from tsc.lib.formats.pub1220_runs import sequences_are

    def text(numbers):
        return "".join(" " * 499 + f"{x:08d}" + " " * 243 + "\n" for x in numbers)

    numbers = list(range(first, first + count))
    assert sequences_are(text(numbers), 751, first)
    assert not sequences_are(text(numbers), 751, first + 1)
    if count > 1:
        numbers[-1] += 1
        assert not sequences_are(text(numbers), 751, first)
    assert not sequences_are(text(range(99_999_999, 99_999_999 + 1)) * 2, 751, 99_999_999)  # no 9-digit places
