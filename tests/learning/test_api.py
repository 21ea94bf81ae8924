import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from learning.models import Download, LibraryItem
from learning.services import training_register
from tests.factories import PersonFactory
from tests.factories.learning import LibraryItemFactory, ProductFactory, RegistrationFactory, TrainingFactory
from tests.learning.conftest import PDF


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_trainings_list_with_my_registration(customer, training):
    # given
    training_register(actor=customer, training=training)
    # when
    body = api(customer).get("/api/v1/trainings/").json()
    # then
    [session] = body["results"]
    assert session["id"] == training.pk
    assert session["is_registered"] is True
    assert session["registered_count"] == 1
    assert session["places_left"] is None
    assert session["meeting_url"] == ""
    assert datetime.datetime.fromisoformat(session["starts_at"]) == training.starts_at


def test_trainings_filters_upcoming_past_and_product(customer):
    # given
    product = ProductFactory()
    upcoming = TrainingFactory(product=product)
    TrainingFactory()
    past = TrainingFactory(product=product, starts_at=timezone.now() - datetime.timedelta(days=3))
    client = api(customer)
    # when
    upcoming_ids = [
        s["id"]
        for s in client.get(f"/api/v1/trainings/?upcoming=true&product={product.pk}").json()["results"]
    ]
    past_ids = [s["id"] for s in client.get("/api/v1/trainings/?past=true").json()["results"]]
    # then
    assert upcoming_ids == [upcoming.pk]
    assert past_ids == [past.pk]


def test_trainings_list_query_count_does_not_grow(customer, django_assert_max_num_queries):
    # given
    for _ in range(10):
        TrainingFactory(product=ProductFactory())
    client = api(customer)
    # when / then: the person's groups, the contract, the sessions — not one query per session
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/trainings/").json()["results"]) == 10


def test_training_detail(customer, training):
    # when
    response = api(customer).get(f"/api/v1/trainings/{training.pk}/")
    # then
    assert response.status_code == 200
    assert f"/api/v1/trainings/{training.pk}/ics/?signature=" in response.json()["ics_url"]


def test_training_detail_of_a_draft_is_404(customer):
    # given
    training = TrainingFactory(is_published=False)
    # when
    response = api(customer).get(f"/api/v1/trainings/{training.pk}/")
    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_register_is_201_and_unregister_204(customer, training):
    # given
    client = api(customer)
    # when
    created = client.post(f"/api/v1/trainings/{training.pk}/registration/")
    deleted = client.delete(f"/api/v1/trainings/{training.pk}/registration/")
    # then
    assert created.status_code == 201
    assert created.json()["training"] == training.pk
    assert deleted.status_code == 204
    assert not training.registrations.exists()


def test_register_for_a_full_session_is_202_waiting_with_the_position(customer, other_customer, premium):
    # given
    training = TrainingFactory(capacity=1)
    training_register(actor=other_customer, training=training)
    training_register(actor=PersonFactory(institution=premium.institution), training=training)
    # when
    response = api(customer).post(f"/api/v1/trainings/{training.pk}/registration/")
    # then
    assert response.status_code == 202
    assert response.json() == {"status": "waiting", "position": 2}


def test_training_shows_its_waiting_count(customer, other_customer, premium):
    # given
    training = TrainingFactory(capacity=1)
    training_register(actor=other_customer, training=training)
    training_register(actor=customer, training=training)
    # when
    body = api(customer).get(f"/api/v1/trainings/{training.pk}/").json()
    # then
    assert (body["registered_count"], body["waiting_count"], body["places_left"]) == (1, 1, 0)
    assert (body["is_registered"], body["waiting_position"]) == (False, 1)


def test_register_after_the_start_is_409(customer):
    # given
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(minutes=1))
    # when
    response = api(customer).post(f"/api/v1/trainings/{training.pk}/registration/")
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "registration_closed"


def test_register_with_an_ended_contract_is_409_no_active_subscription(ended_recently):
    # given: an upcoming session is not even listed for an ended contract
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(days=1))
    # when
    response = api(ended_recently).post(f"/api/v1/trainings/{training.pk}/registration/")
    # then
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_active_subscription"


