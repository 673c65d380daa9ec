"""Scheduling a batch of payments from the bank accounts on file in one transaction (a bulk
filer's File Import: a payment with many of its rows).

Each payment is what `payment_schedule` would have made: the same checks in the same order and
words (the period is the client's, the right to pay by `may`, the amount and the requested date,
the return's period, banking information on file), the same Payment row (its own confirmation
number, the account on file copied and encrypted again, the submission token) and the same
"payment.scheduled" audit row. A token already used returns its payment. If the insert fails on a
unique constraint (the same token scheduled meanwhile), nothing of the batch is kept and every
item is left to `payment_schedule` (`fallback`).
"""

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tsc.accounts.acting import Acting, Relationship
from tsc.accounts.rights import Action, may
from tsc.audit.services import audit_record_many
from tsc.filing.batch import any_of, confirmation_numbers_new
from tsc.filing.models import TaxReturn
from tsc.lib import pii, sql
from tsc.lib.bulk_insert import insert_rows_with_ids
from tsc.taxpayers.models import FilingPeriod

from .models import BankAccount, Payment
from .services import amount_problem, requested_date_problem, send_date_for, today


@dataclass
class PaymentItem:
    """One payment from the account on file: the period (registration, tax type and business
    loaded), the amount, the requested date, the token, and the return it pays, if any."""

    ctx: Acting
    period: FilingPeriod
    amount: Decimal
    requested_date: date
    submission_token: uuid.UUID
    tax_return: TaxReturn | None = None
    # The outcome: the payment, or the problem (as payment_schedule words it), or `fallback`.
    payment: Payment | None = None
    problem: str = ""
    fallback: bool = False


def payments_schedule(items: list[PaymentItem], *, new_tokens: bool = False) -> list[PaymentItem]:
    """Schedule the items' payments in one transaction; returns the items, each with its
    `payment`, its `problem` or `fallback` set. Call outside any transaction. `new_tokens`: the
    caller knows no token was used before (a File Import's first run), none is looked up; one used
    meanwhile fails the insert and every item goes to `payment_schedule`, which finds it."""
    existing = {} if new_tokens else _scheduled([i.submission_token for i in items])
    # The accounts on file as plain values (no model instance made for each of a batch's hundreds).
    on_file = {
        (business_id, tax_type_id): account
        for business_id, tax_type_id, *account in BankAccount.objects.filter(
            any_of("business_id", {i.period.registration.business_id for i in items})
        )
        .order_by()
        .values_list("business_id", "tax_type_id", "pk", "routing_number", "account_number", "account_type")
    }
    date_problems: dict[date, str | None] = {}
    # What the batch's payments share, worked out once: the day, each requested date's send date,
    # each account's last four digits, and confirmation numbers from one draw (as returns get them).
    made_on, send_dates, last4s = today(), {}, {}
    numbers = iter(confirmation_numbers_new(len(items)))
    todo: list[tuple[PaymentItem, dict]] = []
    for item in items:
        if (found := existing.get(item.submission_token)) is not None:
            item.payment = found
            continue
        registration = item.period.registration
        if item.requested_date not in date_problems:
            date_problems[item.requested_date] = requested_date_problem(item.requested_date)
        account = on_file.get((registration.business_id, registration.tax_type_id))
        if not item.ctx.owns(registration.business_id):
            item.problem = "That filing period is not one of yours."
        elif not may(item.ctx, Action.MAKE_PAYMENT, tax_type=registration.tax_type):
            item.problem = "You do not have the rights to do this."
        elif problem := amount_problem(item.amount) or date_problems[item.requested_date]:
            item.problem = problem
        elif item.tax_return is not None and item.tax_return.period_id != item.period.pk:
            item.problem = "That return is for another period."
        elif account is None:
            item.problem = (
                f"There is no banking information on file for {registration.tax_type.name}. Enter a bank account "
                "for this payment, or ask your TSC Administrator to add it under Make Changes to the Business "
                "Profile."
            )
        else:
            account_pk, routing_number, account_number, account_type = account
            if item.requested_date not in send_dates:
                send_dates[item.requested_date] = send_date_for(item.requested_date)
            if account_pk not in last4s:
                last4s[account_pk] = pii.last4(account_number)
            bulk_filer = getattr(item.ctx.authorization, "bulk_filer", None)
            # The fields services._new_payment sets (tested against it), the others at their defaults.
            todo.append(
                (
                    item,
                    _DEFAULTS
                    | {
                        "amount": item.amount,
                        "requested_date": item.requested_date,
                        "send_date": send_dates[item.requested_date],
                        "routing_number": routing_number,
                        "account_number": account_number,
                        "account_last4": last4s[account_pk],
                        "account_type": account_type,
                        "confirmation_number": next(numbers),
                        "submission_token": item.submission_token,
                        "created_by_id": item.ctx.login.pk if item.ctx.login is not None else None,
                        "made_on": made_on,
                        "business_id": registration.business_id,
                        "tax_type_id": registration.tax_type_id,
                        "period_id": item.period.pk,
                        "tax_return_id": item.tax_return.pk if item.tax_return is not None else None,
                        "one_time_account": False,
                        "bulk_filer_id": bulk_filer.pk if bulk_filer is not None else None,
                    },
                )
            )
    try:
        with transaction.atomic():
            _insert(todo)
    except IntegrityError:
        for item, _ in todo:
            item.payment, item.fallback = None, True
    return items


