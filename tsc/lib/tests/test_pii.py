"""tsc.lib.pii: field encryption, key rotation, blind index, masking. No database needed."""

import base64
import re
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models.lookups import IsNull
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tsc.lib import pii

KEY_A = bytes(range(32))
KEY_B = b"\xfb\xff" * 16  # encodes with '+' and '/' (standard) or '-' and '_' (urlsafe)
INDEX_KEY = bytes(range(100, 132))
SSN = "123-45-6789"


def b64(key: bytes, *, urlsafe: bool = True) -> str:
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(key).decode()


@pytest.fixture(autouse=True)
def keys(settings, tmp_path):
    settings.TSC_PII_KEYS = f"k1:{b64(KEY_A)}"
    settings.TSC_PII_INDEX_KEY = b64(INDEX_KEY)
    settings.VAR_DIR = tmp_path / "var"  # any unexpected dev-key fallback stays inside tmp_path
    pii.reset_key_cache()
    yield settings
    pii.reset_key_cache()


def flip_byte(token: str, position: int) -> str:
    kid, body = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    return f"{kid}:{base64.urlsafe_b64encode(bytes(raw)).decode().rstrip('=')}"


# --- encryption -------------------------------------------------------------------------------------


@hsettings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=200)
@given(st.text())
def test_round_trip(text):
    token = pii.encrypt(text)
    assert re.fullmatch(r"k1:[A-Za-z0-9_-]+", token)
    assert pii.decrypt(token) == text


def test_same_value_encrypts_differently_each_time():
    first, second = pii.encrypt(SSN), pii.encrypt(SSN)
    assert first != second
    assert pii.decrypt(first) == pii.decrypt(second) == SSN


def test_token_does_not_contain_plaintext():
    assert SSN not in pii.encrypt(SSN)
    assert "123456789" not in pii.encrypt("123456789")


@pytest.mark.parametrize("position", [0, 11, 12, -1])  # nonce, first ciphertext byte, tag
def test_tampered_token_is_rejected_without_leaking(position):
    token = pii.encrypt(SSN)
    tampered = flip_byte(token, position)
    with pytest.raises(pii.PIIDecryptionError) as excinfo:
        pii.decrypt(tampered)
    message = str(excinfo.value)
    assert SSN not in message
    assert tampered not in message
    assert tampered.split(":")[1] not in message
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.parametrize("bad", ["", "k1", "k1:", "k1:!!!!", "k1:AAAA", "k1:" + "A" * 41, "no-colon-at-all"])
def test_malformed_tokens_raise_decryption_error(bad):
    with pytest.raises(pii.PIIDecryptionError):
        pii.decrypt(bad)


def test_unknown_kid_fails(keys):
    token = pii.encrypt(SSN)
    with pytest.raises(pii.PIIDecryptionError) as excinfo:
        pii.decrypt("k9:" + token.split(":")[1])
    assert SSN not in str(excinfo.value)
    keys.TSC_PII_KEYS = f"k2:{b64(KEY_B)}"  # k1 retired entirely
    with pytest.raises(pii.PIIDecryptionError):
        pii.decrypt(token)


def test_kid_is_authenticated(keys):
    # Same key bytes under two ids: only the associated data (the kid) stops a relabelled token.
    keys.TSC_PII_KEYS = f"k2:{b64(KEY_A)},k1:{b64(KEY_A)}"
    token = pii.encrypt(SSN)
    assert token.startswith("k2:")
    with pytest.raises(pii.PIIDecryptionError):
        pii.decrypt("k1:" + token.split(":")[1])


def test_key_rotation(keys):
    old_token = pii.encrypt(SSN)
    assert old_token.startswith("k1:")
    # No explicit reset_key_cache(): the setting_changed hook must pick the new keys up.
    keys.TSC_PII_KEYS = f"k2:{b64(KEY_B)},k1:{b64(KEY_A)}"
    new_token = pii.encrypt(SSN)
    assert new_token.startswith("k2:")
    assert pii.decrypt(old_token) == SSN
    assert pii.decrypt(new_token) == SSN


