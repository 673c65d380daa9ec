import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from tsc.filing.models import ReturnStatus, TaxReturn

# OS-114, general rate column (line 1 sales, 4 use tax, 8a resale, 8d other nontaxable):
# 10,200.00 − 1,500.00 = 8,700.00 × 6.35 % = 552.45.
FIGURES = {
    "l1_c1": "10,000.00",
    "l4_c1": "200",
    "l8a_c1": "$1,000.00",
    "l8d_c1": "500",
    "l2_c1": "",
}


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-10-20 12:00:00-04:00", tick=False):
        yield


def period(demo, code="ST", end=date(2026, 9, 30)):
    return demo.nutmeg.registrations.get(tax_type__code=code).periods.get(period_end=end)


def file_os114(client, p, figures=FIGURES):
    review = client.post(f"/file/{p.pk}/", figures | {"action": "review"})
    token = re.search(r'name="submission_token" value="([^"]+)"', review.content.decode()).group(1)
    return review, client.post(f"/file/{p.pk}/", figures | {"action": "submit", "submission_token": token})


@pytest.mark.parametrize("who", ["viewer", "payer", "noaccess"])
def test_only_file_rights_reach_file_returns(demo, signed_in, who):
    client = signed_in(getattr(demo, who))
    assert client.get("/file/").status_code == 403
    assert client.get(f"/file/{period(demo).pk}/").status_code == 403
    assert client.post(f"/file/{period(demo).pk}/", FIGURES | {"action": "save"}).status_code == 403
    assert not TaxReturn.objects.exists()


def test_file_returns_lists_open_periods_with_due_dates(demo, signed_in):
    html = signed_in(demo.filer).get("/file/").content.decode()
    assert "Sales and Use Tax" in html and "Withholding" in html and "Withholding Non-Wage" in html
    # Due 10/31/2026, a Saturday: shown as Monday 11/02/2026.
    assert "09/01/2026 – 09/30/2026" in html and "11/02/2026" in html and "not filed" in html


def test_filer_reviews_then_submits_and_gets_a_confirmation(demo, signed_in):
    client = signed_in(demo.filer)
    p = period(demo)
    html = client.post(f"/file/{p.pk}/", FIGURES | {"action": "review"}).content.decode()
    assert "$10,200.00" in html and "$8,700.00" in html and "$552.45" in html and "Submit return" in html
    assert not TaxReturn.objects.exists()  # reviewing files nothing
    review, response = file_os114(client, p)
    filed = TaxReturn.objects.get(period=p)
    assert response.url == reverse("filing:return", args=[filed.pk]) + "?filed=1"
    page = client.get(response.url).content.decode()
    assert filed.confirmation_number in page and "Your return was filed" in page


def test_totals_from_the_browser_are_ignored(demo, signed_in):
    client = signed_in(demo.filer)
    file_os114(client, period(demo), FIGURES | {"tax_due": "0.01", "amount_due": "0.01"})
    assert TaxReturn.objects.get().amount_due == D("552.45")


def test_a_double_submit_records_one_return(demo, signed_in):
    client = signed_in(demo.filer)
    p = period(demo)
    review, first = file_os114(client, p)
    token = re.search(r'name="submission_token" value="([^"]+)"', review.content.decode()).group(1)
    second = client.post(f"/file/{p.pk}/", FIGURES | {"action": "submit", "submission_token": token})
    assert first.url == second.url and TaxReturn.objects.count() == 1


def test_a_second_tab_is_told_the_period_was_filed(demo, signed_in):
    client = signed_in(demo.filer)
    p = period(demo)
    review_a = client.post(f"/file/{p.pk}/", FIGURES | {"action": "review"}).content.decode()
    review_b = client.post(f"/file/{p.pk}/", FIGURES | {"action": "review"}).content.decode()
    token_a = re.search(r'name="submission_token" value="([^"]+)"', review_a).group(1)
    token_b = re.search(r'name="submission_token" value="([^"]+)"', review_b).group(1)
    client.post(f"/file/{p.pk}/", FIGURES | {"action": "submit", "submission_token": token_a})
    html = client.post(f"/file/{p.pk}/", FIGURES | {"action": "submit", "submission_token": token_b}).content.decode()
    assert "already filed" in html and TaxReturn.objects.count() == 1
    assert "File an amended return" in client.get(f"/file/{p.pk}/").content.decode()