def _scheduled(tokens: list[uuid.UUID]) -> dict[uuid.UUID, Payment]:
    """The payments already scheduled with these tokens, by token."""
    return {p.submission_token: p for p in Payment.objects.filter(any_of("submission_token", tokens)).order_by()}


def _acting(ctx: Acting) -> dict | None:
    """What the acting middleware binds for the audit rows: nothing for a business's own users."""
    return ctx.describe() if ctx.relationship not in (None, Relationship.OWN_USER) else None


def _insert(todo: list[tuple[PaymentItem, dict]]) -> None:
    """Insert the payments (each item with its fields by attribute name), then hand each item its
    Payment as read from the database would be (the related objects the item holds cached)."""
    if not todo:
        return
    now = timezone.now()  # created_at, as auto_now_add sets it
    accounts = pii.encrypt_many([fields["account_number"] for _, fields in todo])  # as EncryptedTextField stores it
    rows = []
    for (_, fields), account in zip(todo, accounts, strict=True):
        fields["created_at"] = now
        rows.append(tuple(account if name == "account_number" else fields[name] for name in _COLUMNS))
    ids = insert_rows_with_ids(Payment, _COLUMNS, rows, unique="submission_token")
    make = sql.loader(Payment, connection.alias, _FIELDS)
    for (item, fields), pk in zip(todo, ids, strict=True):
        fields["id"] = pk
        bulk_filer = getattr(item.ctx.authorization, "bulk_filer", None)
        held = {"tax_return": item.tax_return, "created_by": item.ctx.login, "bulk_filer": bulk_filer}
        related = {"tax_type": item.period.registration.tax_type, "period": item.period}
        related |= {name: other for name, other in held.items() if other is not None}
        item.payment = make([fields[name] for name in _FIELDS], related)
    items = [item for item, _ in todo]
    by_actor: dict[int | None, list[PaymentItem]] = {}
    for item in items:
        by_actor.setdefault(item.ctx.login.pk if item.ctx.login else None, []).append(item)
    for group in by_actor.values():
        _audit(group)


_FIELDS = tuple(f.attname for f in Payment._meta.concrete_fields)
_COLUMNS = tuple(name for name in _FIELDS if name != Payment._meta.pk.attname)
# What a Payment holds for the fields a batch does not set (Payment() gives them these).
_DEFAULTS = {f.attname: f.get_default() for f in Payment._meta.concrete_fields}


def _audit(items: list[PaymentItem]) -> None:
    audit_record_many(
        event="payment.scheduled",
        actor=items[0].ctx.login,
        target_type=Payment._meta.label,
        rows=[
            (
                p.pk,
                p.business_id,
                {
                    "confirmation_number": p.confirmation_number,
                    "amount": str(p.amount),
                    "requested_date": p.requested_date.isoformat(),
                    "account": f"…{p.account_last4}",
                    "tax_type": i.period.registration.tax_type.code,
                    "period_end": i.period.period_end.isoformat(),
                    "one_time_account": False,
                },
                _acting(i.ctx),
            )
            for i in items
            for p in (i.payment,)
        ],
    )
