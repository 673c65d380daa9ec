"""A filed return as a PDF, with Public Sans embedded (ships with USWDS; no system fonts)."""

from decimal import Decimal

from django.utils import timezone
from fpdf import FPDF

from tsc.lib.money import dollars
from tsc.lib.pdf import new_pdf

from .forms_registry import RETURN_FORMS_BY_NAME
from .models import TaxReturn


def _amount(line: dict) -> str:
    if line["label"].startswith("Number of"):
        return str(int(Decimal(line["amount"])))
    return dollars(Decimal(line["amount"]))


def _line_table(pdf: FPDF, lines: list[dict]) -> None:
    with pdf.table(col_widths=(12, 128, 40), text_align=("LEFT", "LEFT", "RIGHT")) as table:
        header = table.row()
        for text in ("Line", "Description", "Amount"):
            header.cell(text)
        for line in lines:
            row = table.row()
            row.cell(line["number"])
            row.cell(line["label"])
            row.cell(_amount(line))


def _column_table(pdf: FPDF, lines: list[dict], columns) -> None:
    """OS-114: the four rate columns and the line total, as the printed form lays them out."""
    pdf.set_font(pdf.family_name, "", 7)
    widths = (10, 50, *(24 for _ in columns), 24)
    with pdf.table(col_widths=widths, text_align=("LEFT", "LEFT", *("RIGHT" for _ in columns), "RIGHT")) as table:
        header = table.row()
        for text in ("Line", "Description", *(col.heading for col in columns), "Total"):
            header.cell(text)
        for line in lines:
            row = table.row()
            row.cell(line["number"])
            row.cell(line["label"])
            amounts = line.get("columns")
            if amounts:
                for amount in amounts:
                    row.cell(dollars(Decimal(amount)))
            else:
                row.cell("", colspan=len(columns))
            row.cell(_amount(line))
    pdf.set_font(pdf.family_name, "", 10)


def return_pdf(tax_return: TaxReturn) -> bytes:
    pdf = new_pdf()
    family = pdf.family_name
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, "Connecticut Department of Revenue Services", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.cell(0, 6, "Taxpayer Service Center - filed return", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "B", 13)
    title = f"{'Amended ' if tax_return.is_amended else ''}Form {tax_return.form}"
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    period = tax_return.period
    facts = [
        ("Business", f"{tax_return.business.legal_name} ({tax_return.business.registration_number})"),
        ("Tax type", tax_return.tax_type.name),
        ("Period", f"{period.period_start:%m/%d/%Y} - {period.period_end:%m/%d/%Y}, due {period.due_date:%m/%d/%Y}"),
        ("Confirmation number", tax_return.confirmation_number or ""),
        ("Filed", timezone.localtime(tax_return.filed_at).strftime("%m/%d/%Y %I:%M %p") if tax_return.filed_at else ""),
    ]
    if tax_return.amends:
        facts.append(("Amends", tax_return.amends.confirmation_number))
    for label, value in facts:
        pdf.set_font(family, "B", 10)
        pdf.cell(45, 6, label)
        pdf.set_font(family, "", 10)
        pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    columns = RETURN_FORMS_BY_NAME[tax_return.form].columns if tax_return.form in RETURN_FORMS_BY_NAME else ()
    if columns:
        _column_table(pdf, tax_return.lines, columns)
    else:
        _line_table(pdf, tax_return.lines)
    pdf.ln(4)
    pdf.set_font(family, "B", 11)
    if tax_return.form == "CT-1096":  # a transmittal: nothing is due with it
        pdf.cell(0, 7, "Nothing is paid with Form CT-1096.", new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    pdf.cell(0, 7, f"Total amount due: {dollars(tax_return.amount_due)}", new_x="LMARGIN", new_y="NEXT")
    if tax_return.credit:
        pdf.cell(0, 7, f"Credit: {dollars(tax_return.credit)}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
