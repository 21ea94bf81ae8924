import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from learning.models import Download, LibraryFile
from learning.services import feed_get_or_create, training_register
from tests.clients import login
from tests.factories.learning import ProductFactory, TrainingFactory
from tests.learning.conftest import PDF


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the calendar ----------------------------------------------------------------------------------


def test_month_view_marks_my_registration(browser_client, customer, training):
    # given
    training_register(actor=customer, training=training)
    month = timezone.localtime(training.starts_at).strftime("%Y-%m")
    # when
    response = login(browser_client, customer).get(f"/learning/?view=month&month={month}")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-training="{training.pk}"' in page
    assert 'class="session mine"' in page


def test_list_view_shows_upcoming_and_past_with_recording(browser_client, customer, training):
    # given
    past = TrainingFactory(
        title="Geçen hafta",
        starts_at=timezone.now() - datetime.timedelta(days=7),
        recording_url="https://video.example.com/1",
    )
    # when
    response = login(browser_client, customer).get("/learning/?view=list")
    # then
    assert response.status_code == 200
    assert [s.pk for s in response.context["upcoming"]] == [training.pk]
    assert [s.pk for s in response.context["past"]] == [past.pk]
    assert "Recording" in response.content.decode()


def test_calendar_filters_by_product(browser_client, customer):
    # given
    product = ProductFactory()
    TrainingFactory(title="Netcad", product=product)
    TrainingFactory(title="Other")
    # when
    response = login(browser_client, customer).get(f"/learning/?view=list&product={product.pk}")
    # then
    assert [s.title for s in response.context["upcoming"]] == ["Netcad"]


def test_calendar_without_contract_is_forbidden(browser_client, no_contract):
    # when
    response = login(browser_client, no_contract).get("/learning/")
    # then
    assert response.status_code == 403


def test_calendar_needs_login(client):
    # when
    response = client.get("/learning/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_calendar_is_turkish_by_default(client, customer):
    # when
    response = login(client, customer).get("/learning/?view=list")
    # then
    assert "Yaklaşan oturumlar" in response.content.decode()


# --- a session -------------------------------------------------------------------------------------


def test_register_and_unregister_through_the_page(browser_client, customer, training):
    # when
    login(browser_client, customer).post(
        f"/learning/trainings/{training.pk}/registration/", {"action": "register"}
    )
    registered = training.registrations.filter(person=customer).exists()
    browser_client.post(f"/learning/trainings/{training.pk}/registration/", {"action": "unregister"})
    # then
    assert registered
    assert not training.registrations.exists()


def test_full_session_offers_the_waiting_list(browser_client, customer, other_customer):
    # given
    training = TrainingFactory(capacity=1)
    training_register(actor=other_customer, training=training)
    # when
    response = login(browser_client, customer).get(f"/learning/trainings/{training.pk}/")
    # then
    assert 'data-testid="join-waiting-list"' in response.content.decode()


def test_registering_for_a_full_session_shows_the_waiting_position(browser_client, customer, other_customer):
    # given
    training = TrainingFactory(capacity=1)
    training_register(actor=other_customer, training=training)
    # when
    response = login(browser_client, customer).post(
        f"/learning/trainings/{training.pk}/registration/", {"action": "register"}, follow=True
    )
    # then
    page = response.content.decode()
    assert "number 1 on the waiting list" in page
    assert 'data-testid="waiting-position"' in page
    assert training.registrations.filter(is_waiting=True).get().person == customer


def test_meeting_link_only_for_registered_people_from_an_hour_before(
    browser_client, customer, other_customer
):
    # given: a session starting in 30 minutes; the other institution's person registered
    training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(minutes=30))
    training_register(actor=other_customer, training=training)
    # when
    theirs = login(browser_client, other_customer).get(f"/learning/trainings/{training.pk}/").content.decode()
    mine = login(browser_client, customer).get(f"/learning/trainings/{training.pk}/").content.decode()
    # then
    assert training.meeting_url in theirs
    assert training.meeting_url not in mine


