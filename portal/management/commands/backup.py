"""python manage.py backup [--output FILE | --dir DIR]: the database and the media files in one
archive with a manifest (portal/backup.py, docs/operations.md)."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create, backup_default_name


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc, or SQLite's backup API) and the media files into one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", type=Path, help="archive to write (default: DIR/slaportal-backup-<time>.tar.gz)"
        )
        parser.add_argument(
            "--dir", type=Path, default=Path("var/backups"), help="folder of the default name (var/backups)"
        )

    def handle(self, *args, **options):
        output = options["output"] or options["dir"] / backup_default_name()
        started = time.monotonic()
        try:
            manifest = backup_create(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = manifest["media"]["files"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written: {output} ({output.stat().st_size} bytes, {time.monotonic() - started:.1f} s)\n"
                f"  database  {manifest['database']['vendor']}, {manifest['database']['size']} bytes, "
                f"sha256 {manifest['database']['sha256']}\n"
                f"  media     {len(media)} files, {sum(f['size'] for f in media.values())} bytes\n"
                f"  version   {manifest['version']}, {sum(len(m) for m in manifest['migrations'].values())} migrations applied"
            )
        )
