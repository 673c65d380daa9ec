"""The queries written out for the data pages (tsc/lib/sql.py, issue 13) answer what the ORM
queries they replaced answered: the same rows in the same order, page by page, for every kind of
login and search. The ORM queries are kept here as the reference."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Subquery
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tsc.accounts.acting import Acting
from tsc.accounts.models import AccessLevel, Login, UserRight
from tsc.accounts.rights import Action, _tax_types_and_levels, tax_type_ids_with
from tsc.filing import selectors as filing
from tsc.filing.models import ReturnStatus, TaxReturn
from tsc.ledger import account
from tsc.lib.paging import page_of_groups
from tsc.payments import selectors as payments
from tsc.payments.models import Payment, PaymentStatus
from tsc.taxpayers.models import FilingPeriod, Registration, TaxType
from tsc.taxpayers.selectors import business_tax_types

SPANS = [
    (date(2000, 1, 1), date(2030, 12, 31)),
    (date(2024, 1, 1), date(2025, 6, 30)),
    (date(2026, 3, 1), date(2026, 3, 1)),
]


def _orm_history(ctx, tax_type, *, by, start, end):
    """The ORM query View Return History ran before (commit 9cd2d22)."""
    mine = Q(filed_by=ctx.login) if ctx.login is not None else Q(pk__in=[])
    visible = Q(tax_type_id__in=tax_type_ids_with(ctx, Action.VIEW_RETURNS)) | (
        mine & Q(tax_type_id__in=tax_type_ids_with(ctx, Action.SUBMIT_RETURN))
    )
    returns = TaxReturn.objects.filter(
        visible, business_id=ctx.taxpayer_id, tax_type=tax_type, status=ReturnStatus.FILED
    )
    if by == "period_end":
        periods = FilingPeriod.objects.filter(
            registration__business_id=ctx.taxpayer_id, registration__tax_type=tax_type, period_end__range=(start, end)
        )
        returns = returns.filter(period__in=periods)
    else:
        returns = returns.filter(filed_on__range=(start, end))
    return list(
        returns.annotate(
            period_end=Subquery(FilingPeriod.objects.filter(pk=OuterRef("period_id")).values("period_end")),
            filer=Subquery(Login.objects.filter(pk=OuterRef("filed_by_id")).values("user_id")),
        )
        .order_by("-period__period_end", "-filed_at", "-pk")
        .values(*filing.HISTORY_COLUMNS)
    )


def _orm_payments(ctx, statuses, *, tax_type, by, start, end):
    """The ORM query of the payment lists before (commit 9cd2d22)."""
    found = Payment.objects.filter(
        business_id=ctx.taxpayer_id,
        status__in=statuses,
        tax_type_id__in=tax_type_ids_with(ctx, payments.LIST_RIGHT[statuses[0]]),
    )
    if tax_type is not None:
        found = found.filter(tax_type=tax_type)
    if by == "period_end":
        periods = FilingPeriod.objects.filter(registration__business_id=ctx.taxpayer_id, period_end__range=(start, end))
        found = found.filter(period__in=periods)
    else:
        found = found.filter(made_on__range=(start, end))
    return list(
        found.annotate(
            tax_type_name=Subquery(TaxType.objects.filter(pk=OuterRef("tax_type_id")).values("name")),
            period_end=Subquery(FilingPeriod.objects.filter(pk=OuterRef("period_id")).values("period_end")),
        )
        .order_by("-requested_date", "-created_at", "-pk")
        .values(*payments.LIST_COLUMNS)
    )


def _every_page(listing, per_page):
    """Every page of `listing` as `page_of_groups` reads them, joined, with the page count and
    the count it reports; and what pages past either end and bad numbers show."""
    rows, number = [], 1
    while True:
        page = page_of_groups(RequestFactory().get("/", {"page": str(number)}), listing, per_page=per_page)
        assert page.number == number and len(page.object_list) <= per_page
        rows += page.object_list
        if not page.has_next():
            break
        number += 1
    for asked, shown in (("0", number), (str(number + 5), number), ("x", 1), ("-2", number)):
        assert page_of_groups(RequestFactory().get("/", {"page": asked}), listing, per_page=per_page).number == shown
    return rows, page.paginator.count


@pytest.fixture
def history(demo):
    """Returns on many Sales and Use and Withholding periods of the demo business: originals and
    amendments, filed by several logins, with filing times that tie and dates spread out."""
    rng = random.Random(13)
    filers = [demo.filepay, demo.filer, demo.admin, None]
    n = 0
    for tax_type in (demo.sales, demo.withholding):
        periods = list(
            FilingPeriod.objects.filter(registration__business=demo.nutmeg, registration__tax_type=tax_type)
            .exclude(returns__isnull=False)
            .order_by("period_end")
        )
        for period in periods[:: 2 if tax_type == demo.sales else 1]:
            original = None
            for _ in range(rng.choice([1, 1, 2, 4])):
                n += 1
                filed_at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=rng.choice([0, 5, 5, 900, 3000]))
                original = TaxReturn.objects.create(
                    business=demo.nutmeg,
                    tax_type=tax_type,
                    period=period,
                    form=tax_type.form,
                    status=ReturnStatus.FILED,
                    amends=original,
                    confirmation_number=f"T{n:08d}",
                    filed_by=rng.choice(filers),
                    filed_at=filed_at,
                    filed_on=(period.period_end + timedelta(days=rng.randint(1, 400))),
                    amount_due=D(rng.randint(-50000, 90000)) / 100,
                )
    return n


def test_the_rights_query_is_the_orms(demo):
    UserRight.objects.update_or_create(
        login=demo.filer, tax_type=demo.withholding, defaults={"level": AccessLevel.VIEW_ONLY}
    )
    for business in (demo.nutmeg, demo.bakery, demo.mystic):
        for login in [None, *Login.objects.filter(business=business)]:
            expected = business_tax_types(business.pk)
            if login is not None:
                level = UserRight.objects.filter(login=login, tax_type=OuterRef("pk")).values("level")
                expected = expected.annotate(level=Subquery(level))
            got = _tax_types_and_levels(business.pk, login.pk if login else None)
            assert [(t.pk, t.code, t.name, t.form, t.sort_order, t.offered_to_all_businesses) for t in got] == [
                (t.pk, t.code, t.name, t.form, t.sort_order, t.offered_to_all_businesses) for t in expected
            ]
            assert [t.level for t in got] == [getattr(t, "level", None) for t in expected]


def test_return_history_pages_are_the_orms(demo, history):
    assert history > 40
    contexts = [Acting.for_login(login) for login in (demo.filepay, demo.viewer, demo.filer, demo.payer, demo.admin)]
    contexts.append(Acting.for_login(demo.noaccess))
    compared = 0
    for ctx in contexts:
        for tax_type in (demo.sales, demo.withholding, demo.non_wage):
            for by in ("period_end", "filing_date"):
                for start, end in SPANS:
                    expected = _orm_history(ctx, tax_type, by=by, start=start, end=end)
                    listing = filing.return_history(ctx, tax_type, by=by, start=start, end=end)
                    for per_page in (1, 7, 50):
                        rows, count = _every_page(listing, per_page)
                        assert rows == expected and count == len(expected)
                    compared += len(expected)
    assert compared > 500  # the searches found returns, for the File Only login too
    mine = _orm_history(
        Acting.for_login(demo.filer), demo.sales, by="filing_date", start=date(2000, 1, 1), end=date(2030, 1, 1)
    )
    assert mine and {r["filer"] for r in mine} == {"filer"}


def test_payment_lists_are_the_orms(demo):
    rng = random.Random(7)
    ctx = Acting.for_login(demo.filepay)
    periods = list(FilingPeriod.objects.filter(registration__business=demo.nutmeg).order_by("period_end"))
    from tsc.payments import services

    made = []
    for _ in range(40):
        made.append(
            services.payment_schedule(
                ctx=ctx,
                period=rng.choice(periods),
                amount=D(rng.randint(100, 90000)) / 100,
                requested_date=date(2026, 12, 15),
                submission_token=uuid.uuid4(),
                account=services.BankDetails("011000015", "000123456789", "checking"),
            ).pk
        )
    statuses = [PaymentStatus.SCHEDULED, PaymentStatus.PROCESSED, PaymentStatus.RETURNED, PaymentStatus.CANCELLED]
    for pk in made:
        Payment.objects.filter(pk=pk).update(
            status=rng.choice(statuses),
            requested_date=date(2024, 1, 1) + timedelta(days=rng.choice([0, 0, 30, 200, 400, 700])),
            made_on=date(2023, 12, 1) + timedelta(days=rng.randint(0, 900)),
            created_at=datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.choice([0, 0, 1, 60])),
        )
    compared = 0
    for login in (demo.filepay, demo.viewer, demo.filer, demo.payer, demo.admin):
        ctx = Acting.for_login(login)
        for kind in (
            (PaymentStatus.SCHEDULED,),
            (PaymentStatus.PROCESSED, PaymentStatus.RETURNED),
            (PaymentStatus.CANCELLED,),
        ):
            for tax_type in (None, demo.sales, demo.withholding):
                for by in ("period_end", "made_on"):
                    for start, end in SPANS:
                        expected = _orm_payments(ctx, kind, tax_type=tax_type, by=by, start=start, end=end)
                        listing = payments.payments_for(ctx, kind, tax_type=tax_type, by=by, start=start, end=end)
                        for per_page in (1, 6):
                            rows, count = _every_page(listing, per_page)
                            assert rows == expected and count == len(expected)
                        compared += len(expected)
    assert compared > 200


def test_account_periods_are_the_orms(demo, history):
    """The periods, their order, whether filed, and their registration and tax type."""
    filed = TaxReturn.objects.filter(period=OuterRef("pk"), status=ReturnStatus.FILED)
    for login in (demo.filepay, demo.viewer, demo.filer, demo.payer):
        ctx = Acting.for_login(login)
        for tax_type in (None, demo.sales, demo.withholding):
            for by in ("period_end", "filing_date"):
                for start, end in SPANS:
                    allowed = [
                        t
                        for t in tax_type_ids_with(ctx, Action.VIEW_ACCOUNT)
                        if tax_type in (None, t) or t == tax_type.pk
                    ]
                    expected = FilingPeriod.objects.filter(
                        registration__business_id=ctx.taxpayer_id, registration__tax_type_id__in=allowed
                    )
                    if by == "filing_date":
                        expected = expected.filter(
                            Exists(filed.filter(amends__isnull=True, filed_on__gte=start, filed_on__lte=end))
                        )
                    else:
                        expected = expected.filter(period_end__gte=start, period_end__lte=end)
                    expected = expected.annotate(is_filed=Exists(filed)).order_by(
                        "-period_end", "registration__tax_type__sort_order", "pk"
                    )
                    got = account.account_periods(ctx, tax_type=tax_type, by=by, start=start, end=end, as_of=end)
                    key = lambda r: (-r[1].toordinal(), r[2], r[0])  # noqa: E731 - ties in any order
                    assert sorted(
                        [(r.period.pk, r.period.period_end, r.period.registration.tax_type.sort_order) for r in got],
                        key=key,
                    ) == [(p.pk, p.period_end, p.registration.tax_type.sort_order) for p in expected]
                    shown = [(-r.period.period_end.toordinal(), r.period.registration.tax_type.sort_order) for r in got]
                    assert shown == sorted(shown)  # newest first, then in the tax types' order
                    for r in got:
                        assert r.filed == FilingPeriod.objects.filter(pk=r.period.pk).filter(Exists(filed)).exists()
                        assert r.period.registration == Registration.objects.get(periods=r.period)
                        assert r.form == r.period.registration.tax_type.form
                        assert (r.period.due_date, r.period.period_start) == FilingPeriod.objects.values_list(
                            "due_date", "period_start"
                        ).get(pk=r.period.pk)


def test_any_of_finds_what_an_in_list_finds(demo):
    from tsc.lib import sql

    ids = list(FilingPeriod.objects.values_list("pk", flat=True)[:40])
    for chosen in (ids, ids[:1], [ids[0], 10**12]):
        where, params = sql.any_of(FilingPeriod, 'p."id"', chosen)
        got = sql.fetch(FilingPeriod, f'SELECT p."id" FROM {sql.table(FilingPeriod)} p WHERE {where}', params)  # noqa: S608
        assert sorted(r[0] for r in got) == sorted(
            FilingPeriod.objects.filter(pk__in=chosen).values_list("pk", flat=True)
        )
    if connection.vendor == "postgresql":  # one statement whatever the number of ids: prepared once
        assert sql.any_of(FilingPeriod, "x", ids)[0] == sql.any_of(FilingPeriod, "x", ids[:1])[0]


def test_an_instance_made_by_loader_is_the_one_from_db(demo):
    from django.db.models import signals

    from tsc.lib import sql

    period = FilingPeriod.objects.select_related("registration").first()
    names = [f.attname for f in FilingPeriod._meta.concrete_fields]
    values = [getattr(period, n) for n in names]
    made = sql.loader(FilingPeriod, "default", names)(values, {"registration": period.registration})
    with CaptureQueriesContext(connection) as queries:
        assert made == period and made.registration is period.registration
        assert {n: getattr(made, n) for n in names} == {n: getattr(period, n) for n in names}
        assert (made._state.adding, made._state.db) == (False, "default")
    assert not queries
    made.period_end = period.period_end  # a plain field still sets
    made.save(update_fields=["period_end"])

    def listener(**kwargs):
        pass

    signals.post_init.connect(listener, sender=FilingPeriod)
    try:
        heard = sql.loader(FilingPeriod, "default", names)(values, {"registration": period.registration})
        assert heard == period and heard.registration is period.registration
    finally:
        signals.post_init.disconnect(listener, sender=FilingPeriod)
