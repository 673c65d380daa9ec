"""Personal data at rest: SSNs, bank account numbers and payee TINs (see docs/adr/0002).

Values are encrypted per field with AES-256-GCM under a key named by a short key id (kid), so keys
can be rotated: the first key in TSC_PII_KEYS encrypts, every listed key decrypts. Equality lookups
go through a keyed HMAC "blind index" column instead, because ciphertexts are randomised.
"""

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

_KID_RE = re.compile(r"^[A-Za-z0-9]{1,16}$")
_NONCE_BYTES = 12  # the size AES-GCM is designed for; random nonces are safe at our volumes
_KEY_BYTES = 32
_DEV_KEY_FILE = "dev-pii-keys.json"


class PIIDecryptionError(ValueError):
    """A token could not be decrypted. The message never carries the token or the plaintext."""


class _Keys(NamedTuple):
    current_kid: str
    ciphers: dict[str, AESGCM]
    index_key: bytes


def _decode_key(text: str, what: str) -> bytes:
    # Accept urlsafe and standard base64, with or without padding. Errors name the setting, never the key.
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise ImproperlyConfigured(f"{what} is not valid base64.") from None
    if len(key) != _KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must decode to {_KEY_BYTES} bytes.")
    return key


def _new_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(_KEY_BYTES)).decode()


def _dev_keys(var_dir: Path) -> dict[str, str]:
    """Random keys kept in VAR_DIR so `make run` works unconfigured and data survives restarts."""
    path = var_dir / _DEV_KEY_FILE
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        # mkstemp creates the file 0600; hard-linking it into place is atomic and refuses to overwrite,
        # so two processes starting together agree on one set of keys and never read a half-written file.
        fd, tmp = tempfile.mkstemp(dir=var_dir, prefix=".dev-pii-keys.")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump({"keys": f"dev1:{_new_key()}", "index_key": _new_key()}, f)
            with contextlib.suppress(FileExistsError):  # another process won the race: use its keys
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    try:
        data = json.loads(path.read_text())
        return {"keys": str(data["keys"]), "index_key": str(data["index_key"])}
    except (ValueError, KeyError, TypeError):
        raise ImproperlyConfigured(f"{path} is not a valid development key file; delete it.") from None


@functools.lru_cache(maxsize=1)
def _keys() -> _Keys:
    keys_text: str = getattr(settings, "TSC_PII_KEYS", "") or ""
    index_text: str = getattr(settings, "TSC_PII_INDEX_KEY", "") or ""
    if not (keys_text and index_text):
        # Never fall back to SECRET_KEY: rotating it (a routine response to a leak) would make every
        # stored SSN unreadable, and one leaked secret should not expose both sessions and PII.
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise ImproperlyConfigured("TSC_PII_KEYS and TSC_PII_INDEX_KEY must be set when DEBUG is off.")
        dev = _dev_keys(Path(settings.VAR_DIR))
        keys_text = keys_text or dev["keys"]
        index_text = index_text or dev["index_key"]

    ciphers: dict[str, AESGCM] = {}
    for entry in keys_text.split(","):
        kid, sep, key = entry.strip().partition(":")
        if not sep or not _KID_RE.match(kid):
            raise ImproperlyConfigured("TSC_PII_KEYS entries must look like 'kid:base64key' (kid alphanumeric).")
        if kid in ciphers:
            raise ImproperlyConfigured(f"TSC_PII_KEYS lists key id {kid!r} twice.")
        ciphers[kid] = AESGCM(_decode_key(key, f"TSC_PII_KEYS key {kid!r}"))
    current_kid = next(iter(ciphers))
    return _Keys(current_kid, ciphers, _decode_key(index_text, "TSC_PII_INDEX_KEY"))


def reset_key_cache() -> None:
    """Forget parsed keys so changed settings take effect (tests, override_settings)."""
    _keys.cache_clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"TSC_PII_KEYS", "TSC_PII_INDEX_KEY", "DEBUG", "TESTING", "VAR_DIR"}:
        reset_key_cache()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(plaintext: str) -> str:
    """Encrypt under the current key: 'kid:' + urlsafe base64 (no padding) of nonce + ciphertext."""
    keys = _keys()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    # The kid is authenticated data, so relabelling a token with another kid makes it fail to decrypt.
    sealed = keys.ciphers[keys.current_kid].encrypt(nonce, plaintext.encode(), keys.current_kid.encode())
    return f"{keys.current_kid}:{_b64(nonce + sealed)}"


