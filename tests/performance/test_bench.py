import re

import pytest
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_bench_usage_prints_events_per_second_and_queries_per_request(live_server, capsys):
    # when
    call_command("bench_usage", events=40, batch=10, clients=2, url=live_server.url)
    # then
    out = capsys.readouterr().out
    assert re.search(r"40 events sent, 40 accepted, 40 stored in [\d.]+ s: [\d,]+ events/s", out)
    assert int(re.search(r"SQL queries per request: (\d+)", out).group(1)) <= 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bench_usage_through_gunicorn_on_postgresql(postgres, capsys):
    # when
    call_command("bench_usage", events=2000, batch=1000, clients=2, workers=1)
    # then
    out = capsys.readouterr().out
    assert "gunicorn with 1 workers" in out
    assert re.search(r"2000 events sent, 2000 accepted, 2000 stored in [\d.]+ s: [\d,]+ events/s", out)
