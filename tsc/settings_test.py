"""Settings for the test suite: tsc.settings with test keys and the switches only tests use.

Nothing here is read in production: tsc/settings.py knows no "testing" mode.
"""

import base64
import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)
os.environ.setdefault("TSC_PII_KEYS", "t1:" + base64.b64encode(b"k" * 32).decode())
os.environ.setdefault("TSC_PII_INDEX_KEY", base64.b64encode(b"i" * 32).decode())

from tsc.settings import *  # noqa: E402, F403
from tsc.settings import envbool  # noqa: E402

TESTING = True
# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = False
# Static files straight from the source folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True
# Tasks run at once unless a test runs a real worker (TSC_HUEY_IMMEDIATE=0).
HUEY["immediate"] = envbool("TSC_HUEY_IMMEDIATE", True)  # noqa: F405

# A connection per test thread, closed when the thread ends (the live server's threads).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Attempt counters in memory, emptied before each test (conftest.py).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# A file, not shared-cache memory, so threads and processes lock as in production (WAL, busy timeout).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
