import pytest

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login

from .test_imports import FIRM


@pytest.fixture
def prep(demo):
    """The demo bulk filer firm's administrator."""
    return Login.objects.get(business__registration_number=FIRM, user_id="prep1")


@pytest.fixture
def ctx(prep):
    """prep1 acting for the firm."""
    return Acting.for_login(prep)
