"""The rows of the payment lists, built in one pass in Python (tsc/lib/rows.py says why). The
template holds the table, its caption and headers."""

from django.utils.safestring import SafeString

from tsc.lib.rows import e, mdy, money, rows, url_by_id

from .models import PaymentStatus

STATUS_LABELS = dict(PaymentStatus.choices)


def payment_rows(payments) -> SafeString:
    """`payments` as `selectors.payments_for` gives them (dicts)."""
    url = url_by_id("payments:payment")
    return rows(
        f'<tr><th scope="row" data-label="Confirmation number"><a class="usa-link" href="{url(p["pk"])}">'
        f"{e(p['confirmation_number'])}</a></th>"
        f'<td data-label="Tax type">{e(p["tax_type_name"])}</td>'
        f'<td data-label="Period end">{mdy(p["period_end"])}</td>'
        f'<td data-label="Payment date">{mdy(p["requested_date"])}</td>'
        f'<td data-label="Date made">{mdy(p["made_on"])}</td>'
        f'<td data-label="Status">{e(STATUS_LABELS.get(p["status"], p["status"]))}'
        f"{f' ({e(p["return_reason"])})' if p['return_reason'] else ''}</td>"
        f'<td data-label="Amount" class="text-right">{money(p["amount"])}</td></tr>\n'
        for p in payments
    )
