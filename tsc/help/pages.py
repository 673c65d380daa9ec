"""Which help topic explains which page: "Help for this page" at the foot of every page.

A page is known by its URL name (`request.resolver_match.view_name`). A page listed in PAGES
links to that topic; otherwise a page of an app listed in APPS links to the app's topic;
otherwise to the help index. tsc/help/tests/test_pages.py walks every URL pattern and fails for
a page that is in none of these and not declared in USES_INDEX, so a new page must say which
help it has.
"""

from django.urls import NoReverseMatch, reverse

PAGES = {
    # Signing in and the user's own profile.
    "site:welcome": "create-update-profile",
    "accounts:sign_in": "create-update-profile",
    "accounts:sign_in_code": "create-update-profile",
    "accounts:sign_in_setup": "create-update-profile",
    "accounts:first_time": "create-update-profile",
    "accounts:first_sign_in": "create-update-profile",
    "accounts:forgot_password": "create-update-profile",
    "accounts:forgot_password_answers": "create-update-profile",
    "accounts:profile": "create-update-profile",
    "accounts:profile_contact": "create-update-profile",
    "accounts:profile_password": "create-update-profile",
    "accounts:profile_questions": "create-update-profile",
    "accounts:profile_telephone_password": "create-update-profile",
    "accounts:profile_two_factor": "create-update-profile",
    "accounts:profile_two_factor_setup": "create-update-profile",
    "accounts:profile_two_factor_off": "create-update-profile",
    "accounts:profile_two_factor_codes": "create-update-profile",
    # The Main Menu, and its access rights.
    "accounts:menu": "main-menu",
    "accounts:administrator_contact": "main-menu",
    # Add/Update Users (the TSC Administrator).
    "accounts:users": "add-update-users",
    "accounts:user_activity": "add-update-users",
    "accounts:users_two_factor": "add-update-users",
    "accounts:user_add": "add-user",
    "accounts:user_edit": "edit-user",
    "accounts:user_two_factor_reset": "edit-user",
    # File Returns: the seed's help for filing is the Main Menu's (Withholding Non-Wage options).
    "filing:index": "main-menu",
    "filing:prepare": "main-menu",
    "filing:nonwage": "main-menu",
    "filing:nonwage_manual": "main-menu",
    "filing:nonwage_upload": "main-menu",
    "filing:nonwage_template": "main-menu",
    "filing:uploads": "main-menu",
    "filing:upload_status": "main-menu",
    "filing:upload_progress": "main-menu",
    "accounts:history": "view-return-history",
    "filing:history": "view-return-history",
    "filing:return": "view-return-history",
    "filing:return_pdf": "view-return-history",
    # Payments: scheduled payments are sent to the bank 1 banking day before the requested date.
    "payments:make": "view-scheduled-payments-credits",
    "payments:scheduled": "view-scheduled-payments-credits",
    "payments:payment": "view-scheduled-payments-credits",
    "payments:processed": "view-processed-payments-credits",
    "payments:cancelled": "view-cancelled-payments",
    "payments:cancel": "view-cancelled-payments",
    "payments:banking": "update-banking-information",
    # The account.
    "ledger:account": "view-account-period-details",
    "ledger:period": "view-account-period-details",
    "ledger:waiver_request": "penalty-waiver",
    "ledger:waiver": "penalty-waiver",
    "ledger:refunds": "refund-status",
    "ledger:refund_lookup": "refund-status",
    # A business authorizing a Third Party Bulk Filer: what such a filer is.
    "bulk:authorizations": "third-party-bulk-filer",
    "bulk:revoke": "third-party-bulk-filer",
}

# Every other page of these apps.
APPS = {
    "bulk": "third-party-bulk-filing",
    "api_tokens": "third-party-bulk-filing",
    "letters": "what-is-a-status-letter",
}

# Pages the seed's help text does not cover: they link to the help index. "app:*" is every page
# of an app; the back office, Django's admin and the JSON API are not taxpayers' pages.
USES_INDEX = {
    "accounts:recover",  # a locked-out administrator's recovery code (not in the seed)
    "accounts:recover_answers",
    "accounts:sign_out",
    "accounts:signed_out",
    "payments:business_profile",
    "payments:business_contact",
    "payments:close",
    "site:privacy",
    "notices:*",
    "contact:*",
    "help:*",
    "backoffice:*",
    "visits:*",  # the back office's visit statistics
    "admin:*",
    "api:*",
}


def topic_slug(view_name: str) -> str | None:
    """The slug of the topic that explains the page, or None for the help index."""
    if view_name in PAGES:
        return PAGES[view_name]
    return APPS.get(view_name.partition(":")[0])


def help_url(view_name: str | None) -> str:
    slug = topic_slug(view_name) if view_name else None
    return reverse("help:topic", args=[slug]) if slug else reverse("help:index")


# No link at all: the help pages themselves, and the staff's pages (the help is the taxpayers').
NO_LINK = ("help:", "backoffice:", "visits:", "admin:")


def help_for_this_page(request) -> dict:
    """Context processor: the URL of the help for the page being rendered."""
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    if view_name and view_name.startswith(NO_LINK):
        return {"help_for_this_page": ""}
    try:
        return {"help_for_this_page": help_url(view_name)}
    except NoReverseMatch:  # a URL configuration without the help centre (some tests use one)
        return {"help_for_this_page": ""}
