"""The one place that decides what a login may do.

`may(ctx, action, tax_type=…)` answers "may the request acting as `ctx` (acting.py: who, for
which taxpayer, in which relationship) do X on tax type T of that taxpayer". Views, selectors and
loaders ask it; templates only read what it answered (`menu_for`).
"""

from dataclasses import dataclass
from enum import StrEnum

from .acting import Acting, Relationship
from .models import AccessLevel, UserRight


class Action(StrEnum):
    # Per tax type, granted by an access level.
    VIEW_RETURNS = "view_returns"
    VIEW_PAYMENTS = "view_payments"
    VIEW_CANCELLED_PAYMENTS = "view_cancelled_payments"
    VIEW_HISTORY = "view_history"
    VIEW_ACCOUNT = "view_account"  # View Account Period Details, refund status, waiver requests
    PREPARE_RETURN = "prepare_return"
    SAVE_RETURN = "save_return"
    SUBMIT_RETURN = "submit_return"
    MAKE_PAYMENT = "make_payment"
    CANCEL_PAYMENT = "cancel_payment"
    REQUEST_WAIVER = "request_waiver"  # a penalty waiver: whoever may pay the period's tax
    # Per business, the TSC Administrator's alone.
    MANAGE_USERS = "manage_users"
    CHANGE_BUSINESS_PROFILE = "change_business_profile"
    # A status letter speaks for every tax type of the business: only the administrator sees them all.
    REQUEST_STATUS_LETTER = "request_status_letter"
    # Third Party Bulk Filing: any active login of a firm DRS designated, acting for the firm itself.
    BULK_FILING = "bulk_filing"


_VIEW = {
    Action.VIEW_RETURNS,
    Action.VIEW_PAYMENTS,
    Action.VIEW_CANCELLED_PAYMENTS,
    Action.VIEW_HISTORY,
    Action.VIEW_ACCOUNT,
}
_FILE = {Action.PREPARE_RETURN, Action.SAVE_RETURN, Action.SUBMIT_RETURN}
_PAY = {Action.MAKE_PAYMENT, Action.CANCEL_PAYMENT, Action.REQUEST_WAIVER}

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
BUSINESS_ACTIONS = frozenset({Action.MANAGE_USERS, Action.CHANGE_BUSINESS_PROFILE, Action.REQUEST_STATUS_LETTER})
# Until issue 11 gives authorizations their scope: a bulk filer files, pays and views for a client.
BULK_FILER_GRANTS = frozenset(_FILE | _PAY | _VIEW)
# DRS staff read a taxpayer's returns and payments; they never file or pay for one.
STAFF_GRANTS = frozenset(_VIEW)


def _levels(ctx: Acting) -> dict[int, frozenset[Action]]:
    """{tax_type_id: the actions granted} on every tax type the taxpayer's logins can hold
    rights for. Cached on the context for the request, with the tax types themselves
    (`tax_types_with`). One query: a login's stored levels come with its business's tax types."""
    cached = getattr(ctx, "_tsc_grants", None)
    if cached is not None:
        return cached
    stored_levels = ctx.relationship == Relationship.OWN_USER and not ctx.login.is_administrator
    tax_types = _tax_types_and_levels(ctx.taxpayer_id, ctx.login.pk if stored_levels else None)
    if ctx.relationship == Relationship.OWN_USER:
        if stored_levels:
            grants = {t.pk: GRANTS[t.level or AccessLevel.NO_ACCESS] for t in tax_types}
        else:  # the TSC Administrator holds File and Pay on every tax type
            grants = {t.pk: GRANTS[AccessLevel.FILE_AND_PAY] for t in tax_types}
    elif ctx.relationship in (Relationship.BULK_FILER, Relationship.API_CLIENT):
        # A bulk filer files, pays and sees history for its client (the seed's bulk menu).
        grants = {t.pk: BULK_FILER_GRANTS for t in tax_types}
    elif ctx.relationship == Relationship.STAFF:
        grants = {t.pk: STAFF_GRANTS for t in tax_types}
    else:
        grants = {}
    ctx._tsc_tax_types = tax_types
    ctx._tsc_grants = grants
    return grants


