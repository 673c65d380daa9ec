"""A status letter as a PDF, made in memory (never written to disk), with Public Sans embedded
(tsc/lib/pdf.py) and a QR code that opens the public verification page."""

from io import BytesIO

import segno
from django.utils import timezone

from tsc.lib.pdf import new_pdf

from . import wording
from .models import StatusLetter


def _qr_png(url: str) -> BytesIO:
    out = BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    out.seek(0)
    return out


def status_letter_pdf(letter: StatusLetter, *, verify_url: str) -> bytes:
    pdf = new_pdf()
    pdf.set_title(f"Status letter {letter.letter_id}")
    pdf.set_author("State of Connecticut, Department of Revenue Services")
    family = pdf.family_name
    width = pdf.epw

    pdf.set_font(family, "B", 15)
    pdf.cell(0, 8, "State of Connecticut", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "Department of Revenue Services", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.cell(0, 6, "450 Columbus Blvd. Ste. 1, Hartford, CT 06103", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(family, "B", 13)
    pdf.cell(0, 8, "Status Letter (Letter of Good Standing)", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for label, value in (("Date issued", f"{letter.issued_on:%m/%d/%Y}"), ("Letter ID", letter.letter_id)):
        pdf.set_font(family, "B", 11)
        pdf.cell(35, 7, label)
        pdf.set_font(family, "", 11)
        pdf.cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
    if letter.revoked:
        pdf.ln(2)
        pdf.set_font(family, "B", 12)
        revoked_on = timezone.localdate(letter.revoked_at)
        pdf.multi_cell(width, 7, f"REVOKED: DRS revoked this status letter on {revoked_on:%m/%d/%Y}.")
    pdf.ln(4)

    pdf.set_font(family, "", 11)
    pdf.multi_cell(width, 6, f"As of {letter.issued_on:%m/%d/%Y}, the date this letter is issued,")
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(width, 7, letter.entity_name)
    pdf.set_font(family, "", 11)
    pdf.ln(1)
    for statement in ("has filed all of its tax returns, and", "has paid all taxes that were reported due."):
        pdf.set_x(pdf.l_margin + 6)
        pdf.multi_cell(width - 6, 6, f"-  {statement}")
    pdf.ln(4)
    pdf.set_font(family, "", 9)
    pdf.multi_cell(width, 5, wording.NOTE)
    pdf.ln(2)
    pdf.multi_cell(width, 5, wording.NOT_A_CLEARANCE)
    pdf.ln(2)
    pdf.multi_cell(width, 5, wording.MORE + ".")
    pdf.ln(6)

    top = pdf.get_y()
    size = 32
    pdf.image(_qr_png(verify_url), x=pdf.l_margin, y=top, w=size, h=size)
    pdf.set_xy(pdf.l_margin + size + 4, top + 2)
    pdf.set_font(family, "B", 10)
    pdf.multi_cell(width - size - 4, 5, "Verify this letter")
    pdf.set_x(pdf.l_margin + size + 4)
    pdf.set_font(family, "", 9)
    pdf.multi_cell(
        width - size - 4,
        5,
        "Scan the code, or go to the address below, to see whether DRS issued this letter and whether "
        f"it is still valid:\n{verify_url}",
    )
    return bytes(pdf.output())
