"""The shared fixtures: the demo businesses and their named logins
(administrator, view-only, file-only, pay-only, file-and-pay, no-access, locked, and an
outsider from another business)."""

from types import SimpleNamespace

import pytest

# Settings: tsc/settings_test.py (pytest.ini).


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Argon2 is the production hasher (tested as such in test_security); MD5 keeps the many
    # hashes the suite makes fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Attempt counters (tsc/lib/throttle.py) must not carry from one test to the next.
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(tmp_path_factory, monkeypatch):
    # Uploaded files go to a fresh folder per test, never to var/uploads.
    from tsc.filing.models import Upload
    from tsc.lib.sealed_files import SealedFileSystemStorage

    location = tmp_path_factory.mktemp("uploads")
    monkeypatch.setattr(Upload._meta.get_field("file"), "storage", SealedFileSystemStorage(location=location))


@pytest.fixture(autouse=True)
def _bank_batches_in_a_temporary_folder(tmp_path_factory, settings):
    # NACHA files (tsc/payments/batch.py) go under VAR_DIR/batches: a fresh folder per test.
    settings.VAR_DIR = tmp_path_factory.mktemp("var")


@pytest.fixture
def demo(db):
    from tsc.site.demo import seed_demo
    from tsc.taxpayers.models import Business, TaxType

    seed_demo(history=False)
    from tsc.accounts.models import Login

    nutmeg = Business.objects.get(registration_number="1234567-000")
    bakery = Business.objects.get(registration_number="7654321-000")
    mystic = Business.objects.get(registration_number="2222222-000")
    logins = {lg.user_id: lg for lg in Login.objects.filter(business=nutmeg)}
    return SimpleNamespace(
        nutmeg=nutmeg,
        bakery=bakery,
        mystic=mystic,
        admin=logins["admin1"],
        viewer=logins["viewer"],
        filer=logins["filer"],
        payer=logins["payer"],
        filepay=logins["filepay"],
        noaccess=logins["noaccess"],
        locked=logins["locked1"],
        outsider=Login.objects.get(business=bakery, user_id="admin2"),
        sales=TaxType.objects.get(code=TaxType.SALES_AND_USE),
        withholding=TaxType.objects.get(code=TaxType.WITHHOLDING),
        non_wage=TaxType.objects.get(code=TaxType.WITHHOLDING_NON_WAGE),
        income=TaxType.objects.get(code=TaxType.INDIVIDUAL_INCOME),
    )


@pytest.fixture
def signed_in(client):
    """signed_in(login) → the test client, signed in as that login through the real pages."""

    def sign_in(login, password: str = "Demo#2024"):
        client.logout()
        client.post("/", {"registration_number": login.business.registration_number})
        response = client.post("/sign-in/", {"user_id": login.user_id, "password": password})
        assert response.status_code == 302, response.content.decode()[:2000]
        return client

    return sign_in


@pytest.fixture
def file_return(demo):
    """file_return(login, nth=0, tax_type=sales) → a filed zero return for the nth oldest period
    of that tax type of the login's business, filed by that login through the real service."""
    import uuid

    from tsc.filing import services
    from tsc.taxpayers.models import FilingPeriod

    def make(login, nth: int = 0, tax_type=None):
        periods = FilingPeriod.objects.filter(
            registration__business_id=login.business_id, registration__tax_type=tax_type or demo.sales
        ).order_by("period_end")
        return services.return_submit(actor=login, period=periods[nth], values={}, submission_token=uuid.uuid4())

    return make
