"""The state-sized data set of issue 13, loaded with COPY: N businesses (50,000 at scale 1) with
two registrations each (Sales and Use monthly, Withholding) and 30 filed returns each (1.5 million),
their ledger (one tax entry per return) and 10 processed payments each; plus the demo data
(`seed_demo(history=False)`: logins with the password Demo#2024) with the demo business, Nutmeg
Hardware (1234567-000), holding 3,000 returns (an original for every ended Sales and Use and
Withholding period but the latest, amended returns for the rest) and 3,000 processed payments.

Django must be set up on PostgreSQL (an empty, migrated database). The rows are made in Python
and streamed with psycopg's COPY; a few real filings through the services give the returns their
lines, so the pages render real content.
"""

import json
import random
import time
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

RETURNS_PER_BUSINESS = 30
PAYMENTS_PER_BUSINESS = 10
DEMO_RETURNS = 3000
DEMO_PAYMENTS = 3000
FIRST_NUMBER = 5_000_000  # population registration numbers 5000000-000 …; clear of the demo's
ROUTING = "011000015"
CHARS = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _code(n: int) -> str:
    out = []
    for _ in range(10):
        n, r = divmod(n, len(CHARS))
        out.append(CHARS[r])
    return "".join(reversed(out))


def confirmation(prefix: str, n: int) -> str:
    """Unique, in the shape of the app's numbers (no clash with its random 'TSC-…' ones)."""
    code = _code(n)
    return f"{prefix}-{code[:5]}-{code[5:]}"


class Copier:
    """COPY into one table, with the columns checked against the model (every NOT NULL column
    must be given: Django sets defaults in Python, not in the database)."""

    def __init__(self, cursor, model, columns: list[str]):
        concrete = {f.column for f in model._meta.concrete_fields}
        missing = concrete - set(columns)
        unknown = set(columns) - concrete
        assert not missing and not unknown, (model.__name__, missing, unknown)
        self.table = model._meta.db_table
        self.cursor = cursor
        self.columns = columns
        self.count = 0

    def __enter__(self):
        cols = ", ".join(f'"{c}"' for c in self.columns)
        self._cm = self.cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN')
        self.copy = self._cm.__enter__()
        return self

    def row(self, *values) -> None:
        self.copy.write_row(values)
        self.count += 1

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def _next_id(cursor, model) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')  # noqa: S608 - a model's table
    return cursor.fetchone()[0]


def _reset_sequences(cursor, models) -> None:
    for model in models:
        table = model._meta.db_table
        top = f'SELECT COALESCE(MAX(id), 1) FROM "{table}"'  # noqa: S608 - a model's table
        cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [f'"{table}"'])


_TAX_DUE = 5  # where the tax due is in a template's values (build's `tmpl`)


def _returns_columns():
    return [
        "id",
        "business_id",
        "tax_type_id",
        "period_id",
        "form",
        "status",
        "amends_id",
        "data",
        "lines",  # full_lines: empty when the lines are stored as their layout's key and amounts
        "line_layout",
        "line_amounts",
        "tax_due",
        "credit",
        "penalty",
        "interest",
        "amount_due",
        "record_count",
        "confirmation_number",
        "submission_token",
        "created_by_id",
        "filed_by_id",
        "created_at",
        "updated_at",
        "filed_at",
        "filed_on",
    ]


LEDGER_COLUMNS = [
    "id",
    "business_id",
    "tax_type_id",
    "period_id",
    "kind",
    "amount",
    "effective_date",
    "posted_at",
    "tax_return_id",
    "payment_id",
    "waiver_id",
    "refund_id",
    "memo",
    "created_by_id",
]
PAYMENT_COLUMNS = [
    "id",
    "routing_number",
    "account_number",
    "account_last4",
    "account_type",
    "business_id",
    "tax_type_id",
    "period_id",
    "individual_id",
    "tax_year",
    "bulk_filer_id",
    "tax_return_id",
    "amount",
    "requested_date",
    "send_date",
    "status",
    "one_time_account",
    "confirmation_number",
    "submission_token",
    "created_by_id",
    "created_at",
    "made_on",
    "cancelled_at",
    "cancelled_by_id",
    "cancel_confirmation_number",
    "batch_id",
    "posted_on",
    "return_reason",
]


def _at(day: date) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=10))


