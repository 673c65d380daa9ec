"""The acting context: own users, DRS staff and bulk filers (a stub until issue 11), and the
loaders that answer 404 to outsiders and 403 to insiders without the right."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tsc.accounts.acting import Acting, Relationship
from tsc.accounts.models import Login
from tsc.accounts.rights import Action, may, may_any, menu_for
from tsc.accounts.selectors import user_for
from tsc.filing import selectors


@pytest.fixture
def staff(db):
    return Login.objects.create_superuser("clerk1", "Demo#2024")


def test_an_own_user_acts_for_its_business(demo):
    ctx = Acting.for_login(demo.filer)
    assert (ctx.relationship, ctx.taxpayer, ctx.login) == (Relationship.OWN_USER, demo.nutmeg, demo.filer)
    assert ctx.is_portal_user


def test_nobody_and_staff_in_the_portal_act_for_no_taxpayer(demo, staff):
    for ctx in (Acting.nobody(), Acting.for_login(staff)):
        assert ctx.taxpayer is None and not ctx.is_portal_user
        assert not may_any(ctx, Action.VIEW_RETURNS) and menu_for(ctx) == []
    assert Acting.for_login(staff).relationship == Relationship.STAFF


def test_staff_looking_at_a_taxpayer_read_but_never_file_pay_or_manage(demo, staff):
    ctx = Acting.staff_for(staff, demo.nutmeg)
    assert not ctx.is_portal_user  # the back office, not the portal
    assert may(ctx, Action.VIEW_RETURNS, tax_type=demo.sales)
    assert may(ctx, Action.VIEW_PAYMENTS, tax_type=demo.withholding)
    for action in (Action.SUBMIT_RETURN, Action.MAKE_PAYMENT, Action.CANCEL_PAYMENT):
        assert not may(ctx, action, tax_type=demo.sales)
    assert not may(ctx, Action.MANAGE_USERS) and not may(ctx, Action.CHANGE_BUSINESS_PROFILE)


def firm_login(demo):
    """A login of a bulk filer firm (issue 11 gives firms their own table; Mystic stands in)."""
    return Login.objects.create(business=demo.mystic, user_id="prep1", is_administrator=True)


def test_a_bulk_filer_files_pays_and_views_for_an_authorized_client_only(demo):
    authorization = SimpleNamespace(client_id=demo.nutmeg.pk, active=True)
    ctx = Acting.bulk_filer_for(firm_login(demo), authorization)
    assert ctx.taxpayer == demo.nutmeg and ctx.is_portal_user
    for action in (Action.SUBMIT_RETURN, Action.MAKE_PAYMENT, Action.VIEW_RETURNS):
        assert may(ctx, action, tax_type=demo.sales)
    # The client's users and business profile stay the client's administrator's.
    assert not may(ctx, Action.MANAGE_USERS) and not may(ctx, Action.CHANGE_BUSINESS_PROFILE)
    revoked = Acting.bulk_filer_for(firm_login_again(demo), SimpleNamespace(client_id=demo.nutmeg.pk, active=False))
    assert not may(revoked, Action.VIEW_RETURNS, tax_type=demo.sales) and not revoked.is_portal_user


def firm_login_again(demo):
    return Login.objects.get(business=demo.mystic, user_id="prep1")


def test_a_bulk_filer_cannot_reach_a_non_client(demo, file_return):
    other = file_return(demo.outsider)
    ctx = Acting.bulk_filer_for(firm_login(demo), SimpleNamespace(client_id=demo.nutmeg.pk, active=True))
    with pytest.raises(Http404):
        selectors.return_for(ctx, other.pk)


def test_an_api_client_acts_for_a_client_without_a_login(demo):
    ctx = Acting.api_client_for("tax-software-1", SimpleNamespace(client_id=demo.nutmeg.pk, active=True))
    assert ctx.login is None and ctx.relationship == Relationship.API_CLIENT
    assert may(ctx, Action.SUBMIT_RETURN, tax_type=demo.sales) and not may(ctx, Action.MANAGE_USERS)


class TestReturnLoader:
    def test_view_rights_read_any_return_of_the_taxpayer(self, demo, file_return):
        tax_return = file_return(demo.filepay)
        for who in ("viewer", "payer", "filepay", "admin"):
            assert selectors.return_for(Acting.for_login(getattr(demo, who)), tax_return.pk) == tax_return

    def test_file_only_reads_its_own_confirmation_and_nothing_else(self, demo, file_return):
        mine = file_return(demo.filer)
        theirs = file_return(demo.filepay, 1)
        ctx = Acting.for_login(demo.filer)
        assert selectors.return_for(ctx, mine.pk) == mine
        with pytest.raises(PermissionDenied):
            selectors.return_for(ctx, theirs.pk)

    def test_outsiders_and_unknown_ids_get_404(self, demo, file_return):
        tax_return = file_return(demo.filepay)
        with pytest.raises(Http404):
            selectors.return_for(Acting.for_login(demo.outsider), tax_return.pk)
        with pytest.raises(Http404):
            selectors.return_for(Acting.for_login(demo.admin), 999999)

    def test_no_access_gets_403(self, demo, file_return):
        tax_return = file_return(demo.filepay)
        with pytest.raises(PermissionDenied):
            selectors.return_for(Acting.for_login(demo.noaccess), tax_return.pk)


def test_the_user_loader_is_the_administrators(demo):
    assert user_for(Acting.for_login(demo.admin), demo.filer.pk) == demo.filer
    with pytest.raises(PermissionDenied):
        user_for(Acting.for_login(demo.filepay), demo.filer.pk)
    with pytest.raises(Http404):
        user_for(Acting.for_login(demo.outsider), demo.filer.pk)


def test_audit_rows_say_how_the_request_acted(rf, demo, staff):
    from tsc.accounts.acting import ActingContextMiddleware
    from tsc.audit.models import AuditEvent
    from tsc.audit.services import audit_record
    from tsc.lib.request_context import RequestContextMiddleware

    def write(request):
        audit_record(event="test.event", actor=request.acting.login)
        return None

    chain = RequestContextMiddleware(ActingContextMiddleware(write))
    for login in (staff, demo.filer):
        request = rf.get("/")
        request.user = login
        chain(request)
    by_staff, by_filer = AuditEvent.objects.filter(event="test.event").order_by("id")
    assert by_staff.data == {"acting": {"relationship": "staff", "for_business": None}}
    assert by_filer.data == {}  # a business's own user: the actor and business say it all
