"""API idempotency keys are forgotten after TSC_API_IDEMPOTENCY_DAYS (default 7), every night."""

from datetime import timedelta

from django.utils import timezone

from tsc.api import services
from tsc.api.models import IdempotencyKey
from tsc.api.tasks import prune_idempotency_keys


def keys_aged(token, **ages: timedelta) -> None:
    for key, age in ages.items():
        IdempotencyKey.objects.create(token=token, key=key, fingerprint="f", status=201, response={})
        IdempotencyKey.objects.filter(key=key).update(created_at=timezone.now() - age)


def test_keys_older_than_the_retention_are_pruned_and_newer_ones_kept(demo, make_token):
    token, _ = make_token()
    keys_aged(token, old=timedelta(days=8), edge=timedelta(days=6, hours=23), fresh=timedelta(minutes=1))
    assert services.idempotency_keys_prune() == 1
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["edge", "fresh"]
    assert services.idempotency_keys_prune() == 0


def test_the_retention_is_a_setting_and_the_nightly_task_prunes(demo, make_token, settings):
    token, _ = make_token()
    keys_aged(token, two_days=timedelta(days=2), hour=timedelta(hours=1))
    settings.TSC_API_IDEMPOTENCY_DAYS = 1
    prune_idempotency_keys.call_local()
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["hour"]
