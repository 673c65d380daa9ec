"""Settings for the test suite: tsc.settings with test keys and testing switches."""

import base64
import os

os.environ.setdefault("TSC_TESTING", "1")
os.environ.setdefault("TSC_PII_KEYS", "t1:" + base64.b64encode(b"k" * 32).decode())
os.environ.setdefault("TSC_PII_INDEX_KEY", base64.b64encode(b"i" * 32).decode())

from tsc.settings import *  # noqa: E402, F403
