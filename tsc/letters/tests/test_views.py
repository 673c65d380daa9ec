"""The status letter pages (TSC Administrator), the PDF, and the public verification page."""

import uuid
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.audit.models import AuditEvent
from tsc.letters import services
from tsc.letters.models import StatusLetter

from .helpers import good_standing_business

TODAY = date(2026, 11, 24)
BACKEND = "tsc.accounts.backends.LoginBackend"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def kayak(demo):
    return good_standing_business(demo, TODAY)


@pytest.fixture
def as_login(client):
    def sign_in(login):
        client.logout()
        client.force_login(login, backend=BACKEND)
        return client

    return sign_in


@pytest.fixture
def letter(kayak):
    return services.status_letter_request(ctx=Acting.for_login(kayak[1]))


def html(response) -> str:
    return response.content.decode()


# ---- requesting ------------------------------------------------------------------------------


def test_the_page_explains_a_status_letter_in_the_seeds_words(demo, as_login):
    page = html(as_login(demo.admin).get(reverse("letters:status_letter")))
    assert "also known as a Letter of Good Standing" in page
    for words in (
        "The name of the entity.",
        "That they have filed all of its tax returns and,",
        "Paid all taxes that were reported due.",
        "Note: DRS does not make any representations that it has conducted an audit examination",
        "This is not a Tax Clearance Certificate under Connecticut General Statutes §§12-294, 12-424, 12-546, "
        "or 12-707.",
        "For additional information refer to IP 2016(17), Status Letters",
        "Request a status letter",
    ):
        assert words in page, words


def test_granted_a_letter_is_issued_and_the_page_shows_it(kayak, as_login):
    business, admin = kayak
    response = as_login(admin).post(reverse("letters:status_letter"))
    letter = StatusLetter.objects.get(business=business)
    assert response.status_code == 302
    assert response.url == reverse("letters:letter", args=[letter.letter_id]) + "?issued=1"
    page = html(as_login(admin).get(response.url))
    assert "Your status letter is issued" in page and letter.letter_id in page and business.legal_name in page
    assert reverse("letters:verify_letter", args=[letter.letter_id]) in page
    assert AuditEvent.objects.filter(event="status_letter.issued", business=business).count() == 1
    listing = html(as_login(admin).get(reverse("letters:status_letter")))
    assert letter.letter_id in listing and reverse("letters:letter_pdf", args=[letter.letter_id]) in listing


def test_a_second_request_the_same_day_opens_the_same_letter(kayak, as_login):
    business, admin = kayak
    first = as_login(admin).post(reverse("letters:status_letter"))
    second = as_login(admin).post(reverse("letters:status_letter"))
    assert first.url == second.url and StatusLetter.objects.filter(business=business).count() == 1


def test_refused_the_page_lists_exactly_what_stands_in_the_way(demo, as_login):
    response = as_login(demo.admin).post(reverse("letters:status_letter"))
    assert response.status_code == 200 and not StatusLetter.objects.exists()
    page = html(response)
    assert "A status letter cannot be issued today" in page and 'id="blockers"' in page
    from tsc.ledger.account import standing_blockers

    blockers = standing_blockers(demo.nutmeg.pk, on=TODAY)
    assert blockers
    table = page.split('id="blockers"')[1].split("</table>")[0]
    assert table.count("<tr>") == len(blockers) + 1  # the heading row and one row per blocker
    oldest = blockers[0]
    assert f"{oldest.period.period_end:%m/%d/%Y}" in table
    assert oldest.period.registration.tax_type.name in table and oldest.form in table
    assert "Return not filed" in table


def test_refused_a_balance_due_shows_its_amount(demo, as_login, django_capture_on_commit_callbacks):
    from decimal import Decimal as D

    from tsc.filing import services as filing

    october = demo.nutmeg.registrations.get(tax_type=demo.sales).periods.get(period_end=date(2026, 10, 31))
    with django_capture_on_commit_callbacks(execute=True):
        filing.return_submit(
            actor=demo.filepay, period=october, values={"l1_c1": D("10000.00")}, submission_token=uuid.uuid4()
        )
    table = html(as_login(demo.admin).post(reverse("letters:status_letter"))).split('id="blockers"')[1]
    row = next(r for r in table.split("<tr>") if "Balance due" in r)
    assert "10/31/2026" in row and "Sales and Use" in row and "OS-114" in row and "$635.00" in row


def test_other_users_and_anonymous_visitors_cannot_request(demo, client, as_login):
    assert client.post(reverse("letters:status_letter")).status_code == 302  # to the Welcome page
    assert as_login(demo.filepay).post(reverse("letters:status_letter")).status_code == 403
    assert not StatusLetter.objects.exists()