def _tax_types_and_levels(business_id: int, login_id: int | None) -> list:
    """`taxpayers.selectors.business_tax_types` of the business, each with the `level` the login
    holds on it (None: none stored, or no login given), in one query written out: the ORM took
    longer to build it than the database to answer it, on every signed-in page (issue 13).
    tests/test_rights.py checks it against the ORM's answer."""
    from django.db import router

    from tsc.lib import sql
    from tsc.taxpayers.models import Registration, TaxType

    fields = TaxType._meta.concrete_fields
    level = (
        f'(SELECT u."level" FROM {sql.table(UserRight)} u WHERE u."login_id" = %s AND u."tax_type_id" = t."id")'  # noqa: S608
        if login_id is not None
        else "NULL"
    )
    query = (
        f"SELECT {', '.join(f't."{f.column}"' for f in fields)}, {level} "  # noqa: S608
        f'FROM {sql.table(TaxType)} t WHERE NOT t."for_individuals" AND (t."offered_to_all_businesses" OR t."id" IN '
        f'(SELECT r."tax_type_id" FROM {sql.table(Registration)} r WHERE r."business_id" = %s)) '
        'ORDER BY t."sort_order", t."name"'
    )
    params = [login_id, business_id] if login_id is not None else [business_id]
    found = sql.fetch(TaxType, query, params, fields)
    db = router.db_for_read(TaxType)
    tax_types = []
    for *values, level in found:
        tax_type = TaxType.from_db(db, [f.attname for f in fields], values)
        tax_type.level = level
        tax_types.append(tax_type)
    return tax_types


def _acting_at_all(ctx: Acting | None) -> bool:
    return ctx is not None and ctx.taxpayer_id is not None and ctx.active


def may(ctx: Acting | None, action: Action, *, tax_type=None) -> bool:
    """May the request acting as `ctx` do `action` (on `tax_type`) for the taxpayer it acts for?
    False for nobody, a locked or disabled login, a revoked authorization."""
    if not _acting_at_all(ctx):
        return False
    if action == Action.BULK_FILING:
        return ctx.relationship == Relationship.OWN_USER and _is_bulk_filer(ctx)
    if action in BUSINESS_ACTIONS:
        return ctx.relationship == Relationship.OWN_USER and ctx.login.is_administrator
    if tax_type is None:
        raise ValueError(f"{action} is decided per tax type")
    tax_type_id = tax_type if isinstance(tax_type, int) else tax_type.pk
    return action in _levels(ctx).get(tax_type_id, frozenset())


def _is_bulk_filer(ctx: Acting) -> bool:
    """Is the taxpayer acted for a Third Party Bulk Filer firm DRS designated (and not revoked)?
    Read from the login's business when it came with it (the auth backend selects it)."""
    cached = getattr(ctx, "_tsc_bulk_filer", None)
    if cached is None:
        business = ctx.login.business if ctx.login is not None and ctx.login.business_id == ctx.taxpayer_id else None
        if business is not None and "bulk_filer" in business._state.fields_cache:
            designation = business._state.fields_cache["bulk_filer"]
            cached = designation is not None and designation.active
        else:
            from tsc.bulk.services import bulk_filer_of

            cached = bulk_filer_of(ctx.taxpayer_id) is not None
        ctx._tsc_bulk_filer = cached
    return cached


def may_any(ctx: Acting | None, action: Action) -> bool:
    """May the context do `action` on at least one tax type of its taxpayer?"""
    if not _acting_at_all(ctx):
        return False
    if action in BUSINESS_ACTIONS or action == Action.BULK_FILING:
        return may(ctx, action)
    return any(action in granted for granted in _levels(ctx).values())


def tax_types_with(ctx: Acting | None, action: Action) -> list:
    """The taxpayer's tax types (TaxType, in their order) on which the context may do `action`:
    for pages and their forms. Read with the rights, no query of its own."""
    if not _acting_at_all(ctx):
        return []
    grants = _levels(ctx)
    return [t for t in ctx._tsc_tax_types if action in grants.get(t.pk, ())]


def tax_type_ids_with(ctx: Acting | None, action: Action) -> list[int]:
    """The taxpayer's tax types on which the context may do `action`: for selectors, which put
    the rights into their query."""
    if not _acting_at_all(ctx):
        return []
    return [tid for tid, granted in _levels(ctx).items() if action in granted]


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
    (Action.MAKE_PAYMENT, MenuEntry("Make Payments", "payments:make", "Pay a balance or make a payment.")),
    (
        Action.CHANGE_BUSINESS_PROFILE,
        MenuEntry(
            "Make Changes to the Business Profile",
            "payments:business_profile",
            "Update banking information and business details.",
        ),
    ),
    (
        Action.BULK_FILING,
        MenuEntry(
            "Third Party Bulk Filing",
            "bulk:menu",
            "File and pay for your clients, import files, and see their acknowledgements.",
        ),
    ),
    (
        Action.MANAGE_USERS,
        MenuEntry(
            "Add/Update Users", "accounts:users", "Add users, set their rights, unlock them and reset passwords."
        ),
    ),
]


def menu_for(ctx: Acting) -> list[MenuEntry]:
    """The main menu entries the context's rights allow, in the seed's order."""
    return [entry for action, entry in MAIN_MENU if may_any(ctx, action)]
