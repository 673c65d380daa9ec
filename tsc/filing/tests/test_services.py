import uuid
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.db import IntegrityError, transaction

from tsc.audit.models import AuditEvent
from tsc.filing import services
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.lib.errors import ServiceError
from tsc.lib.formats.records import InformationReturn

# OS-114, general rate column: sales 10,000.00 and use tax purchases 200.00, less 1,000.00 for
# resale and 500.00 other nontaxable → 8,700.00 × 6.35 % = 552.45.
VALUES = {
    "l1_c1": D("10000.00"),
    "l4_c1": D("200.00"),
    "l8a_c1": D("1000.00"),
    "l8d_c1": D("500.00"),
}


def sales_period(demo, end=date(2026, 9, 30)):
    return demo.nutmeg.registrations.get(tax_type__code="ST").periods.get(period_end=end)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-10-20 12:00:00-04:00", tick=False):
        yield


def test_submit_files_once_with_a_confirmation_number(demo):
    period = sales_period(demo)
    filed = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=uuid.uuid4())
    assert filed.status == ReturnStatus.FILED and filed.form == "OS-114"
    assert filed.confirmation_number.startswith("TSC-") and len(filed.confirmation_number) == 18
    assert filed.tax_due == D("552.45") and filed.amount_due == D("552.45")
    assert filed.filed_on == date(2026, 10, 20) and filed.filed_by == demo.filer
    assert [ln["columns"] for ln in filed.lines if ln["number"] == "10a"] == [["552.45", "0.00", "0.00", "0.00"]]
    assert filed.data == {"l1_c1": "10000.00", "l4_c1": "200.00", "l8a_c1": "1000.00", "l8d_c1": "500.00"}
    event = AuditEvent.objects.get(event="return.filed")
    assert event.data["confirmation_number"] == filed.confirmation_number


def test_the_same_token_returns_the_same_filing(demo):
    period, token = sales_period(demo), uuid.uuid4()
    first = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=token)
    again = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=token)
    assert again.pk == first.pk and TaxReturn.objects.filter(period=period).count() == 1


def test_a_second_filing_of_the_period_is_refused(demo):
    period = sales_period(demo)
    first = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=uuid.uuid4())
    with pytest.raises(ServiceError, match=first.confirmation_number):
        services.return_submit(actor=demo.filepay, period=period, values=VALUES, submission_token=uuid.uuid4())
    assert TaxReturn.objects.filter(period=period).count() == 1


def test_the_database_refuses_two_originals_for_a_period(demo):
    period = sales_period(demo)
    services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=uuid.uuid4())
    with pytest.raises(IntegrityError), transaction.atomic():
        TaxReturn.objects.create(
            period=period,
            business=demo.nutmeg,
            tax_type=demo.sales,
            form="OS-114",
            status=ReturnStatus.FILED,
            confirmation_number="TSC-X",
        )


def test_an_amended_return_is_a_separate_linked_filing(demo):
    period = sales_period(demo)
    original = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=uuid.uuid4())
    amended = services.return_submit(
        actor=demo.filer,
        period=period,
        values=VALUES | {"l8a_c1": D("2000.00")},  # 7,700.00 × 6.35 % = 488.95
        submission_token=uuid.uuid4(),
        amends=original,
    )
    # Line 11 is the original's tax, 552.45; line 12 = 488.95 − 552.45 = −63.50: a credit.
    assert amended.amends == original and amended.tax_due == D("0.00") and amended.credit == D("63.50")
    assert [(ln["number"], ln["amount"]) for ln in amended.lines if ln["number"] in ("11", "12")] == [
        ("11", "552.45"),
        ("12", "-63.50"),
    ]
    assert amended.confirmation_number != original.confirmation_number
    assert TaxReturn.objects.get(pk=original.pk).tax_due == D("552.45")


def test_drafts_are_saved_and_become_the_filed_return(demo):
    period = sales_period(demo)
    draft = services.return_save_draft(actor=demo.filer, period=period, values={"l1_c1": D("100")})
    assert draft.status == ReturnStatus.DRAFT and draft.data == {"l1_c1": "100.00"}
    again = services.return_save_draft(actor=demo.filer, period=period, values={"l1_c1": D("200")})
    assert again.pk == draft.pk
    filed = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=uuid.uuid4())
    assert filed.pk == draft.pk and TaxReturn.objects.filter(period=period).count() == 1


