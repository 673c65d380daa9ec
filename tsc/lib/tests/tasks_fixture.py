"""Test-only django.tasks tasks for tsc/lib/tests/test_tasks.py (importable by a real worker)."""

from pathlib import Path

from django.tasks import task


@task
def write_marker(path: str, text: str) -> int:
    Path(path).write_text(text)
    return len(text)


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def echo(*args, **kwargs):
    """Returns what it was given, as the task saw it."""
    return [list(args), kwargs]


@task
def fail(secret: str) -> None:
    raise ValueError(f"could not process {secret}")


@task
def bad_return_value():
    return object()


@task(takes_context=True)
def attempt(context) -> int:
    return context.attempt


@task
async def async_add(a: int, b: int) -> int:
    return a + b
