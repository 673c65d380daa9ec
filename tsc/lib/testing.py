"""Helpers for tests that need real concurrency (threads with their own database connections)."""

import threading
from collections.abc import Callable, Iterable

from django.db import connections


def run_at_once(work: Callable[..., str], arguments: Iterable[tuple], *, timeout: float = 30) -> list[str]:
    """Run `work(*args)` for each args in its own thread, all released at the same moment. Each
    call returns an outcome string; an exception becomes 'error:<type>:<message>'."""
    arguments = list(arguments)
    barrier = threading.Barrier(len(arguments))
    outcomes: list[str] = []

    def run(args):
        try:
            barrier.wait(timeout=10)
            outcomes.append(work(*args))
        except Exception as error:  # noqa: BLE001 - reported to the test as an outcome
            outcomes.append(f"error:{type(error).__name__}:{error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(args,)) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