def test_bad_figures_are_shown_next_to_the_field_and_kept(demo, signed_in):
    html = (
        signed_in(demo.filer)
        .post(f"/file/{period(demo).pk}/", FIGURES | {"l1_c1": "ten thousand", "action": "review"})
        .content.decode()
    )
    assert "Enter an amount in dollars and cents" in html and 'value="ten thousand"' in html


def test_deductions_larger_than_a_columns_receipts_are_not_an_error(demo, signed_in):
    html = (
        signed_in(demo.filer)
        .post(f"/file/{period(demo).pk}/", FIGURES | {"l8a_c1": "20000", "l1_c2": "1000", "action": "review"})
        .content.decode()
    )
    assert "Review your OS-114" in html and "Total amount due: $73.50" in html  # meals only: 1,000 × 7.35 %


def test_save_draft_and_come_back(demo, signed_in):
    client = signed_in(demo.filer)
    p = period(demo)
    response = client.post(f"/file/{p.pk}/", {"l1_c1": "1234.5", "action": "save"})
    assert response.url == reverse("filing:index")
    assert "draft" in client.get("/file/").content.decode()
    assert 'value="1234.50"' in client.get(f"/file/{p.pk}/").content.decode()


def test_late_return_shows_penalty_and_interest_before_submitting(demo, signed_in):
    html = (
        signed_in(demo.filer)
        .post(f"/file/{period(demo, end=date(2026, 7, 31)).pk}/", FIGURES | {"action": "review"})
        .content.decode()
    )
    assert "This return is late" in html and "$82.87" in html and "$11.05" in html and "$646.37" in html


def test_amended_return(demo, signed_in):
    client = signed_in(demo.filer)
    p = period(demo)
    file_os114(client, p)
    original = TaxReturn.objects.get()
    prepare = client.get(f"/file/{p.pk}/?amend={original.pk}").content.decode()
    assert "Filled in for you" in prepare and 'data-testid="carried-11">$552.45<' in prepare
    amended_figures = FIGURES | {"l8a_c1": "2000", "amends": original.pk}  # 7,700.00 × 6.35 % = 488.95
    review = client.post(f"/file/{p.pk}/", amended_figures | {"action": "review"}).content.decode()
    # Three amount columns: original, amended, difference; line 12 becomes a credit.
    assert "What this amended return changes" in review
    assert re.search(
        r"Total tax \(add line 10a[^<]*</th>\s*<td[^>]*>\$552.45</td><td[^>]*>\$488.95</td><td[^>]*>-\$63.50<", review
    )
    assert re.search(
        r"Line 8a, Column 1 General 6.35%</th><td[^>]*>\$1,000.00</td><td[^>]*>\$2,000.00</td><td[^>]*>\+\$1,000.00<",
        review,
    )
    assert "Credit: $63.50" in review and "-$63.50" in review
    token = re.search(r'name="submission_token" value="([^"]+)"', review).group(1)
    response = client.post(f"/file/{p.pk}/", amended_figures | {"action": "submit", "submission_token": token})
    amended = TaxReturn.objects.exclude(pk=original.pk).get()
    assert amended.amends == original and amended.tax_due == D("0.00") and amended.credit == D("63.50")
    detail = client.get(response.url).content.decode()
    assert (
        f'It amends return <a class="usa-link" href="/returns/{original.pk}/">{original.confirmation_number}</a>'
        in detail
    )


