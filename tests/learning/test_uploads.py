from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from learning.services import library_file_add
from learning.uploads import safe_file_name, upload_check
from tests.factories.learning import LibraryItemFactory
from tests.learning.conftest import PDF

WEBM = (Path(__file__).resolve().parents[2] / "learning/demo_files/recording.webm").read_bytes()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("Kurulum Kılavuzu (v2).pdf", "Kurulum_Kılavuzu_v2.pdf"),
        ("..", "file"),
        (".htaccess", "htaccess"),
    ],
)
def test_file_names_are_sanitised(name, expected):
    # then
    assert safe_file_name(name) == expected


def test_renamed_traversal_file_stays_inside_the_storage(settings, db):
    # given
    item = LibraryItemFactory()
    upload = SimpleUploadedFile("../../../outside.pdf", PDF)
    # when
    stored = library_file_add(actor=None, item=item, upload=upload)
    # then
    media = Path(settings.MEDIA_ROOT).resolve()
    path = Path(stored.file.path).resolve()
    assert path.is_relative_to(media)
    assert path.name == "outside.pdf"
    assert stored.name == "outside.pdf"
    assert not (media.parent / "outside.pdf").exists()


def test_content_not_matching_the_name_is_refused(db):
    # given: an executable renamed to .pdf
    upload = SimpleUploadedFile("rapor.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    # when / then
    with pytest.raises(ValidationError) as refused:
        upload_check(upload)
    assert "rapor.pdf" in refused.value.messages[0]


def test_binary_content_named_csv_is_refused():
    # when / then
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("veri.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64))


def test_unknown_extension_is_refused():
    # when / then
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("script.sh", b"#!/bin/sh\n"))


def test_csv_text_is_accepted():
    # when
    content_type = upload_check(SimpleUploadedFile("adresler.csv", "mahalle,sokak\nÇankaya,Gül\n".encode()))
    # then
    assert content_type == "text/csv"


def test_video_is_sniffed_as_video():
    # when
    content_type = upload_check(SimpleUploadedFile("kayit.webm", WEBM), video_only=True)
    # then
    assert content_type == "video/webm"


def test_recording_must_be_a_video():
    # when / then
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("kayit.pdf", PDF), video_only=True)


def test_size_limits_differ_for_videos_and_documents(settings):
    # given
    settings.LEARNING_FILE_MAX_BYTES = len(PDF) - 1
    settings.LEARNING_VIDEO_MAX_BYTES = len(WEBM)
    # when / then: the video at its limit passes, the document one byte over is refused
    assert upload_check(SimpleUploadedFile("kayit.webm", WEBM)) == "video/webm"
    with pytest.raises(ValidationError):
        upload_check(SimpleUploadedFile("kilavuz.pdf", PDF))


def test_new_upload_of_the_same_name_is_the_next_version(db):
    # given
    item = LibraryItemFactory()
    first = library_file_add(actor=None, item=item, upload=SimpleUploadedFile("kilavuz.pdf", PDF))
    # when
    second = library_file_add(actor=None, item=item, upload=SimpleUploadedFile("kilavuz.pdf", PDF + b"v2"))
    # then
    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name
    assert item.files.count() == 2
