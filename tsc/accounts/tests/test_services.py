import pytest
from django.db import IntegrityError, transaction

from tsc.accounts import services
from tsc.accounts.models import EnrollmentCode, Login, LoginStatus
from tsc.accounts.services import Contact, IdentityQuestions, ServiceError, SignInOutcome, sign_in_check
from tsc.audit.models import AuditEvent

CONTACT = Contact(
    name="Mary Mystic",
    title="Owner",
    phone="860-555-0199",
    email="mary@example.com",
    street="1 Dock St",
    city="Mystic",
    state="CT",
    zip_code="06355",
)
QUESTIONS = IdentityQuestions(question1="first_pet", answer1="Spot", question2="first_car", answer2="Ford Falcon")


def reload(login):
    return Login.objects.get(pk=login.pk)


class TestSignIn:
    def test_right_password_signs_in_and_resets_failures(self, demo):
        Login.objects.filter(pk=demo.filer.pk).update(failed_logins=2)
        result = sign_in_check(business=demo.nutmeg, user_id="filer", password="Demo#2024")
        assert result.outcome == SignInOutcome.OK
        assert reload(demo.filer).failed_logins == 0
        assert reload(demo.filer).last_login is not None

    def test_user_id_is_matched_without_regard_to_case(self, demo):
        assert sign_in_check(business=demo.nutmeg, user_id="FILER", password="Demo#2024").outcome == SignInOutcome.OK

    def test_user_ids_belong_to_one_business(self, demo):
        result = sign_in_check(business=demo.bakery, user_id="filer", password="Demo#2024")
        assert result.outcome == SignInOutcome.BAD_CREDENTIALS

    def test_three_consecutive_failures_lock_the_login(self, demo):
        outcomes = [sign_in_check(business=demo.nutmeg, user_id="filer", password="wrong#1").outcome for _ in range(3)]
        # The third answers like the others: "locked" would tell a stranger the User ID exists.
        assert outcomes == [SignInOutcome.BAD_CREDENTIALS] * 3
        assert reload(demo.filer).status == LoginStatus.LOCKED
        # Locked: the right password is refused too.
        assert (
            sign_in_check(business=demo.nutmeg, user_id="filer", password="Demo#2024").outcome == SignInOutcome.LOCKED
        )
        events = list(AuditEvent.objects.filter(target_id=str(demo.filer.pk)).values_list("event", flat=True))
        assert events.count("login.failed") == 3 and "login.locked" in events

    def test_a_success_between_failures_restarts_the_count(self, demo):
        for password in ["bad#1", "bad#2", "Demo#2024", "bad#3", "bad#4"]:
            sign_in_check(business=demo.nutmeg, user_id="filer", password=password)
        assert reload(demo.filer).status == LoginStatus.ACTIVE

    def test_the_count_is_kept_in_the_database_not_in_the_process(self, demo):
        # Two separate checks with stale in-memory objects still add up (atomic F() update).
        stale = Login.objects.get(pk=demo.filer.pk)
        services.login_record_failure(login=stale)
        services.login_record_failure(login=Login.objects.get(pk=demo.filer.pk))
        services.login_record_failure(login=stale)
        assert reload(demo.filer).status == LoginStatus.LOCKED

    def test_the_demo_locked_login_cannot_sign_in(self, demo):
        assert (
            sign_in_check(business=demo.nutmeg, user_id="locked1", password="Demo#2024").outcome == SignInOutcome.LOCKED
        )

    def test_disabled_logins_are_refused(self, demo):
        services.login_status_set(login=demo.payer, status=LoginStatus.DISABLED)
        assert (
            sign_in_check(business=demo.nutmeg, user_id="payer", password="Demo#2024").outcome == SignInOutcome.DISABLED
        )

    def test_unknown_user_ids_are_plain_bad_credentials(self, demo):
        assert (
            sign_in_check(business=demo.nutmeg, user_id="ghost", password="x").outcome == SignInOutcome.BAD_CREDENTIALS
        )


