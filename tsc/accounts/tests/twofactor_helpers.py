"""Two-factor sign-in in tests: codes computed from the stored secret with PyOTP (an
implementation independent of the one under test), and DRS staff into the back office."""

import time

import pyotp

from tsc.accounts.models import Login, TwoFactorDevice
from tsc.accounts.twofactor_views import VERIFIED

BACKEND = "tsc.accounts.backends.LoginBackend"


def next_code(login: Login) -> str:
    """A code the device accepts now: the one for the time step after the last accepted one
    (within the one-step drift allowed), so a code just used to confirm is never replayed."""
    device = TwoFactorDevice.objects.get(login=login)
    step = max(int(time.time()) // 30, device.last_step + 1)
    return pyotp.TOTP(device.secret).generate_otp(step)


def back_office_sign_in(client, user_id: str, password: str):
    """Staff through the real pages: password, then set up two-factor (first time) or a code."""
    response = client.post("/drs-admin/login/", {"username": user_id, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    login = Login.objects.get(business=None, user_id=user_id)
    if response.url == "/sign-in/two-factor-setup/":
        response = client.post(response.url, {"code": next_code(login)})
        assert response.status_code == 200 and "recovery-code" in response.content.decode()
    else:
        assert response.url == "/sign-in/code/", response.url
        response = client.post(response.url, {"code": next_code(login)})
        assert response.status_code == 302, response.content.decode()[:2000]
    return client


def force_back_office_login(client, staff: Login):
    """force_login for DRS staff, with the session marked as having passed the code step."""
    client.force_login(staff, backend=BACKEND)
    session = client.session
    session[VERIFIED] = staff.pk
    session.save()
    return client
