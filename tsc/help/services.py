"""Loading the help text (tsc/help/topics.py) into the Topic table."""

from django.db import transaction

from . import topics


@transaction.atomic
def topics_load(*, model=None) -> int:
    """Create or update every topic of the help text; returns how many. Migration 0003 passes its
    historical model; tests call it to restore the topics a flushed database lost."""
    if model is None:
        from .models import Topic as model
    for row in topics.rows():
        slug = row.pop("slug")
        model.objects.update_or_create(slug=slug, defaults=row)
    return len(topics.TOPICS)
