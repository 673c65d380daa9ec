"""The block-wise line reader gives exactly the lines the one-by-one reader gives, whatever
separates the records, wherever a block ends."""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsc.lib.formats import pub1220_lines
from tsc.lib.formats.pub1220_lines import _lines, _lines_one_by_one

RECORD = 750


def record(kind: str, fill: str) -> bytes:
    return (kind + fill * (RECORD - 1)).encode("latin-1")


pieces = st.one_of(
    st.builds(record, st.sampled_from("TABCKFX"), st.sampled_from(["1", " ", "\xe9"])),  # whole records
    st.builds(lambda n: b"B" * n, st.integers(0, 2000)),  # short, over-long and empty lines
    st.sampled_from([b"\n", b"\r\n", b"\n\n", b"\r", b"\r\n\r\n", b"B" * 748 + b"\r\n", b"B" * 749 + b"\n\n"]),
)
separators = st.sampled_from([b"\n", b"\r\n", b"", b"\n\n"])


@settings(max_examples=300, deadline=None, database=None)
@given(st.lists(st.tuples(pieces, separators), max_size=12), st.sampled_from([700, 751, 752, 1000, 4096]))
def test_block_reader_matches_the_one_by_one_reader(parts, block):
    data = b"".join(piece + sep for piece, sep in parts)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pub1220_lines, "_BLOCK", block)  # block ends fall inside records and line breaks
        fast = list(_lines(io.BufferedReader(io.BytesIO(data))))
    assert fast == list(_lines_one_by_one(io.BufferedReader(io.BytesIO(data))))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\n",
        record("T", " ") * 3,  # back to back
        record("T", " ") + b"\n" + record("A", " ") * 2,  # back to back after the first line
        record("T", " ") + b"\r\n" + record("B", " ") + b"\r",  # a CR with no LF at the end
        b"x" * 5000 + b"\n" + record("F", " ") + b"\n",  # an over-long line first
    ],
)
def test_edge_cases_read_the_same(data, monkeypatch):
    monkeypatch.setattr(pub1220_lines, "_BLOCK", 1000)
    assert list(_lines(io.BufferedReader(io.BytesIO(data)))) == list(
        _lines_one_by_one(io.BufferedReader(io.BytesIO(data)))
    )


def test_text_streams_are_read_one_by_one():
    text = "T" * RECORD + "\n" + "F" * RECORD + "\n"
    assert list(_lines(io.StringIO(text))) == list(_lines_one_by_one(io.StringIO(text)))


def opened(items) -> list:
    """`_lines(..., runs=True)` with each run opened into its lines."""
    return [line for item in items for line in (item.lines() if isinstance(item, pub1220_lines._BRun) else [item])]


b_lines = st.builds(
    lambda fill, odd, at: (b"B" + fill * (RECORD - 1))[:at] + odd + (b"B" + fill * (RECORD - 1))[at + len(odd) :],
    st.sampled_from([b"1", b" "]),
    st.sampled_from([b"", b"\n", b"\r", b"\r\n", b"\xe9"]),
    st.integers(1, RECORD),
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    st.lists(st.tuples(st.one_of(pieces, b_lines, b_lines), separators), max_size=12),
    st.sampled_from([700, 751, 752, 1000, 4096]),
)
def test_runs_open_into_the_lines_the_block_reader_gives(parts, block):
    data = b"".join(piece + sep for piece, sep in parts)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(pub1220_lines, "_BLOCK", block)
        with_runs = opened(_lines(io.BufferedReader(io.BytesIO(data)), runs=True))
    assert with_runs == list(_lines_one_by_one(io.BufferedReader(io.BytesIO(data))))


@pytest.mark.parametrize("ending", [b"\n", b"\r\n"])
def test_plain_b_lines_come_as_one_run(ending):
    data = record("T", " ") + ending + (record("B", "1") + ending) * 5 + record("C", " ") + ending
    items = list(_lines(io.BufferedReader(io.BytesIO(data)), runs=True))
    assert [type(item).__name__ for item in items] == ["_Line", "_BRun", "_Line"]
    assert items[1].count == 5 and items[1].crlf == (ending == b"\r\n")
    # A CR before the LF of a line ends the run before that line (it is a shorter CR LF line).
    odd = (record("B", "1") + b"\n") * 2 + record("B", "1")[:-1] + b"\r\n" + (record("B", "1") + b"\n") * 2
    items = list(_lines(io.BufferedReader(io.BytesIO(odd)), runs=True))
    assert [(type(i).__name__, getattr(i, "count", None)) for i in items] == [
        ("_BRun", 2),
        ("_Line", None),
        ("_BRun", 2),
    ]
    assert opened(items) == list(_lines_one_by_one(io.BufferedReader(io.BytesIO(odd))))
