"""What the composition layer wires between apps of one layer: the trainings a person attended
(learning) as a column of the performance report (performance)."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from learning.models import Registration
from organizations.roles import Role
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, RegionFactory, SubscriptionFactory, UnitFactory
from tests.factories.learning import TrainingFactory

pytestmark = pytest.mark.django_db


def test_performance_report_counts_the_trainings_each_person_attended():
    # given: two sessions earlier this month; Ayşe attended both, Mehmet registered for one and missed it
    institution = SubscriptionFactory(package_code="premium").institution
    unit = UnitFactory(region=RegionFactory(institution=institution))
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    ayse, mehmet = PersonFactory(unit=unit), PersonFactory(unit=unit)
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time(10)))
    first, second = TrainingFactory(starts_at=start), TrainingFactory(starts_at=start + datetime.timedelta(hours=2))
    attended = timezone.now()
    for training in (first, second):
        Registration.objects.create(training=training, person=ayse, institution=institution, attended_at=attended)
    Registration.objects.create(training=first, person=mehmet, institution=institution)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=admin).key}")
    # when
    body = client.get(
        "/api/v1/performance/", {"group_by": "person", "from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    ).json()
    # then
    assert {"key": "trainings_attended", "label": "Katıldığı eğitimler"} in body["figures"]
    figures = {row["key"]: row["figures"].get("trainings_attended") for row in body["rows"]}
    assert figures[ayse.pk] == 2
    assert figures[mehmet.pk] in (0, None)
