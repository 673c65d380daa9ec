from django.contrib.auth.backends import BaseBackend

from .models import Login, LoginStatus
from .services import SignInOutcome, sign_in_check


class LoginBackend(BaseBackend):
    """Sessions load only active logins: a login that is disabled or locked while signed in is
    signed out at its next request. DRS staff sign in to the back office with `username`."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        result = sign_in_check(business=None, user_id=username, password=password)
        if result.outcome == SignInOutcome.OK and result.login.is_staff:
            return result.login
        return None

    def get_user(self, user_id):
        # The business's bulk filer designation comes along: the menu asks about it on every page.
        login = Login.objects.select_related("business", "business__bulk_filer").filter(pk=user_id).first()
        if login is None or login.status != LoginStatus.ACTIVE:
            return None
        return login

    # Django admin permissions for DRS staff.
    def get_all_permissions(self, user_obj, obj=None):
        from django.contrib.auth.backends import ModelBackend

        return ModelBackend().get_all_permissions(user_obj, obj)

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active or not user_obj.is_staff:
            return False
        return user_obj.is_superuser or perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active or not user_obj.is_staff:
            return False
        return user_obj.is_superuser or any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
