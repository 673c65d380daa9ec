"""The one place that decides what a login may do.

`may(login, action, business=…, tax_type=…)` answers "may this login do X on tax type T of
business B". Views and selectors ask it; templates only read what it answered (`menu_for`).
"""

from dataclasses import dataclass
from enum import StrEnum

from .models import AccessLevel, Login, LoginStatus, UserRight


class Action(StrEnum):
    # Per tax type, granted by an access level.
    VIEW_RETURNS = "view_returns"
    VIEW_PAYMENTS = "view_payments"
    VIEW_CANCELLED_PAYMENTS = "view_cancelled_payments"
    VIEW_HISTORY = "view_history"
    PREPARE_RETURN = "prepare_return"
    SAVE_RETURN = "save_return"
    SUBMIT_RETURN = "submit_return"
    MAKE_PAYMENT = "make_payment"
    CANCEL_PAYMENT = "cancel_payment"
    # Per business, the TSC Administrator's alone.
    MANAGE_USERS = "manage_users"
    CHANGE_BUSINESS_PROFILE = "change_business_profile"


_VIEW = {Action.VIEW_RETURNS, Action.VIEW_PAYMENTS, Action.VIEW_CANCELLED_PAYMENTS, Action.VIEW_HISTORY}
_FILE = {Action.PREPARE_RETURN, Action.SAVE_RETURN, Action.SUBMIT_RETURN}
_PAY = {Action.MAKE_PAYMENT, Action.CANCEL_PAYMENT}

# The seed's "Access Level Descriptions", action by action.
GRANTS: dict[str, frozenset[Action]] = {
    # "view returns, payments, and cancelled payments"
    AccessLevel.VIEW_ONLY: frozenset(_VIEW),
    # "prepare, save, and submit a return and receive a confirmation"
    AccessLevel.FILE_ONLY: frozenset(_FILE),
    # "make a payment, cancel a payment, and view history"
    AccessLevel.PAY_ONLY: frozenset(_PAY | _VIEW),
    # "file and pay, cancel a payment, and view history"
    AccessLevel.FILE_AND_PAY: frozenset(_FILE | _PAY | _VIEW),
    # "no rights for this tax type"
    AccessLevel.NO_ACCESS: frozenset(),
}
BUSINESS_ACTIONS = frozenset({Action.MANAGE_USERS, Action.CHANGE_BUSINESS_PROFILE})


def _is_business_login(login) -> bool:
    return (
        login is not None
        and getattr(login, "is_authenticated", False)
        and isinstance(login, Login)
        and login.business_id is not None
        and login.status == LoginStatus.ACTIVE
    )


def levels_for(login: Login) -> dict[int, str]:
    """{tax_type_id: access level} for every tax type the login may hold rights on. The TSC
    Administrator holds File and Pay on all of them. Cached on the login for the request."""
    cached = getattr(login, "_tsc_levels", None)
    if cached is not None:
        return cached
    from tsc.taxpayers.selectors import business_tax_types

    tax_type_ids = list(business_tax_types(login.business).values_list("id", flat=True))
    if login.is_administrator:
        levels = dict.fromkeys(tax_type_ids, AccessLevel.FILE_AND_PAY)
    else:
        stored = dict(UserRight.objects.filter(login=login).values_list("tax_type_id", "level"))
        levels = {tid: stored.get(tid, AccessLevel.NO_ACCESS) for tid in tax_type_ids}
    login._tsc_levels = levels
    return levels


def may(login, action: Action, *, business, tax_type=None) -> bool:
    """May `login` do `action` on `tax_type` of `business`? False for anyone not signed in,
    not active, or not of that business."""
    if not _is_business_login(login) or business is None or login.business_id != business.pk:
        return False
    if action in BUSINESS_ACTIONS:
        return login.is_administrator
    if tax_type is None:
        raise ValueError(f"{action} is decided per tax type")
    level = levels_for(login).get(tax_type.pk, AccessLevel.NO_ACCESS)
    return action in GRANTS[level]


def may_any(login, action: Action) -> bool:
    """May the login do `action` on at least one tax type of its own business?"""
    if not _is_business_login(login):
        return False
    if action in BUSINESS_ACTIONS:
        return login.is_administrator
    return any(action in GRANTS[level] for level in levels_for(login).values())


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    description: str


MAIN_MENU = [
    (Action.PREPARE_RETURN, MenuEntry("File Returns", "filing:index", "Prepare, save and submit returns.")),
    (
        Action.VIEW_HISTORY,
        MenuEntry(
            "View Returns and Payment History",
            "accounts:history",
            "See returns you filed and payments for the last 3 years.",
        ),
    ),
    (Action.MAKE_PAYMENT, MenuEntry("Make Payments", "accounts:payments", "Pay a balance or make a payment.")),
    (
        Action.CHANGE_BUSINESS_PROFILE,
        MenuEntry(
            "Make Changes to the Business Profile",
            "accounts:business_profile",
            "Update banking information and business details.",
        ),
    ),
    (
        Action.MANAGE_USERS,
        MenuEntry(
            "Add/Update Users", "accounts:users", "Add users, set their rights, unlock them and reset passwords."
        ),
    ),
]


def menu_for(login) -> list[MenuEntry]:
    """The main menu entries this login's rights allow, in the seed's order."""
    return [entry for action, entry in MAIN_MENU if may_any(login, action)]
