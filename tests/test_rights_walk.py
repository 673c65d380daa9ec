"""The rights walk: every URL pattern × every role, with real object ids (this business's and
another's), against one declared table of who may do what.

Roles: anonymous; the demo business's View Only, File Only, Pay Only, File and Pay and No Access
users and its TSC Administrator; `mixed`, a login with a different level on each tax type (File
Only on Sales and Use, View Only on Withholding, Pay Only on Withholding Non-Wage); another
business's administrator (`outsider`); DRS staff. A URL pattern missing from the table fails
`test_every_url_pattern_is_in_the_table`: a new page must declare who may open it.

Expected answers: 200 (or the page's own redirect, written out), 403 for an insider without the
right, 404 for another taxpayer's object (never confirm it exists), and a redirect to the
Welcome page for anyone not signed in to the portal. A refused POST is refused the same way and
changes nothing.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tsc.accounts.acting import BULK_CLIENT
from tsc.accounts.models import AccessLevel, Login, UserRight
from tsc.accounts.tests.twofactor_helpers import force_back_office_login
from tsc.audit.models import AuditEvent
from tsc.bulk.models import BulkImport
from tsc.filing.models import TaxReturn, Upload
from tsc.letters.models import StatusLetter

from .test_urls_refuse_anonymous import ALL

ROLES = (
    "anonymous",
    "viewer",
    "filer",
    "payer",
    "filepay",
    "noaccess",
    "admin",
    "mixed",
    "outsider",
    "staff",
    "prep",  # the administrator of a Third Party Bulk Filer firm, acting for the firm itself
    "agent",  # a login of that firm acting for the demo business, its client
)
INSIDERS = ("viewer", "filer", "payer", "filepay", "noaccess", "admin", "mixed")
NOT_PORTAL = ("anonymous", "staff")
WELCOME = "/"


@dataclass
class Case:
    """One URL (a pattern with real arguments) and what each role gets."""

    name: str
    args: tuple = ()
    expect: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.name}{list(self.args) if self.args else ''}"


def allow(*roles, others=403, outsider=None, redirect_to=None, prep=None, agent=None):
    """`roles` get 200 (or a redirect to `redirect_to`); other insiders `others`; the outsider
    `outsider` (200 when it is listed in `roles`); anonymous and staff go to the Welcome page.
    The bulk filer's roles, unless named, answer like their look-alikes (`expected_for`): `prep`
    (a firm's administrator) like the outsider (another business's administrator), `agent`
    (acting for the demo business as its bulk filer: file, pay and view on every tax type, no
    business actions) like `filepay`."""
    ok = ("redirect", redirect_to) if redirect_to else 200
    expect = dict.fromkeys(NOT_PORTAL, ("redirect", WELCOME))
    for role in INSIDERS + ("outsider",):
        expect[role] = ok if role in roles else others
    if outsider is not None:
        expect["outsider"] = outsider
    if prep is not None:
        expect["prep"] = prep
    if agent is not None:
        expect["agent"] = agent
    return expect


def expected_for(case: Case, role: str):
    """The table's answer for `role`; the bulk filer's roles, when a row does not name them, get
    their look-alike's (see `allow`), and `prep` never reaches the other business's objects."""
    if role in case.expect:
        return case.expect[role]
    if role == "agent":
        return case.expect["filepay"]
    outsider = case.expect["outsider"]
    if any(str(a).endswith("_OTHER") for a in case.args) and outsider != 403:
        return 404  # the other business's objects: the firm is not that business
    return outsider


def bulk_only(prep=200):
    """Third Party Bulk Filing pages: the firm's logins acting for the firm, no one else."""
    return allow(others=403, outsider=403, prep=prep, agent=403)


PORTAL = INSIDERS + ("outsider",)
VIEWERS = ("viewer", "payer", "filepay", "admin")  # View on every tax type
FILERS = ("filer", "filepay", "admin")  # File on every tax type
PAYERS = ("payer", "filepay", "admin")
ADMINS = ("admin", "outsider")

