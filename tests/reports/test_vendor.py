import pytest
import time_machine
from django.urls import reverse

from organizations.roles import Role
from tests.factories import PersonFactory

from . import dataset

pytestmark = pytest.mark.django_db
NOVEMBER = "period=custom&start=2026-11-01&end=2026-11-30"


@pytest.fixture
def data():
    return dataset.build()


@pytest.fixture
def today():
    with time_machine.travel(dataset.TODAY, tick=False):
        yield


@pytest.mark.parametrize("role", [Role.PACKAGE_MANAGER, Role.DESK_LEAD])
def test_vendor_staff_see_every_institution(data, today, client, role):
    # given
    client.force_login(PersonFactory(role=role))
    # when
    response = client.get(reverse("vendor-report-page") + "?" + NOVEMBER)
    # then A's five and B's one ticket, both institutions ranked, the engineer compared
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="tickets_filed">6<' in html
    ranked = html.split('data-testid="ranked-breaches"')[1].split("</table>")[0]
    assert ranked.index("Ankara Büyükşehir Belediyesi") < ranked.index(data["other"].name)
    engineers = html.split('data-testid="engineers"')[1].split("</table>")[0]
    assert data["engineer"].username in engineers
    assert "B kurumunun gizli yorumu" in html


def test_vendor_filter_by_institution(data, today, client):
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER))
    response = client.get(
        reverse("vendor-report-page") + f"?{NOVEMBER}&institution={data['other'].slug}&package=premium"
    )
    html = response.content.decode()
    assert 'data-figure="tickets_filed">1<' in html
    assert "Harika, teşekkürler" not in html
    assert f"institution={data['other'].slug}" in html


@pytest.mark.parametrize("role", [Role.SUPPORT_ENGINEER, Role.INSTITUTION_ADMIN, Role.CUSTOMER])
def test_others_may_not_see_the_vendor_view(data, today, client, role):
    client.force_login(PersonFactory(role=role))
    assert client.get(reverse("vendor-report-page")).status_code == 403


def test_vendor_chart_follows_the_filter(data, today, client):
    client.force_login(PersonFactory(role=Role.DESK_LEAD))
    url = reverse("vendor-report-chart", args=["filed-by-kind"])
    response = client.get(f"{url}?from=2026-11-01&to=2026-11-30&institution={data['other'].slug}")
    assert response.status_code == 200
    assert b"<svg" in response.content
