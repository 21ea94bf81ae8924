import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from learning.models import LibraryItem, Training
from organizations.roles import Role
from tests.factories import PersonFactory
from tests.factories.learning import LibraryItemFactory
from tests.learning.conftest import PDF
from tests.learning.test_uploads import WEBM

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(PersonFactory(role=Role.PACKAGE_MANAGER, is_staff=True, is_superuser=True))
    return client


def _training_form(**extra) -> dict:
    start = timezone.localtime() - datetime.timedelta(days=1)
    return {
        "title": "Katman stilleri",
        "description": "",
        "language": "tr",
        "is_published": "on",
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": "10:00:00",
        "ends_at_0": start.strftime("%Y-%m-%d"),
        "ends_at_1": "11:00:00",
        "capacity": "",
        "meeting_url": "",
        "recording_url": "",
        "registrations-TOTAL_FORMS": "0",
        "registrations-INITIAL_FORMS": "0",
        **extra,
    }


def test_staff_attach_a_video_recording(staff_client):
    # when
    response = staff_client.post(
        "/admin/learning/training/add/",
        _training_form(recording_file=SimpleUploadedFile("../kayıt.webm", WEBM)),
    )
    # then
    assert response.status_code == 302
    training = Training.objects.get()
    assert training.recording_content_type == "video/webm"
    assert training.recording_file.name.endswith("/kayıt.webm")


def test_a_recording_that_is_not_a_video_is_refused(staff_client):
    # when
    response = staff_client.post(
        "/admin/learning/training/add/", _training_form(recording_file=SimpleUploadedFile("kayit.webm", PDF))
    )
    # then
    assert response.status_code == 200
    assert not Training.objects.exists()


def test_staff_upload_a_new_version_through_the_admin(staff_client):
    # given
    item = LibraryItemFactory(title="Kılavuz", tags="kurulum")
    form = {
        "kind": item.kind,
        "title": item.title,
        "description": "",
        "tags": item.tags,
        "language": "tr",
        "external_url": "",
        "is_published": "on",
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
    }
    # when
    for content in (PDF, PDF + b"v2"):
        staff_client.post(
            f"/admin/learning/libraryitem/{item.pk}/change/",
            {**form, "upload": SimpleUploadedFile("kilavuz.pdf", content)},
        )
    # then
    assert list(item.files.order_by("version").values_list("name", "version")) == [
        ("kilavuz.pdf", 1),
        ("kilavuz.pdf", 2),
    ]
    assert LibraryItem.objects.get(pk=item.pk).title == "Kılavuz"


def test_a_disguised_upload_is_refused_in_the_admin(staff_client):
    # given
    item = LibraryItemFactory()
    form = {
        "kind": item.kind,
        "title": item.title,
        "description": "",
        "tags": "",
        "language": "tr",
        "external_url": "",
        "is_published": "on",
        "files-TOTAL_FORMS": "0",
        "files-INITIAL_FORMS": "0",
        "upload": SimpleUploadedFile("kilavuz.pdf", b"MZ\x90\x00" + b"\x00" * 100),
    }
    # when
    response = staff_client.post(f"/admin/learning/libraryitem/{item.pk}/change/", form)
    # then
    assert response.status_code == 200
    assert not item.files.exists()