def _template_returns(nutmeg, filepay):
    """File the oldest Sales and Use and Withholding returns of the demo business through the
    service: their data and lines are copied onto every bulk-made return of that tax type."""
    from tsc.filing.services import return_submit

    templates = {}
    for code, values in (
        (
            "ST",
            {
                "l1_c1": Decimal("31250.40"),
                "l3_c1": Decimal("1200"),
                "l1_c2": Decimal("2100"),
                "l4_c1": Decimal("300"),
                "l8a_c1": Decimal("1500"),
                "l8d_c1": Decimal("2500"),
            },
        ),
        (
            "WH",
            {
                "l1": Decimal("45000"),
                "l2": Decimal("38000"),
                "l3": Decimal("3900.30"),
                "l5": Decimal("3900.30"),
                "m1": Decimal("1300.10"),
                "m2": Decimal("1300.10"),
                "m3": Decimal("1300.10"),
            },
        ),
    ):
        period = nutmeg.registrations.get(tax_type__code=code).periods.order_by("period_end").first()
        templates[code] = return_submit(
            actor=filepay, period=period, values=values, submission_token=uuid.uuid4(), filed_on=period.due_date
        )
    return templates


def build(scale: float = 1.0, *, log=print) -> dict:
    """Load the data set into the (migrated, empty) default database. Returns the counts."""
    from django.db import connection
    from django.utils import timezone

    from tsc.accounts.models import Login
    from tsc.filing.models import TaxReturn
    from tsc.ledger.models import LedgerEntry
    from tsc.lib import pii
    from tsc.payments.models import Payment
    from tsc.site.demo import seed_demo
    from tsc.taxpayers.models import Business, FilingFrequency, FilingPeriod, Registration, TaxType
    from tsc.taxpayers.services import business_register, filing_periods_generate, registration_add

    started = time.perf_counter()
    today = timezone.localdate()
    seed_demo(history=False)
    nutmeg = Business.objects.get(registration_number="1234567-000")
    filepay = Login.objects.get(business=nutmeg, user_id="filepay")
    templates = _template_returns(nutmeg, filepay)
    tax_types = {t.code: t for t in TaxType.objects.all()}

    # The population's shape: one business registered through the services; its periods are the
    # periods of every other (same registrations, same start).
    start = date(today.year - 3, today.month, 1)
    model = business_register(
        registration_number=f"{FIRST_NUMBER:07d}-000",
        legal_name="Population Business 0",
        street="1 Main St",
        city="Hartford",
        zip_code="06103",
        fein="06-5000000",
    )
    shape = []  # (registration tax type code, frequency, [(start, end, due)])
    for code, frequency in (("ST", FilingFrequency.MONTHLY), ("WH", FilingFrequency.MONTHLY)):
        registration = registration_add(
            business=model, tax_type=tax_types[code], filing_frequency=frequency, start_date=start
        )
        filing_periods_generate(registration=registration, through=today)
        shape.append(
            (
                code,
                frequency,
                list(registration.periods.order_by("period_end").values_list("period_start", "period_end", "due_date")),
            )
        )
    ended = sorted(
        ((end, code, i) for code, _, periods in shape for i, (_, end, due) in enumerate(periods) if due < today),
    )
    filed_slots = {(code, i) for _, code, i in ended[-RETURNS_PER_BUSINESS:]}
    assert len(filed_slots) == RETURNS_PER_BUSINESS, f"only {len(ended)} ended periods a business"
    paid_slots = {(code, i) for _, code, i in ended[-PAYMENTS_PER_BUSINESS:]}
    n_businesses = max(int(50_000 * scale), 1)
    account_cipher = pii.encrypt("4000123456")
    rng = random.Random(13)  # noqa: S311 - bench figures
    tmpl = {
        code: (
            t.form,
            json.dumps(t.data),
            json.dumps(t.full_lines),
            t.line_layout,
            t.line_amounts,
            t.tax_due,
            t.credit,
            t.penalty,
            t.interest,
            t.amount_due,
        )
        for code, t in templates.items()
    }
    now = timezone.now()
    counts: dict[str, int] = {}

    with connection.cursor() as dj_cursor:
        cur = dj_cursor.cursor
        ids = {m: _next_id(cur, m) for m in (Business, Registration, FilingPeriod, TaxReturn, LedgerEntry, Payment)}
        ret_cols = _returns_columns()
        # One pass per table (COPY streams one table at a time); ids are computed, not read back.
        b_ids = list(range(ids[Business], ids[Business] + n_businesses - 1))
        with Copier(
            cur,
            Business,
            [
                "id",
                "street",
                "street2",
                "city",
                "state",
                "zip_code",
                "registration_number",
                "legal_name",
                "dba_name",
                "fein",
                "phone",
                "email",
                "created_at",
            ],
        ) as c:
            for k, bid in enumerate(b_ids, start=1):
                c.row(
                    bid,
                    f"{k % 900 + 1} Main St",
                    "",
                    "Hartford",
                    "CT",
                    "06103",
                    f"{FIRST_NUMBER + k:07d}-000",
                    f"Population Business {k}",
                    "",
                    f"06-{5000000 + k:07d}",
                    "",
                    "",
                    now,
                )
            counts["businesses"] = c.count + 1
        log(f"  businesses: {counts['businesses']:,}  ({time.perf_counter() - started:.0f} s)")

        def reg_id(bi: int, ri: int) -> int:
            return ids[Registration] + bi * 2 + ri

        with Copier(
            cur, Registration, ["id", "business_id", "tax_type_id", "filing_frequency", "start_date", "end_date"]
        ) as c:
            for bi, bid in enumerate(b_ids):
                for ri, (code, frequency, _) in enumerate(shape):
                    c.row(reg_id(bi, ri), bid, tax_types[code].pk, frequency, start, None)
        counts["registrations"] = Registration.objects.count()

        per_business = sum(len(p) for _, _, p in shape)
        offsets = []  # (registration index, period index) → offset within a business's periods
        o = 0
        for _, _, periods in shape:
            offsets.append(o)
            o += len(periods)

        def period_id(bi: int, ri: int, pi: int) -> int:
            return ids[FilingPeriod] + bi * per_business + offsets[ri] + pi

        with Copier(cur, FilingPeriod, ["id", "registration_id", "period_start", "period_end", "due_date"]) as c:
            for bi in range(len(b_ids)):
                for ri, (_, _, periods) in enumerate(shape):
                    for pi, (p_start, p_end, due) in enumerate(periods):
                        c.row(period_id(bi, ri, pi), reg_id(bi, ri), p_start, p_end, due)
        log(f"  filing periods: {c.count:,}  ({time.perf_counter() - started:.0f} s)")

        def population_returns():
            """Every population return, the same each time it is called (ids and dates)."""
            rng = random.Random(13)  # noqa: S311 - bench figures
            rid = ids[TaxReturn]
            for bi, bid in enumerate(b_ids):
                for ri, (code, _, periods) in enumerate(shape):
                    for pi, (_, _, due) in enumerate(periods):
                        if (code, pi) in filed_slots:
                            yield rid, bid, code, period_id(bi, ri, pi), due, due - timedelta(days=rng.randint(0, 12))
                            rid += 1

        with Copier(cur, TaxReturn, ret_cols) as c:
            for rid, bid, code, pid, _due, filed_on in population_returns():
                form, data, lines, layout, amounts, tax_due, credit, penalty, interest, amount_due = tmpl[code]
                at = _at(filed_on)
                c.row(
                    rid,
                    bid,
                    tax_types[code].pk,
                    pid,
                    form,
                    "filed",
                    None,
                    data,
                    lines,
                    layout,
                    amounts,
                    tax_due,
                    credit,
                    penalty,
                    interest,
                    amount_due,
                    0,
                    confirmation("BEN", rid),
                    uuid.UUID(int=rid),
                    None,
                    None,
                    at,
                    at,
                    at,
                    filed_on,
                )
            counts["population returns"] = c.count
        log(f"  returns: {c.count:,}  ({time.perf_counter() - started:.0f} s)")

        eid = ids[LedgerEntry]
        with Copier(cur, LedgerEntry, LEDGER_COLUMNS) as c:
            for rid, bid, code, pid, due, _filed_on in population_returns():
                c.row(
                    eid,
                    bid,
                    tax_types[code].pk,
                    pid,
                    "tax",
                    tmpl[code][_TAX_DUE],
                    due,
                    now,
                    rid,
                    None,
                    None,
                    None,
                    "",
                    None,
                )
                eid += 1
        log(f"  ledger entries: {c.count:,}  ({time.perf_counter() - started:.0f} s)")

        pay_id = ids[Payment]
        with Copier(cur, Payment, PAYMENT_COLUMNS) as c:
            for bi, bid in enumerate(b_ids):
                for ri, (code, _, periods) in enumerate(shape):
                    amount = tmpl[code][_TAX_DUE]
                    for pi, (_, _, due) in enumerate(periods):
                        if (code, pi) not in paid_slots:
                            continue
                        c.row(
                            *_payment_values(
                                pay_id, account_cipher, bid, tax_types[code].pk, period_id(bi, ri, pi), amount, due, now
                            )
                        )
                        pay_id += 1
        log(f"  payments: {c.count:,}  ({time.perf_counter() - started:.0f} s)")

        counts |= _demo_history(cur, nutmeg, filepay, templates, tax_types, ids, account_cipher, rng, today, now)
        _reset_sequences(cur, (Business, Registration, FilingPeriod, TaxReturn, LedgerEntry, Payment))
    log(f"  demo business: {counts['demo returns']:,} returns  ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        for m in (Business, Registration, FilingPeriod, TaxReturn, LedgerEntry, Payment):
            cursor.execute(f'VACUUM (ANALYZE) "{m._meta.db_table}"')
    counts["returns"] = TaxReturn.objects.count()
    counts["filing periods"] = FilingPeriod.objects.count()
    counts["ledger entries"] = LedgerEntry.objects.count()
    counts["payments"] = Payment.objects.count()
    counts["seconds"] = round(time.perf_counter() - started)
    return counts


def _payment_values(
    pay_id, cipher, business_id, tax_type_id, period_id, amount, due, now, status="processed", send=None
):
    """A payment's row: processed (requested on the due date), or scheduled to be sent on `send`."""
    requested = due
    return (
        pay_id,
        ROUTING,
        cipher,
        "3456",
        "checking",
        business_id,
        tax_type_id,
        period_id,
        None,
        None,
        None,
        None,
        max(amount, Decimal("1.00")),
        requested,
        send or requested - timedelta(days=1),
        status,
        False,
        confirmation("BPM", pay_id),
        uuid.UUID(int=(1 << 100) + pay_id),
        None,
        now,
        requested - timedelta(days=5),
        None,
        None,
        None,
        None,
        requested if status == "processed" else None,
        "",
    )


def _demo_history(cur, nutmeg, filepay, templates, tax_types, ids, cipher, rng, today, now) -> dict:
    """Nutmeg Hardware: an original for every ended ST and WH period but the latest of each (the
    oldest two were filed for real, as templates), amended returns up to DEMO_RETURNS, and
    DEMO_PAYMENTS processed payments with their ledger entries."""
    from tsc.filing.models import TaxReturn
    from tsc.ledger.models import LedgerEntry
    from tsc.payments.models import Payment

    periods = []
    for code in ("ST", "WH"):
        ended = list(
            nutmeg.registrations.get(tax_type__code=code)
            .periods.filter(due_date__lt=today)
            .order_by("period_end")
            .values_list("pk", "due_date")
        )
        periods += [(code, pk, due) for pk, due in ended[:-1]]
    templ_periods = {t.period_id: t.pk for t in templates.values()}
    rid = _next_id(cur, TaxReturn)
    originals = dict(templ_periods)
    rows = []
    for code, pk, due in periods:
        if pk not in originals:
            originals[pk] = rid
            rows.append((rid, code, pk, due, None, due - timedelta(days=rng.randint(0, 12))))
            rid += 1
    while len(rows) + len(templ_periods) < DEMO_RETURNS:
        code, pk, due = periods[rng.randrange(len(periods))]
        span = max((today - due).days - 1, 1)
        rows.append((rid, code, pk, due, originals[pk], due + timedelta(days=rng.randint(1, span))))
        rid += 1
    with Copier(cur, TaxReturn, _returns_columns()) as c:
        for rid_, code, pk, _due, amends, filed_on in rows:
            t = templates[code]
            at = _at(filed_on)
            c.row(
                rid_,
                nutmeg.pk,
                tax_types[code].pk,
                pk,
                t.form,
                "filed",
                amends,
                json.dumps(t.data),
                json.dumps(t.full_lines),
                t.line_layout,
                t.line_amounts,
                t.tax_due,
                t.credit,
                t.penalty,
                t.interest,
                t.amount_due,
                0,
                confirmation("BDM", rid_),
                uuid.UUID(int=(2 << 100) + rid_),
                filepay.pk,
                filepay.pk,
                at,
                at,
                at,
                filed_on,
            )
    pay_id = _next_id(cur, Payment)
    payments = []
    with Copier(cur, Payment, PAYMENT_COLUMNS) as c:
        for i in range(DEMO_PAYMENTS):
            code, pk, due = periods[i % len(periods)]
            amount = (templates[code].tax_due / (1 + i // len(periods))).quantize(Decimal("0.01"))
            c.row(*_payment_values(pay_id, cipher, nutmeg.pk, tax_types[code].pk, pk, amount, due, now))
            payments.append((pay_id, code, pk, due, max(amount, Decimal("1.00"))))
            pay_id += 1
    eid = _next_id(cur, LedgerEntry)
    with Copier(cur, LedgerEntry, LEDGER_COLUMNS) as c:
        for code, pk, due in periods:
            if pk in templ_periods:
                continue
            t = templates[code]
            c.row(
                eid,
                nutmeg.pk,
                tax_types[code].pk,
                pk,
                "tax",
                t.tax_due,
                due,
                now,
                originals[pk],
                None,
                None,
                None,
                "",
                None,
            )
            eid += 1
        for p_id, code, pk, due, amount in payments:
            c.row(
                eid, nutmeg.pk, tax_types[code].pk, pk, "payment", -amount, due, now, None, p_id, None, None, "", None
            )
            eid += 1
    return {
        "demo returns": TaxReturn.objects.filter(business=nutmeg).count(),
        "demo payments": Payment.objects.filter(business=nutmeg).count(),
    }
