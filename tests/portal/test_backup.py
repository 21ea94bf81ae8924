import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from learning.services import library_file_add
from organizations.roles import Role
from packages.models import QuotaEntry
from tests.factories import PersonFactory, TicketFactory
from tests.factories.learning import LibraryItemFactory
from tickets.models import Ticket
from tickets.services import ticket_file, ticket_log_call

ROOT = Path(__file__).resolve().parents[2]
ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def _populate(customer) -> None:
    """Tickets (one with an attachment), a logged call, ledger entries and a library file."""
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    for n in range(3):
        TicketFactory(requester=customer, subject=f"Parsel sorgusu {n}")
    ticket = ticket_file(
        actor=customer,
        subject="Ekran görüntüsü",
        description="Hata ekranı ekte.",
        attachments=[
            SimpleUploadedFile("hata.png", b"\x89PNG\r\n\x1a\n" + b"x" * 64, content_type="image/png")
        ],
    )
    ticket_log_call(actor=engineer, ticket=ticket, body="Arandı.", duration_minutes=5)
    item = LibraryItemFactory()
    library_file_add(actor=None, item=item, upload=SimpleUploadedFile("kilavuz.pdf", b"%PDF-1.4\n%demo\n"))


def _hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _rewrite(archive: Path, change) -> None:
    """Unpack the archive, let `change(folder)` alter it, pack it again."""
    folder = archive.with_suffix(".d")
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(folder, filter="data")
    change(folder)
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(folder).as_posix())


def _restore_elsewhere(archive: Path, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
        "DJANGO_SETTINGS_MODULE": "slaportal.settings.test",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _pg_counts(dsn: str) -> dict[str, int]:
    with psycopg2.connect(dsn) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_second_empty_database_with_equal_counts_and_files(
    postgres, customer, tmp_path
):
    # given: a populated installation, backed up
    _populate(customer)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    source = _pg_counts(_pg_url(connection.settings_dict["NAME"]))
    second = f"slaportal_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{second}"')
    try:
        # when: restored into a second, empty database and another media folder
        restored_media = tmp_path / "restored-media"
        completed = _restore_elsewhere(archive, _pg_url(second), restored_media)
        restored = _pg_counts(_pg_url(second))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{second}" WITH (FORCE)')
    # then: every table holds as many rows, every file the same bytes
    assert completed.returncode == 0, completed.stderr
    assert "checksums verified" in completed.stdout
    assert restored == source
    assert source["tickets_ticket"] == 4 and source["packages_quotaentry"] == 5
    assert source["tickets_attachment"] == 1 and source["learning_libraryfile"] == 1
    files = _hashes(Path(settings.MEDIA_ROOT))
    assert len(files) == 2
    assert _hashes(restored_media) == files


@pytest.mark.skipif(not ON_SQLITE, reason="the SQLite copy is what the embedded default backs up")
@pytest.mark.django_db(transaction=True)
def test_backup_on_sqlite_copies_the_database_and_restores_into_an_empty_file(customer, tmp_path):
    # given
    _populate(customer)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    target = tmp_path / "restored.sqlite3"
    # when
    completed = _restore_elsewhere(archive, f"sqlite:///{target}", tmp_path / "restored-media")
    # then
    assert completed.returncode == 0, completed.stderr
    with sqlite3.connect(target) as db:
        tickets = db.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]
        entries = db.execute("SELECT count(*) FROM packages_quotaentry").fetchone()[0]
    assert (tickets, entries) == (Ticket.objects.count(), QuotaEntry.objects.count()) == (4, 5)
    assert _hashes(tmp_path / "restored-media") == _hashes(Path(settings.MEDIA_ROOT))


@pytest.mark.django_db(transaction=True)
def test_backup_manifest_lists_version_migrations_and_checksums(customer, tmp_path):
    # given
    _populate(customer)
    archive = tmp_path / "backup.tar.gz"
    # when
    call_command("backup", output=archive, stdout=io.StringIO())
    # then
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        dump = tar.extractfile(manifest["database"]["file"]).read()
        names = set(tar.getnames())
    assert manifest["product"] == "slaportal" and manifest["version"] == "0.1.0"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest()
    assert "0001_initial" in manifest["migrations"]["tickets"]
    assert manifest["media"]["files"] == {
        name: {"sha256": digest, "size": (Path(settings.MEDIA_ROOT) / name).stat().st_size}
        for name, digest in _hashes(Path(settings.MEDIA_ROOT)).items()
    }
    assert {f"media/{name}" for name in manifest["media"]["files"]} <= names
    assert manifest["created_at"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_of_a_newer_schema(customer, tmp_path):
    # given: an archive whose database has a migration this code does not know
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    def newer(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["migrations"]["tickets"].append("9999_from_a_later_version")
        (folder / "manifest.json").write_text(json.dumps(manifest))

    _rewrite(archive, newer)
    # when / then: refused before the database is touched
    with pytest.raises(CommandError, match="tickets.9999_from_a_later_version"):
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert Ticket.objects.count() == 0 and customer.institution.people.count() == 1


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_whose_file_does_not_match_its_checksum(customer, tmp_path):
    # given: a library file altered after the backup
    _populate(customer)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())

    def damage(folder: Path) -> None:
        pdf = next((folder / "media").rglob("kilavuz.pdf"))
        pdf.write_bytes(b"%PDF-1.4\n%changed\n")

    _rewrite(archive, damage)
    # when / then
    with pytest.raises(CommandError, match="Sağlama toplamı uyuşmuyor.*kilavuz.pdf"):
        call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert Ticket.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_in_use_without_force(customer, tmp_path):
    # given: the backup of this very installation, which holds people
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    # when / then
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