def test_meeting_link_hidden_earlier_than_an_hour_before(browser_client, customer, training):
    # given: two days ahead
    training_register(actor=customer, training=training)
    # when
    page = login(browser_client, customer).get(f"/learning/trainings/{training.pk}/").content.decode()
    # then
    assert training.meeting_url not in page


def test_draft_session_is_404_for_customers(browser_client, customer):
    # given
    training = TrainingFactory(is_published=False)
    # when
    response = login(browser_client, customer).get(f"/learning/trainings/{training.pk}/")
    # then
    assert response.status_code == 404


def test_session_page_without_contract_is_forbidden(browser_client, no_contract, training):
    # when
    response = login(browser_client, no_contract).get(f"/learning/trainings/{training.pk}/")
    # then
    assert response.status_code == 403


def test_other_institution_sees_the_session_but_not_my_registration(
    browser_client, customer, other_customer, training
):
    # given
    training_register(actor=customer, training=training)
    # when
    response = login(browser_client, other_customer).get(f"/learning/trainings/{training.pk}/")
    # then
    assert response.status_code == 200
    assert response.context["training"].is_registered is False
    assert 'value="register"' in response.content.decode()


def test_ics_file_parses_back_with_the_right_times(browser_client, customer, training):
    # when
    response = login(browser_client, customer).get(f"/learning/trainings/{training.pk}.ics")
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["DTSTART"].dt == training.starts_at
    assert event["DTEND"].dt == training.ends_at
    assert str(event["SUMMARY"]) == training.title


def test_ics_file_without_contract_is_forbidden(browser_client, no_contract, training):
    # when
    response = login(browser_client, no_contract).get(f"/learning/trainings/{training.pk}.ics")
    # then
    assert response.status_code == 403


def test_feed_lists_my_registered_sessions_and_needs_no_login(client, customer, training):
    # given
    TrainingFactory(title="Not mine")
    training_register(actor=customer, training=training)
    token = feed_get_or_create(actor=customer).token
    # when
    response = client.get(f"/learning/feed/{token}.ics")
    # then
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == [training.title]
    assert events[0]["DTSTART"].dt == training.starts_at


def test_feed_with_an_unknown_token_is_404(client, db):
    # when
    response = client.get("/learning/feed/not-a-token.ics")
    # then
    assert response.status_code == 404


def test_feed_reset_from_the_calendar_shows_the_new_address(browser_client, customer):
    # given
    old = feed_get_or_create(actor=customer).token
    # when
    response = login(browser_client, customer).post("/learning/feed/reset/", follow=True)
    # then
    new = response.context["feed_url"]
    assert old not in new
    assert new.endswith(".ics")
    assert browser_client.get(f"/learning/feed/{old}.ics").status_code == 404


def test_recording_streams_with_range_after_the_session(browser_client, customer):
    # given
    training = TrainingFactory(
        starts_at=timezone.now() - datetime.timedelta(days=1), recording_content_type="video/webm"
    )
    training.recording_file.save("kayit.webm", ContentFile(b"0123456789" * 10))
    # when
    response = login(browser_client, customer).get(
        f"/learning/trainings/{training.pk}/recording/", HTTP_RANGE="bytes=10-19"
    )
    # then
    assert response.status_code == 206
    assert _body(response) == b"0123456789"
    assert response["Content-Type"] == "video/webm"


def test_recording_of_an_upcoming_session_is_404(browser_client, customer, training):
    # given
    training.recording_file.save("kayit.webm", ContentFile(b"x"))
    # when
    response = login(browser_client, customer).get(f"/learning/trainings/{training.pk}/recording/")
    # then
    assert response.status_code == 404


def test_ended_contract_still_plays_past_recordings(browser_client, ended_recently):
    # given
    training = TrainingFactory(starts_at=timezone.now() - datetime.timedelta(days=1))
    training.recording_file.save("kayit.webm", ContentFile(b"abc"))
    # when
    response = login(browser_client, ended_recently).get(f"/learning/trainings/{training.pk}/recording/")
    # then
    assert response.status_code == 200
    assert _body(response) == b"abc"


# --- attendance ------------------------------------------------------------------------------------


