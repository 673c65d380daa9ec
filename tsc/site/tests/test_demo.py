from django.core.management import call_command

from tsc.accounts.models import EnrollmentCode, Login, LoginStatus
from tsc.site.demo import seed_demo


def test_seed_demo_is_idempotent(demo):
    before = (Login.objects.count(), EnrollmentCode.objects.count())
    seed_demo()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Login.objects.count(), EnrollmentCode.objects.count()) == before


def test_the_demo_logins(demo):
    assert demo.admin.is_administrator and not demo.viewer.is_administrator
    assert demo.locked.status == LoginStatus.LOCKED
    assert demo.outsider.is_administrator and demo.outsider.business == demo.bakery
    assert all(lg.check_password("Demo#2024") for lg in Login.objects.filter(business__isnull=False))
    assert not demo.mystic.logins.exists()
