"""The rows of the long tables of File Returns and View Return History, built in one pass in
Python (tsc/lib/rows.py says why). The templates hold each table, its caption and headers."""

from django.utils.safestring import SafeString

from tsc.lib.rows import amount, e, mdy, rows, url_by_id

AMENDED = ' <span class="usa-tag">amended</span>'
PAST_DUE = ' <span class="usa-tag bg-secondary-dark">past due</span>'


def history_rows(returns) -> SafeString:
    """View Return History: `returns` as `selectors.return_history` gives them (dicts)."""
    url = url_by_id("filing:return")
    return rows(
        f'<tr><th scope="row" data-label="Confirmation number"><a class="usa-link" href="{url(r["pk"])}">'
        f"{e(r['confirmation_number'])}</a>{AMENDED if r['amends_id'] is not None else ''}</th>"
        f'<td data-label="Form">{e(r["form"])}</td>'
        f'<td data-label="Period end">{mdy(r["period_end"])}</td>'
        f'<td data-label="Filing date">{mdy(r["filed_on"])}</td>'
        f'<td data-label="Filed by">{e(r["filer"] or "—")}</td>'
        f'<td data-label="Amount due" class="text-right">${amount(r["amount_due"])}</td></tr>\n'
        for r in returns
    )


def period_table(periods, *, caption: str, with_tax_type: bool = False) -> SafeString:
    """File Returns: one table of periods (`selectors.PeriodRow`), each with its action; the
    table of what needs action names the tax type too. The page has one such table a year and
    tax type, so the whole table is built here."""
    url = url_by_id("filing:prepare")
    out = [
        '<table class="usa-table usa-table--stacked usa-table--borderless">'
        f'<caption class="usa-sr-only">{e(caption)}</caption><thead><tr>'
        + ('<th scope="col">Tax type</th>' if with_tax_type else "")
        + '<th scope="col">Period</th><th scope="col">Due date</th><th scope="col">Status</th>'
        '<th scope="col"><span class="usa-sr-only">Action</span></th></tr></thead><tbody>\n'
    ]
    for row in periods:
        end = mdy(row.period_end)
        tax_type = e(row.tax_type.name) if with_tax_type else ""
        if row.status == "filed":
            action = f'View or amend<span class="usa-sr-only"> the return for period ending {end}</span>'
        else:
            verb = "Continue draft" if row.status == "draft" else "Prepare return"
            whose = f"{tax_type} " if with_tax_type else ""
            action = f'{verb}<span class="usa-sr-only"> for {whose}period ending {end}</span>'
        out.append(
            "<tr>"
            + (f'<td data-label="Tax type">{tax_type}</td>' if with_tax_type else "")
            + f'<th scope="row" data-label="Period">{mdy(row.period_start)} – {end}</th>'
            f'<td data-label="Due date">{mdy(row.due_date)}{PAST_DUE if row.overdue else ""}</td>'
            f'<td data-label="Status">{e(row.status)}</td>'
            f'<td data-label="Action"><a class="usa-link" href="{url(row.pk)}">{action}</a></td></tr>\n'
        )
    out.append("</tbody></table>")
    return rows(out)
