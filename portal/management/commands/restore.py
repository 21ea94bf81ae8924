"""python manage.py restore ARCHIVE [--force] [--no-migrate]: load a backup into an empty
database and MEDIA_ROOT, then migrate (portal/backup.py, docs/operations.md)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore, restored_at_note


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into an empty database: checks the checksums and the "
        "schema version first, then loads the database and the media files and runs migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database that already holds people, institutions or tickets (everything in it is lost)",
        )
        parser.add_argument("--no-migrate", action="store_true", help="do not run migrate after loading")

    def handle(self, *args, **options):
        archive = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        started = time.monotonic()
        try:
            result = backup_restore(
                archive=archive, force=options["force"], migrate=not options["no_migrate"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive} (taken {restored_at_note(manifest)}, version {manifest['version']}) "
                f"in {time.monotonic() - started:.1f} s\n"
                f"  database  {manifest['database']['vendor']}, checksum verified\n"
                f"  media     {result.media_files} files, checksums verified\n"
                f"  migrate   {len(result.migrated)} migrations applied after loading"
                + (f": {', '.join(result.migrated)}" if result.migrated else "")
            )
        )