# Object names (resolved per test to real ids): P_* periods and R_* returns of the demo business
# unless *_OTHER (Charter Oak Bakery's), U_* uploads, L_* logins.
TABLE = [
    Case("accounts:menu", expect=allow(*PORTAL)),
    Case("accounts:administrator_contact", expect=allow(*PORTAL)),
    Case("accounts:profile", expect=allow(*PORTAL)),
    Case("accounts:profile_contact", expect=allow(*PORTAL)),
    Case("accounts:profile_password", expect=allow(*PORTAL)),
    Case("accounts:profile_questions", expect=allow(*PORTAL)),
    Case("accounts:profile_telephone_password", expect=allow(*PORTAL)),
    Case("accounts:first_sign_in", expect=allow(*PORTAL, redirect_to="/menu/")),
    Case("accounts:history", expect=allow(*VIEWERS, "mixed", "outsider")),
    Case("payments:make", expect=allow(*PAYERS, "mixed", "outsider")),
    Case("payments:scheduled", expect=allow(*VIEWERS, "mixed", "outsider")),
    Case("payments:processed", expect=allow(*VIEWERS, "mixed", "outsider")),
    Case("payments:cancelled", expect=allow(*VIEWERS, "mixed", "outsider")),
    # A payment: View or Pay on its tax type (Sales and Use here); cancelling needs Pay.
    Case("payments:payment", ("Y_FILEPAY",), allow(*VIEWERS, outsider=404)),
    Case("payments:payment", ("Y_OTHER",), allow("outsider") | dict.fromkeys(VIEWERS + ("mixed",), 404)),
    Case("payments:cancel", ("Y_FILEPAY",), allow(*PAYERS, outsider=404)),
    Case("payments:cancel", ("Y_OTHER",), allow("outsider") | dict.fromkeys(PAYERS + ("mixed",), 404)),
    # The account (tsc/ledger): View on the tax type reads it; a penalty waiver is asked by whoever may pay.
    Case("ledger:account", expect=allow(*VIEWERS, "mixed", "outsider")),
    Case("ledger:refunds", expect=allow(*VIEWERS, "mixed", "outsider")),
    Case("ledger:period", ("P_ST",), allow(*VIEWERS, outsider=404)),
    Case("ledger:period", ("P_WH",), allow(*VIEWERS, "mixed", outsider=404)),
    Case("ledger:period", ("P_OTHER",), allow("outsider") | dict.fromkeys(VIEWERS + ("mixed",), 404)),
    Case("ledger:waiver_request", ("P_ST",), allow(*PAYERS, outsider=404)),
    Case("ledger:waiver_request", ("P_WN",), allow(*PAYERS, "mixed", outsider=404)),
    Case("ledger:waiver_request", ("P_OTHER",), allow("outsider") | dict.fromkeys(PAYERS + ("mixed",), 404)),
    Case("ledger:waiver", ("W_NUTMEG",), allow(*VIEWERS, outsider=404)),
    Case("ledger:waiver", ("W_OTHER",), allow("outsider") | dict.fromkeys(VIEWERS + ("mixed",), 404)),
    # Third Party Bulk Filing (tsc/bulk): the firm's pages; the client's administrator authorizes firms.
    Case("bulk:menu", expect=bulk_only()),
    Case("bulk:clients", expect=bulk_only()),
    Case("bulk:single", expect=bulk_only()),
    Case("bulk:combined", expect=bulk_only()),
    Case("bulk:pay", expect=bulk_only()),
    Case("bulk:bank", expect=bulk_only()),
    Case("bulk:pay_individual", ("A_INDIVIDUAL",), bulk_only()),
    Case("bulk:individual_payment", ("Y_INDIVIDUAL",), bulk_only()),
    # File Import and View File Upload Status: the firm's own imports only (another firm's: not found).
    Case("bulk:import", expect=bulk_only()),
    Case("bulk:layouts", expect=bulk_only()),
    Case("bulk:imports", expect=bulk_only()),
    Case("bulk:import_status", ("I_FIRM",), bulk_only()),
    Case("bulk:import_progress", ("I_FIRM",), bulk_only()),
    Case("bulk:import_ack_csv", ("I_FIRM",), bulk_only()),
    Case("bulk:import_status", ("I_OTHER",), bulk_only(prep=404)),
    Case("bulk:import_progress", ("I_OTHER",), bulk_only(prep=404)),
    Case("bulk:import_ack_csv", ("I_OTHER",), bulk_only(prep=404)),
    Case("bulk:stop", expect=allow(others=405, outsider=405, prep=405, agent=405)),
    Case("bulk:authorizations", expect=allow(*ADMINS)),
    Case("bulk:revoke", ("A_NUTMEG",), allow(outsider=405, prep=405) | {"admin": 405}),
    # API tokens (tsc/api): the firm's TSC Administrator acting for the firm, no one else.
    Case("api_tokens:list", expect=bulk_only()),
    Case("api_tokens:create", expect=bulk_only()),
    Case("api_tokens:revoke", ("K_FIRM",), bulk_only(prep=405)),
    Case("payments:business_profile", expect=allow(*ADMINS)),
    Case("payments:business_contact", expect=allow(*ADMINS)),
    Case("payments:banking", expect=allow(*ADMINS)),
    Case("payments:close", expect=allow(*ADMINS)),
    Case("accounts:users", expect=allow(*ADMINS)),
    Case("accounts:user_add", expect=allow(*ADMINS)),
    Case("accounts:user_activity", expect=allow(*ADMINS)),
    Case("accounts:user_edit", ("L_FILER",), allow("admin", outsider=404)),
    Case("accounts:user_edit", ("L_OTHER",), allow("outsider", others=403) | {"admin": 404}),
    # Two-factor sign-in: the login's own setting (pages that need it on or being set up send the
    # others back to it), and the TSC Administrator's for the business (resetting is POST only).
    Case("accounts:profile_two_factor", expect=allow(*PORTAL)),
    Case("accounts:profile_two_factor_setup", expect=allow(*PORTAL, redirect_to="/profile/two-factor/")),
    Case("accounts:profile_two_factor_off", expect=allow(*PORTAL, redirect_to="/profile/two-factor/")),
    Case("accounts:profile_two_factor_codes", expect=allow(*PORTAL, redirect_to="/profile/two-factor/")),
    Case("accounts:users_two_factor", expect=allow(*ADMINS)),
    Case("accounts:user_two_factor_reset", ("L_FILER",), allow(outsider=404) | {"admin": 405}),
    Case("accounts:user_two_factor_reset", ("L_OTHER",), allow(outsider=405) | {"admin": 404}),
    Case("filing:index", expect=allow(*FILERS, "mixed", "outsider")),
    Case("filing:history", expect=allow(*VIEWERS, "mixed", "outsider")),
    Case("filing:nonwage_template", expect=allow(*FILERS, "mixed", "outsider")),
    Case("filing:uploads", expect=allow(*FILERS, "outsider")),
    # A period: its tax type's File right; another business's period is not found.
    Case("filing:prepare", ("P_ST",), allow(*FILERS, "mixed", outsider=404)),
    Case("filing:prepare", ("P_WH",), allow(*FILERS, outsider=404)),
    Case("filing:prepare", ("P_WN",), allow(*FILERS, outsider=404, redirect_to="nonwage:P_WN")),
    Case(
        "filing:prepare", ("P_OTHER",), allow("outsider") | dict.fromkeys(("filer", "filepay", "admin", "mixed"), 404)
    ),
    Case("filing:nonwage", ("P_WN",), allow(*FILERS, outsider=404)),
    Case("filing:nonwage", ("P_ST",), allow(outsider=404) | dict.fromkeys(FILERS + ("mixed",), 404)),
    Case("filing:nonwage_manual", ("P_WN",), allow(*FILERS, outsider=404)),
    Case("filing:nonwage_upload", ("P_WN", "pub1220"), allow(*FILERS, outsider=404)),
    Case("filing:nonwage_upload", ("P_WN", "csv"), allow(*FILERS, outsider=404)),
    # Uploads: the filer who sent it, and logins that both file and view Withholding Non-Wage.
    Case("filing:upload_status", ("U_FILEPAY",), allow("filepay", "admin", outsider=404)),
    Case("filing:upload_status", ("U_FILER",), allow("filer", "filepay", "admin", outsider=404)),
    Case("filing:upload_progress", ("U_FILEPAY",), allow("filepay", "admin", outsider=404)),
    Case("filing:upload_status", ("U_OTHER",), allow("outsider") | dict.fromkeys(FILERS + ("mixed",), 404)),
    # Returns: View rights read any; a File Only login reads only what it filed itself.
    Case("filing:return", ("R_FILEPAY",), allow(*VIEWERS, outsider=404)),
    Case("filing:return", ("R_FILER",), allow(*VIEWERS, "filer", outsider=404)),
    Case("filing:return", ("R_MIXED",), allow(*VIEWERS, "mixed", outsider=404)),
    Case("filing:return", ("R_WH",), allow(*VIEWERS, "mixed", outsider=404)),
    Case("filing:return", ("R_OTHER",), allow("outsider") | dict.fromkeys(VIEWERS + ("filer", "mixed"), 404)),
    Case("filing:return_pdf", ("R_FILEPAY",), allow(*VIEWERS, outsider=404)),
    Case("filing:return_pdf", ("R_FILER",), allow(*VIEWERS, "filer", outsider=404)),
    Case("filing:return_pdf", ("R_WH",), allow(*VIEWERS, "mixed", outsider=404)),
    Case("filing:return_pdf", ("R_OTHER",), allow("outsider") | dict.fromkeys(VIEWERS + ("filer", "mixed"), 404)),
    # Status letters speak for every tax type: the TSC Administrator's alone, its own business's only.
    Case("letters:status_letter", expect=allow(*ADMINS)),
    Case("letters:letter", ("S_NUTMEG",), allow("admin", outsider=404)),
    Case("letters:letter", ("S_OTHER",), allow("outsider") | {"admin": 404}),
    Case("letters:letter_pdf", ("S_NUTMEG",), allow("admin", outsider=404)),
    Case("letters:letter_pdf", ("S_OTHER",), allow("outsider") | {"admin": 404}),
]