class TestForgotPassword:
    def test_both_answers_right_sets_the_new_password(self, demo):
        result = services.password_reset_with_answers(
            login=demo.payer, answer1=" hartford", answer2="REX", new_password="Fresh#123"
        )
        assert result.outcome == SignInOutcome.OK
        assert reload(demo.payer).check_password("Fresh#123")
        assert AuditEvent.objects.filter(event="login.password_reset", target_id=str(demo.payer.pk)).exists()

    def test_one_wrong_answer_fails_and_counts(self, demo):
        result = services.password_reset_with_answers(
            login=demo.payer, answer1="Hartford", answer2="Fido", new_password="Fresh#123"
        )
        assert result.outcome == SignInOutcome.BAD_CREDENTIALS
        payer = reload(demo.payer)
        assert payer.check_password("Demo#2024") and payer.failed_logins == 1

    def test_wrong_answers_lock_like_wrong_passwords(self, demo):
        sign_in_check(business=demo.nutmeg, user_id="payer", password="nope#1")
        for _ in range(2):
            result = services.password_reset_with_answers(
                login=demo.payer, answer1="x", answer2="y", new_password="Fresh#123"
            )
        assert result.outcome == SignInOutcome.BAD_CREDENTIALS
        assert reload(demo.payer).status == LoginStatus.LOCKED
        # Even right answers do not open a locked login; only they learn that it is locked.
        result = services.password_reset_with_answers(
            login=demo.payer, answer1="Hartford", answer2="Rex", new_password="Fresh#123"
        )
        assert result.outcome == SignInOutcome.LOCKED

    def test_the_new_password_must_follow_the_rule(self, demo):
        with pytest.raises(ServiceError) as info:
            services.password_reset_with_answers(
                login=demo.payer, answer1="Hartford", answer2="Rex", new_password="short"
            )
        assert info.value.field == "password1"
        assert reload(demo.payer).check_password("Demo#2024")


class TestEnrollment:
    def create(self, demo, **overrides):
        kwargs = dict(
            business=demo.mystic,
            enrollment_code="myst 2024",
            user_id="mary",
            password="Anchor#77",
            contact=CONTACT,
            questions=QUESTIONS,
        )
        return services.profile_create_with_enrollment(**(kwargs | overrides))

    def test_first_profile_becomes_the_administrator(self, demo):
        login = self.create(demo)
        assert login.is_administrator and login.business == demo.mystic
        assert login.check_password("Anchor#77")
        assert EnrollmentCode.objects.get(business=demo.mystic).used_at is not None
        assert not login.telephone_password_hash

    def test_the_code_works_once(self, demo):
        self.create(demo)
        with pytest.raises(ServiceError) as info:
            self.create(demo, user_id="other")
        assert info.value.field == "enrollment_code"

    def test_a_wrong_code_is_refused_and_counted(self, demo):
        with pytest.raises(ServiceError):
            self.create(demo, enrollment_code="AAAA-BBBB")
        assert EnrollmentCode.objects.get(business=demo.mystic).failed_attempts == 1
        assert not Login.objects.filter(business=demo.mystic).exists()

    def test_guessing_is_capped(self, demo):
        for _ in range(EnrollmentCode.MAX_ATTEMPTS):
            with pytest.raises(ServiceError):
                self.create(demo, enrollment_code="AAAA-BBBB")
        with pytest.raises(ServiceError):
            self.create(demo)  # the right code no longer works: DRS must reissue

    def test_reissuing_voids_the_old_code(self, demo):
        new_code = services.enrollment_code_issue(business=demo.mystic)
        with pytest.raises(ServiceError):
            self.create(demo)
        assert self.create(demo, enrollment_code=new_code).is_administrator

    def test_only_a_hash_of_the_code_is_kept(self, demo):
        code = services.enrollment_code_issue(business=demo.mystic)
        stored = EnrollmentCode.objects.filter(business=demo.mystic).latest("issued_at").code_hash
        assert code not in stored and code.replace("-", "") not in stored

    def test_a_business_with_an_administrator_cannot_enroll_again(self, demo):
        services.enrollment_code_issue(business=demo.nutmeg, code="NUTM-2024")
        with pytest.raises(ServiceError, match="already has a TSC Administrator"):
            self.create(demo, business=demo.nutmeg, enrollment_code="NUTM-2024")

    def test_the_password_rule_applies(self, demo):
        with pytest.raises(ServiceError) as info:
            self.create(demo, password="password")
        assert info.value.field == "password1"
        assert EnrollmentCode.objects.get(business=demo.mystic).used_at is None

    def test_questions_must_differ(self, demo):
        with pytest.raises(ServiceError):
            self.create(demo, questions=IdentityQuestions("first_pet", "a", "first_pet", "b"))

    def test_telephone_password_is_hashed(self, demo):
        login = self.create(demo, telephone_password="4321")
        assert "4321" not in login.telephone_password_hash
        assert login.check_telephone_password("4321") and not login.check_telephone_password("1234")


