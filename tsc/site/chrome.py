"""The parts of every page that are the same for every visitor: the head's links, the banner and
header, the footer, and the addresses in the sidebar. Rendered once per process (and script
prefix) instead of on every page: reversing their URLs and looking up their static files cost
each page about 0.6 ms, a fifth of what a data page adds to a trivial view (issue 13).
templates/base.html places them; their markup is in templates/chrome/."""

from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe


@lru_cache(maxsize=8)
def _chrome(script_prefix: str) -> dict:
    return {
        # The partials hold only {% static %} and {% url %}: the same for every request.
        **{part: mark_safe(render_to_string(f"chrome/{part}.html")) for part in ("head", "top", "foot")},  # noqa: S308
        "menu": reverse("accounts:menu"),
        "profile": reverse("accounts:profile"),
        "administrator_contact": reverse("accounts:administrator_contact"),
        "sign_out": reverse("accounts:sign_out"),
        "bulk_stop": reverse("bulk:stop"),
    }


def chrome(part: str) -> str:
    """One part ({% chrome "head" %} in templates/base.html, tsc/site/templatetags/chrome.py)."""
    return _chrome(get_script_prefix())[part]


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    """A test changing the static files or the URLs gets them anew."""
    _chrome.cache_clear()