# Public pages: open to everyone; checked elsewhere (test_urls_refuse_anonymous, the sign-in tests).
PUBLIC = {
    "site:welcome",
    "site:privacy",
    "letters:verify",  # anyone handed a status letter checks it (rate-limited per address)
    "letters:verify_letter",
    "accounts:sign_in",
    "accounts:signed_out",
    "accounts:first_time",
    "accounts:forgot_password",
    "accounts:forgot_password_answers",
    "accounts:recover",  # a locked-out administrator, with the recovery code DRS mailed
    "accounts:recover_answers",
    "accounts:sign_out",
    "accounts:sign_in_code",  # two-factor sign-in, between the password and the session
    "accounts:sign_in_setup",
    "ledger:refund_lookup",  # an individual's refund, by SSN and the exact amount expected
    "notices:announcements",  # today's announcements, and asking for them by e-mail
    "notices:confirm",  # the links in the announcement e-mails
    "notices:unsubscribe",
    "help:index",  # the help centre: Filtered Topic Search and its topics
    "help:topic",
    "contact:contact",  # Contact us: messages kept for staff
}
# The DRS back office (its own pages, and Django's admin for raw data): staff only, from a session
# that passed the code step; every other role is sent to the staff sign-in page.
BACK_OFFICE = ("admin:", "backoffice:", "visits:")


