"""Realistic filing history for the demo business: three-plus years of returns, most filed on
time, a few late (with penalty and interest), the latest periods not yet filed."""

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from tsc.filing.models import TaxReturn
from tsc.filing.services import ct1096_file, return_submit
from tsc.lib.formats.records import InformationReturn
from tsc.taxpayers.models import Business

PAYEES = [
    ("Quinnipiac Consulting LLC", "061111111", "1", "12 Elm St", "New Haven", "CT", "06510"),
    ("Maria Santos", "123456789", "2", "4 River Rd", "Middletown", "CT", "06457"),
    ("Thames Valley Rentals", "062222222", "1", "80 Bank St", "New London", "CT", "06320"),
]


def seed_history(business: Business, actor, today: date) -> int:
    """File demo returns for every ended period of the business not yet filed, except the most
    recent of each tax type. Deterministic (seeded by the period), idempotent."""
    created = 0
    filed_periods = set(TaxReturn.objects.filter(business=business).values_list("period_id", flat=True))
    for registration in business.registrations.select_related("tax_type"):
        since = date(today.year - 4, 1, 1)
        periods = list(registration.periods.filter(due_date__lt=today, period_end__gte=since).order_by("period_end"))
        for period in periods[:-1]:  # the latest ended period is left for the demo user to file
            if period.pk in filed_periods:
                continue
            rng = random.Random(period.pk * 7919)  # noqa: S311 - demo figures, not security
            late = rng.random() < 0.08
            filed_on = (
                period.due_date + timedelta(days=rng.randint(3, 40))
                if late
                else period.due_date - timedelta(days=rng.randint(0, 12))
            )
            code = registration.tax_type.code
            if code == "WN":
                records = [
                    InformationReturn(
                        form="1099-NEC" if i != 1 else "1099-MISC",
                        payer_tin=business.fein.replace("-", ""),
                        payee_tin=tin,
                        tin_type=tin_type,
                        payee_name=name,
                        payee_address=street,
                        payee_city=city,
                        payee_state=state,
                        payee_zip=zip_code,
                        amounts=(("1" if i != 1 else "3", Decimal(rng.randint(2000, 9000))),),
                        state_tax_withheld=Decimal(rng.randint(50, 300)),
                    )
                    for i, (name, tin, tin_type, street, city, state, zip_code) in enumerate(PAYEES)
                ]
                ct1096_file(
                    actor=actor,
                    period=period,
                    records=records,
                    submission_token=uuid.uuid4(),
                    filed_on=filed_on,
                )
            elif code == "ST":
                gross = Decimal(rng.randint(18000, 42000)) + Decimal(rng.randint(0, 99)) / 100
                values = {  # OS-114 keys: line and rate column (tsc.filing.computations.os114_key)
                    "l1_c1": gross,  # sales of goods, general rate
                    "l3_c1": Decimal(rng.randint(0, 3000)),  # labor and services
                    "l1_c2": Decimal(rng.randint(0, 4000)),  # meals and beverages
                    "l4_c1": Decimal(rng.randint(0, 600)),  # purchases subject to use tax
                    "l8a_c1": Decimal(rng.randint(500, 2500)),  # sales for resale
                    "l8d_c1": (gross * Decimal("0.08")).quantize(Decimal("1")),  # other nontaxable sales
                }
                return_submit(
                    actor=actor, period=period, values=values, submission_token=uuid.uuid4(), filed_on=filed_on
                )
            elif code == "WH":
                months = [Decimal(rng.randint(1100, 1500)) + Decimal(rng.randint(0, 99)) / 100 for _ in range(3)]
                withheld = sum(months)
                values = {  # CT-941 keys: lines 1, 2, 3, 5 and the monthly liability
                    "l1": Decimal(rng.randint(40000, 52000)),
                    "l2": Decimal(rng.randint(36000, 40000)),
                    "l3": withheld,
                    "l5": withheld,
                    "m1": months[0],
                    "m2": months[1],
                    "m3": months[2],
                }
                return_submit(
                    actor=actor, period=period, values=values, submission_token=uuid.uuid4(), filed_on=filed_on
                )
            created += 1
    return created
