"""Publication 1220 files as lines: one `_Line` per record, whatever separates the records.

Records are separated by CR LF or LF (also when the line ending sits in positions 749-750, or is
doubled there: empty lines are not records), or not at all: a file of back-to-back 750-character
records. Memory stays flat: no more than `_LIMIT` characters of a line are kept, and a binary
file is read in blocks of `_BLOCK` bytes.

`_lines_one_by_one` reads a line at a time and decides every case. `_lines` gives exactly the same
lines faster for a binary file: it splits whole blocks at their line breaks and hands every line
that is not a plain record with its line ending (too long, no line break at the end of the file)
to `_lines_one_by_one`, from that line on. Tests read the same bytes both ways.

`_lines(stream, runs=True)` gives the same lines, but consecutive B records that look plain (each
750 ASCII characters and then the line ending of the first) come as one `_BRun` holding them as
one text: the reader checks such a run at once (`pub1220_runs`), and when it cannot, takes its
`lines()`, which are exactly the `_Line`s `_lines` would have given.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from .pub1220_layout import RECORD_LENGTH

# Longest line the reader holds at once: a record and CR LF. Longer lines are counted, not kept.
_LIMIT = RECORD_LENGTH + 2


@dataclass(slots=True)
class _Line:
    text: str  # without the line ending; only the start of an over-long line
    length: int  # characters (bytes) before the line ending
    crlf: bool
    non_ascii: tuple[int, str] | None  # (1-based position, what was there) of the first non-ASCII character


@dataclass(slots=True)
class _BRun:
    """`count` consecutive lines of RECORD_LENGTH characters starting with "B", each followed by
    the same line ending (CR LF when `crlf`, else LF), as one text. A line may hold a line feed
    of its own inside (it is then not one record but two lines): the reader's pattern for runs
    matches no line feed inside a record, and `lines` splits such a text as `_lines` would."""

    text: str
    count: int
    crlf: bool

    def lines(self) -> list[_Line]:
        """The lines as `_lines` gives them one by one."""
        out = []
        for raw in self.text.split("\n")[:-1]:
            if raw == "" or raw == "\r":
                continue  # an empty line between records
            if raw[-1] == "\r":
                out.append(_Line(raw[:-1], len(raw) - 1, True, None))
            else:
                out.append(_Line(raw, len(raw), False, None))
        return out


def _plain_run(text: str, start: int, end: int) -> _BRun | None:
    """The run of lines from `start` (a line starting with "B") on, up to `end` (the end of a
    line), that all start with "B" and end RECORD_LENGTH characters later with the line ending of
    the first (CR LF or LF); None when there is none, i.e. the first line is not so. Looked at a
    character in each line (slices with a step), not every character."""
    if text.startswith("\n", start + RECORD_LENGTH):
        crlf = False
    elif text.startswith("\r\n", start + RECORD_LENGTH):
        crlf = True
    else:
        return None
    width = RECORD_LENGTH + 1 + crlf
    starts = text[start:end:width]  # the first character of each line, if all are this long
    count = len(starts) - len(starts.lstrip("B"))
    endings = text[start + width - 1 : end : width]
    count = min(count, len(endings) - len(endings.lstrip("\n")))
    if crlf:
        returns = text[start + RECORD_LENGTH : end : width]
        count = min(count, len(returns) - len(returns.lstrip("\r")))
    stop = start + count * width
    if not crlf and (cr := text.find("\r", start, stop)) >= 0:
        # A CR before a LF makes a shorter CR LF line: the run ends before that line.
        stop = start + (cr - start) // width * width
        count = (stop - start) // width
    if not count:
        return None
    return _BRun(text[start:stop], count, crlf)


def _first_non_ascii(chunk: bytes | str) -> tuple[int, str]:
    for i, ch in enumerate(chunk):
        if isinstance(ch, int):
            if ch > 127:
                return i + 1, f"byte 0x{ch:02X}"
        elif ord(ch) > 127:
            return i + 1, f"character U+{ord(ch):04X}"
    return 0, ""  # not reached: only called when the chunk is not ASCII


def _lines_one_by_one(stream: BinaryIO | TextIO) -> Iterator[_Line]:
    """The stream's records. Records are separated by CR LF or LF (also when the line ending
    sits in positions 749-750, or is doubled there: empty lines are not records), or not at all:
    a file of back-to-back 750-character records. Read at most _LIMIT characters at a time, so
    memory stays flat even for a file with no line breaks. Bytes are decoded as ASCII, a bad
    byte becoming U+FFFD so positions stay where they were."""
    read = stream.readline
    while True:
        first = read(_LIMIT)
        if not first:
            return
        if first in (b"\n", "\n", b"\r\n", "\r\n"):
            continue  # an empty line between records (e.g. "LF LF" in positions 749-750)
        if (
            len(first) == _LIMIT
            and first[-1:] not in (b"\n", "\n")
            and first[RECORD_LENGTH : RECORD_LENGTH + 1]
            in (b"T", b"A", b"B", b"C", b"K", b"F", "T", "A", "B", "C", "K", "F")
        ):
            # No line break after the first record but the next one starts: back-to-back records.
            yield from _fixed_records(stream, first)
            return
        chunk = first
        count = len(chunk)
        tail = chunk[-2:]
        while len(chunk) == _LIMIT and chunk[-1:] not in (b"\n", "\n"):
            chunk = read(_LIMIT)
            if not chunk:
                break
            count += len(chunk)
            tail = (tail + chunk)[-2:]
        ending = 0
        if tail[-1:] in (b"\n", "\n"):
            ending = 2 if tail in (b"\r\n", "\r\n") else 1
        yield _line(first, count - ending, ending)


def _line(first: bytes | str, length: int, ending: int) -> _Line:
    non_ascii = None if first.isascii() else _first_non_ascii(first)
    text = first.decode("ascii", "replace") if isinstance(first, bytes) else first
    return _Line(text[:length], length, ending == 2, non_ascii)


def _fixed_records(stream: BinaryIO | TextIO, first: bytes | str) -> Iterator[_Line]:
    """Back-to-back records of 750 characters, read in blocks of 64 records."""
    buffer, at = first, 0
    while True:
        if len(buffer) - at < RECORD_LENGTH:
            buffer, at = buffer[at:] + stream.read(RECORD_LENGTH * 64), 0
        record = buffer[at : at + RECORD_LENGTH]
        at += RECORD_LENGTH
        if not record.strip():
            return  # the end, or only line breaks and blanks after the last record
        yield _line(record, len(record), 0)


_BLOCK = 1 << 20


class _Rest(io.RawIOBase):
    """What is left of a stream: `head` (bytes already read), then the stream itself."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self.head, self.stream = memoryview(head), stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _ascii(data: bytes) -> str | None:
    """The text of ASCII bytes, or None (decoding checks them: no need to ask isascii first)."""
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        return None