def test_standard_and_urlsafe_base64_keys_are_the_same_key(keys):
    keys.TSC_PII_KEYS = f"k1:{b64(KEY_B, urlsafe=True)}"
    token = pii.encrypt(SSN)
    keys.TSC_PII_KEYS = f"k1:{b64(KEY_B, urlsafe=False).rstrip('=')}"
    assert pii.decrypt(token) == SSN


@pytest.mark.parametrize("value", [f"k1:{base64.b64encode(bytes(16)).decode()}", "k1", "k-1:" + "A" * 44, "k1:***"])
def test_malformed_key_setting_is_improperly_configured(keys, value):
    keys.TSC_PII_KEYS = value
    with pytest.raises(ImproperlyConfigured) as excinfo:
        pii.encrypt(SSN)
    assert base64.b64encode(bytes(16)).decode() not in str(excinfo.value)


def test_missing_keys_in_production_is_improperly_configured(keys, tmp_path):
    keys.DEBUG = False
    keys.TESTING = False
    keys.TSC_PII_KEYS = ""
    with pytest.raises(ImproperlyConfigured):
        pii.encrypt(SSN)
    keys.TSC_PII_KEYS = f"k1:{b64(KEY_A)}"
    keys.TSC_PII_INDEX_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        pii.blind_index(SSN, purpose="ssn")
    assert not (tmp_path / "var").exists()  # no dev key file outside DEBUG/testing


def test_dev_key_file_is_created_private_and_reused(keys, tmp_path):
    keys.DEBUG = True
    keys.TESTING = False
    keys.TSC_PII_KEYS = ""
    keys.TSC_PII_INDEX_KEY = ""
    token = pii.encrypt(SSN)
    index = pii.blind_index(SSN, purpose="ssn")
    key_file = tmp_path / "var" / "dev-pii-keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [p.name for p in key_file.parent.iterdir()] == ["dev-pii-keys.json"]  # no temp files left
    content = key_file.read_text()

    pii.reset_key_cache()  # as a fresh process would
    assert pii.decrypt(token) == SSN
    assert pii.blind_index(SSN, purpose="ssn") == index
    assert key_file.read_text() == content
    # Configured keys win over the dev file.
    keys.TSC_PII_KEYS = f"k1:{b64(KEY_A)}"
    keys.TSC_PII_INDEX_KEY = b64(INDEX_KEY)
    assert pii.blind_index(SSN, purpose="ssn") != index


# --- blind index ------------------------------------------------------------------------------------


def test_blind_index_is_deterministic_hex():
    index = pii.blind_index("123456789", purpose="ssn")
    assert index == pii.blind_index("123456789", purpose="ssn")
    assert re.fullmatch(r"[0-9a-f]{64}", index)


def test_blind_index_ignores_hyphens_and_spaces():
    expected = pii.blind_index("123456789", purpose="ssn")
    assert pii.blind_index("123-45-6789", purpose="ssn") == expected
    assert pii.blind_index(" 123 45 6789 ", purpose="ssn") == expected
    assert pii.blind_index("123456780", purpose="ssn") != expected


def test_blind_index_differs_by_purpose_and_key(keys):
    ssn_index = pii.blind_index("123456789", purpose="ssn")
    assert pii.blind_index("123456789", purpose="tin") != ssn_index
    assert pii.blind_index("123456789", purpose="bank_account") != ssn_index
    keys.TSC_PII_INDEX_KEY = b64(KEY_B)
    assert pii.blind_index("123456789", purpose="ssn") != ssn_index


def test_blind_index_needs_a_purpose():
    with pytest.raises(ValueError, match="purpose"):
        pii.blind_index("123456789", purpose="")


# --- display helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [("123-45-6789", "6789"), ("123456789", "6789"), ("ab12", "12"), ("", "")]
)
def test_last4(value, expected):
    assert pii.last4(value) == expected