def encrypt_many(plaintexts: list[str]) -> list[str]:
    """encrypt() of each value, for the 100,000s of payee TINs of an upload. Tokens are exactly
    encrypt()'s: each value sealed on its own (AES-GCM, the key id as associated data) under its
    own random nonce. What is shared is the rest: the key is looked up once, the nonces are drawn
    from the system in one call, and when the values are all as long (TINs are), the tokens are
    base64-encoded in one call: each nonce + ciphertext padded with zero bytes to a multiple of
    three bytes encodes on its own, and its unpadded base64 is the start of that."""
    count = len(plaintexts)
    if not count:
        return []
    keys = _keys()
    seal = keys.ciphers[keys.current_kid].encrypt
    kid = keys.current_kid.encode()
    prefix = f"{keys.current_kid}:"
    drawn = os.urandom(_NONCE_BYTES * count)
    nonces = [drawn[at : at + _NONCE_BYTES] for at in range(0, len(drawn), _NONCE_BYTES)]
    data = list(map(str.encode, plaintexts))
    sealed = list(map(seal, nonces, data, itertools.repeat(kid, count)))
    size = len(sealed[0])
    if len(set(map(len, sealed))) != 1:  # values of different lengths: one by one
        encode = base64.urlsafe_b64encode
        return [prefix + encode(nonce + body).decode().rstrip("=") for nonce, body in zip(nonces, sealed, strict=True)]
    raw = _NONCE_BYTES + size
    padding = -raw % 3
    parts: list[bytes] = [b""] * (3 * count)
    parts[0::3] = nonces
    parts[1::3] = sealed
    parts[2::3] = itertools.repeat(b"\0" * padding, count)
    text = base64.urlsafe_b64encode(b"".join(parts)).decode("ascii")
    width = (raw + padding) // 3 * 4  # characters per token in text
    used = (raw * 4 + 2) // 3  # of which the token's own (without "=" padding)
    return [prefix + text[at : at + used] for at in range(0, len(text), width)]


def decrypt(token: str) -> str:
    """Inverse of encrypt(), with any configured key. Raises PIIDecryptionError."""
    kid, _, body = token.partition(":")
    cipher = _keys().ciphers.get(kid)
    if cipher is None:
        raise PIIDecryptionError("Unknown PII key id (was the key removed from TSC_PII_KEYS?).")
    try:
        raw = _unb64(body)
        if len(raw) <= _NONCE_BYTES:
            raise ValueError
        plaintext = cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], kid.encode())
        return plaintext.decode()
    except (ValueError, InvalidTag):  # binascii.Error and UnicodeDecodeError are ValueErrors
        # "from None": the chained exception would add nothing useful and might quote the input.
        raise PIIDecryptionError("PII token is malformed or has been tampered with.") from None


def _normalise(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def blind_index(value: str, *, purpose: str) -> str:
    """Deterministic keyed hash for equality lookups, e.g. find an individual by SSN.

    `purpose` ("ssn", "tin", "bank_account") separates domains, so equal digits in different columns
    don't produce equal index values. Spaces and hyphens are ignored.
    """
    if not purpose or "\x00" in purpose:
        raise ValueError("blind_index needs a non-empty purpose without NUL characters.")
    message = f"{purpose}\x00{_normalise(value)}".encode()
    return hmac.new(_keys().index_key, message, hashlib.sha256).hexdigest()


def last4(value: str) -> str:
    """Last four ASCII digits of value, for the display column: '123-45-6789' -> '6789'."""
    return "".join(re.findall(r"[0-9]", value))[-4:]


def mask(value: str, *, keep: int = 4, char: str = "•") -> str:
    """mask('123456789') -> '•••••6789'. A value no longer than `keep` is masked entirely."""
    if keep < 0:
        raise ValueError("keep must not be negative.")
    if not value:
        return ""
    shown = value[-keep:] if 0 < keep < len(value) else ""
    return char * (len(value) - len(shown)) + shown


def mask_ssn(value: str) -> str:
    """mask_ssn('123-45-6789') -> '***-**-6789'."""
    if not value:
        return ""
    digits = last4(value)
    return f"***-**-{digits if len(digits) == 4 else '****'}"


class EncryptedTextField(models.TextField):
    """Text stored encrypted (a decrypt()able token) and seen as plaintext str in Python.

    get_prep_value() always encrypts: give it plaintext, never a token (a token would be encrypted
    again). None and "" are stored as they are, so "not given" stays visible without decrypting.
    Ciphertexts are randomised, so the only lookup allowed is isnull; search via a blind_index() column.
    """

    description = "Text encrypted at rest (AES-256-GCM)"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)  # resolves lazy strings, str()s other types
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise TypeError(f"EncryptedTextField does not support the {lookup_name!r} lookup; use the blind index.")
        return super().get_lookup(lookup_name)
