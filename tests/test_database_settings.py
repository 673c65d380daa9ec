"""PostgreSQL connections prepare the statements they run often (ADR 0012, issue 13), unless
DB_PREPARED_STATEMENTS is off (a pooler in transaction mode)."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tsc.accounts.rights import _tax_types_and_levels

from .test_security import PRODUCTION_ENV, ROOT


def _database_options(**env) -> dict:
    code = "import json, tsc.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TSC_", "DJANGO_", "SECRET_KEY", "DEBUG", "DB_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=base | PRODUCTION_ENV | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_postgresql_binds_on_the_server_and_prepares_from_the_fifth_run():
    options = _database_options(DATABASE_URL="postgres://tsc@db/tsc")
    assert options == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DATABASE_URL="postgres://tsc@db/tsc", DB_PREPARE_THRESHOLD="2")["prepare_threshold"] == 2
    assert _database_options(DATABASE_URL="postgres://tsc@db/tsc", DB_PREPARED_STATEMENTS="false") == {}


def test_sqlite_keeps_its_own_options():
    assert "server_side_binding" not in _database_options(DATABASE_URL="")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_rights_query_is_prepared_on_the_connection(demo):
    for _ in range(6):
        _tax_types_and_levels(demo.nutmeg.pk, demo.viewer.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("accounts_userright" in s and "taxpayers_registration" in s for s in prepared), prepared
