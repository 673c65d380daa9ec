import re

import pytest
from django.urls import reverse

from tsc.accounts.models import Login, LoginStatus
from tsc.audit.models import AuditEvent
from tsc.site.views import UNKNOWN_NUMBER


def without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def at_sign_in(client, number="1234567-000"):
    client.post("/", {"registration_number": number})
    return client


class TestWelcome:
    def test_it_accepts_the_three_written_forms(self, demo, client):
        for typed in ["1234567-000", "1234567000", " 1234567 000 "]:
            response = client.post("/", {"registration_number": typed})
            assert response.status_code == 302 and response.url == reverse("accounts:sign_in")
        response = client.post("/", {"registration_number": "12345678-000"})
        assert UNKNOWN_NUMBER in response.content.decode()  # well formed (8 digits), not registered

    def test_a_badly_formed_number_gets_a_message_and_keeps_what_was_typed(self, demo, client):
        response = client.post("/", {"registration_number": "12-34"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "7 or 8 digits" in html and 'value="12-34"' in html
        assert 'aria-invalid="true"' in html

    def test_an_unknown_number_says_so_without_mentioning_users(self, demo, client):
        html = client.post("/", {"registration_number": "9999999-000"}).content.decode()
        assert UNKNOWN_NUMBER in html and "user" not in UNKNOWN_NUMBER.lower()

    def test_the_next_page_is_the_same_whether_or_not_the_business_has_users(self, demo, client):
        def page(number):
            return without_csrf(at_sign_in(client, number).get("/sign-in/").content.decode().replace(number, "N"))

        assert page("1234567-000") == page("2222222-000")

    def test_the_number_is_not_put_in_the_url(self, demo, client):
        response = client.post("/", {"registration_number": "1234567-000"})
        assert "1234567" not in response.url


class TestSignIn:
    def test_without_a_registration_number_it_goes_back_to_welcome(self, client, db):
        assert client.get("/sign-in/").url == reverse("site:welcome")

    def test_a_wrong_password_gets_a_generic_message_and_is_not_echoed(self, demo, client):
        response = at_sign_in(client).post("/sign-in/", {"user_id": "filer", "password": "Wrong#123"})
        html = response.content.decode()
        assert "The User ID or password is not correct" in html
        assert "Wrong#123" not in html and 'value="filer"' in html

    def test_an_unknown_user_gets_the_same_message(self, demo, client):
        html = at_sign_in(client).post("/sign-in/", {"user_id": "ghost", "password": "Wrong#123"}).content.decode()
        assert "The User ID or password is not correct" in html

    def test_the_third_failure_locks_and_says_whom_to_contact(self, demo, client):
        at_sign_in(client)
        for _ in range(3):
            response = client.post("/sign-in/", {"user_id": "filer", "password": "Wrong#123"})
        html = response.content.decode()
        assert "The User ID or password is not correct" in html and "a login is locked" in html
        assert "This login is locked" not in html  # a stranger must not learn the ID exists
        response = client.post("/sign-in/", {"user_id": "filer", "password": "Demo#2024"})
        html = response.content.decode()
        assert response.status_code == 200 and "This login is locked" in html and "TSC Administrator" in html
        assert "_auth_user_id" not in client.session

    def test_signing_in_rotates_the_session_key(self, demo, client):
        at_sign_in(client)
        before = client.session.session_key
        client.post("/sign-in/", {"user_id": "filer", "password": "Demo#2024"})
        assert client.session.session_key != before
        assert client.session["_auth_user_id"] == str(demo.filer.pk)

    def test_missing_fields_get_messages(self, demo, client):
        html = at_sign_in(client).post("/sign-in/", {"user_id": "", "password": ""}).content.decode()
        assert html.count("This field is required") == 2


class TestSignOutAndTimeout:
    def test_sign_out_needs_a_post(self, demo, signed_in):
        client = signed_in(demo.filer)
        assert client.get("/sign-out/").status_code == 405
        response = client.post("/sign-out/")
        assert response.url == reverse("accounts:signed_out")
        assert client.get("/menu/").url == reverse("site:welcome")

    def test_idle_sessions_end_with_a_clear_page(self, demo, signed_in, settings):
        import time_machine

        with time_machine.travel("2030-01-01 12:00:00", tick=False) as clock:
            client = signed_in(demo.filer)
            assert client.get("/menu/").status_code == 200
            clock.shift(14 * 60)
            assert client.get("/menu/").status_code == 200  # activity keeps it alive
            clock.shift(settings.TSC_IDLE_TIMEOUT + 1)
            response = client.get("/menu/")
            assert response.url == reverse("accounts:signed_out") + "?reason=timeout"
            page = client.get(response.url).content.decode()
            assert "You were signed out" in page and "15 minutes" in page
            assert client.get("/menu/").url == reverse("site:welcome")

    def test_a_disabled_login_is_signed_out_at_its_next_request(self, demo, signed_in):
        client = signed_in(demo.filer)
        Login.objects.filter(pk=demo.filer.pk).update(status=LoginStatus.DISABLED)
        assert client.get("/menu/").url == reverse("site:welcome")


class TestMainMenu:
    @pytest.mark.parametrize(
        ("who", "shown", "hidden"),
        [
            (
                "filepay",
                ["File Returns", "View Returns and Payment History", "Make Payments"],
                ["Add/Update Users", "Make Changes to the Business Profile"],
            ),
            ("viewer", ["View Returns and Payment History"], ["File Returns", "Make Payments", "Add/Update Users"]),
            ("admin", ["Add/Update Users", "Make Changes to the Business Profile", "File Returns"], []),
            ("noaccess", ["no access rights"], ["File Returns", "Make Payments"]),
        ],
    )
    def test_it_shows_what_the_rights_allow(self, demo, signed_in, who, shown, hidden):
        html = signed_in(getattr(demo, who)).get("/menu/").content.decode()
        for label in shown:
            assert label in html
        for label in hidden:
            assert f">{label}<" not in html

    def test_every_signed_in_page_links_to_update_password_profile(self, demo, signed_in):
        client = signed_in(demo.viewer)
        for url in ["/menu/", "/profile/", "/administrator-contact/", "/history/"]:
            assert 'href="/profile/"' in client.get(url).content.decode()

    def test_administrator_contact_shows_the_administrator(self, demo, signed_in):
        html = signed_in(demo.viewer).get("/administrator-contact/").content.decode()
        assert demo.admin.name in html and demo.admin.phone in html


FEATURES = {
    "/file/": {"filer", "filepay", "admin"},
    "/history/": {"viewer", "payer", "filepay", "admin"},
    "/payments/": {"payer", "filepay", "admin"},
    "/business-profile/": {"admin"},
    "/users/": {"admin"},
}


@pytest.mark.parametrize("url", sorted(FEATURES))
@pytest.mark.parametrize("who", ["admin", "viewer", "filer", "payer", "filepay", "noaccess"])
def test_feature_pages_refuse_the_wrong_right(demo, signed_in, url, who):
    response = signed_in(getattr(demo, who)).get(url)
    assert response.status_code == (200 if who in FEATURES[url] else 403)


class TestProfileViews:
    def test_contact_bad_input_is_shown_next_to_the_field_and_kept(self, demo, signed_in):
        client = signed_in(demo.filer)
        data = {
            "name": "Fran",
            "title": "Clerk",
            "phone": "12",
            "email": "not-an-email",
            "street": "1 Elm",
            "city": "Hartford",
            "state": "Connecticut",
            "zip_code": "6103",
        }
        html = client.post("/profile/contact/", data).content.decode()
        assert "Enter a 10-digit phone number with area code" in html
        # "Connecticut" is not a state code: refused, never cut to "CO" (Colorado).
        assert "Select a valid choice" in html and "Enter a 5-digit ZIP code" in html
        assert '<select name="state"' in html
        assert 'value="not-an-email"' in html
        assert Login.objects.get(pk=demo.filer.pk).phone == demo.filer.phone  # nothing saved

    def test_contact_update_saves(self, demo, signed_in):
        client = signed_in(demo.filer)
        data = {
            "name": "Fran Filer",
            "title": "Clerk",
            "phone": "(203) 555-0123 x12",
            "email": "fran@example.com",
            "street": "1 Elm St",
            "street2": "",
            "city": "New Haven",
            "state": "CT",
            "zip_code": "06510",
        }
        assert client.post("/profile/contact/", data).url == reverse("accounts:profile")
        login = Login.objects.get(pk=demo.filer.pk)
        assert (login.city, login.state, login.user_id) == ("New Haven", "CT", "filer")
        assert login.phone == "203-555-0123 x12"

    def test_password_change_with_a_wrong_current_password(self, demo, signed_in):
        client = signed_in(demo.filer)
        html = client.post(
            "/profile/password/", {"current_password": "nope", "password1": "Better#1", "password2": "Better#1"}
        ).content.decode()
        assert "Your current password is not correct" in html and "Better#1" not in html

    def test_password_change_rule_and_mismatch(self, demo, signed_in):
        client = signed_in(demo.filer)
        html = client.post(
            "/profile/password/", {"current_password": "Demo#2024", "password1": "abcdefgh", "password2": "abcdefgh"}
        ).content.decode()
        assert "at least two of these" in html
        html = client.post(
            "/profile/password/", {"current_password": "Demo#2024", "password1": "Better#1", "password2": "Better#2"}
        ).content.decode()
        assert "do not match" in html

    def test_password_change_keeps_this_session(self, demo, signed_in):
        client = signed_in(demo.filer)
        response = client.post(
            "/profile/password/", {"current_password": "Demo#2024", "password1": "Better#1", "password2": "Better#1"}
        )
        assert response.url == reverse("accounts:profile")
        assert client.get("/menu/").status_code == 200

    def test_the_user_id_is_shown_and_cannot_be_changed(self, demo, signed_in):
        client = signed_in(demo.filer)
        assert "cannot be changed" in client.get("/profile/").content.decode()
        client.post(
            "/profile/contact/",
            {
                "user_id": "hacker",
                "name": "F",
                "title": "T",
                "phone": "860-555-0100",
                "email": "f@example.com",
                "street": "1",
                "city": "H",
                "state": "CT",
                "zip_code": "06103",
            },
        )
        assert Login.objects.get(pk=demo.filer.pk).user_id == "filer"

    def test_identity_questions_must_differ(self, demo, signed_in):
        html = (
            signed_in(demo.filer)
            .post(
                "/profile/identity-questions/",
                {
                    "current_password": "Demo#2024",
                    "question1": "first_pet",
                    "answer1": "a",
                    "question2": "first_pet",
                    "answer2": "b",
                },
            )
            .content.decode()
        )
        assert "Choose two different identity questions" in html

    def test_telephone_password_must_be_digits(self, demo, signed_in):
        html = (
            signed_in(demo.filer)
            .post("/profile/telephone-password/", {"current_password": "Demo#2024", "telephone_password": "12ab"})
            .content.decode()
        )
        assert "4 to 8 digits" in html


class TestForgotPasswordViews:
    def test_the_whole_flow(self, demo, client):
        at_sign_in(client)
        assert client.post("/forgot-password/", {"user_id": "payer"}).url == reverse("accounts:forgot_password_answers")
        html = client.get("/forgot-password/answers/").content.decode()
        assert "In what city were you born?" in html and "What was the name of your first pet?" in html
        response = client.post(
            "/forgot-password/answers/",
            {"answer1": "HARTFORD", "answer2": " rex ", "password1": "Fresh#123", "password2": "Fresh#123"},
        )
        assert response.url == reverse("accounts:sign_in")
        assert client.post("/sign-in/", {"user_id": "payer", "password": "Fresh#123"}).status_code == 302

    def test_an_unknown_user_sees_questions_too_and_always_fails(self, demo, client):
        at_sign_in(client)
        client.post("/forgot-password/", {"user_id": "nobody"})
        first = without_csrf(client.get("/forgot-password/answers/").content.decode())
        assert first.count('class="usa-label') >= 4
        assert (
            without_csrf(client.get("/forgot-password/answers/").content.decode()) == first
        )  # same questions every time
        html = client.post(
            "/forgot-password/answers/",
            {"answer1": "x", "answer2": "y", "password1": "Fresh#123", "password2": "Fresh#123"},
        ).content.decode()
        assert "Your answers do not match our records" in html

    def test_wrong_answers_lock(self, demo, client):
        at_sign_in(client)
        client.post("/forgot-password/", {"user_id": "payer"})
        for _ in range(3):
            response = client.post(
                "/forgot-password/answers/",
                {"answer1": "x", "answer2": "y", "password1": "Fresh#123", "password2": "Fresh#123"},
            )
        assert "Your answers do not match our records" in response.content.decode()
        assert Login.objects.get(pk=demo.payer.pk).status == LoginStatus.LOCKED
        response = client.post(
            "/forgot-password/answers/",
            {"answer1": "Hartford", "answer2": "Rex", "password1": "Fresh#123", "password2": "Fresh#123"},
        )
        assert "This login is locked" in response.content.decode()

    def test_an_unknown_and_a_real_user_id_get_the_same_answer(self, demo, client):
        # Wrong answers and a new password too like the User ID: the same message for both, the
        # answers are checked first, and the attempt counts for the real login.
        pages = []
        for user_id in ("payer", "nobody"):
            at_sign_in(client)
            client.post("/forgot-password/", {"user_id": user_id})
            new = f"{user_id.title()}#12"
            html = client.post(
                "/forgot-password/answers/", {"answer1": "x", "answer2": "y", "password1": new, "password2": new}
            ).content.decode()
            pages.append(html)
            assert "Your answers do not match our records" in html
            assert "too similar" not in html
        assert Login.objects.get(pk=demo.payer.pk).failed_logins == 1

    def test_a_refused_new_password_does_not_stop_wrong_answers_counting(self, demo, client):
        at_sign_in(client)
        client.post("/forgot-password/", {"user_id": "payer"})
        html = client.post(
            "/forgot-password/answers/", {"answer1": "x", "answer2": "y", "password1": "ab", "password2": "ab"}
        ).content.decode()
        assert "Your answers do not match our records" in html
        assert Login.objects.get(pk=demo.payer.pk).failed_logins == 1

    def test_right_answers_then_the_password_rule_against_the_user(self, demo, client):
        at_sign_in(client)
        client.post("/forgot-password/", {"user_id": "payer"})
        html = client.post(
            "/forgot-password/answers/",
            {"answer1": "Hartford", "answer2": "Rex", "password1": "Payer#12", "password2": "Payer#12"},
        ).content.decode()
        assert "too similar" in html and Login.objects.get(pk=demo.payer.pk).failed_logins == 0


class TestFirstTime:
    DATA = {
        "enrollment_code": "MYST-2024",
        "name": "Mary Mystic",
        "title": "Owner",
        "phone": "860-555-0199",
        "email": "mary@example.com",
        "street": "1 Dock St",
        "street2": "",
        "city": "Mystic",
        "state": "CT",
        "zip_code": "06355",
        "user_id": "mary",
        "password1": "Anchor#77",
        "password2": "Anchor#77",
        "question1": "first_pet",
        "answer1": "Spot",
        "question2": "first_car",
        "answer2": "Ford",
        "telephone_password": "",
    }

    def test_it_creates_the_administrator_and_signs_in(self, demo, client):
        at_sign_in(client, "2222222-000")
        response = client.post("/first-time/", self.DATA)
        assert response.url == reverse("accounts:menu")
        html = client.get("/menu/").content.decode()
        assert "Add/Update Users" in html and "TSC Administrator" in html

    def test_all_fields_but_the_telephone_password_are_required(self, demo, client):
        at_sign_in(client, "2222222-000")
        html = client.post("/first-time/", {"enrollment_code": "MYST-2024"}).content.decode()
        assert html.count("This field is required") == 15
        assert 'value="MYST-2024"' in html

    def test_a_wrong_code_is_shown_next_to_the_field(self, demo, client):
        at_sign_in(client, "2222222-000")
        html = client.post("/first-time/", self.DATA | {"enrollment_code": "ZZZZ-9999"}).content.decode()
        assert "enrollment code is not correct" in html and 'value="mary"' in html
        assert "Anchor#77" not in html
        assert not Login.objects.filter(business=demo.mystic).exists()


class TestFirstSignInWithTemporaryPassword:
    def test_it_forces_a_new_password_before_anything_else(self, demo, client):
        from tsc.accounts.services import login_create

        login_create(business=demo.nutmeg, user_id="temp", password="temp123", rights={demo.sales: "file"})
        at_sign_in(client).post("/sign-in/", {"user_id": "temp", "password": "temp123"})
        assert client.get("/menu/").url == reverse("accounts:first_sign_in")
        assert client.get("/file/").url == reverse("accounts:first_sign_in")
        data = TestFirstTime.DATA | {"password1": "Mine#4567", "password2": "Mine#4567"}
        assert client.post("/first-sign-in/", data).url == reverse("accounts:menu")
        assert "File Returns" in client.get("/menu/").content.decode()


def test_the_first_time_profile_is_grouped_under_the_seed_headings(demo, client):
    from tsc.accounts.forms import FirstSignInForm, ProfileCreateForm

    for form in (ProfileCreateForm(), FirstSignInForm(login=demo.filer)):
        placed = [field.name for _, _, fields in form.sections() for field in fields]
        assert sorted(placed) == sorted(form.fields), type(form).__name__  # every field, once
    headings = [heading for heading, _, _ in ProfileCreateForm().sections()]
    assert headings == ["Enrollment", "Contact Information", "User Profile", "Identity questions", "Telephone Password"]
    at_sign_in(client, "2222222-000")
    html = client.get("/first-time/").content.decode()
    legends = re.findall(r'<legend class="usa-legend usa-legend--large">([^<]+)</legend>', html)
    assert legends == headings
    assert "you do not have to complete the Telephone Password section" in html


class TestCurrentPasswordGuesses:
    PAGES = [
        ("/profile/password/", {"password1": "Fresh#123", "password2": "Fresh#123"}),
        ("/profile/telephone-password/", {"telephone_password": "98765"}),
        (
            "/profile/identity-questions/",
            {"question1": "first_pet", "answer1": "Spot", "question2": "first_car", "answer2": "Ford"},
        ),
    ]

    def test_wrong_current_passwords_count_towards_the_lockout_and_sign_out(self, demo, signed_in):
        client = signed_in(demo.filer)
        for n, (url, data) in enumerate(self.PAGES):
            response = client.post(url, data | {"current_password": f"Guess#{n}"})
            if n < 2:
                assert "Your current password is not correct" in response.content.decode()
                assert Login.objects.get(pk=demo.filer.pk).failed_logins == n + 1
        assert response.status_code == 302 and response.url == "/signed-out/?reason=locked"
        assert Login.objects.get(pk=demo.filer.pk).status == LoginStatus.LOCKED
        assert "_auth_user_id" not in client.session
        assert "your login is now locked" in client.get(response.url).content.decode()
        assert AuditEvent.objects.filter(event="login.failed", data__reason="current_password").count() == 3

    def test_the_right_current_password_changes_nothing_in_the_count(self, demo, signed_in):
        client = signed_in(demo.filer)
        client.post("/profile/telephone-password/", {"current_password": "Guess#1", "telephone_password": "98765"})
        client.post("/profile/telephone-password/", {"current_password": "Demo#2024", "telephone_password": "98765"})
        assert Login.objects.get(pk=demo.filer.pk).check_telephone_password("98765")


class TestThrottling:
    """Per client address and per login (tsc/lib/throttle.py; 10 failures an hour each)."""

    def users(self, demo, n):
        return [Login.objects.create(business=demo.nutmeg, user_id=f"clerk{i}") for i in range(n)]

    def test_one_address_cannot_lock_out_many_logins(self, demo, client):
        at_sign_in(client)
        victims = self.users(demo, 6)
        for victim in victims:
            for _ in range(3):
                response = client.post("/sign-in/", {"user_id": victim.user_id, "password": "Guess#1"})
        assert response.status_code == 429 and "Too many attempts" in response.content.decode()
        locked = Login.objects.filter(pk__in=[v.pk for v in victims], status=LoginStatus.LOCKED).count()
        assert locked == 3  # 10 failures: three logins, then nothing more is even checked
        # Refused attempts are not checked, so the right password does not get in either.
        response = client.post("/sign-in/", {"user_id": "filer", "password": "Demo#2024"})
        assert response.status_code == 429 and "_auth_user_id" not in client.session
        # Another address is not affected.
        response = client.post("/sign-in/", {"user_id": "filer", "password": "Demo#2024"}, REMOTE_ADDR="10.9.9.9")
        assert response.status_code == 302

    def test_one_user_id_cannot_be_guessed_from_many_addresses(self, demo, client):
        at_sign_in(client)
        for n in range(10):
            client.post("/sign-in/", {"user_id": "ghost", "password": "Guess#1"}, REMOTE_ADDR=f"10.0.0.{n}")
        response = client.post("/sign-in/", {"user_id": "ghost", "password": "Guess#1"}, REMOTE_ADDR="10.0.1.1")
        assert response.status_code == 429

    def test_forgot_password_answers_are_throttled_per_address(self, demo, client):
        for n in range(10):
            at_sign_in(client)
            client.post("/forgot-password/", {"user_id": f"nobody{n}"})
            client.post("/forgot-password/answers/", {"answer1": "x", "answer2": "y", "password1": "", "password2": ""})
        at_sign_in(client)
        client.post("/forgot-password/", {"user_id": "payer"})
        response = client.post(
            "/forgot-password/answers/",
            {"answer1": "Hartford", "answer2": "Rex", "password1": "Fresh#123", "password2": "Fresh#123"},
        )
        assert response.status_code == 429
        assert Login.objects.get(pk=demo.payer.pk).check_password("Demo#2024")

    def test_enrollment_codes_are_throttled_per_address(self, demo, client):
        for _ in range(10):
            client.post("/", {"registration_number": "2222222-000"})
            client.post("/first-time/", TestFirstTime.DATA | {"enrollment_code": "WRONG-0000"})
        client.post("/", {"registration_number": "2222222-000"})
        response = client.post("/first-time/", TestFirstTime.DATA)
        assert response.status_code == 429 and not Login.objects.filter(business=demo.mystic).exists()
