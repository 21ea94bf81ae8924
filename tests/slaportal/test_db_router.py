"""Report reads from the replica, everything else from the primary. The `replica` alias here is a
second connection to the test database (as DATABASE_REPLICA_URL would add one to a streaming
replica): which connection a query ran on is what these tests count."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import User
from slaportal import db_router

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def replica(transactional_db, postgres, monkeypatch):
    # Added after the test database is set up, and gone before it is torn down.
    monkeypatch.setitem(connections.settings, "replica", {**connections["default"].settings_dict})
    monkeypatch.setattr(db_router, "_lag", db_router._LagCheck())
    # Connected here: Django's test case refuses to open a connection of an alias it was not told
    # of, and this one exists only for the test.
    connections["replica"].connect()
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]


def _counted(request):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = request()
    return response, len(primary), len(replica)


def _report_queries(context) -> list[str]:
    return [q["sql"] for q in context.captured_queries if "tickets_" in q["sql"] or "reports_" in q["sql"]]


def test_a_report_read_runs_on_the_replica_and_not_on_the_primary(replica, institution_admin, client):
    # given: an institution admin signed in a while ago
    client.force_login(institution_admin)
    # when: they open the report page
    response, primary, on_replica = _counted(lambda: client.get(reverse("report-page")))
    # then: every query of the request, the session and the person included, ran on the replica
    assert response.status_code == 200
    assert on_replica > 0
    assert primary == 0


def test_other_pages_read_from_the_primary(replica, institution_admin, client):
    # given
    client.force_login(institution_admin)
    # when: a page that is not a report
    response, primary, on_replica = _counted(lambda: client.get(reverse("home")))
    # then
    assert response.status_code in (200, 302)
    assert primary > 0
    assert on_replica == 0


def test_a_person_who_has_just_written_reads_the_report_from_the_primary(replica, institution_admin, client):
    # given: the admin has just written (any POST)
    client.force_login(institution_admin)
    wrote = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert wrote.cookies[db_router.READ_YOUR_WRITES_COOKIE]["max-age"] == settings.READ_YOUR_WRITES_SECONDS
    # when: they open the report page right after
    response, primary, on_replica = _counted(lambda: client.get(reverse("report-page")))
    # then: read from the primary, which has what they wrote
    assert response.status_code == 200
    assert primary > 0
    assert on_replica == 0


def test_a_write_is_remembered_for_the_person_even_without_the_cookie(replica, institution_admin, client):
    # given: the admin has written, and the next request comes without the cookie (another client)
    client.force_login(institution_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.cookies.pop(db_router.READ_YOUR_WRITES_COOKIE)
    # when
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        response = client.get(reverse("report-page"))
    # then: the shared cache's mark keeps the report on the primary (the replica only told who
    # the person is)
    assert response.status_code == 200
    assert _report_queries(primary)
    assert not _report_queries(on_replica)


def test_a_lagging_replica_is_skipped(replica, institution_admin, client, monkeypatch):
    # given: a replica half a minute behind
    client.force_login(institution_admin)
    monkeypatch.setattr(db_router, "replica_lag_seconds", lambda: 30.0)
    # when
    response, primary, on_replica = _counted(lambda: client.get(reverse("report-page")))
    # then
    assert response.status_code == 200
    assert primary > 0
    assert on_replica == 0


def test_the_replica_is_asked_for_its_lag_at_most_every_two_seconds(
    replica, institution_admin, client, monkeypatch
):
    # given
    client.force_login(institution_admin)
    asked = []
    monkeypatch.setattr(db_router, "replica_lag_seconds", lambda: asked.append(1) or 0.0)
    # when: three report reads in a row
    for _ in range(3):
        client.get(reverse("report-page"))
    # then
    assert len(asked) == 1


def test_the_lag_of_a_database_that_is_not_a_replica_is_zero(replica):
    # when / then: the test database is a primary, so nothing is waiting to be replayed
    assert db_router.replica_lag_seconds() == 0.0


def test_writes_and_reads_inside_a_transaction_stay_on_the_primary(replica):
    # given
    router = db_router.ReplicaRouter()
    token = db_router._use_replica.set(True)
    try:
        # when / then
        assert router.db_for_read(User) == "replica"
        assert router.db_for_write(User) == "default"
        with transaction.atomic():
            assert router.db_for_read(User) == "default"
        assert router.allow_migrate("replica", "tickets") is False
        assert router.allow_migrate("default", "tickets") is True
    finally:
        db_router._use_replica.reset(token)


def test_without_a_replica_every_read_goes_to_the_primary(institution_admin, client):
    # given: no DATABASE_REPLICA_URL
    client.force_login(institution_admin)
    # when
    response = client.get(reverse("report-page"))
    # then
    assert response.status_code == 200
    assert "replica" not in connections.settings
    assert db_router.READ_YOUR_WRITES_COOKIE not in response.cookies


def _settings_with(**environ) -> dict:
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "print(json.dumps({alias: {'cursors_off': db.get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "'host': db['HOST'], 'options': db.get('OPTIONS', {})} for alias, db in settings.DATABASES.items()}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "slaportal.settings.test", **environ}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_pgbouncer_turns_server_side_cursors_off_and_a_replica_url_adds_the_alias():
    # when: the primary behind pgbouncer (named on the URL) and a replica
    databases = _settings_with(
        DATABASE_URL="postgres://app@db-primary.internal:6432/slaportal?pooler=pgbouncer",
        DATABASE_REPLICA_URL="postgres://app@db-replica.internal:6432/slaportal",
    )
    # then
    assert databases["default"]["cursors_off"] is True
    assert "pooler" not in databases["default"]["options"]
    assert databases["replica"]["host"] == "db-replica.internal"
    assert databases["replica"]["cursors_off"] is True
    # and: without a pooler, Django keeps its server-side cursors
    plain = _settings_with(
        DATABASE_URL="postgres://app@db-primary.internal:5432/slaportal", DATABASE_REPLICA_URL=""
    )
    assert plain["default"]["cursors_off"] is False
    assert "replica" not in plain
