"""gunicorn's settings for the portal (README, Production; bench/serving/load.py). gunicorn reads
this file by itself when started from the project's folder; `-c gunicorn.conf.py` says so.

Garbage collection (issue 13): after a worker has loaded the application, everything it loaded
(Django, our modules, the URLconf and every view) lives as long as the worker. `gc.freeze()` moves
those objects out of the collector's reach, so that a full collection looks only at what requests
made since. Without it, a full collection walked some 125,000 objects for about 60 ms, stopping
the worker and every request queued behind it (docs/bench-results.md, "Garbage collection"). The
objects are not lost or copied: they stay, as they would anyway, until the worker exits.
"""

import gc

# Bind, workers and timeouts are left to the command line (README): this file only adds the hook.


def post_worker_init(worker):
    """Runs in each worker once it has loaded the application (tsc.wsgi)."""
    from tsc.wsgi import warm_up

    warm_up()
    gc.collect()
    gc.freeze()
