import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsc.settings")
application = get_wsgi_application()


def warm_up() -> None:
    """Load what a worker's first request would otherwise load (the URLconf, and through it every
    view module), so that gunicorn.conf.py freezes it with the rest of the application."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every URLconf and view
