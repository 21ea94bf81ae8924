"""Planned duty changes: planned by the desk, applied by the beat when their moment comes."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from organizations.models import AuditEvent, DutyChange
from organizations.roles import Role
from organizations.services import duty_change_schedule, duty_changes_apply
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_lead_plans_an_engineers_end_of_shift_and_the_beat_applies_it_once(lead, engineer):
    # given
    at = timezone.now() + datetime.timedelta(hours=1)
    duty_change_schedule(actor=lead, person=engineer, at=at, is_on_duty=False)
    # when the beat runs at the moment, twice
    applied = [duty_changes_apply(now=at), duty_changes_apply(now=at)]
    # then
    engineer.refresh_from_db()
    assert (applied, engineer.is_on_duty) == ([1, 0], False)
    assert AuditEvent.objects.filter(action="person.set_on_duty", target_id=engineer.pk).count() == 1


def test_a_planned_change_waits_for_its_moment(lead, engineer):
    # given
    at = timezone.now() + datetime.timedelta(hours=1)
    duty_change_schedule(actor=lead, person=engineer, at=at, is_on_duty=False)
    # when
    applied = duty_changes_apply(now=at - datetime.timedelta(seconds=1))
    # then
    engineer.refresh_from_db()
    assert (applied, engineer.is_on_duty) == (0, True)


def test_an_engineer_cannot_plan_anothers_duty(engineer):
    # given
    other = PersonFactory(role=Role.SUPPORT_ENGINEER)
    # then
    with pytest.raises(PermissionDenied):
        duty_change_schedule(
            actor=engineer, person=other, at=timezone.now() + datetime.timedelta(hours=1), is_on_duty=False
        )


def test_a_change_in_the_past_is_refused(lead, engineer):
    # then
    with pytest.raises(ValidationError):
        duty_change_schedule(actor=lead, person=engineer, at=timezone.now(), is_on_duty=False)
    assert DutyChange.objects.count() == 0
