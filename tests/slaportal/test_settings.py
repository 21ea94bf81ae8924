import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_connections_price_random_reads_for_solid_state_storage(postgres):
    # given: a connection made with the project's settings
    # when
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        (value,) = cursor.fetchone()
    # then: the desk board's partial indexes are not priced as a spinning disk's reads
    assert float(value) == 1.1
