import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from organizations.models import AuditEvent
from organizations.permissions import FeatureLocked
from organizations.roles import Role
from performance.models import UsageKey
from performance.selectors import usage_key_authenticate
from performance.services import usage_key_issue, usage_key_revoke
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.performance import UsageKeyFactory

pytestmark = pytest.mark.django_db


def api_as(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
    return client


def test_issued_key_is_stored_hashed_and_authenticates(org):
    # given
    admin = org["admin"]
    # when
    key, raw = usage_key_issue(actor=admin, institution=org["institution"], name="Ankara server")
    # then
    stored = UsageKey.objects.get(pk=key.pk)
    assert raw not in stored.hashed_key and raw.split(".")[1] not in stored.hashed_key
    assert stored.hashed_key.startswith("sha512$$")
    assert usage_key_authenticate(raw=raw) == key


def test_issuing_and_revoking_are_audited(org):
    # given
    key = org["key"]
    # when
    usage_key_revoke(actor=org["admin"], key=key)
    usage_key_revoke(actor=org["admin"], key=key)
    # then
    actions = list(
        AuditEvent.objects.filter(target_type="performance.usagekey", target_id=key.pk).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["usage_key.issue", "usage_key.revoke"]


def test_revoked_key_no_longer_authenticates(org):
    # given
    key = org["key"]
    # when
    usage_key_revoke(actor=org["admin"], key=key)
    # then
    assert usage_key_authenticate(raw=key.raw) is None


def test_wrong_secret_with_a_real_prefix_does_not_authenticate(org):
    # given
    prefix = org["key"].prefix
    # when
    found = usage_key_authenticate(raw=f"{prefix}.not-the-secret")
    # then
    assert found is None


@pytest.mark.parametrize("package", ["standard", "professional"])
def test_no_key_for_standard_or_professional(package):
    # given
    institution = SubscriptionFactory(package_code=package).institution
    admin = PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution)
    # when / then
    with pytest.raises(FeatureLocked):
        usage_key_issue(actor=admin, institution=institution, name="Server")


def test_vendor_staff_may_issue_a_key(org):
    # given
    staff = PersonFactory(role=Role.PACKAGE_MANAGER)
    # when
    key, _raw = usage_key_issue(actor=staff, institution=org["institution"], name="Installed by us")
    # then
    assert key.institution == org["institution"] and key.created_by == staff


def test_customer_may_not_issue_a_key(org):
    # given / when / then
    with pytest.raises(PermissionDenied):
        usage_key_issue(actor=org["ayse"], institution=org["institution"], name="Mine")


def test_api_issue_shows_the_key_once(org):
    # given
    client = api_as(org["admin"])
    # when
    created = client.post("/api/v1/usage/keys/", {"name": "İzmir office"}, format="json")
    listed = client.get("/api/v1/usage/keys/")
    # then
    assert created.status_code == 201
    assert usage_key_authenticate(raw=created.json()["key"]).pk == created.json()["id"]
    assert all("key" not in row and "hashed_key" not in row for row in listed.json())
    assert {row["name"] for row in listed.json()} == {org["key"].name, "İzmir office"}


def test_api_issue_on_standard_is_feature_locked(catalogue):
    # given
    institution = SubscriptionFactory(package_code="standard").institution
    client = api_as(PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution))
    # when
    response = client.post("/api/v1/usage/keys/", {"name": "Server"}, format="json")
    # then
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "feature_locked" and set(error["packages"]) == {
        catalogue["premium"].name,
        catalogue["premium_plus"].name,
    }


def test_api_revoke(org):
    # given
    client = api_as(org["admin"])
    # when
    response = client.post(f"/api/v1/usage/keys/{org['key'].pk}/revoke/")
    # then
    assert response.status_code == 200 and response.json()["revoked"] is True


def test_api_revoke_of_another_institutions_key_is_404(org):
    # given
    other = UsageKeyFactory(institution=SubscriptionFactory(package_code="premium").institution)
    client = api_as(org["admin"])
    # when
    response = client.post(f"/api/v1/usage/keys/{other.pk}/revoke/")
    # then
    assert response.status_code == 404
    assert UsageKey.objects.get(pk=other.pk).revoked is False


def test_api_keys_refused_to_a_customer(org):
    # given
    client = api_as(org["ayse"])
    # when
    response = client.get("/api/v1/usage/keys/")
    # then
    assert response.status_code == 403


def test_keys_page_issues_and_shows_the_key_once(client, org):
    # given
    client.force_login(org["admin"])
    # when
    issued = client.post("/institution/usage-keys/", {"name": "Bursa server"})
    again = client.get("/institution/usage-keys/")
    # then
    raw = next(k for k in UsageKey.objects.filter(name="Bursa server"))
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    body = issued.content.decode()
    shown = body.split('id="issued-key" type="text" readonly value="')[1].split('"')[0]
    assert usage_key_authenticate(raw=shown) == raw
    assert shown not in again.content.decode()


def test_keys_page_revokes(client, org):
    # given
    client.force_login(org["admin"])
    # when
    response = client.post(f"/institution/usage-keys/{org['key'].pk}/revoke/")
    # then
    assert response.status_code == 302
    assert UsageKey.objects.get(pk=org["key"].pk).revoked is True


def test_keys_page_revoke_of_another_institutions_key_is_404(client, org):
    # given
    other = UsageKeyFactory(institution=SubscriptionFactory(package_code="premium").institution)
    client.force_login(org["admin"])
    # when
    response = client.post(f"/institution/usage-keys/{other.pk}/revoke/")
    # then
    assert response.status_code == 404


def test_keys_page_locked_on_professional(client):
    # given
    institution = SubscriptionFactory(package_code="professional").institution
    client.force_login(PersonFactory(role=Role.INSTITUTION_ADMIN, institution=institution))
    # when
    response = client.get("/institution/usage-keys/")
    # then
    assert response.status_code == 200
    assert 'data-testid="locked"' in response.content.decode()
    assert '<form method="post" class="card"' not in response.content.decode()
