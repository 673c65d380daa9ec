"""The acknowledgement of a File Import: every record in file order, accepted with its
confirmation number or rejected with the reason, as rows and as a CSV file that a spreadsheet
will not run as formulas."""

import csv
import io
from collections.abc import Iterator

from .models import BulkImport, ImportRecord

ACK_COLUMNS = (
    "record",
    "client",
    "tax_type",
    "period_end",
    "outcome",
    "confirmation_number",
    "payment_confirmation_number",
    "reason",
)


def acknowledgement_rows(bulk_import: BulkImport) -> Iterator[dict]:
    """Every record of the import, in file order: accepted with its confirmation number, or
    rejected with the reason (record 0: the file itself)."""
    rows = (
        ImportRecord.objects.filter(bulk_import=bulk_import)
        .order_by("record_number")
        .values_list(
            "record_number",
            "client_number",
            "tax_type_code",
            "period_end",
            "outcome",
            "confirmation_number",
            "payment__confirmation_number",
            "reason",
        )
    )
    for number, client, tax_type, period_end, outcome, confirmation, payment, reason in rows.iterator(2000):
        yield {
            "record": number,
            "client": client,
            "tax_type": tax_type,
            "period_end": period_end.strftime("%m/%d/%Y") if period_end else "",
            "outcome": outcome,
            "confirmation_number": confirmation,
            "payment_confirmation_number": payment or "",
            "reason": reason,
        }


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value) -> str:
    """A cell a spreadsheet will not run as a formula: one starting with = + - @ tab or CR gets a
    leading single quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def acknowledgement_csv(bulk_import: BulkImport) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)

    def take() -> str:
        text = out.getvalue()
        out.seek(0)
        out.truncate()
        return text

    writer.writerow(ACK_COLUMNS)
    yield take()
    for row in acknowledgement_rows(bulk_import):
        writer.writerow([neutralised(row[c]) for c in ACK_COLUMNS])
        yield take()
