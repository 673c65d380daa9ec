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


def test_the_demo_account_and_back_office(db):
    """What the README promises: a late return waiting for the clerk, a refund in each state, a
    business in good standing, and the clerk's published authenticator secret."""
    import pyotp
    from django.utils import timezone

    from tsc.accounts.models import TwoFactorDevice
    from tsc.ledger import account
    from tsc.ledger.models import Refund, RefundStatus
    from tsc.ledger.services import returns_to_process
    from tsc.site.demo_account import DEMO_CLERK_TOTP_SECRET
    from tsc.taxpayers.models import Business

    seed_demo()
    waiting = list(returns_to_process())
    assert len(waiting) == 1 and waiting[0].filed_on > waiting[0].period.due_date and waiting[0].tax_due > 0
    assert {r.status for r in Refund.objects.filter(individual__isnull=False)} == set(RefundStatus.values)
    harbor = Business.objects.get(registration_number="3333333-000")
    assert harbor.returns.exists() and account.standing_blockers(harbor.pk, on=timezone.localdate()) == []
    device = TwoFactorDevice.objects.get(login__user_id="clerk", login__business=None)
    assert device.confirmed and pyotp.TOTP(device.secret).now() == pyotp.TOTP(DEMO_CLERK_TOTP_SECRET).now()
    nutmeg = Business.objects.get(registration_number="1234567-000")
    paid = [r for r in nutmeg.returns.filter(assessment__isnull=False) if r.amount_due > 0]
    assert paid and all(account.period_statement(r.period, as_of=r.filed_on).balance == 0 for r in paid[:10])
