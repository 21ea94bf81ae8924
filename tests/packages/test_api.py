import pytest

pytestmark = pytest.mark.django_db


def test_catalogue_endpoint_is_public_and_lists_four_packages(client):
    # when
    response = client.get("/api/v1/packages/")
    # then
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == ["standard", "professional", "premium", "premium_plus"]


def test_catalogue_endpoint_shape_for_premium_plus(client):
    # when
    package = {p["code"]: p for p in client.get("/api/v1/packages/").json()}["premium_plus"]
    # then
    assert package["family"] == "gold"
    assert (package["priority"], package["first_response_minutes"]) == (1, 30)
    assert package["service_window"] == {"start": "08:00", "end": "00:00", "timezone": "Europe/Istanbul"}
    assert package["users"] == {"min": 500, "max": None}
    assert package["quotas"]["written"] == {
        "min": None,
        "max": None,
        "unlimited": True,
        "included": True,
        "pricing": "included",
    }
    assert package["quotas"]["workshops"]["min"] == package["quotas"]["workshops"]["max"] == 180
    assert package["features"]["region_management"] is True


def test_catalogue_endpoint_marks_onsite_priced_separately_for_silver(client):
    # when
    package = {p["code"]: p for p in client.get("/api/v1/packages/").json()}["standard"]
    # then
    assert package["quotas"]["onsite_days"]["included"] is False
    assert package["quotas"]["onsite_days"]["pricing"] == "per_day"
    assert package["quotas"]["workshops"]["included"] is False
    assert package["features"]["performance_tracking"] is False
