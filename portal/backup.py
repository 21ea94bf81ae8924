"""Backups and restores of a whole installation: the database and the uploaded files in one
archive with a manifest.

The archive is a gzipped tar:

    manifest.json      what the archive holds: product version, database vendor, the migrations
                       applied per app, the SHA-256 and size of the dump and of every media file
    database.dump      PostgreSQL: `pg_dump -Fc` (one consistent snapshot of the database)
    database.sqlite3   SQLite: a copy made with SQLite's online backup API
    media/...          the files under MEDIA_ROOT (attachments, library files, recordings)

A restore reads the manifest first and refuses, before touching anything, an archive whose
checksums do not match, one taken from another database vendor, one whose schema is newer than
the code (a migration this code does not know), and a target database that already holds
people, institutions or tickets (unless forced). It then loads the database, puts the media
files back and runs `migrate`, which brings an archive of an older schema up to the code's."""

import datetime
import glob
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024
# Tables whose rows mean the database is in use: a fresh `migrate` leaves them empty (the
# catalogue, content types and permissions it does write are part of the schema's data).
IN_USE_TABLES = ("organizations_institution", "organizations_user", "tickets_ticket")


class BackupError(Exception):
    """A backup or restore refused or failed, with a message for the operator."""


@dataclass
class RestoreResult:
    manifest: dict
    media_files: int = 0
    migrated: list[str] = field(default_factory=list)


def product_version() -> str:
    try:
        return metadata.version("slaportal")
    except metadata.PackageNotFoundError:
        return "unknown"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations() -> dict[str, list[str]]:
    """The migrations recorded as applied in the database, per app, in name order."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def unknown_migrations(applied: dict[str, list[str]]) -> list[str]:
    """Applied migrations (app.name) that this code has no file for: a newer schema."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return [
        f"{app}.{name}"
        for app, names in sorted(applied.items())
        for name in names
        if (app, name) not in known
    ]


# --- the database -----------------------------------------------------------------------------


def postgres_tool(name: str) -> str:
    """The server's own pg_dump/pg_restore when its version's folder exists (a client older than
    the server refuses to dump it), else the one on PATH, else the newest installed."""
    connection.ensure_connection()
    major = connection.pg_version // 10000
    own = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if own.exists():
        return str(own)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    installed = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    if installed:
        return installed[0]
    raise BackupError(
        _("%(tool)s was not found: install the PostgreSQL client (version %(major)s or newer).")
        % {"tool": name, "major": major}
    )


def _pg_env_args() -> tuple[dict, list[str]]:
    """Environment and connection arguments of the pg_* tools for the default database."""
    params = connection.get_connection_params()
    env = {**os.environ}
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    args = []
    if params.get("host"):
        args += ["--host", str(params["host"])]
    if params.get("port"):
        args += ["--port", str(params["port"])]
    if params.get("user"):
        args += ["--username", str(params["user"])]
    args += ["--dbname", str(params.get("dbname") or connection.settings_dict["NAME"])]
    return env, args


def _run(command: list[str], env: dict) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(
            _("%(tool)s failed (exit %(code)s): %(error)s")
            % {"tool": Path(command[0]).name, "code": completed.returncode, "error": completed.stderr.strip()}
        )


def database_dump(target: Path) -> None:
    """Write a consistent copy of the default database to `target`."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        env, args = _pg_env_args()
        _run([postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args], env)
    elif connection.vendor == "sqlite":
        # The online backup API copies pages under SQLite's own locking: a consistent copy while
        # the web server and the workers keep writing (WAL), unlike copying the file.
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor}
        )


def database_in_use() -> bool:
    """Whether the default database holds people, institutions or tickets."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in IN_USE_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _postgres_clear() -> None:
    """Drop every table, view, sequence and function of the database's public schema, so the dump
    is loaded into nothing (a schema migrated by newer code would otherwise be left behind)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('DROP %s IF EXISTS %I.%I CASCADE', "
            "CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' "
            "WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname, c.relname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))"
        )
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)
        cursor.execute(
            "SELECT format('DROP FUNCTION IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname, "
            "pg_get_function_identity_arguments(p.oid)) FROM pg_proc p "
            "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"
        )
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)


def database_load(source: Path) -> None:
    """Replace the default database's contents with the dump at `source`."""
    if connection.vendor == "postgresql":
        _postgres_clear()
        connection.close()
        env, args = _pg_env_args()
        _run(
            [
                postgres_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(source),
            ],
            env,
        )
    else:
        name = connection.settings_dict["NAME"]
        if str(name) == ":memory:" or "mode=memory" in str(name):
            raise BackupError(
                _("An in-memory SQLite database cannot be restored into; set DATABASE_URL to a file.")
            )
        connection.close()
        target = Path(name)
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        staged = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, staged)
        os.replace(staged, target)
    connection.close()


# --- media --------------------------------------------------------------------------------------


def _media_root() -> Path | None:
    if settings.STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        return None
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file())


# --- backup -------------------------------------------------------------------------------------


