"""Files by signed URL: an app with a token and no browser session reaches recordings, .ics
files, library files and attachments through the URLs the API hands out; the URLs expire, are
bound to their path and person, and die with the token."""

import datetime
import re

import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from slaportal.api.services import api_token_revoke
from tests.factories import TicketFactory
from tests.factories.learning import TrainingFactory

RECORDING = b"0123456789" * 10


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _recorded_training():
    training = TrainingFactory(
        starts_at=timezone.now() - datetime.timedelta(days=1), recording_content_type="video/webm"
    )
    training.recording_file.save("kayit.webm", ContentFile(RECORDING))
    return training


def test_recording_stream_url_serves_a_range_without_credentials(client_for, customer):
    # given
    training = _recorded_training()
    url = client_for(customer).get(f"/api/v1/trainings/{training.pk}/").json()["recording_stream_url"]
    # when
    response = APIClient().get(url, HTTP_RANGE="bytes=10-19")
    # then
    assert response.status_code == 206
    assert _body(response) == b"0123456789"
    assert response["Content-Type"] == "video/webm"
    assert response["Content-Range"] == f"bytes 10-19/{len(RECORDING)}"


def test_ics_url_serves_the_calendar_without_credentials(client_for, customer):
    # given
    training = TrainingFactory()
    url = client_for(customer).get(f"/api/v1/trainings/{training.pk}/").json()["ics_url"]
    # when
    response = APIClient().get(url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


def test_attachment_download_url_serves_the_file_without_credentials(client_for, customer):
    # given
    ticket = TicketFactory(requester=customer)
    uploaded = client_for(customer).post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("error.log", b"Traceback ...", content_type="text/plain")},
        format="multipart",
    )
    # when
    response = APIClient().get(uploaded.json()["download_url"])
    # then
    assert response.status_code == 200
    assert _body(response) == b"Traceback ..."


def test_a_signed_url_dies_with_the_token(client_for, customer):
    # given
    training = TrainingFactory()
    url = client_for(customer).get(f"/api/v1/trainings/{training.pk}/").json()["ics_url"]
    # when
    api_token_revoke(actor=customer)
    response = APIClient().get(url)
    # then
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_signed_url_expires_after_a_few_minutes(client_for, customer, settings):
    # given
    settings.API_SIGNED_URL_SECONDS = 300
    training = TrainingFactory()
    url = client_for(customer).get(f"/api/v1/trainings/{training.pk}/").json()["ics_url"]
    # when
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=301)):
        response = APIClient().get(url)
    # then
    assert response.status_code == 401


def test_a_signature_is_good_only_for_its_own_path(client_for, customer):
    # given
    training, other = TrainingFactory(), TrainingFactory()
    url = client_for(customer).get(f"/api/v1/trainings/{training.pk}/").json()["ics_url"]
    signature = url.split("signature=", 1)[1]
    # when
    response = APIClient().get(f"/api/v1/trainings/{other.pk}/ics/?signature={signature}")
    # then
    assert response.status_code == 401


def test_a_tampered_signature_is_refused(client_for, customer):
    # given
    training = TrainingFactory()
    url = client_for(customer).get(f"/api/v1/trainings/{training.pk}/").json()["ics_url"]
    # when
    response = APIClient().get(url[:-3] + "xyz")
    # then
    assert response.status_code == 401


def test_no_answer_carries_a_url_outside_the_api(client_for, customer):
    # given: a ticket with a file and a training with a recording
    ticket = TicketFactory(requester=customer)
    client = client_for(customer)
    client.post(
        f"/api/v1/tickets/{ticket.pk}/attachments/",
        {"file": SimpleUploadedFile("error.log", b"x", content_type="text/plain")},
        format="multipart",
    )
    training = _recorded_training()
    # when
    bodies = [
        client.get(f"/api/v1/tickets/{ticket.pk}/attachments/").content.decode(),
        client.get(f"/api/v1/tickets/{ticket.pk}/replies/").content.decode(),
        client.get(f"/api/v1/trainings/{training.pk}/").content.decode(),
    ]
    # then: every address of this server is an API one, and every file address is signed
    urls = [u for body in bodies for u in re.findall(r'"(http://testserver[^"]*)"', body)]
    assert len(urls) >= 3
    assert all(u.startswith("http://testserver/api/v1/") and "signature=" in u for u in urls)
