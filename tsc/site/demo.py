"""Demo data for `make run`: idempotent, so running it again changes nothing."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from tsc.accounts.models import AccessLevel, EnrollmentCode, Login, LoginStatus
from tsc.accounts.services import Contact, IdentityQuestions, enrollment_code_issue, login_create, login_status_set
from tsc.taxpayers.models import Business, FilingFrequency, TaxType
from tsc.taxpayers.services import business_register, filing_periods_generate, registration_add

DEMO_PASSWORD = "Demo#2024"  # noqa: S105 - published demo password
DEMO_STAFF = "drs1"
DEMO_ROUTING = "011000015"  # a real routing number's format (Federal Reserve Bank of Boston)
DEMO_ACCOUNT = "4000123456"
# Printed by `make run` and listed in the README. Demo only: real codes are random.
DEMO_ENROLLMENT_CODE = "MYST-2024"
DEMO_ANSWERS = IdentityQuestions(question1="birth_city", answer1="Hartford", question2="first_pet", answer2="Rex")

NUTMEG_USERS = [
    # user_id, user name, access level on every tax type
    ("viewer", "Val Viewer", AccessLevel.VIEW_ONLY),
    ("filer", "Fran Filer", AccessLevel.FILE_ONLY),
    ("payer", "Pat Payer", AccessLevel.PAY_ONLY),
    ("filepay", "Frank Filepay", AccessLevel.FILE_AND_PAY),
    ("noaccess", "Nora Noaccess", AccessLevel.NO_ACCESS),
    ("locked1", "Larry Locked", AccessLevel.FILE_AND_PAY),
]


def _tax_types_ensure() -> None:
    from importlib import import_module

    import_module("tsc.taxpayers.migrations.0002_tax_types").ensure(TaxType)


def _contact(name: str, business: Business) -> Contact:
    return Contact(
        name=name,
        title="Bookkeeper",
        phone="860-555-0100",
        email=f"{name.split()[0].lower()}@example.com",
        street=business.street,
        city=business.city,
        state=business.state,
        zip_code=business.zip_code,
    )


def _business(number, name, street, city, zip_code, fein, registrations, today) -> Business:
    business = Business.objects.filter(registration_number=number).first()
    if business is None:
        business = business_register(
            registration_number=number, legal_name=name, street=street, city=city, zip_code=zip_code, fein=fein
        )
    for code, frequency, start in registrations:
        tax_type = TaxType.objects.get(code=code)
        registration = business.registrations.filter(tax_type=tax_type).first()
        if registration is None:
            registration = registration_add(
                business=business, tax_type=tax_type, filing_frequency=frequency, start_date=start
            )
        filing_periods_generate(registration=registration, through=today)
    return business


def _login(business, user_id, user_name, *, level=None, administrator=False) -> Login:
    existing = Login.objects.filter(business=business, user_id=user_id).first()
    if existing:
        return existing
    tax_types = list(TaxType.objects.filter(for_individuals=False))
    return login_create(
        business=business,
        user_id=user_id,
        user_name=user_name,
        password=DEMO_PASSWORD,
        temporary=False,
        is_administrator=administrator,
        rights=None if administrator else dict.fromkeys(tax_types, level),
        contact=_contact(user_name, business),
        questions=DEMO_ANSWERS,
    )


@transaction.atomic
def _banking_on_file(business: Business) -> None:
    """Nutmeg Hardware pays from a checking account on file for every tax type (the demo's
    other businesses have none: their payments use a one-time account)."""
    from tsc.accounts.acting import Acting
    from tsc.payments.models import BankAccount
    from tsc.payments.services import BankDetails, bank_account_set
    from tsc.taxpayers.selectors import business_tax_types

    if BankAccount.objects.filter(business=business).exists():
        return
    administrator = Login.objects.get(business=business, is_administrator=True)
    bank_account_set(
        ctx=Acting.for_login(administrator),
        tax_types=list(business_tax_types(business)),
        account=BankDetails(DEMO_ROUTING, DEMO_ACCOUNT, "checking"),
    )


def seed_demo(today: date | None = None, *, history: bool = True) -> list[str]:
    today = today or timezone.localdate()
    notes = []
    _tax_types_ensure()
    nutmeg = _business(
        "1234567-000",
        "Nutmeg Hardware LLC",
        "100 Main Street",
        "Hartford",
        "06103",
        "06-1234567",
        [
            (TaxType.SALES_AND_USE, FilingFrequency.MONTHLY, date(2019, 1, 1)),
            (TaxType.WITHHOLDING, FilingFrequency.MONTHLY, date(2019, 1, 1)),
            (TaxType.WITHHOLDING_NON_WAGE, FilingFrequency.ANNUAL, date(2019, 1, 1)),
        ],
        today,
    )
    _login(nutmeg, "admin1", "Alice Admin", administrator=True)
    for user_id, user_name, level in NUTMEG_USERS:
        _login(nutmeg, user_id, user_name, level=level)
    from .demo_history import seed_history

    if history:
        seed_history(nutmeg, Login.objects.get(business=nutmeg, user_id="filepay"), today)
    _banking_on_file(nutmeg)
    from .demo_account import clerk_ensure, good_standing_ensure, refunds_ensure, seed_account

    if history:
        # Processed and paid, but for the latest late return: it waits for the clerk.
        seed_account(nutmeg, (DEMO_ROUTING, DEMO_ACCOUNT), today)
    locked = Login.objects.get(business=nutmeg, user_id="locked1")
    if locked.status != LoginStatus.LOCKED:
        login_status_set(login=locked, status=LoginStatus.LOCKED)

    bakery = _business(
        "7654321-000",
        "Charter Oak Bakery",
        "25 Charter Oak Avenue",
        "Hartford",
        "06106",
        "06-7654321",
        [
            (TaxType.SALES_AND_USE, FilingFrequency.QUARTERLY, date(2020, 1, 1)),
            (TaxType.WITHHOLDING, FilingFrequency.MONTHLY, date(2020, 1, 1)),
        ],
        today,
    )
    _login(bakery, "admin2", "Bob Baker", administrator=True)

    mystic = _business(
        "2222222-000",
        "Mystic Seaport Goods",
        "75 Greenmanville Avenue",
        "Mystic",
        "06355",
        "06-2222222",
        [(TaxType.SALES_AND_USE, FilingFrequency.MONTHLY, date(2022, 1, 1))],
        today,
    )
    has_admin = mystic.logins.filter(is_administrator=True).exists()
    if (
        not has_admin
        and not EnrollmentCode.objects.filter(business=mystic, used_at__isnull=True, voided_at__isnull=True).exists()
    ):
        enrollment_code_issue(business=mystic, code=DEMO_ENROLLMENT_CODE)
    if not has_admin:
        notes.append(
            f"Mystic Seaport Goods (2222222-000) has no profile yet: create one with enrollment code "
            f"{DEMO_ENROLLMENT_CODE}"
        )
    # A business in good standing: every return due filed on time and paid; it can get a status letter.
    harbor = _business(
        "3333333-000",
        "Harbor Light Books LLC",
        "12 Bank Street",
        "New London",
        "06320",
        "06-3333333",
        [(TaxType.SALES_AND_USE, FilingFrequency.QUARTERLY, date(today.year - 1, 1, 1))],
        today,
    )
    harbor_admin = _login(harbor, "admin3", "Hana Harbor", administrator=True)
    if history:
        good_standing_ensure(harbor, harbor_admin, today)
    refunds_ensure(today)
    # A Third Party Bulk Filer firm (tax preparer) with its administrator `prep1`: Nutmeg Hardware
    # (banking on file), Charter Oak Bakery (none), Mystic Seaport Goods and the individual Pat Lee
    # are its clients; Harbor Light Books is not.
    from .demo_bulk import firm_ensure

    firm_ensure(today, password=DEMO_PASSWORD, login=_login)
    # The demo clerk for the back office (/backoffice/), two-factor already set up on a published
    # secret (README).
    clerk_ensure(DEMO_PASSWORD)
    # DRS staff for the back office (/drs-admin/): looks up taxpayers, issues enrollment and
    # administrator recovery codes.
    if not Login.objects.filter(business=None, user_id__iexact=DEMO_STAFF).exists():
        Login.objects.create_superuser(DEMO_STAFF, DEMO_PASSWORD, user_name="Dana Revenue (DRS)")
    return notes
