import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from organizations.models import Institution, MonitoringGrant, User
from organizations.roles import Role
from packages.models import Allotment, QuotaEntry
from packages.selectors import subscription_get_active
from performance.models import UsageDay, UsageEvent, UsageKey
from performance.selectors import performance_report
from tests.factories import TicketFactory
from tickets.selectors import ticket_visible_to

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_login_and_is_idempotent():
    # when
    call_command("seed_demo")
    counts = (User.objects.count(), Institution.objects.count(), MonitoringGrant.objects.count())
    call_command("seed_demo")
    # then
    assert (User.objects.count(), Institution.objects.count(), MonitoringGrant.objects.count()) == counts
    roles = {u.username: u.role for u in User.objects.all()}
    assert roles["staff"] == Role.PACKAGE_MANAGER and User.objects.get(username="staff").is_superuser
    assert roles["lead"] == Role.DESK_LEAD
    assert roles["engineer1"] == roles["engineer2"] == Role.SUPPORT_ENGINEER
    assert roles["developer"] == Role.DEVELOPER
    assert User.objects.get(username="developer").check_password("demo-pass-2026")
    for slug in ("standard", "professional", "premium", "premiumplus"):
        assert roles[f"{slug}-admin"] == Role.INSTITUTION_ADMIN
        assert roles[f"{slug}-user1"] == roles[f"{slug}-user2"] == Role.CUSTOMER
        assert User.objects.get(username=f"{slug}-user1").check_password("demo-pass-2026")


def test_seed_demo_places_gold_people_in_the_tree():
    # when
    call_command("seed_demo")
    # then
    for slug in ("premium", "premiumplus"):
        user1 = User.objects.get(username=f"{slug}-user1")
        user2 = User.objects.get(username=f"{slug}-user2")
        unit = User.objects.get(username=f"{slug}-unit")
        region = User.objects.get(username=f"{slug}-region")
        assert (user1.region.name, user1.unit.name) == ("Merkez Bölge", "İmar Birimi")
        assert (user2.region.name, user2.unit.name) == ("Kuzey Bölge", "Emlak Birimi")
        assert unit.role == Role.UNIT_MANAGER and unit.unit == user1.unit
        assert region.role == Role.REGION_MANAGER and region.region == user1.region
        assert Institution.objects.get(slug=slug).units.count() == 4


def test_seed_demo_premium_contract_figures_and_full_allotments():
    # when
    call_command("seed_demo")
    # then
    subscription = subscription_get_active(institution=Institution.objects.get(slug="premium"))
    assert subscription.user_cap == 50
    figures = {a.channel: a.allotment for a in subscription.allotments.all()}
    assert figures == {"written": 1000, "phone": 1000, "remote": 1000, "onsite_days": 6, "workshops": 12}
    assert not QuotaEntry.objects.exists()
    assert set(Allotment.objects.values_list("used", flat=True)) == {0}


def test_seed_demo_gives_manager_grants_through_the_service_once():
    # given
    call_command("seed_demo")
    # when
    call_command("seed_demo")
    # then
    for slug in ("premium", "premiumplus"):
        admin = User.objects.get(username=f"{slug}-admin")
        for manager in (f"{slug}-unit", f"{slug}-region"):
            grants = MonitoringGrant.objects.filter(person__username=manager)
            assert [(g.granted_by, g.revoked_at) for g in grants] == [(admin, None)]


def test_seed_demo_unit_manager_sees_unit_colleagues_ticket():
    # given
    call_command("seed_demo")
    colleague = User.objects.get(username="premium-user1")
    ticket = TicketFactory(requester=colleague)
    # when
    visible = ticket_visible_to(person=User.objects.get(username="premium-unit"))
    # then
    assert ticket in visible


def test_seed_demo_gives_the_premium_performance_page_product_usage(client):
    # given: seeded twice
    call_command("seed_demo")
    counts = (UsageEvent.objects.count(), UsageDay.objects.count(), UsageKey.objects.count())
    call_command("seed_demo")
    today = timezone.localdate()
    query = {
        "group_by": "person",
        "from": (today - datetime.timedelta(days=30)).isoformat(),
        "to": today.isoformat(),
    }
    client.force_login(User.objects.get(username="premium-admin"))
    # when
    page = client.get("/institution/performance/", query)
    report = performance_report(
        actor=User.objects.get(username="premium-admin"),
        group_by="person",
        start=today - datetime.timedelta(days=30),
        end=today,
    )
    # then: nothing stored twice, one key, and usage on the page for the demo people
    assert (UsageEvent.objects.count(), UsageDay.objects.count(), UsageKey.objects.count()) == counts
    assert counts[0] > 0 and counts[2] == 1
    hours = {row.label: row.usage["hours"] for row in report.rows}
    assert hours["premium-user1"] > 0 and hours["premium-unit"] > 0
    html = page.content.decode()
    user1 = User.objects.get(username="premium-user1")
    row = html.split(f'<tr data-row="{user1.pk}">')[1].split("</tr>")[0]
    assert f"{hours['premium-user1']}".replace(".", ",") in row
    assert "netcad" in row.lower() or "netgis" in row.lower()
