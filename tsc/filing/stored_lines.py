"""A return's lines as stored (issue 11): a form's layout (the lines' numbers and labels, the same
for every return of a form and label variant) once, in `LineLayout` under the digest of its
entries, and per return only that key and the amounts as text (`TaxReturn.line_layout`,
`TaxReturn.line_amounts`). 2.7 KB of JSON an OS-114 becomes about 300 bytes of text, which the
database neither parses nor compresses.

`TaxReturn.lines` reads and writes through here and gives every reader the same list of dicts as
before. Lines that fit no layout (none, or another shape) stay whole in `TaxReturn.full_lines`.
A layout is stored with the first return that uses it, in the same transaction (an insert that
does nothing when it is there): by `TaxReturn.save` and by the batch (tsc/filing/batch.py); not
by `bulk_create`, which nothing uses for returns with lines. It is never changed or deleted, so
its key may be remembered by any process for good.
"""

from .lines import compacted, layout_key, lines_of

_ENTRIES: dict[str, tuple] = {}  # key → entries: a digest of them, so never out of date


def remember(key: str, entries: tuple) -> None:
    _ENTRIES[key] = entries


def entries_of(key: str) -> tuple:
    """The entries stored under `key` (read once per process)."""
    found = _ENTRIES.get(key)
    if found is None:
        from .models import LineLayout

        found = tuple(tuple(e) for e in LineLayout.objects.get(pk=key).lines)
        if layout_key(found) != key:
            raise ValueError(f"Line layout {key} does not hold what its key says.")
        _ENTRIES[key] = found
    return found


def lines_read(key: str, amounts_text: str) -> list[dict]:
    return lines_of(entries_of(key), amounts_text)


def lines_write(tax_return, lines) -> None:
    """Set `tax_return`'s stored lines: its layout's key and amounts, or the lines whole. The layout
    is stored when the return is saved (`layout_pending`)."""
    found = compacted(lines)
    if found is None:
        tax_return.full_lines, tax_return.line_layout, tax_return.line_amounts = lines, None, ""
        tax_return.__dict__.pop("_layout_pending", None)
        return
    entries, amounts = found
    key = layout_key(entries)
    remember(key, entries)
    tax_return.full_lines, tax_return.line_layout, tax_return.line_amounts = [], key, amounts
    tax_return.__dict__["_layout_pending"] = (key, entries)


def layout_pending(tax_return) -> None:
    """Store the layout the return's lines were set with, if any, before the return is saved."""
    if (pending := tax_return.__dict__.get("_layout_pending")) is not None:
        layouts_store({pending[0]: pending[1]})


def layout_saved(tax_return) -> None:
    tax_return.__dict__.pop("_layout_pending", None)


def layouts_store(layouts: dict[str, tuple]) -> None:
    """Store these layouts (key → entries), those not there yet, inside the caller's transaction."""
    if not layouts:
        return
    from .models import LineLayout

    for key, entries in layouts.items():
        remember(key, entries)
    # In the keys' order: two transactions storing the same new layouts (two parts of an import)
    # wait for each other's rows in the same order, never in a circle.
    LineLayout.objects.bulk_create(
        [LineLayout(key=key, lines=[list(e) for e in entries]) for key, entries in sorted(layouts.items())],
        ignore_conflicts=True,
    )
