"""Backup and restore of the whole system: the database and every file under MEDIA_ROOT (case attachments, plan
reports, prepared exports), in one archive that says what it holds.

The archive is a tar.gz (`treem-backup-YYYYMMDD-HHMMSS.tar.gz`, or `.tar.gz.enc` encrypted with a passphrase by
`treem.core.protect.encrypt_file`):

    database.pgdump | database.sqlite3   pg_dump --format=custom, or a copy made with SQLite's backup API
    media/<path under MEDIA_ROOT>        every file, byte for byte
    manifest.json                        treem version, database vendor, time, last migration of each app, and the
                                         size and SHA-256 of every file above

The database is copied first, then the files: a file uploaded meanwhile is at worst an orphan in the archive, never a
row whose file is missing. Both copies are consistent while the application runs (pg_dump's snapshot, SQLite's backup).

A restore checks everything before it touches anything: every file against the manifest (nothing missing, nothing
added, nothing changed), the database vendor, that the code knows every migration of the archive, and that the target
database is empty (or `force`). PostgreSQL is restored with pg_restore in one transaction; then the files are written.
Both operations are audited (`core.backup.create`, `core.backup.restore`, actor SYSTEM).
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from treem.core.actors import SYSTEM
from treem.core.auditing import record
from treem.core.protect import WrongPassphrase, decrypt_file, encrypt_file, is_encrypted_file

MANIFEST = "manifest.json"
FORMAT = 1
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
NAME_RE = re.compile(r"^treem-backup-(\d{8}-\d{6})\.tar\.gz(\.enc)?$")
# Filled by `migrate` itself (and by `flush`): their rows do not make a database "non-empty".
MIGRATE_TABLES = {"django_content_type", "auth_permission"}


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, for the administrator."""


def _treem_version() -> str:
    try:
        return version("treem")
    except PackageNotFoundError:
        return "unknown"


def media_root() -> Path:
    """Where the files live. Only a file-system storage can be copied here; another one has its own backups."""
    if not isinstance(default_storage, FileSystemStorage):
        raise BackupError(_("Files are not kept on this machine's disk (storage %(backend)s): back them up with "
                            "that storage's own tools.") % {"backend": type(default_storage).__name__})
    return Path(default_storage.location)


def _vendor(connection) -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": connection.vendor})
    return connection.vendor


def _pg_env(connection) -> dict:
    """libpq's variables for the configured database (the password never appears on a command line)."""
    db, env = connection.settings_dict, dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[variable] = str(db[key])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], connection) -> None:
    try:
        done = subprocess.run(command, env=_pg_env(connection), capture_output=True, text=True)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(_("%(program)s is not installed (Debian package postgresql-client).")
                          % {"program": command[0]}) from None
    if done.returncode:
        raise BackupError(_("%(program)s failed: %(error)s") % {"program": command[0], "error": done.stderr.strip()})


def _dump_database(connection, path: Path) -> None:
    if connection.vendor == "postgresql":
        _run(["pg_dump", "--format=custom", f"--file={path}", f"--dbname={connection.settings_dict['NAME']}"],
             connection)
    else:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # a consistent copy even while others write
        finally:
            target.close()


def _restore_database(connection, path: Path) -> None:
    if connection.vendor == "postgresql":
        connection.close()  # pg_restore drops and recreates the tables: hold no lock on them
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(path)], connection)
    else:
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)  # replaces every page of the database at once
        finally:
            source.close()
    ContentType.objects.clear_cache()