def backup_create(*, output: Path) -> dict:
    """Write the archive to `output` (a .tar.gz) and return its manifest. The database is dumped
    first, then the media files are read: a file uploaded during the backup may be missing from
    it, but every file the dumped database refers to was already stored when the dump began."""
    connection.ensure_connection()
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    created_at = timezone.now()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="slaportal-backup-") as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        database_dump(dump)
        root = _media_root()
        files = media_files(root) if root is not None else []
        manifest = {
            "format": FORMAT,
            "product": "slaportal",
            "version": product_version(),
            "created_at": created_at.isoformat(),
            "database": {
                "vendor": vendor,
                "file": dump.name,
                "sha256": file_sha256(dump),
                "size": dump.stat().st_size,
            },
            "migrations": applied_migrations(),
            "media": {
                "storage": "filesystem" if root is not None else "external",
                "files": {
                    path.relative_to(root).as_posix(): {
                        "sha256": file_sha256(path),
                        "size": path.stat().st_size,
                    }
                    for path in files
                },
            },
        }
        staged = output.with_name(output.name + ".partial")
        with tarfile.open(staged, "w:gz") as archive:
            body = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(created_at.timestamp())
            archive.addfile(info, io.BytesIO(body))
            archive.add(dump, arcname=dump.name)
            for path in files:
                archive.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}")
        os.replace(staged, output)
    return manifest


def backup_default_name() -> str:
    return f"slaportal-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"


# --- restore ------------------------------------------------------------------------------------


def archive_extract(*, archive: Path, into: Path) -> dict:
    """Unpack the archive into `into` and return its manifest, after checking that the dump and
    every media file are there with the checksums the manifest gives (and nothing else is)."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(_("The archive cannot be read: %(error)s") % {"error": exc}) from exc
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(_("The archive has no readable manifest.json.")) from exc
    if manifest.get("product") != "slaportal" or manifest.get("format") != FORMAT:
        raise BackupError(_("This is not an SLA Portal backup of a format this version reads."))
    database = manifest["database"]
    expected = {database["file"]: database["sha256"]}
    for name, facts in manifest["media"]["files"].items():
        if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
            raise BackupError(
                _("The manifest names a file outside the media folder: %(name)s") % {"name": name}
            )
        expected[f"{MEDIA_DIR}/{name}"] = facts["sha256"]
    present = {path.relative_to(into).as_posix() for path in into.rglob("*") if path.is_file()} - {MANIFEST}
    missing = sorted(set(expected) - present)
    extra = sorted(present - set(expected))
    if missing or extra:
        raise BackupError(
            _("The archive does not match its manifest: missing %(missing)s; not listed %(extra)s.")
            % {"missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"}
        )
    mismatched = [name for name, digest in sorted(expected.items()) if file_sha256(into / name) != digest]
    if mismatched:
        raise BackupError(
            _("Checksum mismatch, the archive is damaged: %(files)s") % {"files": ", ".join(mismatched)}
        )
    return manifest


def restore_check(*, manifest: dict, force: bool) -> None:
    """Refuse what cannot be restored here, before anything is changed."""
    connection.ensure_connection()
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            _("The archive holds a %(archive)s database; this installation uses %(here)s.")
            % {"archive": vendor, "here": connection.vendor}
        )
    unknown = unknown_migrations(manifest["migrations"])
    if unknown:
        raise BackupError(
            _(
                "The archive's schema is newer than this code (version %(version)s): it has migrations "
                "this code does not know: %(migrations)s. Install that version or a later one first."
            )
            % {"version": manifest.get("version", "?"), "migrations": ", ".join(unknown)}
        )
    if not force and database_in_use():
        raise BackupError(
            _(
                "The database already holds people, institutions or tickets. Restore into an empty "
                "database, or pass --force to replace its contents."
            )
        )


def backup_restore(*, archive: Path, force: bool = False, migrate: bool = True) -> RestoreResult:
    """Restore the archive into the default database and MEDIA_ROOT; see the module's docstring.
    Media files with the names of archived ones are overwritten; others are left alone."""
    with tempfile.TemporaryDirectory(prefix="slaportal-restore-") as work:
        folder = Path(work)
        manifest = archive_extract(archive=archive, into=folder)
        restore_check(manifest=manifest, force=force)
        root = _media_root()
        if manifest["media"]["files"] and root is None:
            raise BackupError(
                _("The archive holds media files but uploads are kept in external storage here (S3).")
            )
        database_load(folder / manifest["database"]["file"])
        result = RestoreResult(manifest=manifest)
        for name in manifest["media"]["files"]:
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / MEDIA_DIR / name, target)
            result.media_files += 1
    if migrate:
        before = applied_migrations()
        call_command("migrate", "--noinput", verbosity=0)
        after = applied_migrations()
        result.migrated = [
            f"{app}.{name}"
            for app, names in sorted(after.items())
            for name in names
            if name not in before.get(app, [])
        ]
    return result


def restored_at_note(manifest: dict) -> str:
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    return timezone.localtime(created).strftime("%Y-%m-%d %H:%M:%S %Z")
