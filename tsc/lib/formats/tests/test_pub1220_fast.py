"""The B record's fast path (pub1220_fast) must read every record exactly as the field-by-field
checks do: the same records, the same problems, in the same order. Each test reads the same bytes
twice, with the fast path and without it, and compares. A pattern looser than the checks lets a
bad record through silently; these tests are what would catch it."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsc.lib.formats import pub1220
from tsc.lib.formats.pub1220 import write

from .strategies import payers, transmitters
from .test_pub1220 import good_lines, put, renumber


def both_ways(data: bytes, monkeypatch, **kwargs):
    fast = list(pub1220.read(io.BytesIO(data), **kwargs))
    with monkeypatch.context() as m:
        m.setattr(pub1220, "b_pattern", lambda *args: None)
        slow = list(pub1220.read(io.BytesIO(data), **kwargs))
    return fast, slow


def as_bytes(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("ascii", "replace")


def test_the_fast_path_is_taken_for_a_good_file(monkeypatch):
    calls = []
    real = pub1220._Reader.fast_b

    def counting(self, *args):
        calls.append(args[0])
        return real(self, *args)

    monkeypatch.setattr(pub1220._Reader, "fast_b", counting)
    fast, slow = both_ways(as_bytes(good_lines()), monkeypatch)
    assert fast == slow and len(calls) == 3  # every B record of the good file


# What a careless or hostile file puts in a field: blanks, zeros, digits, letters, a formula
# start, a tab and a character beyond ASCII.
ODD = [" ", "0", "9", "1", "2", "X", "=", "-", "\t", "\u00e9"]


@pytest.mark.parametrize("position", range(2, 751))
def test_one_odd_character_anywhere_in_a_b_record(position, monkeypatch):
    lines = good_lines()
    for char in ODD:
        for index in (2, 7):  # a 1099-NEC payee, a 1099-MISC payee with two amount codes
            changed = list(lines)
            changed[index] = put(changed[index], position, position, char)
            data = "".join(line + "\n" for line in changed).encode("utf-8")
            fast, slow = both_ways(data, monkeypatch)
            assert fast == slow, (position, char, index)


@pytest.mark.parametrize(
    ("start", "end", "value"),
    [
        (288, 327, " " * 40),  # no name
        (288, 327, "12345".ljust(40)),  # a name of digits
        (288, 327, "  =SUM(A1)".ljust(40)),  # a formula after blanks
        (288, 327, " " * 39 + "="),  # a formula character alone at the end
        (368, 407, " " * 39 + "@"),
        (12, 20, "000000000"),  # an all-zero TIN
        (490, 498, "0610 1234"),  # ZIP with a blank inside
        (490, 498, "06103123 "),  # ZIP of 8 digits
        (723, 734, "000099999999"),  # more tax withheld than paid
        (747, 748, "06"),  # another state's record
        (747, 748, "99"),  # not a state code
        (2, 5, "2019"),  # another payment year
        (544, 544, "1"),  # second TIN notice
        (547, 547, "1"),  # direct sales
    ],
)
def test_fields_that_look_almost_right(start, end, value, monkeypatch):
    lines = good_lines()
    lines[2] = put(lines[2], start, end, value)
    fast, slow = both_ways(as_bytes(lines), monkeypatch)
    assert fast == slow


@pytest.mark.parametrize("year", [None, 2019, 2031])
def test_the_year_comes_from_the_t_record_or_differs(year, monkeypatch):
    fast, slow = both_ways(as_bytes(renumber(good_lines())), monkeypatch, year=year)
    assert fast == slow


@settings(max_examples=60, deadline=None, database=None)
@given(transmitters, st.lists(payers(), min_size=1, max_size=3))
def test_generated_files_read_the_same_both_ways(transmitter, filing):
    out = io.StringIO()
    write(transmitter, filing, out)
    data = out.getvalue().encode("ascii")
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, slow = both_ways(data, monkeypatch, year=transmitter.year)
    assert fast == slow