def _last_migrations(connection) -> dict[str, str]:
    """{app label: its last applied migration}."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied, last = set(loader.applied_migrations), {}
    for app, name in sorted(applied):
        node = loader.graph.node_map.get((app, name))
        if node is None or not any(child.key in applied for child in node.children if child.key[0] == app):
            last[app] = max(last.get(app, name), name)
    return last


def _unknown_migrations(migrations: dict[str, str]) -> list[str]:
    """Migrations of the archive that this code does not have: the archive comes from newer code."""
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    return sorted(f"{app}.{name}" for app, name in migrations.items() if (app, name) not in graph.nodes)


def _pending_migrations(connection) -> int:
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _rows_present(connection) -> list[str]:
    """Tables of the database holding rows (other than those `migrate` fills itself)."""
    quote = connection.ops.quote_name
    tables = set(connection.introspection.django_table_names(only_existing=True)) - MIGRATE_TABLES
    busy = []
    with connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608 (names from the models)
            if cursor.fetchone():
                busy.append(table)
    return busy


def row_counts(using: str = "default") -> dict[str, int]:
    """{model label: rows} for every table of every model (many-to-many tables included) that exists."""
    existing = set(connections[using].introspection.table_names())
    return {model._meta.label: model._base_manager.using(using).count()
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and model._meta.db_table in existing}


class _HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, handle):
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def read(self, size=-1):
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, name: str) -> dict:
    with open(path, "rb") as handle:
        info = tar.gettarinfo(arcname=name, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        tar.addfile(info, reader)
    return {"path": name, "size": reader.size, "sha256": reader.sha256.hexdigest()}


def _media_files(root: Path):
    """Regular files under `root`, in a stable order (no links followed)."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def create(output: Path, *, passphrase: str | None = None, using: str = "default") -> dict:
    """Write a backup archive into the folder `output`; returns what it holds (path, files, size, sha256)."""
    connection = connections[using]
    vendor, root = _vendor(connection), media_root()
    output = Path(output)
    if output.resolve().is_relative_to(root.resolve()):  # each backup would hold all the earlier ones
        raise BackupError(_("Write backups outside MEDIA_ROOT (%(root)s).") % {"root": root})
    output.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    name = f"treem-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar.gz"
    final = output / (name + (".enc" if passphrase else ""))
    if final.exists():
        raise BackupError(_("%(path)s already exists.") % {"path": final})
    with tempfile.TemporaryDirectory(prefix=".treem-backup-", dir=output) as work:  # 0700, same disk as the archive
        work = Path(work)
        dump = work / DUMP_NAMES[vendor]
        manifest = {"format": FORMAT, "treem_version": _treem_version(), "database_vendor": vendor,
                    "created_at": now.isoformat(), "migrations": _last_migrations(connection), "files": []}
        _dump_database(connection, dump)
        archive = work / name
        fd = os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            manifest["files"].append(_add(tar, dump, dump.name))
            for path in _media_files(root):
                manifest["files"].append(_add(tar, path, "media/" + path.relative_to(root).as_posix()))
            content = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(content), int(now.timestamp()), 0o600
            tar.addfile(info, _BytesReader(content))
        if passphrase:
            encrypt_file(archive, final, passphrase)
        else:
            os.replace(archive, final)
    result = {"archive": final.name, "path": str(final), "size": final.stat().st_size, "sha256": _sha256(final),
              "files": len(manifest["files"]) - 1, "media_bytes": sum(f["size"] for f in manifest["files"][1:]),
              "database": vendor, "encrypted": bool(passphrase)}
    record(SYSTEM, "core.backup.create", summary={k: v for k, v in result.items() if k != "path"}, using=using)
    return result


class _BytesReader:
    def __init__(self, content: bytes):
        self.content, self.offset = content, 0

    def read(self, size=-1):
        end = len(self.content) if size < 0 else self.offset + size
        data, self.offset = self.content[self.offset:end], min(end, len(self.content))
        return data


def _open_archive(archive: Path, work: Path, passphrase: str | None) -> Path:
    """The plain tar.gz to read: the archive itself, or its decryption into `work`."""
    if not is_encrypted_file(archive):
        return archive
    if not passphrase:
        raise BackupError(_("This backup is encrypted: give its passphrase (--passphrase-file)."))
    plain = work / "archive.tar.gz"
    try:
        decrypt_file(archive, plain, passphrase)
    except WrongPassphrase:
        raise BackupError(_("The passphrase is wrong, or the backup was changed or cut short.")) from None
    return plain


