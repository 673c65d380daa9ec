"""The demo firm (Constitution Tax Services, 4444444-000, administrator `prep1`: Nutmeg Hardware
with banking on file and Charter Oak Bakery without are its clients, Harbor Light Books is not)
and its API tokens; a client that calls the API with one."""

import json
import uuid

import pytest
import time_machine
from django.test import Client

from tsc.accounts.acting import Acting
from tsc.accounts.models import Login
from tsc.api import services
from tsc.api.models import Scope

FIRM = "4444444-000"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-24 10:00:00-05:00", tick=False):
        yield


@pytest.fixture
def prep(demo):
    return Login.objects.get(business__registration_number=FIRM, user_id="prep1")


@pytest.fixture
def make_token(prep):
    """make_token(*scopes) → (ApiToken, the full token); every scope unless named."""

    def make(*scopes, name="Tax software"):
        return services.api_token_create(ctx=Acting.for_login(prep), name=name, scopes=list(scopes or Scope.values))

    return make


class Api:
    """The test client speaking to /api/v1 with a bearer token."""

    def __init__(self, full_token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {full_token}"} if full_token else {}

    def get(self, path, **headers):
        return self.client.get(f"/api/v1{path}", headers=self.headers | headers)

    def post(self, path, body=None, *, key: str | None = "new", **headers):
        if key == "new":
            key = str(uuid.uuid4())
        headers = self.headers | ({"Idempotency-Key": key} if key else {}) | headers
        return self.client.post(
            f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
        )

    def upload(self, path, data, *, key: str | None = "new"):
        if key == "new":
            key = str(uuid.uuid4())
        headers = self.headers | ({"Idempotency-Key": key} if key else {})
        return self.client.post(f"/api/v1{path}", data, headers=headers)


@pytest.fixture
def api(make_token):
    """api(*scopes) → an Api with a new token of the demo firm."""

    def make(*scopes):
        _, full = make_token(*scopes)
        return Api(full)

    return make
