"""Settings for the test suite: tsc.settings with test keys and testing switches."""

import base64
import os

os.environ.setdefault("TSC_TESTING", "1")
os.environ.setdefault("TSC_PII_KEYS", "t1:" + base64.b64encode(b"k" * 32).decode())
os.environ.setdefault("TSC_PII_INDEX_KEY", base64.b64encode(b"i" * 32).decode())

from tsc.settings import *  # noqa: E402, F403

# A file, not shared-cache memory, so threads and processes lock as in production (WAL, busy timeout).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
