"""A letter-size PDF page with Public Sans embedded (it ships with USWDS; no system fonts), for
return copies and status letters."""

from pathlib import Path

from django.conf import settings
from fpdf import FPDF

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "uswds" / "fonts" / "public-sans"


def new_pdf() -> FPDF:
    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    regular, bold = FONT_DIR / "PublicSans-Regular.ttf", FONT_DIR / "PublicSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("PublicSans", "", str(regular))
        pdf.add_font("PublicSans", "B", str(bold))
        pdf.family_name = "PublicSans"
    else:  # static assets not installed (make static): fall back to a core font, Latin-1 only
        pdf.family_name = "Helvetica"
        pdf.core_fonts_encoding = "latin-1"
        pdf.set_text_shaping(False)
    pdf.add_page()
    return pdf
