import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tsc.accounts import passwords


@pytest.mark.parametrize("good", ["abc123", "Abc#def", "12345#", "Tr0ub4dor!", "aB3$aB3$aB"])
def test_the_seed_password_rule_accepts(good):
    passwords.TscPasswordValidator().validate(good)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("ab1", "password_length"),  # too short
        ("abcde", "password_length"),  # 5
        ("abcdefghij1", "password_length"),  # 11
        ("abcdefgh", "password_kinds"),  # letters only
        ("12345678", "password_kinds"),  # numbers only
        ("#$%^&*", "password_kinds"),  # special only
        ("abc 123", "password_space"),
    ],
)
def test_the_seed_password_rule_refuses(bad, code):
    with pytest.raises(ValidationError) as info:
        passwords.TscPasswordValidator().validate(bad)
    assert info.value.code == code


def test_common_passwords_are_refused_even_when_they_fit_the_rule():
    with pytest.raises(ValidationError):
        validate_password("abc123")  # fits 6-10 letters+numbers, but is on the common list


def test_passwords_are_case_sensitive(db):
    from tsc.accounts.models import Login

    login = Login(user_id="x")
    login.set_password("Secret#1")
    assert login.check_password("Secret#1")
    assert not login.check_password("secret#1")


@pytest.mark.parametrize("good", ["abc123", "A1b2C3d4e5"])
def test_temporary_passwords_need_letters_and_numbers(good):
    passwords.validate_temporary_password(good)


@pytest.mark.parametrize("bad", ["abcdef", "123456", "abc#$%", "a1", "abcdefghij1"])
def test_temporary_passwords_refused(bad):
    with pytest.raises(ValidationError):
        passwords.validate_temporary_password(bad)


def test_generated_temporary_passwords_follow_the_rule():
    seen = set()
    for _ in range(200):
        pw = passwords.generate_temporary_password()
        passwords.validate_temporary_password(pw)
        passwords.TscPasswordValidator().validate(pw)
        assert not set(pw) & set("0O1lI")
        seen.add(pw)
    assert len(seen) == 200


def test_identity_answers_ignore_case_and_spaces():
    encoded = passwords.hash_answer("New Haven")
    assert passwords.check_answer("  new   haven ", encoded)
    assert passwords.check_answer("NEWHAVEN", encoded)
    assert not passwords.check_answer("New Britain", encoded)
    assert not passwords.check_answer("anything", "")
    assert "haven" not in encoded.lower()


@pytest.mark.parametrize(
    ("value", "ok"), [("1234", True), ("12345678", True), ("123", False), ("123456789", False), ("12a4", False)]
)
def test_telephone_password_is_4_to_8_digits(value, ok):
    if ok:
        passwords.validate_telephone_password(value)
    else:
        with pytest.raises(ValidationError):
            passwords.validate_telephone_password(value)


def test_enrollment_codes_normalise_what_people_type():
    code = passwords.generate_enrollment_code()
    assert len(code) == 9 and code[4] == "-"
    assert passwords.normalize_enrollment_code(code.lower().replace("-", " ")) == code


def test_passwords_are_argon2id_at_owasp_parameters_and_old_hashes_upgrade_at_sign_in(demo, settings):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from tsc.accounts.services import sign_in_check

    settings.PASSWORD_HASHERS = ["tsc.accounts.passwords.TscArgon2PasswordHasher"]
    login = demo.viewer
    login.password = Argon2PasswordHasher().encode("Demo#2024", Argon2PasswordHasher().salt())  # Django's defaults
    login.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in login.password
    sign_in_check(business=demo.nutmeg, user_id="viewer", password="Demo#2024")
    login.refresh_from_db()
    assert login.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
