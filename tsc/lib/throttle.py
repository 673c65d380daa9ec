"""Attempt limits on the cache: per client address and per login, over a fixed window.

Guessing (passwords, identity answers, enrollment and recovery codes) is limited twice: per
login, so one User ID cannot be guessed at from many addresses, and per client address, so one
address cannot lock out many logins (each login locks after 3 failures; an address gets a
handful of failures an hour, then is refused before any secret is checked, so its refused
attempts lock nobody).

The cache is Redis in production (REDIS_URL), shared by every worker on every host; without
Redis a file cache in VAR_DIR, shared by the processes of one host. Keys are keyed hashes: no
address or User ID is written to the cache in clear.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int  # failures allowed in a window
    window: int  # seconds

    def _key(self, who: str) -> str:
        digest = hmac.new(settings.SECRET_KEY.encode(), f"{self.name}:{who}".encode(), hashlib.sha256).hexdigest()
        return f"throttle:{self.name}:{digest[:32]}:{int(time.time() // self.window)}"


def _cache():
    return caches[getattr(settings, "TSC_THROTTLE_CACHE", "default")]


def exceeded(rule: Rule, who: str | None) -> bool:
    """Has `who` used up its failures for this window?"""
    if not who:
        return False
    return (_cache().get(rule._key(who)) or 0) >= rule.limit


def record(rule: Rule, who: str | None) -> None:
    """Count one failure for `who`."""
    if not who:
        return
    cache, key = _cache(), rule._key(who)
    cache.add(key, 0, timeout=rule.window + 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=rule.window + 60)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def rules() -> dict[str, Rule]:
    """The limits, from settings (TSC_THROTTLE_PER_ADDRESS, TSC_THROTTLE_PER_LOGIN, per hour)."""
    per_address = _limit("TSC_THROTTLE_PER_ADDRESS", 10)
    per_login = _limit("TSC_THROTTLE_PER_LOGIN", 10)
    hour = 60 * 60
    return {
        "sign_in_address": Rule("sign-in-address", per_address, hour),
        "sign_in_login": Rule("sign-in-login", per_login, hour),
        "forgot_address": Rule("forgot-address", per_address, hour),
        "forgot_login": Rule("forgot-login", per_login, hour),
        "enroll_address": Rule("enroll-address", per_address, hour),
        "enroll_business": Rule("enroll-business", per_login, hour),
        "recovery_address": Rule("recovery-address", per_address, hour),
        "recovery_login": Rule("recovery-login", per_login, hour),
        # Refund Status for individuals, without signing in: per address, and per SSN looked up.
        "refund_address": Rule("refund-address", per_address, hour),
        "refund_login": Rule("refund-ssn", per_login, hour),
    }


class Guard:
    """One guarded attempt: `blocked` before checking anything, `failed` after a failure."""

    def __init__(self, kind: str, *, address: str | None, login_key: str | None):
        table = rules()
        self.pairs = [(table[f"{kind}_address"], address)]
        for suffix in ("login", "business"):
            if f"{kind}_{suffix}" in table:
                self.pairs.append((table[f"{kind}_{suffix}"], login_key))

    @property
    def blocked(self) -> bool:
        return any(exceeded(rule, who) for rule, who in self.pairs)

    def failed(self) -> None:
        for rule, who in self.pairs:
            record(rule, who)


TOO_MANY_ATTEMPTS = (
    "Too many attempts that did not succeed. For your security, wait an hour and try again. "
    "Nothing was checked or counted against your login this time."
)
