from django.conf import settings


def tsc(request):
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and getattr(user, "business_id", None))
    return {
        "tsc_signed_in": signed_in,
        "tsc_business": user.business if signed_in else None,
        "tsc_idle_minutes": settings.TSC_IDLE_TIMEOUT // 60,
    }
