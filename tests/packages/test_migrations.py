"""The product list moved from tickets to packages: the rows stored before the move keep their ids,
and the foreign keys of the other apps still reach them after it. Runs on whichever database the
suite runs on (SQLite locally, PostgreSQL in CI)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from learning.models import Training
from packages.models import Product

BEFORE_THE_MOVE = [
    ("packages", "0004_quota_entry_reversal"),
    ("tickets", "0011_developer_group"),
    ("learning", "0003_training_waiting_list"),
]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_products_stored_in_tickets_keep_their_ids_in_packages():
    # given: a product stored while the model still lived in tickets, and a training about it
    executor = _migrate(BEFORE_THE_MOVE)
    old_apps = executor.loader.project_state(BEFORE_THE_MOVE).apps
    old_product = old_apps.get_model("tickets", "Product").objects.create(
        code="kent-rehberi", name="Kent Rehberi"
    )
    starts_at = timezone.now() + datetime.timedelta(days=3)
    old_apps.get_model("learning", "Training").objects.create(
        title="Kent Rehberi'ne giriş",
        product_id=old_product.pk,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=1),
    )
    # when
    _migrate(executor.loader.graph.leaf_nodes())
    # then
    product = Product.objects.get(code="kent-rehberi")
    assert (product.pk, product.name) == (old_product.pk, "Kent Rehberi")
    assert Training.objects.get(title="Kent Rehberi'ne giriş").product == product
    assert Product._meta.db_table == "packages_product"
    assert "tickets_product" not in connection.introspection.table_names()
