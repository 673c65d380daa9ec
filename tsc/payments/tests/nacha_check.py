"""An independent structural check of a NACHA file, written from the NACHA Operating Rules'
record layouts, not from tsc/lib/formats/nacha.py: a writer and a checker that shared a wrong
table would agree perfectly.

Checks: every record 94 characters; record types in order (1, then per batch 5, 6/7 pairs, 8,
then 9, then 9-padding); lines a multiple of 10 (blocking factor 10); batch and file control
counts, entry hashes (sum of the 8-digit receiving DFI ids, rightmost 10 digits) and debit
totals; the routing check digit of every entry; trace numbers ascending; addenda sequence;
the TXP segment's syntax."""

import re

TXP = re.compile(r"^TXP\*(\d{1,15})\*([A-Z0-9]{1,5})\*(\d{6})\*T\*(\d{1,10})\\\s*$")


def _digits(text: str, what: str) -> int:
    assert text.isdigit(), f"{what} must be digits: {text!r}"
    return int(text)


def check(content: str) -> dict:
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    assert lines, "empty file"
    for n, line in enumerate(lines, 1):
        assert len(line) == 94, f"line {n} is {len(line)} characters, not 94"
    assert len(lines) % 10 == 0, f"{len(lines)} lines: not blocked to a multiple of 10"
    header = lines[0]
    assert header[0] == "1" and header[1:3] == "01", "file header"
    assert header[3] == " " and header[4:13].isdigit(), "immediate destination: blank + 9 digits"
    assert header[34:37] == "094" and header[37:39] == "10" and header[39] == "1", "record size, blocking, format"
    i = 1
    batches = entries_and_addenda = 0
    file_hash = file_debits = 0
    traces = []
    payments = []
    while lines[i][0] == "5":
        batch = lines[i]
        assert batch[1:4] == "225", "service class: debits only"
        assert batch[50:53] == "CCD", "standard entry class CCD"
        effective = batch[69:75]
        assert effective.isdigit(), "effective entry date YYMMDD"
        batch_number = batch[87:94]
        batches += 1
        i += 1
        count = batch_hash = batch_debits = 0
        while lines[i][0] == "6":
            entry, addenda = lines[i], lines[i + 1]
            assert entry[1:3] in ("27", "37"), f"transaction code {entry[1:3]}: a debit to checking or savings"
            routing = entry[3:12]
            weights = (3, 7, 1, 3, 7, 1, 3, 7, 1)
            assert routing.isdigit() and sum(w * int(d) for w, d in zip(weights, routing, strict=True)) % 10 == 0, (
                f"routing number {routing} fails its check digit"
            )
            amount = _digits(entry[29:39], "amount")
            assert entry[78] == "1", "addenda record indicator"
            trace = _digits(entry[79:94], "trace number")
            assert not traces or trace > traces[-1], "trace numbers ascend"
            traces.append(trace)
            assert addenda[0] == "7" and addenda[1:3] == "05", "addenda type 05"
            assert addenda[83:87] == "0001", "addenda sequence number"
            assert addenda[87:94] == entry[87:94], "addenda entry detail sequence = the trace's last 7 digits"
            match = TXP.match(addenda[3:83])
            assert match, f"TXP segment: {addenda[3:83]!r}"
            assert int(match.group(4)) == amount, "the TXP amount is the entry's amount"
            payments.append(
                {
                    "code": entry[1:3],
                    "routing": routing,
                    "account": entry[12:29].rstrip(),
                    "amount": amount,
                    "id": entry[39:54].rstrip(),
                    "name": entry[54:76].rstrip(),
                    "txp": addenda[3:83].rstrip(),
                    "effective": effective,
                }
            )
            batch_hash += int(routing[:8])
            batch_debits += amount
            count += 2
            i += 2
        control = lines[i]
        assert control[0] == "8" and control[1:4] == "225", "batch control"
        assert _digits(control[4:10], "entry/addenda count") == count
        assert _digits(control[10:20], "entry hash") == batch_hash % 10**10
        assert _digits(control[20:32], "total debits") == batch_debits
        assert _digits(control[32:44], "total credits") == 0
        assert control[87:94] == batch_number, "batch number"
        entries_and_addenda += count
        file_hash += batch_hash
        file_debits += batch_debits
        i += 1
    trailer = lines[i]
    assert trailer[0] == "9", "file control"
    assert _digits(trailer[1:7], "batch count") == batches
    assert _digits(trailer[7:13], "block count") == len(lines) // 10
    assert _digits(trailer[13:21], "entry/addenda count") == entries_and_addenda
    assert _digits(trailer[21:31], "entry hash") == file_hash % 10**10
    assert _digits(trailer[31:43], "total debits") == file_debits
    for pad in lines[i + 1 :]:
        assert pad == "9" * 94, "padding records are all 9s"
    return {"batches": batches, "payments": payments, "total": file_debits}
