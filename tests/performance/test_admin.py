import pytest

from organizations.models import AuditEvent
from organizations.roles import Role
from performance.models import UsageKey
from performance.selectors import usage_key_authenticate
from tests.factories import PersonFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True))
    return client


def test_vendor_staff_issue_a_key_in_the_admin_and_see_it_once(staff_client, org):
    # when
    response = staff_client.post(
        "/admin/performance/usagekey/add/", {"institution": org["institution"].pk, "name": "Kurulum 7"}
    )
    # then
    key = UsageKey.objects.get(name="Kurulum 7")
    shown = response.content.decode().split('id="issued-key" type="text" readonly value="')[1].split('"')[0]
    assert usage_key_authenticate(raw=shown) == key
    assert AuditEvent.objects.filter(action="usage_key.issue", target_id=key.pk).exists()


def test_admin_refuses_a_key_for_a_standard_institution(staff_client):
    # given
    institution = SubscriptionFactory(package_code="standard").institution
    # when
    response = staff_client.post(
        "/admin/performance/usagekey/add/", {"institution": institution.pk, "name": "X"}
    )
    # then
    assert response.status_code == 200 and not UsageKey.objects.filter(institution=institution).exists()


def test_admin_revoke_action(staff_client, org):
    # when
    staff_client.post(
        "/admin/performance/usagekey/",
        {"action": "revoke", "_selected_action": [org["key"].pk]},
    )
    # then
    assert UsageKey.objects.get(pk=org["key"].pk).revoked is True
