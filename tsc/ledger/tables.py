"""The rows of View Account Period Details, built in one pass in Python (tsc/lib/rows.py says
why). The template holds the table, its caption and headers."""

from django.utils.safestring import SafeString

from tsc.lib.rows import e, mdy, money, rows, url_by_id

NOT_FILED = '<br><span class="usa-hint">Return not filed</span>'


def account_rows(items) -> SafeString:
    """`items` as the view makes them: {"row": PeriodAccount, "may_pay": bool, "pay_link": str}.
    The amounts are aligned right by the table's class (tsc-amounts in css/tsc.css), not by a
    class on each of their 250 cells."""
    url = url_by_id("ledger:period")
    out = []
    for item in items:
        r, s = item["row"], item["row"].statement
        period = r.period
        end = mdy(period.period_end)
        action = ""
        if s.balance_due:
            if not r.payable_online:
                action = "Pay by check (see below)"
            elif item["may_pay"]:
                action = (
                    f'<a class="usa-link" href="{e(item["pay_link"])}">Pay {money(s.balance_due)}'
                    f'<span class="usa-sr-only"> for the period ending {end}</span></a>'
                )
        balance = f"{money(s.credit)} credit" if s.credit else money(s.balance_due)
        out.append(
            f'<tr><th scope="row" data-label="Period end"><a class="usa-link" href="{url(period.pk)}">{end}</a>'
            f"{'' if r.filed else NOT_FILED}</th>"
            f'<td data-label="Tax type">{e(period.registration.tax_type.name)}</td>'
            f'<td data-label="Tax">{money(s.tax)}</td>'
            f'<td data-label="Penalty">{money(s.penalty)}</td>'
            f'<td data-label="Interest">{money(s.interest)}</td>'
            f'<td data-label="Payments/Credits">{money(s.payments)}</td>'
            f'<td data-label="Balance due">{balance}</td>'
            f'<td data-label="Actions">{action}</td></tr>\n'
        )
    return rows(out)