def test_trainings_without_contract_are_403(no_contract, training):
    # given
    client = api(no_contract)
    # when
    responses = [
        client.get("/api/v1/trainings/"),
        client.get(f"/api/v1/trainings/{training.pk}/"),
        client.post(f"/api/v1/trainings/{training.pk}/registration/"),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert {r.json()["error"]["code"] for r in responses} == {"permission_denied"}


def test_trainings_need_credentials(db, training):
    # when
    response = APIClient().get("/api/v1/trainings/")
    # then
    assert response.status_code == 401


def test_other_institution_registration_is_not_reported_as_mine(customer, other_customer, training):
    # given
    training_register(actor=customer, training=training)
    # when
    body = api(other_customer).get(f"/api/v1/trainings/{training.pk}/").json()
    # then
    assert body["is_registered"] is False


def test_non_numeric_id_is_404(customer):
    # when
    response = api(customer).get("/api/v1/trainings/abc/")
    # then
    assert response.status_code == 404


def test_library_search_kind_and_detail(customer, document):
    # given
    LibraryItemFactory(kind=LibraryItem.Kind.VIDEO, title="Parsel videosu", tags="parsel")
    client = api(customer)
    # when
    found = client.get("/api/v1/library/?search=kurulum&kind=help_document").json()["results"]
    detail = client.get(f"/api/v1/library/{document.pk}/").json()
    # then
    assert [i["id"] for i in found] == [document.pk]
    assert detail["tags"] == ["kurulum", "belediye"]
    [group] = detail["files"]
    assert group["name"] == "kilavuz.pdf"
    assert group["current"]["version"] == 1
    assert group["previous"] == []


def test_library_download_by_api_with_range(customer, document):
    # when
    response = api(customer).get(f"/api/v1/library/{document.pk}/download/", HTTP_RANGE="bytes=0-3")
    # then
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == PDF[:4]
    assert Download.objects.get(item=document, person=customer).count == 1


def test_library_without_contract_is_403_and_counts_nothing(no_contract, document):
    # given
    client = api(no_contract)
    # when
    responses = [
        client.get("/api/v1/library/"),
        client.get(f"/api/v1/library/{document.pk}/"),
        client.get(f"/api/v1/library/{document.pk}/download/"),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert not Download.objects.exists()


def test_library_item_missing_is_404(customer):
    # when
    response = api(customer).get("/api/v1/library/999999/download/")
    # then
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_library_list_query_count_does_not_grow(customer, document, django_assert_max_num_queries):
    # given
    for _ in range(10):
        LibraryItemFactory(product=ProductFactory())
    client = api(customer)
    # when / then
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/library/").json()["results"]) == 11


def test_other_institution_cannot_cancel_my_registration(customer, other_customer, training):
    # given
    training_register(actor=customer, training=training)
    # when
    response = api(other_customer).delete(f"/api/v1/trainings/{training.pk}/registration/")
    # then: their own (absent) registration is gone, mine stays
    assert response.status_code == 204
    assert list(training.registrations.values_list("person", flat=True)) == [customer.pk]


def test_download_counts_stay_per_person_across_institutions(customer, other_customer, document):
    # when
    api(customer).get(f"/api/v1/library/{document.pk}/download/")
    api(other_customer).get(f"/api/v1/library/{document.pk}/download/")
    # then
    assert dict(Download.objects.values_list("person", "institution")) == {
        customer.pk: customer.institution_id,
        other_customer.pk: other_customer.institution_id,
    }


def test_recording_url_is_null_when_there_is_no_external_link(customer, training):
    # when
    session = api(customer).get(f"/api/v1/trainings/{training.pk}/").json()
    # then
    assert session["recording_url"] is None


def test_recording_url_is_the_external_link_when_there_is_one(customer):
    # given
    training = TrainingFactory(recording_url="https://video.example.com/1")
    # when
    session = api(customer).get(f"/api/v1/trainings/{training.pk}/").json()
    # then
    assert session["recording_url"] == "https://video.example.com/1"


def test_schema_declares_recording_url_nullable_and_the_download_types():
    # given
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    # when
    recording_url = schema["components"]["schemas"]["Training"]["properties"]["recording_url"]
    download = schema["paths"]["/api/v1/library/{id}/download/"]["get"]["responses"]
    # then
    assert recording_url["nullable"] is True
    assert {"application/pdf", "video/mp4", "text/csv"} <= set(download["200"]["content"])
    assert "application/octet-stream" not in download["200"]["content"]
    assert "application/pdf" in download["206"]["content"]


def test_library_download_of_a_range_past_the_end_is_416_with_the_error_shape(customer, document):
    # when
    response = api(customer).get(f"/api/v1/library/{document.pk}/download/", HTTP_RANGE="bytes=999999-")
    # then
    assert response.status_code == 416
    assert response.json()["error"]["code"] == "range_not_satisfiable"
    assert response["Content-Range"].startswith("bytes */")


def test_package_manager_records_attendance_over_the_api(customer, other_customer, package_manager):
    # given
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(hours=1))
    for person in (customer, other_customer):
        RegistrationFactory(training=training, person=person)
    client = api(package_manager)
    # when
    recorded = client.post(
        f"/api/v1/trainings/{training.pk}/attendance/", {"people": [customer.pk]}, format="json"
    )
    listed = client.get(f"/api/v1/trainings/{training.pk}/attendance/").json()
    # then
    assert recorded.json() == {"attended": 1}
    assert {row["person"]: row["attended"] for row in listed} == {customer.pk: True, other_customer.pk: False}


def test_attendance_is_the_package_managers_and_waits_for_the_start(customer, package_manager):
    # given
    upcoming = TrainingFactory()
    # when
    by_customer = api(customer).get(f"/api/v1/trainings/{upcoming.pk}/attendance/")
    too_early = api(package_manager).post(
        f"/api/v1/trainings/{upcoming.pk}/attendance/", {"people": [customer.pk]}, format="json"
    )
    missing = api(package_manager).get("/api/v1/trainings/999999/attendance/")
    # then
    assert (by_customer.status_code, too_early.status_code, missing.status_code) == (403, 422, 404)


def test_training_feed_is_made_then_renewed_and_the_old_address_dies(customer, client):
    # given
    app = api(customer)
    # when
    before = app.get("/api/v1/me/training-feed/").json()
    made = app.post("/api/v1/me/training-feed/")
    renewed = app.post("/api/v1/me/training-feed/")
    # then
    assert before == {"url": None}
    assert (made.status_code, renewed.status_code) == (201, 200)
    old, new = made.json()["url"], renewed.json()["url"]
    assert old != new
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
