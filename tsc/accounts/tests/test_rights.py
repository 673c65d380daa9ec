"""The rights matrix: each access level × each action of the seed's definitions."""

import pytest

from tsc.accounts.acting import Acting, Relationship
from tsc.accounts.models import AccessLevel, LoginStatus, UserRight
from tsc.accounts.rights import Action, may, may_any, menu_for

VIEW = {Action.VIEW_RETURNS, Action.VIEW_PAYMENTS, Action.VIEW_CANCELLED_PAYMENTS, Action.VIEW_HISTORY}
FILE = {Action.PREPARE_RETURN, Action.SAVE_RETURN, Action.SUBMIT_RETURN}
PAY = {Action.MAKE_PAYMENT, Action.CANCEL_PAYMENT}
TAX_ACTIONS = VIEW | FILE | PAY

# Written out from the seed's "levels that will be available for assignment", not from GRANTS.
EXPECTED = {
    "viewer": VIEW,  # view returns, payments, and cancelled payments
    "filer": FILE,  # prepare, save, and submit a return and receive a confirmation
    "payer": PAY | VIEW,  # make a payment, cancel a payment, and view history
    "filepay": FILE | PAY | VIEW,  # file and pay, cancel a payment, and view history
    "noaccess": set(),  # no rights for this tax type
    "admin": FILE | PAY | VIEW,  # the TSC Administrator holds every right
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("action", sorted(TAX_ACTIONS))
def test_each_level_grants_exactly_the_seeds_actions(demo, who, action):
    login = getattr(demo, who)
    for tax_type in (demo.sales, demo.withholding, demo.non_wage):
        assert may(Acting.for_login(login), action, tax_type=tax_type) == (action in EXPECTED[who])


@pytest.mark.parametrize("who", ["viewer", "filer", "payer", "filepay", "noaccess"])
def test_only_the_administrator_manages_users_and_the_business_profile(demo, who):
    for action in (Action.MANAGE_USERS, Action.CHANGE_BUSINESS_PROFILE):
        assert not may(Acting.for_login(getattr(demo, who)), action)
        assert may(Acting.for_login(demo.admin), action)


def test_a_context_acts_for_its_own_business_only(demo):
    # The taxpayer is the context's, never a parameter: the outsider's context is Charter Oak's.
    outsider = Acting.for_login(demo.outsider)
    assert outsider.taxpayer == demo.bakery and outsider.relationship == Relationship.OWN_USER
    assert not outsider.owns(demo.nutmeg.pk)
    assert Acting.for_login(demo.admin).owns(demo.nutmeg.pk)


def test_anonymous_and_locked_and_disabled_logins_have_no_rights(demo):
    from django.contrib.auth.models import AnonymousUser

    assert not may(Acting.for_login(AnonymousUser()), Action.VIEW_RETURNS, tax_type=demo.sales)
    assert not may(Acting.for_login(None), Action.VIEW_RETURNS, tax_type=demo.sales)
    assert demo.locked.status == LoginStatus.LOCKED
    assert not may(Acting.for_login(demo.locked), Action.SUBMIT_RETURN, tax_type=demo.sales)
    demo.filepay.status = LoginStatus.DISABLED
    assert not may(Acting.for_login(demo.filepay), Action.SUBMIT_RETURN, tax_type=demo.sales)


def test_rights_are_per_tax_type(demo):
    UserRight.objects.filter(login=demo.filer, tax_type=demo.withholding).update(level=AccessLevel.NO_ACCESS)
    filer = type(demo.filer).objects.get(pk=demo.filer.pk)
    assert may(Acting.for_login(filer), Action.SUBMIT_RETURN, tax_type=demo.sales)
    assert not may(Acting.for_login(filer), Action.SUBMIT_RETURN, tax_type=demo.withholding)


def test_a_tax_type_the_business_is_not_registered_for_grants_nothing(demo):
    # Individual income tax is not a business tax type; a stray right row gives nothing.
    UserRight.objects.create(login=demo.viewer, tax_type=demo.income, level=AccessLevel.FILE_AND_PAY)
    viewer = type(demo.viewer).objects.get(pk=demo.viewer.pk)
    assert not may(Acting.for_login(viewer), Action.SUBMIT_RETURN, tax_type=demo.income)


def test_withholding_non_wage_is_offered_to_businesses_not_registered_for_it(demo):
    # Charter Oak Bakery is registered for sales and withholding only; the seed adds the
    # Withholding Non-Wage link for every registered taxpayer.
    assert not demo.bakery.registrations.filter(tax_type=demo.non_wage).exists()
    assert may(Acting.for_login(demo.outsider), Action.SUBMIT_RETURN, tax_type=demo.non_wage)


def test_a_missing_right_row_means_no_access(demo):
    UserRight.objects.filter(login=demo.filepay).delete()
    filepay = type(demo.filepay).objects.get(pk=demo.filepay.pk)
    assert not may_any(Acting.for_login(filepay), Action.VIEW_HISTORY)


def test_per_tax_type_actions_need_a_tax_type(demo):
    with pytest.raises(ValueError):
        may(Acting.for_login(demo.admin), Action.SUBMIT_RETURN)


MENU = {
    "admin": [
        "File Returns",
        "View Returns and Payment History",
        "Make Payments",
        "Make Changes to the Business Profile",
        "Add/Update Users",
    ],
    "viewer": ["View Returns and Payment History"],
    "filer": ["File Returns"],
    "payer": ["View Returns and Payment History", "Make Payments"],
    "filepay": ["File Returns", "View Returns and Payment History", "Make Payments"],
    "noaccess": [],
}


@pytest.mark.parametrize("who", sorted(MENU))
def test_main_menu_shows_what_the_rights_allow(demo, who):
    assert [entry.label for entry in menu_for(Acting.for_login(getattr(demo, who)))] == MENU[who]


def test_rights_are_read_in_one_query_per_request(demo, django_assert_max_num_queries):
    viewer = type(demo.viewer).objects.select_related("business", "business__bulk_filer").get(pk=demo.viewer.pk)
    ctx = Acting.for_login(viewer)
    with django_assert_max_num_queries(2):
        menu_for(ctx)
        for action in TAX_ACTIONS:
            may(ctx, action, tax_type=demo.sales)
