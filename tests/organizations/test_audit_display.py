"""The audit log read as sentences: each event says who did what to whom by name, in the reader's
language; changed fields by their labels, ids as the names they stand for; and the vendor's own
fields left out for an institution's admin."""

import pytest
from django.urls import reverse

from organizations.models import AuditEvent
from organizations.roles import Role
from organizations.services import monitoring_grant_give, person_move, person_set_on_duty, region_create
from tests.clients import login
from tests.factories import AuditEventFactory, PersonFactory, RegionFactory, UnitFactory

pytestmark = pytest.mark.django_db

RAW = ("target_id", "person_id", "region_id", "unit_id", "object (", "Duty changed")


def _page(client, person) -> str:
    login(client, person)
    return client.get(reverse("audit-log"), HTTP_ACCEPT_LANGUAGE="tr").content.decode()


def _row(page: str, event: AuditEvent) -> str:
    return page.split(f'data-event="{event.pk}"', 1)[1].split("</tr>", 1)[0]


def test_a_new_region_reads_as_a_turkish_sentence_with_the_admins_name(client, institution_admin):
    # given
    institution_admin.first_name, institution_admin.last_name = "Ayşe", "Yılmaz"
    institution_admin.save()
    region_create(actor=institution_admin, institution=institution_admin.institution, name="Kuzey")
    event = AuditEvent.objects.get(action="region.create")
    # when
    row = _row(_page(client, institution_admin), event)
    # then
    assert "Ayşe Yılmaz, Kuzey adlı bölgeyi ekledi." in row
    assert "<dt>Ad</dt>" in row


def test_a_monitoring_grant_names_the_person_and_their_unit_not_ids(client, institution_admin):
    # given a unit manager of a named unit, granted monitoring
    unit = UnitFactory(region=RegionFactory(institution=institution_admin.institution), name="İmar Birimi")
    manager = PersonFactory(role=Role.UNIT_MANAGER, unit=unit, first_name="Mehmet", last_name="Kaya")
    grant = monitoring_grant_give(actor=institution_admin, person=manager)
    event = AuditEvent.objects.get(action="monitoring_grant.give")
    # when
    row = _row(_page(client, institution_admin), event)
    # then
    assert "Mehmet Kaya adlı kişiye" in row
    assert "İmar Birimi" in row and "<dt>Birim</dt>" in row and "<dt>Kişi</dt>" in row
    assert [raw for raw in RAW if raw in row] == []
    assert f"MonitoringGrant object ({grant.pk})" not in row


def test_a_move_shows_the_places_by_name_before_and_after(client, institution_admin):
    # given
    region = RegionFactory(institution=institution_admin.institution, name="Merkez")
    old, new = (
        UnitFactory(region=region, name="Harita Birimi"),
        UnitFactory(region=region, name="Emlak Birimi"),
    )
    person = PersonFactory(unit=old)
    person_move(actor=institution_admin, person=person, unit=new)
    event = AuditEvent.objects.get(action="person.move")
    # when
    row = _row(_page(client, institution_admin), event)
    # then
    assert "Harita Birimi → Emlak Birimi" in row
    assert f"{person.username} adlı kişinin yerini değiştirdi" in row
    assert [raw for raw in RAW if raw in row] == []


def test_duty_reads_as_a_sentence_and_only_the_vendor_sees_the_field(client, engineer):
    # given a desk lead put an engineer on duty; and an event of an institution carrying a vendor field
    lead = PersonFactory(role=Role.DESK_LEAD, first_name="Deniz", last_name="Ak")
    engineer.is_on_duty = False
    engineer.save()
    person_set_on_duty(actor=lead, person=engineer, is_on_duty=True)
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN)
    shared = AuditEventFactory(
        institution=admin.institution,
        actor=engineer,
        action="development_item.link",
        target_type="tickets.developmentitem",
        before={"item": None},
        after={"ticket": 12},
    )
    # when
    vendor_page = _page(client, lead)
    admin_page = _page(client, admin)
    # then
    duty = _row(vendor_page, AuditEvent.objects.get(action="person.set_on_duty"))
    assert "Deniz Ak" in duty and "adlı kişiyi göreve aldı." in duty and "<dt>Görevde</dt>" in duty
    assert "hayır → evet" in duty
    assert "<dt>Geliştirme kaydı</dt>" in _row(vendor_page, shared)
    assert "<dt>Geliştirme kaydı</dt>" not in _row(admin_page, shared)
    assert "#12 talebini bir geliştirme kaydına bağladı." in _row(admin_page, shared)


def test_the_log_reads_in_english_for_an_english_reader(browser_client, institution_admin):
    # given
    region_create(actor=institution_admin, institution=institution_admin.institution, name="North")
    event = AuditEvent.objects.get(action="region.create")
    login(browser_client, institution_admin)
    # when
    page = browser_client.get(reverse("audit-log")).content.decode()
    # then
    assert f"{institution_admin.username} added the region North." in _row(page, event)