def test_late_returns_carry_penalty_and_interest(demo):
    period = sales_period(demo, end=date(2026, 7, 31))  # due 08/31/2026, filed 10/20/2026: 2 months
    filed = services.return_submit(actor=demo.filer, period=period, values=VALUES, submission_token=uuid.uuid4())
    assert filed.penalty == D("82.87") and filed.interest == D("11.05") and filed.amount_due == D("646.37")


def withholding_period(demo, end):
    return demo.nutmeg.registrations.get(tax_type__code="WH").periods.get(period_end=end)


def test_ct941_line_4_is_the_prior_quarters_credit_and_the_latest_amendment_wins(demo):
    q2, q3 = withholding_period(demo, date(2026, 6, 30)), withholding_period(demo, date(2026, 9, 30))
    values = {"l3": D("3000.00"), "l5": D("2800.00")}
    assert services.compute(q3, values).lines[3].amount == D("0.00")  # Q2 not filed: nothing carried
    q2_return = services.return_submit(
        actor=demo.filer,
        period=q2,
        values={"l3": D("3000.00"), "l5": D("3250.00")},
        submission_token=uuid.uuid4(),
        filed_on=date(2026, 7, 20),
    )
    assert q2_return.credit == D("250.00")
    first = services.compute(q3, values)
    assert (first.lines[3].number, first.lines[3].amount) == ("4", D("250.00"))
    assert first.tax_due == D("0.00") and first.credit == D("50.00")  # 3,000 − (250 + 2,800)
    services.return_submit(
        actor=demo.filer,
        period=q2,
        values={"l3": D("3000.00"), "l5": D("3100.00")},
        submission_token=uuid.uuid4(),
        amends=q2_return,
    )
    again = services.compute(q3, values)
    assert again.lines[3].amount == D("100.00") and again.tax_due == D("100.00")
    filed = services.return_submit(actor=demo.filer, period=q3, values=values, submission_token=uuid.uuid4())
    assert filed.lines[3] == {
        "number": "4",
        "label": "Credit from the prior quarter",
        "amount": "100.00",
        "entered": False,
    }
    assert "l4" not in filed.data  # computed, never typed


def test_ct941_names_the_months_of_its_quarter(demo):
    q3 = withholding_period(demo, date(2026, 9, 30))
    labels = [ln.label for ln in services.compute(q3, {}).lines if not ln.number]
    assert [label.rsplit(" ", 1)[1] for label in labels] == ["July", "August", "September"]


def record(n: int, withheld="100.00") -> InformationReturn:
    return InformationReturn(
        form="1099-NEC",
        payer_tin="061234567",
        payee_tin=f"{123450000 + n}",
        tin_type="2",
        payee_name=f"Payee {n}",
        payee_address="1 Main St",
        payee_city="Hartford",
        payee_state="CT",
        payee_zip="06103",
        amounts=(("1", D("2000.00")),),
        state_tax_withheld=D(withheld),
    )


def test_ct1096_files_every_record_and_sums_them(demo):
    period = services.registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage).periods.get(
        period_end=date(2025, 12, 31)
    )
    filed = services.ct1096_file(
        actor=demo.filer,
        period=period,
        records=(record(n) for n in range(1, 5)),
        submission_token=uuid.uuid4(),
    )
    assert filed.record_count == 4 and filed.records.count() == 4
    assert [ln["amount"] for ln in filed.lines][::2] == ["4", "400.00"]  # forms; CT tax withheld
    # Due 01/31/2026, filed late: still no penalty, no interest, nothing due (a transmittal).
    assert filed.tax_due == filed.penalty == filed.interest == filed.amount_due == D("0.00")
    stored = filed.records.get(record_number=2)
    assert stored.payee_tin == "123450002" and stored.payee_tin_last4 == "0002"


def test_ct1096_is_all_or_nothing(demo):
    period = services.registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage).periods.get(
        period_end=date(2025, 12, 31)
    )

    def exploding():
        yield record(1)
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        services.ct1096_file(actor=demo.filer, period=period, records=exploding(), submission_token=uuid.uuid4())
    assert not TaxReturn.objects.filter(period=period).exists()


def test_non_wage_is_offered_to_a_business_not_registered_for_it(demo):
    registration = services.registration_for_filing(business=demo.bakery, tax_type=demo.non_wage)
    assert registration.filing_frequency == "annual"
    # January 31, 2026 is a Saturday: due Monday 02/02/2026.
    assert registration.periods.filter(period_end=date(2025, 12, 31), due_date=date(2026, 2, 2)).exists()
    assert services.registration_for_filing(business=demo.bakery, tax_type=demo.non_wage) == registration
