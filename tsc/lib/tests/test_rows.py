"""The rows built in Python (tsc/lib/rows.py, each app's tables.py): what the templates showed,
every value escaped."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.template.defaultfilters import date as date_format
from django.urls import set_script_prefix
from hypothesis import given
from hypothesis import strategies as st

from tsc.filing.selectors import PeriodRow
from tsc.filing.tables import history_rows, period_table
from tsc.lib.money import dollars
from tsc.lib.rows import amount, e, mdy, money, url_by_id
from tsc.payments.tables import payment_rows


def test_the_helpers_match_the_template_filters():
    assert e('<a href="x">O\'Brien & co</a>') == "&lt;a href=&quot;x&quot;&gt;O&#x27;Brien &amp; co&lt;/a&gt;"
    assert mdy(date(2026, 1, 5)) == "01/05/2026" and mdy(None) == ""
    assert money(Decimal("-1234.5")) == "-$1,234.50" and money("12") == "$12.00"
    assert amount(Decimal("1234567.891")) == "1,234,567.89" and amount(Decimal("-0.00")) == "0.00"
    assert url_by_id("filing:return")(42) == "/returns/42/"


@given(st.dates(min_value=date(1000, 1, 1)))
def test_mdy_is_the_date_filter(day):
    assert mdy(day) == date_format(day, "m/d/Y")


def test_a_url_by_id_follows_the_script_prefix():
    set_script_prefix("/tsc/")
    try:
        assert url_by_id("filing:return")(42) == "/tsc/returns/42/"
    finally:
        set_script_prefix("/")
    assert url_by_id("filing:return")(42) == "/returns/42/"


def test_history_rows_mark_amended_returns_and_missing_filers():
    html = history_rows(
        [
            {
                "pk": 7,
                "confirmation_number": "TSC-<1>",
                "amends_id": 3,
                "form": "OS-114",
                "period_end": date(2026, 9, 30),
                "filed_on": date(2026, 10, 20),
                "filer": None,
                "amount_due": Decimal("-5.00"),
            }
        ]
    )
    assert '<a class="usa-link" href="/returns/7/">TSC-&lt;1&gt;</a> <span class="usa-tag">amended</span>' in html
    assert '<td data-label="Filed by">—</td>' in html
    assert '<td data-label="Amount due" class="text-right">$-5.00</td>' in html


def test_payment_rows_give_the_status_and_the_bank_return_reason():
    html = payment_rows(
        [
            {
                "pk": 9,
                "confirmation_number": "P-1",
                "tax_type_name": "Withholding",
                "period_end": date(2026, 9, 30),
                "requested_date": date(2026, 10, 30),
                "made_on": date(2026, 10, 1),
                "status": "returned",
                "return_reason": "R01",
                "amount": Decimal("10.5"),
            }
        ]
    )
    assert '<td data-label="Status">Returned by the bank (R01)</td>' in html
    assert '<td data-label="Amount" class="text-right">$10.50</td>' in html


def test_period_tables_say_what_to_do_and_for_which_tax_type():
    tax_type = SimpleNamespace(name="Sales & Use")
    period = (5, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 2))
    html = period_table(
        [PeriodRow(*period, tax_type, "draft", overdue=True)], caption="Periods that need a return", with_tax_type=True
    )
    assert '<caption class="usa-sr-only">Periods that need a return</caption>' in html
    assert '<td data-label="Tax type">Sales &amp; Use</td>' in html
    assert '03/02/2026 <span class="usa-tag bg-secondary-dark">past due</span>' in html
    assert 'Continue draft<span class="usa-sr-only"> for Sales &amp; Use period ending 01/31/2026</span>' in html
    filed = period_table([PeriodRow(*period, tax_type, "filed", overdue=False)], caption="Sales & Use: 2026")
    assert "Tax type" not in filed and "View or amend" in filed and "past due" not in filed


@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9))
def test_money_kept_by_value_is_still_dollars(value):
    """money() keeps its text by value: an equal Decimal written otherwise (1.5, 1.500) shows the same."""
    for same in (value, value.quantize(Decimal("0.00001")), -value, value + 0):
        assert money(same) == dollars(same)


def test_account_rows_leave_the_amounts_to_the_tables_class():
    """The account table's amounts are aligned right by `tsc-amounts` (css/tsc.css) on their
    columns: the 3rd to 7th cells of each row are the amounts."""
    from datetime import date as d

    from tsc.ledger.account import PeriodAccount
    from tsc.ledger.statement import Statement
    from tsc.ledger.tables import account_rows

    period = SimpleNamespace(
        pk=5, period_end=d(2026, 9, 30), registration=SimpleNamespace(tax_type=SimpleNamespace(name="Sales"))
    )
    row = PeriodAccount(period, Statement(due_date=d(2026, 10, 31), as_of=d(2026, 12, 1)), True, "OS-114")
    html = str(account_rows([{"row": row, "may_pay": False, "pay_link": ""}]))
    cells = re.findall(r"<t[hd][^>]*data-label=\"([^\"]+)\"", html)
    assert cells[2:7] == ["Tax", "Penalty", "Interest", "Payments/Credits", "Balance due"]
    assert "text-right" not in html
    css = (Path(settings.BASE_DIR) / "static" / "css" / "tsc.css").read_text()
    assert ".tsc-amounts td:nth-child(n+3):nth-child(-n+7) { text-align: right; }" in css
