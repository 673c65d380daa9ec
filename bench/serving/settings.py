"""The production settings (tsc/settings.py, DEBUG off), with the bench-only URLconf that adds the
trivial view ("floor") behind the same middleware, and STATIC_ROOT in the bench's temporary folder.

    DJANGO_SETTINGS_MODULE=bench.serving.settings   (set by bench/pages.py; /work/main on sys.path)
"""

import os

from tsc.settings import *  # noqa: F403

ROOT_URLCONF = "bench.serving.urls"
STATIC_ROOT = os.environ.get("TSC_BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