def _extract(plain: Path, into: Path) -> dict:
    """Extract and check every file against the manifest; returns the manifest. Nothing is restored yet."""
    damaged = _("The backup is damaged or was changed: %(detail)s")
    try:
        with tarfile.open(plain, mode="r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, no '..', no links out
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(damaged % {"detail": error}) from None
    try:
        manifest = json.loads((into / MANIFEST).read_text("utf-8"))
        listed = {entry["path"]: entry for entry in manifest["files"]}
        missing = {"database_vendor", "migrations", "created_at"} - set(manifest)
        if missing:
            raise KeyError(", ".join(sorted(missing)))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BackupError(damaged % {"detail": f"{MANIFEST}: {error}"}) from None
    present = {path.relative_to(into).as_posix() for path in into.rglob("*") if path.is_file()} - {MANIFEST}
    if present != set(listed):
        extra, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise BackupError(damaged % {"detail": _("files not in the manifest: %(extra)s; missing: %(missing)s")
                                     % {"extra": ", ".join(extra) or "-", "missing": ", ".join(missing) or "-"}})
    for name, entry in sorted(listed.items()):
        path = into / name
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            raise BackupError(damaged % {"detail": _("%(name)s does not match its checksum") % {"name": name}})
    if DUMP_NAMES.get(manifest["database_vendor"]) not in listed:
        raise BackupError(damaged % {"detail": _("the database copy is missing")})
    return manifest


def restore(archive: Path, *, force: bool = False, passphrase: str | None = None, using: str = "default") -> dict:
    """Restore the database and the files of `archive` after checking all of it; returns what was restored."""
    connection = connections[using]
    vendor, root, archive = _vendor(connection), media_root(), Path(archive)
    if not archive.is_file():
        raise BackupError(_("%(path)s is not a file.") % {"path": archive})
    with tempfile.TemporaryDirectory(prefix="treem-restore-") as work:
        work = Path(work)
        plain = _open_archive(archive, work, passphrase)
        content = work / "content"
        manifest = _extract(plain, content)
        if manifest["database_vendor"] != vendor:
            raise BackupError(_("This backup is of a %(archive)s database; the configured database is %(target)s.")
                              % {"archive": manifest["database_vendor"], "target": vendor})
        unknown = _unknown_migrations(manifest["migrations"])
        if unknown:
            raise BackupError(_("This backup comes from a newer version of treem (migrations %(names)s): install "
                                "that version first.") % {"names": ", ".join(unknown)})
        busy = _rows_present(connection)
        if busy and not force:
            raise BackupError(_("The database is not empty (%(count)d tables hold data, e.g. %(tables)s): restore "
                                "into an empty database, or add --force to replace its content.")
                              % {"count": len(busy), "tables": ", ".join(busy[:3])})

        _restore_database(connection, content / DUMP_NAMES[vendor])
        media = [entry for entry in manifest["files"] if entry["path"].startswith("media/")]
        written = 0
        for entry in media:
            target = root / entry["path"].removeprefix("media/")
            if target.is_file() and target.stat().st_size == entry["size"] and _sha256(target) == entry["sha256"]:
                continue  # already there, same bytes
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.restoring")
            shutil.copyfile(content / entry["path"], partial)
            os.replace(partial, target)
            written += 1
    kept = {entry["path"].removeprefix("media/") for entry in media}
    others = sum(1 for path in _media_files(root) if path.relative_to(root).as_posix() not in kept)
    counts = row_counts(using)
    result = {"archive": archive.name, "created_at": manifest["created_at"],
              "treem_version": manifest.get("treem_version"), "database": vendor,
              "tables": sum(1 for n in counts.values() if n), "rows": sum(counts.values()),
              "files": len(media), "files_written": written, "media_bytes": sum(e["size"] for e in media),
              "files_not_in_backup": others, "replaced_data": bool(busy),
              "pending_migrations": _pending_migrations(connection)}
    record(SYSTEM, "core.backup.restore", summary=result, using=using)
    return {**result, "row_counts": counts}


def prune(folder: Path, *, daily: int = 7, weekly: int = 4, monthly: int = 12) -> list[Path]:
    """Delete the archives of `folder` that the rotation does not keep: the newest of each of the last `daily` days,
    `weekly` ISO weeks and `monthly` months that have a backup. Returns the deleted paths."""
    archives = []
    for path in Path(folder).iterdir():
        match = NAME_RE.match(path.name)
        if match and path.is_file():
            when = datetime.strptime(match.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=timezone.get_current_timezone())
            archives.append((when, path))
    archives.sort(reverse=True)  # newest first
    keep = set()
    for count, period in ((daily, lambda t: t.date()), (weekly, lambda t: t.isocalendar()[:2]),
                          (monthly, lambda t: (t.year, t.month))):
        seen = []
        for when, path in archives:
            key = period(when)
            if key not in seen:
                if len(seen) == count:
                    break
                seen.append(key)
                keep.add(path)
    deleted = [path for _when, path in archives if path not in keep]
    for path in deleted:
        path.unlink()
    return deleted