def _lines(stream: BinaryIO | TextIO, *, runs: bool = False) -> Iterator[_Line | _BRun]:
    """The stream's records, as `_lines_one_by_one` gives them (see the module's docstring); with
    `runs`, plain B records together as `_BRun`s."""
    if isinstance(stream, io.TextIOBase):
        yield from _lines_one_by_one(stream)
        return
    carry = b""
    while True:
        block = stream.read(_BLOCK)
        if isinstance(block, str):  # a text stream that is not an io.TextIOBase (none in practice)
            yield from _lines_one_by_one(io.StringIO(block + stream.read()))
            return
        data = carry + block if carry else block
        if not block:
            if data:  # the last line has no line break: the careful reader decides
                yield from _lines_one_by_one(io.BufferedReader(_Rest(data, stream)))
            return
        end = data.rfind(b"\n") + 1
        if not end and len(data) < _LIMIT:
            carry = data
            continue
        at = 0
        whole = data[:end]
        text = _ascii(whole) if runs else None
        if text is not None:
            while at < end:
                if text.startswith("B", at) and (run := _plain_run(text, at, end)) is not None:
                    yield run
                    at += len(run.text)
                    continue
                stop = text.index("\n", at) + 1
                raw = text[at : stop - 1]
                size = stop - at  # with its line feed
                if size > _LIMIT:
                    yield from _lines_one_by_one(io.BufferedReader(_Rest(data[at:], stream)))
                    return
                at = stop
                if raw == "" or raw == "\r":
                    continue  # an empty line between records
                if raw[-1] == "\r":
                    yield _Line(raw[:-1], size - 2, True, None)
                else:
                    yield _Line(raw, size - 1, False, None)
        elif whole.isascii():  # the usual file: decoded once, every line at once
            for raw in whole.decode("ascii").split("\n")[:-1]:
                size = len(raw) + 1  # with its line feed
                if size > _LIMIT:
                    yield from _lines_one_by_one(io.BufferedReader(_Rest(data[at:], stream)))
                    return
                at += size
                if raw == "" or raw == "\r":
                    continue  # an empty line between records
                if raw[-1] == "\r":
                    yield _Line(raw[:-1], size - 2, True, None)
                else:
                    yield _Line(raw, size - 1, False, None)
        else:
            for raw in whole.split(b"\n")[:-1]:
                size = len(raw) + 1
                if size > _LIMIT:
                    yield from _lines_one_by_one(io.BufferedReader(_Rest(data[at:], stream)))
                    return
                at += size
                if raw == b"" or raw == b"\r":
                    continue
                ending = 2 if raw[-1:] == b"\r" else 1
                yield _line(raw, size - ending, ending)
        carry = data[end:]
        if len(carry) >= _LIMIT:  # a line longer than a record with no line break yet
            yield from _lines_one_by_one(io.BufferedReader(_Rest(carry, stream)))
            return