def test_the_os114_entry_form_is_a_table_of_rate_columns_with_a_label_for_every_input(demo, signed_in):
    html = signed_in(demo.filer).get(f"/file/{period(demo).pk}/").content.decode()
    for heading in ("Column 1 General 6.35%", "Column 2 Meals and beverages 7.35%", "Column 3 Luxury 7.75%"):
        assert f'<th scope="col">{heading}</th>' in html
    assert '<th scope="col">Column 4 Rental of passenger motor vehicles 9.35%</th>' in html
    assert (
        '<label class="usa-sr-only" for="id_l1_c2">Line 1, Column 2 Meals and beverages: '
        "gross receipts from sales of goods</label>" in html
    )
    assert 'data-label="Column 2 Meals and beverages 7.35%"' in html  # stacked on a phone
    assert html.count('inputmode="decimal"') == 40  # lines 1–6 and 8a–8d, four columns each


def test_the_filed_return_shows_all_four_columns(demo, signed_in):
    client = signed_in(demo.filer)
    _, response = file_os114(client, period(demo), FIGURES | {"l1_c3": "1000"})
    html = client.get(response.url).content.decode()
    assert 'data-label="Column 3 Luxury 7.75%" class="text-right text-tabular">$77.50<' in html
    assert "$629.95" in html  # 552.45 + 77.50


class TestCT941:
    FIGURES = {
        "l1": "60,000",
        "l2": "45,000",
        "l3": "3650.75",
        "l5": "3500",
        "m1": "1200",
        "m2": "1150.50",
        "m3": "1300.25",
    }

    def test_months_are_named_and_must_add_up_to_line_3(self, demo, signed_in):
        client = signed_in(demo.filer)
        p = period(demo, "WH")
        html = client.get(f"/file/{p.pk}/").content.decode()
        assert "Monthly liability: Connecticut income tax withheld in September" in html
        html = client.post(f"/file/{p.pk}/", self.FIGURES | {"m3": "1300", "action": "review"}).content.decode()
        assert 'id="id_m3_error"' in html and "The three months add up to $3,650.50" in html
        assert 'value="1300"' in html and "Review your CT-941" not in html

    def test_a_monthly_remitter_fills_in_every_month(self, demo, signed_in):
        client = signed_in(demo.filer)
        p = period(demo, "WH")
        assert p.registration.filing_frequency in ("monthly", "weekly")
        html = client.post(f"/file/{p.pk}/", self.FIGURES | {"m2": "", "action": "review"}).content.decode()
        assert 'id="id_m2_error"' in html and "Enter the Connecticut income tax withheld in August" in html
        assert "Review your CT-941" not in html
        p.registration.filing_frequency = "quarterly"
        p.registration.save()
        html = client.post(f"/file/{p.pk}/", self.FIGURES | {"m1": "", "m2": "", "m3": "", "action": "review"})
        assert "Review your CT-941" in html.content.decode()  # a quarterly remitter may leave them blank

    def test_line_4_comes_from_the_prior_quarter_and_cannot_be_typed(self, demo, signed_in):
        client = signed_in(demo.filer)
        q2, q3 = period(demo, "WH", date(2026, 6, 30)), period(demo, "WH")
        months = {"m1": "300", "m2": "300", "m3": "400"}
        _, done = file_os114(client, q2, {"l3": "1000", "l5": "1100"} | months)  # a credit of 100.00
        assert 'data-testid="carried-4">$100.00<' in client.get(f"/file/{q3.pk}/").content.decode()
        html = client.post(f"/file/{q3.pk}/", self.FIGURES | {"l4": "3650.75", "action": "review"}).content.decode()
        assert "Total amount due: $50.75" in html  # 3,650.75 − (100.00 + 3,500.00)


