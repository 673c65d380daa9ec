from django.conf import settings


def tsc(request):
    from .acting import acting

    ctx = acting(request)
    signed_in = ctx.is_portal_user
    return {
        "tsc_signed_in": signed_in,
        "tsc_acting": ctx,
        "tsc_business": ctx.taxpayer if signed_in else None,
        "tsc_idle_minutes": settings.TSC_IDLE_TIMEOUT // 60,
    }