# The JSON API for tax software answers a token, not a session: no role of this walk holds one.
# Its refusals (401, 403 for a scope, 404 for a non-client) are tested in tsc/api/tests, and
# test_urls_refuse_anonymous checks every one of its URLs refuses an anonymous call.
TOKEN_API = ("api:",)


def test_every_url_pattern_is_in_the_table():
    declared = {case.name for case in TABLE} | PUBLIC
    missing = sorted(name for name, _ in ALL if not name.startswith(BACK_OFFICE + TOKEN_API) and name not in declared)
    assert not missing, f"URL patterns with no row in the rights table: {missing}"
    stale = sorted(declared - {name for name, _ in ALL})
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


@pytest.fixture
def world(demo, file_return):
    """The demo business, a login with a different level on each tax type, a return and an
    upload per owner, and the same of another business; DRS staff."""
    from tsc.filing.uploads import upload_receive

    mixed = Login.objects.create(business=demo.nutmeg, user_id="mixed1")
    for tax_type, level in (
        (demo.sales, AccessLevel.FILE_ONLY),
        (demo.withholding, AccessLevel.VIEW_ONLY),
        (demo.non_wage, AccessLevel.PAY_ONLY),
    ):
        UserRight.objects.create(login=mixed, tax_type=tax_type, level=level)
    staff = Login.objects.create_superuser("clerk1", "Demo#2024")

    def period(business, tax_type):
        return business.registrations.get(tax_type=tax_type).periods.order_by("-period_end").first()

    from tsc.filing.services import registration_for_filing

    registration_for_filing(business=demo.nutmeg, tax_type=demo.non_wage)
    registration_for_filing(business=demo.bakery, tax_type=demo.non_wage)

    def status_letter(business):
        return StatusLetter.objects.create(business=business, entity_name=business.legal_name, issued_on=date.today())

    def upload(login, business):
        content = b"payee_name,payee_tin\n"  # checked later or rejected: only its owner matters here
        return upload_receive(
            actor=login, period=period(business, demo.non_wage), kind="csv", file=SimpleUploadedFile("f.csv", content)
        )

    def pay(login):
        from tsc.accounts.acting import Acting
        from tsc.payments import services as payments

        return payments.payment_schedule(
            ctx=Acting.for_login(login),
            period=period(login.business, demo.sales),
            amount=Decimal("10.00"),
            requested_date=payments.earliest_payment_date(),
            submission_token=uuid.uuid4(),
            account=payments.BankDetails("011000015", "12345678", "checking"),
        )

    def waiver(business):
        from tsc.ledger.models import PenaltyWaiver

        return PenaltyWaiver.objects.create(
            business=business,
            period=period(business, demo.sales),
            tax_type=demo.sales,
            penalty=Decimal("50.00"),
            reason="Reasonable cause",
            confirmation_number=f"W{business.pk}",
        )

    firm = _firm(demo)
    objects = {
        "P_ST": period(demo.nutmeg, demo.sales),
        "P_WH": period(demo.nutmeg, demo.withholding),
        "P_WN": period(demo.nutmeg, demo.non_wage),
        "P_OTHER": period(demo.bakery, demo.sales),
        "R_FILER": file_return(demo.filer, 0),
        "R_FILEPAY": file_return(demo.filepay, 1),
        "R_MIXED": file_return(mixed, 2),
        "R_WH": file_return(demo.filepay, 0, demo.withholding),
        "R_OTHER": file_return(demo.outsider, 0),
        "S_NUTMEG": status_letter(demo.nutmeg),
        "S_OTHER": status_letter(demo.bakery),
        "U_FILER": upload(demo.filer, demo.nutmeg),
        "U_FILEPAY": upload(demo.filepay, demo.nutmeg),
        "U_OTHER": upload(demo.outsider, demo.bakery),
        "Y_FILEPAY": pay(demo.filepay),
        "Y_OTHER": pay(demo.outsider),
        "L_FILER": demo.filer,
        "L_OTHER": demo.outsider,
        "W_NUTMEG": waiver(demo.nutmeg),
        "W_OTHER": waiver(demo.bakery),
    }
    objects |= firm["objects"]
    logins = {name: getattr(demo, name) for name in INSIDERS if name != "mixed"}
    logins |= {"mixed": mixed, "outsider": demo.outsider, "staff": staff} | firm["logins"]
    return objects, logins