def test_other_business_periods_and_returns_are_not_found(demo, signed_in):
    bakery_period = demo.bakery.registrations.get(tax_type__code="ST").periods.first()
    client = signed_in(demo.filepay)
    assert client.get(f"/file/{bakery_period.pk}/").status_code == 404
    assert client.post(f"/file/{bakery_period.pk}/", FIGURES | {"action": "save"}).status_code == 404
    outsider = signed_in(demo.outsider)
    file_os114(outsider, bakery_period)
    bakery_return = TaxReturn.objects.get()
    client = signed_in(demo.filepay)
    assert client.get(f"/returns/{bakery_return.pk}/").status_code == 404
    assert client.get(f"/returns/{bakery_return.pk}/pdf/").status_code == 404


def test_view_only_sees_filed_returns_but_cannot_file(demo, signed_in):
    file_os114(signed_in(demo.filer), period(demo))
    filed = TaxReturn.objects.get()
    client = signed_in(demo.viewer)
    html = client.get(f"/returns/{filed.pk}/").content.decode()
    assert filed.confirmation_number in html and "File an amended return" not in html
    pdf = client.get(f"/returns/{filed.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(f"/file/{filed.period_id}/").status_code == 403


def test_pay_only_and_no_access_cannot_open_returns(demo, signed_in):
    file_os114(signed_in(demo.filer), period(demo))
    filed = TaxReturn.objects.get()
    assert signed_in(demo.noaccess).get(f"/returns/{filed.pk}/").status_code == 403
    # Pay Only: "view history" includes returns.
    assert signed_in(demo.payer).get(f"/returns/{filed.pk}/").status_code == 200


class TestHistory:
    def setup_filed(self, demo, signed_in):
        client = signed_in(demo.filer)
        file_os114(client, period(demo))
        return TaxReturn.objects.get(status=ReturnStatus.FILED)

    def search(self, client, **params):
        query = {"tax_type": "ST", "search_by": "filing_date", "start": "10/01/2026", "end": "10/20/2026"} | params
        return client.get("/returns/history/", query).content.decode()

    def test_by_filing_date_range(self, demo, signed_in):
        filed = self.setup_filed(demo, signed_in)
        html = self.search(signed_in(demo.viewer))
        assert filed.confirmation_number in html and reverse("filing:return", args=[filed.pk]) in html
        assert filed.confirmation_number not in self.search(
            signed_in(demo.viewer), start="10/21/2025", end="09/30/2026"
        )

    def test_by_period_end(self, demo, signed_in):
        filed = self.setup_filed(demo, signed_in)
        client = signed_in(demo.viewer)
        assert filed.confirmation_number in self.search(
            client, search_by="period_end", start="09/30/2026", end="09/30/2026"
        )
        assert filed.confirmation_number not in self.search(
            client, search_by="period_end", start="08/01/2026", end="08/31/2026"
        )

    def test_slashes_are_required(self, demo, signed_in):
        html = self.search(signed_in(demo.viewer), start="10012026")
        assert "including the slashes" in html and 'value="10012026"' in html

    def test_three_years_back_at_most(self, demo, signed_in):
        html = self.search(signed_in(demo.viewer), start="10/19/2023")
        assert "You may view up to 3 years prior activity" in html and "10/20/2023" in html
        assert "You may view up to 3" not in self.search(signed_in(demo.viewer), start="10/20/2023")

    def test_to_before_from(self, demo, signed_in):
        assert "on or after the From date" in self.search(signed_in(demo.viewer), start="10/20/2026", end="10/01/2026")

    def test_a_date_that_does_not_exist(self, demo, signed_in):
        assert "That date does not exist" in self.search(signed_in(demo.viewer), end="02/30/2026")

    @pytest.mark.parametrize("who", ["filer", "noaccess"])
    def test_history_needs_view_rights(self, demo, signed_in, who):
        assert signed_in(getattr(demo, who)).get("/returns/history/").status_code == 403

    def test_a_constant_number_of_queries_whatever_the_history(
        self, demo, signed_in, file_return, django_assert_max_num_queries
    ):
        from tsc.site.demo_history import seed_history

        client = signed_in(demo.viewer)
        query = {"tax_type": "ST", "search_by": "period_end", "start": "10/20/2023", "end": "10/20/2026"}
        last_year = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.filter(period_end__gte=date(2025, 1, 1))
        file_return(
            demo.filepay,
            demo.nutmeg.registrations.get(tax_type=demo.sales)
            .periods.filter(period_end__lt=last_year.order_by("period_end").first().period_end)
            .count(),
        )
        client.get("/returns/history/", query)
        with django_assert_max_num_queries(12) as few:
            html = client.get("/returns/history/", query).content.decode()
        assert html.count("TSC-") == 1
        seed_history(demo.nutmeg, demo.filepay, date(2026, 10, 20))
        assert TaxReturn.objects.filter(tax_type=demo.sales).count() > 30
        with django_assert_max_num_queries(len(few.captured_queries)) as many:
            html = client.get("/returns/history/", query).content.decode()
        assert html.count("TSC-") > 30
        assert len(many.captured_queries) == len(few.captured_queries)


def test_a_submit_without_a_valid_token_files_nothing_and_says_why(demo, signed_in):
    client = signed_in(demo.filer)
    p = period(demo)
    client.post(f"/file/{p.pk}/", FIGURES | {"action": "save"})  # a draft exists (no token)
    for token in ["", "not-a-uuid"]:
        html = client.post(f"/file/{p.pk}/", FIGURES | {"action": "submit", "submission_token": token}).content.decode()
        assert "This form has expired" in html
    assert TaxReturn.objects.get(period=p).status == ReturnStatus.DRAFT


def test_file_returns_puts_what_needs_action_first_and_older_years_behind_a_disclosure(demo, signed_in):
    with time_machine.travel("2026-11-23 12:00:00-05:00", tick=False):
        html = signed_in(demo.filepay).get("/file/").content.decode()
    needs = html[html.index('id="needs-action"') : html.index('<section class="margin-top-4"')]
    # Past due first, across tax types, each row naming its tax type.
    assert "past due" in needs and 'data-label="Tax type">Sales and Use Tax' in needs
    first_due = re.search(r'data-label="Due date">(\d\d/\d\d/\d{4})', needs).group(1)
    dues = re.findall(r'data-label="Due date">(\d\d)/(\d\d)/(\d{4})([^<]*<span class="usa-tag[^"]*">past due)?', needs)
    overdue = [(y, m, d) for m, d, y, tag in dues if tag]
    assert overdue == sorted(overdue) and first_due == "{1}/{2}/{0}".format(*overdue[0])
    # Jump links to each tax type, and the years before last year behind a disclosure.
    assert 'href="#tt-ST"' in html and 'href="#tt-WN"' in html
    sales = html[html.index('id="tt-ST"') :]
    sales = sales[: sales.index("</section>")]
    assert "<h3>2026</h3>" in sales and "<h3>2025</h3>" in sales
    older = sales[sales.index("<details") :]
    assert "<summary>Older periods (2024, 2023," in older and "<h3>2024</h3>" in older
    assert "<h3>2025</h3>" not in older


def test_needs_action_shows_the_oldest_twelve_and_counts_the_rest(demo, signed_in):
    with time_machine.travel("2026-11-23 12:00:00-05:00", tick=False):
        html = signed_in(demo.filepay).get("/file/").content.decode()
    needs = html[html.index('id="needs-action"') : html.index('<section class="margin-top-4"')]
    assert needs.count("<tr>") == 13  # header + 12
    assert re.search(r"And \d+ more periods? not filed yet", needs)


def test_file_returns_writes_nothing_once_the_periods_are_there(demo, signed_in):
    """Issue 13: a GET of File Returns opened a write transaction per tax type."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(demo.filepay)
    client.get(reverse("filing:index"))  # the first visit may add the Withholding Non-Wage periods
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("filing:index")).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "SAVEPOINT"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
