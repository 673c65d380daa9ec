"""gunicorn.conf.py: each worker, once it has loaded the application, freezes what it loaded out
of the garbage collector's reach (issue 13: a full collection had walked it all for ~60 ms)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import gc, runpy, sys
import django
django.setup()
hooks = runpy.run_path("gunicorn.conf.py")
before = gc.get_freeze_count()
hooks["post_worker_init"](None)
frozen = gc.get_freeze_count() - before
assert "tsc.ledger.views" in sys.modules and "tsc.bulk.views" in sys.modules, "every view loaded"
print(frozen)
"""


def test_a_worker_freezes_the_loaded_application():
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHECK],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "tsc.settings_test", "PATH": "/usr/bin:/bin"},
    )
    assert int(out.stdout.strip()) > 50_000, out.stdout
