"""Key and Send – Combined Client Filing: withholding (CT-WH) payments for many clients at once,
all from the firm's one bank account, on one requested payment date. Each client's payment is
its own, with its own confirmation number; a bad row is refused on its own and never costs the
good ones; each row carries a submission token, so sending the page again pays nothing twice."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from tsc.accounts.acting import Acting
from tsc.lib.errors import ServiceError
from tsc.lib.fields import SlashedDateField
from tsc.payments import services as payments
from tsc.taxpayers.models import TaxType

from . import services


@dataclass
class Row:
    number: int
    registration_number: str = ""
    period_end: str = ""
    amount: str = ""
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    errors: dict = field(default_factory=dict)
    payment: object = None
    client_name: str = ""

    @property
    def blank(self) -> bool:
        return not (self.registration_number.strip() or self.period_end.strip() or self.amount.strip())


def rows_from(data, count: int) -> list[Row]:
    rows = []
    for n in range(1, count + 1):
        token = data.get(f"token_{n}", "")
        try:
            token = str(uuid.UUID(token))
        except ValueError:
            token = str(uuid.uuid4())
        rows.append(
            Row(
                number=n,
                registration_number=data.get(f"client_{n}", "").strip(),
                period_end=data.get(f"period_{n}", "").strip(),
                amount=data.get(f"amount_{n}", "").strip(),
                token=token,
            )
        )
    return rows


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation as error:
        raise ServiceError("Enter the amount in dollars and cents, like 1,250.00.", field="amount") from error
    if problem := payments.amount_problem(value):
        raise ServiceError(problem, field="amount")
    return value


def _period(authorization, period_end_text: str):
    try:
        period_end = SlashedDateField().clean(period_end_text)
    except Exception as error:  # noqa: BLE001 - a form ValidationError: say it next to the row
        raise ServiceError("Enter the period end as mm/dd/yyyy, like 03/31/2026.", field="period") from error
    registration = authorization.client.registrations.filter(tax_type__code=TaxType.WITHHOLDING).first()
    if registration is None:
        raise ServiceError("This client is not registered for Withholding.", field="client")
    period = registration.periods.filter(period_end=period_end).select_related("registration__tax_type").first()
    if period is None:
        raise ServiceError(f"This client has no Withholding period ending {period_end:%m/%d/%Y}.", field="period")
    return period


def combined_pay(*, ctx: Acting, rows: list[Row], account: payments.BankDetails, requested_date: date) -> list[Row]:
    """Schedule each filled row's payment; return the rows with a payment or their errors."""
    bulk_filer = services.bulk_filer_of(ctx.taxpayer_id)
    for row in rows:
        if row.blank:
            continue
        try:
            if not row.registration_number:
                raise ServiceError("Enter the client's registration number.", field="client")
            try:
                authorization = services.client_by_number(bulk_filer, row.registration_number)
            except ServiceError as error:
                raise ServiceError(str(error), field="client") from error
            row.client_name = authorization.client.legal_name
            period = _period(authorization, row.period_end)
            amount = _amount(row.amount)
            row.payment = payments.payment_schedule(
                ctx=Acting.bulk_filer_for(ctx.login, authorization),
                period=period,
                amount=amount,
                requested_date=requested_date,
                submission_token=uuid.UUID(row.token),
                account=account,
            )
        except ServiceError as error:
            row.errors[error.field or "client"] = str(error)
    return rows