# ---- the letter and its PDF ------------------------------------------------------------------


def test_the_pdf_is_the_letter_with_its_id(letter, kayak, as_login):
    response = as_login(kayak[1]).get(reverse("letters:letter_pdf", args=[letter.letter_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert letter.letter_id.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert letter.letter_id in response["Content-Disposition"]


def test_the_pdf_carries_a_qr_code_of_the_verification_address(letter, kayak, as_login, monkeypatch):
    from tsc.letters import pdf

    encoded = []
    real = pdf._qr_png
    monkeypatch.setattr(pdf, "_qr_png", lambda url: encoded.append(url) or real(url))
    response = as_login(kayak[1]).get(reverse("letters:letter_pdf", args=[letter.letter_id]))
    assert encoded == [f"http://testserver/verify-status-letter/{letter.letter_id}/"]
    assert b"/Subtype /Image" in response.content


def test_another_businesss_letter_is_not_found(demo, letter, as_login):
    for name in ("letters:letter", "letters:letter_pdf"):
        assert as_login(demo.admin).get(reverse(name, args=[letter.letter_id])).status_code == 404
        assert as_login(demo.admin).get(reverse(name, args=["K7QM-3XTR-9PWD"])).status_code == 404


def test_the_letter_is_found_however_its_id_is_typed(letter, kayak, as_login):
    typed = letter.letter_id.replace("-", "").lower()
    assert as_login(kayak[1]).get(reverse("letters:letter", args=[typed])).status_code == 200


# ---- public verification ---------------------------------------------------------------------


def test_verification_shows_the_name_the_date_and_valid_and_nothing_else(letter, kayak, client):
    business, _ = kayak
    response = client.get(reverse("letters:verify_letter", args=[letter.letter_id]))
    page = html(response)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Thimble Islands Kayak Co." in page and "11/24/2026" in page and "Valid." in page
    private_facts = (business.registration_number, "5550123", business.fein, "065550123", "Stony Creek", "Branford")
    for private in private_facts:
        assert private not in page, private


def test_a_revoked_letter_shows_revoked_with_the_date_and_not_the_reason(letter, client):
    staff = Login.objects.create_superuser("clerk1", "Demo#2024")
    with time_machine.travel("2026-12-02 10:00:00-05:00", tick=False):
        services.status_letter_revoke(letter=letter, actor=staff, reason="Issued in error to a closed business")
    page = html(client.get(reverse("letters:verify_letter", args=[letter.letter_id])))
    assert "Revoked." in page and "12/02/2026" in page and "Valid." not in page
    assert "Issued in error" not in page


def test_an_unknown_id_gets_the_plain_message(demo, client):
    response = client.get(reverse("letters:verify_letter", args=["K7QM-3XTR-9PWD"]))
    assert response.status_code == 404
    assert "No status letter has this ID. Check the ID on the letter." in html(response)


def test_the_form_takes_the_id_in_any_case_with_spaces_or_no_dashes(letter, client):
    typed = " " + letter.letter_id.replace("-", " ").lower() + " "
    response = client.get(reverse("letters:verify"), {"letter_id": typed})
    assert response.status_code == 302
    assert response.url == reverse("letters:verify_letter", args=[letter.letter_id])
    squeezed = letter.letter_id.replace("-", "").lower()
    response = client.get(reverse("letters:verify_letter", args=[squeezed]))
    assert response.status_code == 302 and response.url.endswith(f"/{letter.letter_id}/")


def test_the_form_explains_a_malformed_id(demo, client):
    page = html(client.get(reverse("letters:verify"), {"letter_id": "12-34"}))
    assert "12 letters and numbers" in page and "usa-error-message" in page


def test_unknown_ids_are_throttled_per_address(letter, client, settings):
    settings.TSC_THROTTLE_VERIFY_PER_ADDRESS = 3
    for _ in range(3):
        assert client.get(reverse("letters:verify_letter", args=["K7QM-3XTR-9PWD"])).status_code == 404
    # Past the limit, even a real letter is not looked up from this address.
    response = client.get(reverse("letters:verify_letter", args=[letter.letter_id]))
    assert response.status_code == 429
    page = html(response)
    assert "Too many" in page and "Thimble Islands" not in page
    # Another address is not affected.
    other = client.get(reverse("letters:verify_letter", args=[letter.letter_id]), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_looking_up_a_real_letter_does_not_count_against_the_address(letter, client, settings):
    settings.TSC_THROTTLE_VERIFY_PER_ADDRESS = 2
    for _ in range(5):
        assert client.get(reverse("letters:verify_letter", args=[letter.letter_id])).status_code == 200