def test_attendance_page_for_vendor_staff(browser_client, manager, customer):
    # given
    training = TrainingFactory(starts_at=timezone.now() + datetime.timedelta(minutes=5))
    training_register(actor=customer, training=training)
    training.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    training.save(update_fields=["starts_at"])
    # when
    response = login(browser_client, manager).post(
        f"/learning/trainings/{training.pk}/attendance/", {"attended": [customer.pk]}
    )
    # then
    assert response.status_code == 302
    assert training.registrations.get().attended_at is not None


def test_attendance_page_is_forbidden_to_customers(browser_client, customer, training):
    # when
    response = login(browser_client, customer).get(f"/learning/trainings/{training.pk}/attendance/")
    # then
    assert response.status_code == 403


# --- the library -----------------------------------------------------------------------------------


def test_library_lists_items_with_their_files(browser_client, customer, document):
    # when
    response = login(browser_client, customer).get("/learning/library/")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert document.title in page
    assert reverse("learning-download", args=[document.pk]) in page


def test_library_without_contract_is_forbidden(browser_client, no_contract):
    # when
    response = login(browser_client, no_contract).get("/learning/library/")
    # then
    assert response.status_code == 403


def test_download_streams_the_file_and_counts_it(browser_client, customer, document):
    # when
    response = login(browser_client, customer).get(f"/learning/library/{document.pk}/download/")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="kilavuz.pdf"'
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == PDF + b"0123456789" * 100
    assert Download.objects.get(item=document, person=customer).count == 1


def test_range_request_gets_206_with_the_right_bytes(browser_client, customer, document):
    # given
    size = len(PDF) + 1000
    # when
    response = login(browser_client, customer).get(
        f"/learning/library/{document.pk}/download/", HTTP_RANGE=f"bytes={len(PDF)}-{len(PDF) + 14}"
    )
    # then
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {len(PDF)}-{len(PDF) + 14}/{size}"
    assert response["Content-Length"] == "15"
    assert _body(response) == b"012345678901234"
    assert not Download.objects.filter(item=document).exists()


def test_suffix_range_gets_the_last_bytes(browser_client, customer, document):
    # when
    response = login(browser_client, customer).get(
        f"/learning/library/{document.pk}/download/", HTTP_RANGE="bytes=-4"
    )
    # then
    assert response.status_code == 206
    assert _body(response) == b"6789"


def test_unsatisfiable_range_is_416(browser_client, customer, document):
    # when
    response = login(browser_client, customer).get(
        f"/learning/library/{document.pk}/download/", HTTP_RANGE="bytes=999999-"
    )
    # then
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(PDF) + 1000}"


def test_download_without_contract_is_refused(browser_client, no_contract, document):
    # when
    response = login(browser_client, no_contract).get(f"/learning/library/{document.pk}/download/")
    # then
    assert response.status_code in (403, 404)
    assert not Download.objects.exists()


def test_download_after_the_contract_ended_is_refused(browser_client, ended_recently, document):
    # when
    response = login(browser_client, ended_recently).get(f"/learning/library/{document.pk}/download/")
    # then
    assert response.status_code == 403


def test_download_of_a_draft_is_404_for_customers(browser_client, customer, document):
    # given
    document.is_published = False
    document.save(update_fields=["is_published"])
    # when
    response = login(browser_client, customer).get(f"/learning/library/{document.pk}/download/")
    # then
    assert response.status_code == 404


def test_object_storage_redirects_to_a_signed_url(browser_client, customer, document, monkeypatch):
    # given: a storage that is not the filesystem and signs its URLs
    class SignedStorage:
        def url(self, name, expire=None):
            return f"https://bucket.example.com/{name}?X-Amz-Expires={expire}"

    monkeypatch.setattr(LibraryFile._meta.get_field("file"), "storage", SignedStorage())
    # when
    response = login(browser_client, customer).get(f"/learning/library/{document.pk}/download/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("https://bucket.example.com/learning/library/")
    assert response["Location"].endswith(f"X-Amz-Expires={settings.LEARNING_SIGNED_URL_SECONDS}")