def test_mask():
    assert pii.mask("123456789") == "•••••6789"
    assert pii.mask("123456789", keep=2, char="*") == "*******89"
    assert pii.mask("123456789", keep=0) == "•" * 9
    assert pii.mask("1234") == "••••"  # never reveal a whole short value
    assert pii.mask("") == ""


def test_mask_ssn():
    assert pii.mask_ssn("123-45-6789") == "***-**-6789"
    assert pii.mask_ssn("123456789") == "***-**-6789"
    assert pii.mask_ssn("") == ""


# --- model field ------------------------------------------------------------------------------------


def test_field_round_trip_through_prep_and_db_values():
    field = pii.EncryptedTextField()
    stored = field.get_prep_value(SSN)
    assert stored.startswith("k1:")
    assert SSN not in stored
    assert pii.decrypt(stored) == SSN
    assert field.from_db_value(stored, None, None) == SSN
    assert field.to_python(SSN) == SSN


def test_field_keeps_none_and_empty_string():
    field = pii.EncryptedTextField(null=True, blank=True)
    assert field.get_prep_value(None) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value(None, None, None) is None
    assert field.from_db_value("", None, None) == ""


def test_field_from_db_value_rejects_tampering():
    stored = pii.EncryptedTextField().get_prep_value(SSN)
    with pytest.raises(pii.PIIDecryptionError):
        pii.EncryptedTextField().from_db_value(flip_byte(stored, -1), None, None)


@pytest.mark.parametrize("lookup", ["exact", "iexact", "in", "contains", "startswith", "gt"])
def test_field_refuses_lookups_other_than_isnull(lookup):
    with pytest.raises(TypeError, match="blind index"):
        pii.EncryptedTextField().get_lookup(lookup)


def test_field_allows_isnull():
    assert pii.EncryptedTextField().get_lookup("isnull") is IsNull


def test_field_deconstructs_for_migrations():
    _name, path, args, kwargs = pii.EncryptedTextField(blank=True).deconstruct()
    assert path == "tsc.lib.pii.EncryptedTextField"
    assert args == []
    assert kwargs == {"blank": True}
    assert isinstance(pii.EncryptedTextField(*args, **kwargs), pii.EncryptedTextField)


def test_encrypt_many_gives_tokens_decrypt_reads():
    values = ["123456789", "987654321", "123456789", ""]
    tokens = pii.encrypt_many(values)
    assert [pii.decrypt(t) for t in tokens] == values
    assert len(set(tokens)) == len(tokens)  # a fresh nonce each, even for the same value
    nonces = {pii._unb64(t.partition(":")[2])[:12] for t in tokens}
    assert len(nonces) == len(tokens)
    assert all(t.startswith(pii._keys().current_kid + ":") and "123456789" not in t for t in tokens)
    assert pii.encrypt_many([]) == []


@pytest.mark.parametrize("size", [1, 2, 3, 9, 10, 11])  # every length modulo 3 of nonce + ciphertext
def test_encrypt_many_of_values_as_long_is_encrypt_of_each(size, monkeypatch):
    """Values of one length are encoded in one go: each token is still exactly what encrypt()
    makes of the value with that nonce (checked against AES-GCM and base64 directly)."""
    import base64
    import os

    values = [str(n % 10) * size for n in range(7)]
    drawn = os.urandom(12 * len(values))
    monkeypatch.setattr(pii.os, "urandom", lambda n: drawn[:n])
    tokens = pii.encrypt_many(values)
    keys = pii._keys()
    cipher, kid = keys.ciphers[keys.current_kid], keys.current_kid
    for i, (value, token) in enumerate(zip(values, tokens, strict=True)):
        nonce = drawn[12 * i : 12 * i + 12]
        sealed = cipher.encrypt(nonce, value.encode(), kid.encode())
        assert token == f"{kid}:" + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
        assert pii.decrypt(token) == value