def _firm(demo):
    """A Third Party Bulk Filer firm: its administrator `prep`; a sub-user `agent` acting for the
    demo business (its client); an individual client, and a payment made for that client."""
    from tsc.accounts.acting import Acting
    from tsc.bulk import services as bulk
    from tsc.payments import services as payments
    from tsc.taxpayers.services import business_register, individual_create

    firm = business_register(
        registration_number="4545454-000",
        legal_name="Constitution Tax Services",
        street="1 State St",
        city="Hartford",
        zip_code="06103",
        fein="06-4545454",
    )
    prep = Login.objects.create(business=firm, user_id="prep9", is_administrator=True)
    agent = Login.objects.create(business=firm, user_id="agent9")
    bulk_filer = bulk.bulk_filer_designate(firm=firm, actor=None)
    nutmeg = bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, client=demo.nutmeg)
    person = individual_create(
        first_name="Ivy", last_name="Client", ssn="456-78-9012", street="2 Elm St", city="Hartford", zip_code="06103"
    )
    individual = bulk.staff_authorization_record(actor=None, bulk_filer=bulk_filer, ssn="456-78-9012")
    payment = payments.individual_payment_schedule(
        ctx=Acting.for_login(prep),
        authorization=individual,
        tax_year=payments.today().year,
        amount=Decimal("100.00"),
        requested_date=payments.earliest_payment_date(),
        account=payments.BankDetails("011000015", "12345678", "checking"),
        submission_token=uuid.uuid4(),
    )
    del person
    from tsc.api.services import api_token_create

    imports = {"I_FIRM": _bulk_import(prep), "I_OTHER": _bulk_import(_other_firm_admin())}

    api_token, _ = api_token_create(ctx=Acting.for_login(prep), name="Tax software", scopes=["clients:read"])
    return {
        "objects": {"A_NUTMEG": nutmeg, "A_INDIVIDUAL": individual, "Y_INDIVIDUAL": payment, "K_FIRM": api_token}
        | imports,
        "logins": {"prep": prep, "agent": agent},
        "agent_for": nutmeg,
    }


