"""What the API reads and answers. Money is a string of dollars and cents ("1250.00"), dates are
ISO 8601 ("2026-11-30")."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

MONEY_PATTERN = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"


class Error(Schema):
    detail: str = Field(description="What went wrong, in plain language.")
    field: str | None = Field(None, description="The request field it is about, if one.")
    errors: list[dict[str, Any]] | None = Field(None, description="For a request that is not valid: each problem.")


class TaxTypeOut(Schema):
    code: str = Field(examples=["ST"])
    name: str
    form: str
    filing_frequency: str
    closed_on: date | None = Field(None, description="No filing periods open after this date.")


class ClientOut(Schema):
    registration_number: str = Field(examples=["1234567-000"])
    name: str
    tax_types: list[TaxTypeOut]


class PaymentIn(Schema):
    registration_number: str = Field(
        min_length=1, max_length=20, description="The client's Connecticut Tax Registration Number, like 1234567-000."
    )
    tax_type: str = Field(min_length=1, max_length=4, description="A tax type code from GET /clients, like ST.")
    period_end: date = Field(description="The last day of the filing period paid for.")
    amount: str = Field(pattern=MONEY_PATTERN, description="Dollars and cents, like 1250.00.", examples=["1250.00"])
    requested_date: date = Field(
        description="A banking day, not in the past, at most 365 days ahead; the debit goes to the bank "
        "1 banking day before."
    )


class PaymentOut(Schema):
    confirmation_number: str
    status: str = Field(description="scheduled, sent, processed, cancelled or returned.")
    registration_number: str
    tax_type: str
    period_end: date
    amount: str
    requested_date: date
    send_date: date = Field(description="The day the debit is sent to the bank.")
    created_at: datetime
    cancellable: bool
    cancel_confirmation_number: str | None = None

    @classmethod
    def of(cls, payment) -> "PaymentOut":
        return cls(
            confirmation_number=payment.confirmation_number,
            status=payment.status,
            registration_number=payment.business.registration_number,
            tax_type=payment.tax_type.code,
            period_end=payment.period.period_end,
            amount=f"{payment.amount:.2f}",
            requested_date=payment.requested_date,
            send_date=payment.send_date,
            created_at=payment.created_at,
            cancellable=payment.cancellable,
            cancel_confirmation_number=payment.cancel_confirmation_number,
        )


class ImportOut(Schema):
    token: UUID
    kind: str
    status: str = Field(description="received, processing, accepted, accepted_with_rejections or rejected.")
    records_total: int
    records_checked: int
    accepted_count: int
    rejected_count: int
    created_at: datetime
    finished_at: datetime | None = None

    @classmethod
    def of(cls, bulk_import) -> "ImportOut":
        return cls(
            token=bulk_import.token,
            kind=bulk_import.kind,
            status=bulk_import.status,
            records_total=bulk_import.records_total,
            records_checked=bulk_import.records_checked,
            accepted_count=bulk_import.accepted_count,
            rejected_count=bulk_import.rejected_count,
            created_at=bulk_import.created_at,
            finished_at=bulk_import.finished_at,
        )


class AcknowledgementRow(Schema):
    record: int
    client: str | None = None
    tax_type: str | None = None
    period_end: date | None = None
    outcome: str = Field(description="accepted or rejected.")
    confirmation_number: str | None = Field(None, description="The return's, when accepted.")
    payment_confirmation_number: str | None = Field(None, description="The payment's, when the record had one.")
    reason: str | None = Field(None, description="Why it was rejected.")


class AcknowledgementOut(ImportOut):
    records: list[AcknowledgementRow] = Field(description="Every record in file order; record 0 is the file itself.")