class TestOneAdministrator:
    def test_the_database_refuses_a_second_administrator(self, demo):
        with pytest.raises(IntegrityError), transaction.atomic():
            Login.objects.filter(pk=demo.filer.pk).update(is_administrator=True)

    def test_user_ids_are_unique_in_a_business_whatever_the_case(self, demo):
        with pytest.raises(IntegrityError), transaction.atomic():
            Login.objects.create(business=demo.nutmeg, user_id="FILER")
        Login.objects.create(business=demo.bakery, user_id="filer")  # another business may use it


class TestOwnProfile:
    def test_password_change_needs_the_current_password(self, demo):
        with pytest.raises(ServiceError) as info:
            services.password_change(login=demo.filer, current_password="nope", new_password="Better#1")
        assert info.value.field == "current_password"
        services.password_change(login=demo.filer, current_password="Demo#2024", new_password="Better#1")
        assert reload(demo.filer).check_password("Better#1")

    def test_contact_update_records_which_fields_changed_but_not_their_values(self, demo):
        contact = Contact(
            **{f: getattr(demo.filer, f) for f in Contact.__dataclass_fields__} | {"phone": "203-555-0111"}
        )
        services.contact_update(login=demo.filer, contact=contact)
        assert reload(demo.filer).phone == "203-555-0111"
        event = AuditEvent.objects.filter(event="login.contact_updated").latest("at")
        assert event.data == {"fields": ["phone"]}
        assert "203-555-0111" not in str(event.data)

    def test_identity_questions_change(self, demo):
        services.identity_questions_update(login=demo.filer, current_password="Demo#2024", questions=QUESTIONS)
        result = services.password_reset_with_answers(
            login=demo.filer, answer1="spot", answer2="fordfalcon", new_password="Again#12"
        )
        assert result.outcome == SignInOutcome.OK

    def test_telephone_password_set_and_removed(self, demo):
        services.telephone_password_update(login=demo.filer, current_password="Demo#2024", telephone_password="98765")
        assert reload(demo.filer).check_telephone_password("98765")
        with pytest.raises(ServiceError):
            services.telephone_password_update(login=demo.filer, current_password="Demo#2024", telephone_password="12")
        services.telephone_password_update(login=demo.filer, current_password="Demo#2024", telephone_password="")
        assert not reload(demo.filer).telephone_password_hash

    def test_first_sign_in_replaces_a_temporary_password(self, demo):
        temp = services.login_create(business=demo.nutmeg, user_id="newbie", password="temp123")
        assert temp.must_change_password
        with pytest.raises(ServiceError):
            services.first_sign_in_complete(login=temp, password="temp123", questions=QUESTIONS, contact=CONTACT)
        services.first_sign_in_complete(login=temp, password="Mine#456", questions=QUESTIONS, contact=CONTACT)
        temp = reload(temp)
        assert not temp.must_change_password and temp.check_password("Mine#456") and temp.name == "Mary Mystic"


def test_no_audit_row_holds_a_secret(demo):
    services.password_change(login=demo.filer, current_password="Demo#2024", new_password="Better#1")
    sign_in_check(business=demo.nutmeg, user_id="filer", password="Wrong#99")
    blob = " ".join(str(e.data) for e in AuditEvent.objects.all())
    for secret in ("Demo#2024", "Better#1", "Wrong#99", "Hartford", "Rex"):
        assert secret not in blob


class CountingHasher:
    """Counts every hash computed or checked (the costly part), whatever the hasher."""

    calls = 0


def test_forgot_password_costs_the_same_for_an_unknown_user_id(demo, settings):
    from django.contrib.auth.hashers import MD5PasswordHasher

    class Counting(MD5PasswordHasher):
        algorithm = "md5"

        def verify(self, password, encoded):
            CountingHasher.calls += 1
            return super().verify(password, encoded)

        def encode(self, password, salt):
            CountingHasher.calls += 1
            return super().encode(password, salt)

    import sys

    module = sys.modules[__name__]
    module.Counting = Counting
    settings.PASSWORD_HASHERS = [f"{__name__}.Counting"]
    from tsc.accounts import passwords

    passwords.decoy_hash()  # made once per process, like the real page after its first use

    def cost(login):
        CountingHasher.calls = 0
        services.password_reset_with_answers(login=login, answer1="x", answer2="y", new_password="Fresh#123")
        return CountingHasher.calls

    no_questions = Login.objects.create(business=demo.nutmeg, user_id="fresh1")
    costs = [cost(demo.payer), cost(None), cost(no_questions)]
    assert costs[0] > 0 and len(set(costs)) == 1, costs