def _other_firm_admin():
    from tsc.bulk import services as bulk
    from tsc.taxpayers.services import business_register

    other = business_register(
        registration_number="4646464-000", legal_name="Other Tax", street="1 Main St", city="Hartford", zip_code="06103"
    )
    bulk.bulk_filer_designate(firm=other, actor=None)
    return Login.objects.create(business=other, user_id="other9", is_administrator=True)


def _bulk_import(login):
    """A file a firm's login uploaded to File Import (received; processed only after commit)."""
    from tsc.accounts.acting import Acting
    from tsc.bulk.imports import import_receive

    content = f"T{login.user_id}\n".encode()
    file = SimpleUploadedFile("clients.txt", content)
    return import_receive(ctx=Acting.for_login(login), file=file, kind="pub1220")


def _arg(objects, value):
    obj = objects.get(value)
    if obj is None:
        return value
    if isinstance(obj, StatusLetter):
        return obj.letter_id
    return obj.token if isinstance(obj, Upload | BulkImport) else obj.pk


def _answer(response):
    if response.status_code in (301, 302):
        return ("redirect", response.url.split("?")[0])
    return response.status_code


def _expected(objects, expect):
    if isinstance(expect, tuple) and expect[1].startswith("nonwage:"):
        return ("redirect", reverse("filing:nonwage", args=[objects[expect[1].split(":")[1]].pk]))
    return expect


@pytest.mark.parametrize("case", TABLE, ids=str)
def test_each_role_gets_what_the_table_says(client, world, case):
    objects, logins = world
    url = reverse(case.name, args=[_arg(objects, a) for a in case.args])
    assert set(ROLES) - {"prep", "agent"} <= set(case.expect) <= set(ROLES), f"{case}: every role needs an answer"
    wrong = []
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(logins[role], backend="tsc.accounts.backends.LoginBackend")
        if role == "agent":  # the firm's login chose the demo business as the client it acts for
            session = client.session
            session[BULK_CLIENT] = objects["A_NUTMEG"].pk
            session.save()
        expected = _expected(objects, expected_for(case, role))
        got = _answer(client.get(url))
        if got != expected:
            wrong.append(f"GET as {role}: expected {expected}, got {got}")
        if expected in (403, 404) or expected == ("redirect", WELCOME):
            # A refused POST is refused the same way, before anything is read or written.
            counts = (TaxReturn.objects.count(), Upload.objects.count(), AuditEvent.objects.count())
            got = _answer(client.post(url, {"action": "submit", "submission_token": str(uuid.uuid4())}))
            if got != expected:
                wrong.append(f"POST as {role}: expected {expected}, got {got}")
            if counts != (TaxReturn.objects.count(), Upload.objects.count(), AuditEvent.objects.count()):
                wrong.append(f"POST as {role} changed something")
    assert not wrong, f"{case} ({url}):\n" + "\n".join(wrong)


ADMIN_SAMPLES = [name for name, _ in ALL if name.startswith(BACK_OFFICE)]


def test_the_back_office_is_for_staff_only(client, world):
    from .test_urls_refuse_anonymous import concrete

    _, logins = world
    patterns = dict(ALL)
    for role in ROLES:
        client.logout()
        if role == "staff":
            force_back_office_login(client, logins[role])  # as if through the two-factor code step
        elif role != "anonymous":
            client.force_login(logins[role], backend="tsc.accounts.backends.LoginBackend")
        for name in ADMIN_SAMPLES:
            if name in ("admin:login", "admin:logout"):
                continue
            response = client.get(concrete(patterns[name]))
            if role == "staff":
                # Some back-office pages are refused to staff by design (enrollment codes are issued
                # by an action, never typed in): 403 is an answer, a crash is not.
                assert response.status_code < 500, (name, response.status_code)
            else:
                refused = response.status_code == 404 or (
                    response.status_code == 302 and "/drs-admin/login/" in response.url
                )
                assert refused, f"{name} answered {response.status_code} to {role}"


def test_file_only_is_told_a_period_was_filed_without_seeing_the_return(signed_in, demo, file_return):
    theirs = file_return(demo.filepay)
    html = signed_in(demo.filer).get(reverse("filing:prepare", args=[theirs.period_id])).content.decode()
    assert "by another user of your business" in html
    assert theirs.confirmation_number not in html and f"amend={theirs.pk}" not in html
    html = signed_in(demo.filepay).get(reverse("filing:prepare", args=[theirs.period_id])).content.decode()
    assert theirs.confirmation_number in html and f"amend={theirs.pk}" in html
