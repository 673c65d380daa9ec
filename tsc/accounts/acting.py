"""The acting context: who is acting, for which taxpayer, in which relationship.

Resolved once per request (`ActingContextMiddleware` sets `request.acting`) and handed to
views, selectors and rights. Nothing else decides which taxpayer a request is about: a login of
a business acts for that business; a Third Party Bulk Filer's login acts for one client it is
authorized for; DRS staff act for no taxpayer in the portal (the back office shows them one);
an API client of a firm acts for a client with no session at all.
"""

from enum import StrEnum
from functools import cached_property
from typing import Any

from tsc.lib import request_context

from .models import Login, LoginStatus


class Relationship(StrEnum):
    OWN_USER = "own_user"  # a login of the taxpayer's own business (administrator or sub-user)
    BULK_FILER = "bulk_filer"  # a Third Party Bulk Filer's login acting for an authorized client
    STAFF = "staff"  # DRS staff, from the back office
    API_CLIENT = "api_client"  # tax software of a bulk filer firm, acting for a client


class Acting:
    """One request's acting context. `taxpayer` is the business acted for (None when the
    request acts for nobody: anonymous, or staff outside the back office)."""

    def __init__(
        self,
        *,
        login: Login | None = None,
        taxpayer_id: int | None = None,
        relationship: Relationship | None = None,
        authorization: Any = None,
        api_client: Any = None,
    ):
        self.login = login
        self.taxpayer_id = taxpayer_id
        self.relationship = relationship
        # A bulk filer's (or its API client's) authorization by the client: issue 11 gives it a
        # table; anything with `active` (bool) and `client_id` serves until then.
        self.authorization = authorization
        self.api_client = api_client

    @classmethod
    def nobody(cls) -> "Acting":
        return cls()

    @classmethod
    def for_login(cls, login) -> "Acting":
        """The context of a signed-in portal login (or of nobody)."""
        if login is None or not getattr(login, "is_authenticated", False) or not isinstance(login, Login):
            return cls.nobody()
        if login.business_id is not None:
            return cls(login=login, taxpayer_id=login.business_id, relationship=Relationship.OWN_USER)
        if login.is_staff:
            return cls(login=login, relationship=Relationship.STAFF)
        return cls.nobody()

    @classmethod
    def staff_for(cls, login: Login, taxpayer) -> "Acting":
        """DRS staff looking at one taxpayer from the back office."""
        return cls(login=login, taxpayer_id=taxpayer.pk, relationship=Relationship.STAFF)

    @classmethod
    def bulk_filer_for(cls, login: Login, authorization) -> "Acting":
        return cls(
            login=login,
            taxpayer_id=authorization.client_id,
            relationship=Relationship.BULK_FILER,
            authorization=authorization,
        )

    @classmethod
    def api_client_for(cls, api_client, authorization) -> "Acting":
        return cls(
            taxpayer_id=authorization.client_id,
            relationship=Relationship.API_CLIENT,
            authorization=authorization,
            api_client=api_client,
        )

    @cached_property
    def taxpayer(self):
        if self.taxpayer_id is None:
            return None
        if self.login is not None and self.login.business_id == self.taxpayer_id:
            return self.login.business
        from tsc.taxpayers.models import Business

        return Business.objects.filter(pk=self.taxpayer_id).first()

    @property
    def is_portal_user(self) -> bool:
        """Signed in to the portal and acting for a taxpayer (own user or bulk filer)."""
        return (
            self.relationship in (Relationship.OWN_USER, Relationship.BULK_FILER)
            and self.taxpayer_id is not None
            and self.active
        )

    @property
    def active(self) -> bool:
        """The acting login (if any) may act at all: not locked, not disabled."""
        if self.login is not None and self.login.status != LoginStatus.ACTIVE:
            return False
        if self.authorization is not None and not getattr(self.authorization, "active", False):
            return False
        return self.relationship is not None

    def owns(self, business_id: int | None) -> bool:
        """Is `business_id` the taxpayer acted for? (Outsiders get 404, never 403.)"""
        return self.taxpayer_id is not None and business_id == self.taxpayer_id

    def describe(self) -> dict:
        """For audit rows: "by <login> for <taxpayer>, as <relationship>"."""
        described = {
            "relationship": str(self.relationship) if self.relationship else "",
            "for_business": self.taxpayer_id,
        }
        if self.relationship == Relationship.BULK_FILER and self.login is not None:
            described["by_firm"] = self.login.business_id  # "by <firm login> for <client>"
        return described

    def __repr__(self) -> str:
        who = self.login.user_id if self.login is not None else (self.api_client or "nobody")
        return f"<Acting {who} for {self.taxpayer_id} as {self.relationship}>"


class ActingContextMiddleware:
    """Sets `request.acting` once, after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting = ctx = _for_request(request)
        if ctx.relationship not in (None, Relationship.OWN_USER):
            request_context.bind(acting=ctx.describe())
        return self.get_response(request)


# The client a Third Party Bulk Filer's login chose to act for (a ClientAuthorization id).
BULK_CLIENT = "tsc_bulk_client"


def _for_request(request) -> Acting:
    """A login of its own business, unless it is a bulk filer's login that chose a client: then
    it acts for that client, through the authorization (revoked: it acts for nobody)."""
    ctx = Acting.for_login(getattr(request, "user", None))
    session = getattr(request, "session", None)
    if ctx.relationship != Relationship.OWN_USER or session is None or not session.get(BULK_CLIENT):
        return ctx
    from tsc.bulk.models import ClientAuthorization

    authorization = (
        ClientAuthorization.objects.select_related("bulk_filer")
        .filter(pk=session[BULK_CLIENT], bulk_filer__firm_id=ctx.login.business_id, client__isnull=False)
        .first()
    )
    if authorization is None or not authorization.active:
        # Revoked since it was chosen: the login is back to its own firm, the client out of reach.
        session.pop(BULK_CLIENT, None)
        return ctx
    return Acting.bulk_filer_for(ctx.login, authorization)


def acting(request) -> Acting:
    """The request's context (built on demand where the middleware did not run, e.g. in tests
    calling a view directly)."""
    ctx = getattr(request, "acting", None)
    if ctx is None:
        ctx = request.acting = _for_request(request)
    return ctx
