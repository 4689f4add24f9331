"""Backup and restore (treem.core.backup, `treem backup` / `treem restore`): a database with units, users, children and
a case with an attached file is backed up, wiped and restored; every row of every model and every file must come back
unchanged. A changed archive, a newer one, or a restore onto data are refused before anything is touched.

On PostgreSQL the round trip also restores into a separate, new database (created here with psycopg), as a restore
onto a new server does."""

import gzip
import hashlib
import io
import json
import shutil
import tarfile
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections
from django.db.utils import load_backend

from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.cases import reference
from treem.cases import services as cases
from treem.core import backup
from treem.core.actors import SYSTEM
from treem.core.calendar import seed_calendar
from treem.core.files import prepared_file_create
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import services as registry
from treem.registry.models import Child

pytestmark = pytest.mark.django_db(transaction=True)
POSTGRES = connections["default"].vendor == "postgresql"

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXPORT = "Họ và tên;Ngày sinh\nLò Thị Mai;03/04/2017\n".encode()


@pytest.fixture
def media(settings, tmp_path):
    """A real folder for the files (test settings keep them in memory)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return root


def _units() -> tuple[Unit, Unit]:
    """Lai Châu and Xã Bình Lư: the session's units, or (once transactional tests have flushed them) just these two."""
    province, _ = Unit.objects.get_or_create(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code="12",
                                             defaults={"name": "Tỉnh Lai Châu", "name_folded": "tinh lai chau",
                                                       "kind": "tỉnh"})
    if province.province_id is None:
        Unit.objects.filter(pk=province.pk).update(province=province)
    commune, _ = Unit.objects.get_or_create(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code="03390",
                                            defaults={"name": "Xã Bình Lư", "name_folded": "xa binh lu", "kind": "xã",
                                                      "parent": province, "province": province})
    return province, commune


def fill(make_user) -> None:
    province, commune = _units()
    worker = make_user("canbo.x", Role.COMMUNE_WORKER, commune)
    hotline = make_user("tongdai.laichau", Role.HOTLINE_OPERATOR, province)
    for name, sex, born, number in [("Lò Thị Mai", "F", "2017-04-03", "012317000123"),
                                    ("Vàng A Sử", "M", "2019-11-20", ""), ("Tẩn Thị Dung", "F", "2012-01-31", "")]:
        registry.child_create(actor=SYSTEM, commune=commune,
                              data={"full_name": name, "sex": sex, "birth_date": born, "personal_id": number})
    seed_calendar(range(2025, 2029))
    reference.load()
    case = cases.intake_record(actor=hotline, commune=commune, channel="hotline_111",
                               narrative="Cháu bị bố đánh nhiều lần, có vết bầm trên tay.", concern_types=["violence"],
                               children=[{"full_name": "Lò Văn Páo", "sex": "M", "age": 9}])
    case.refresh_from_db()
    cases.document_attach(actor=worker, case=case, expected_version=case.version, kind="other", title="Biên bản",
                          upload=SimpleUploadedFile("bien-ban.pdf", PDF))
    prepared_file_create(owner=worker, kind="registry.export", filename="danh-sach.csv", content=EXPORT)


def snapshot(using="default") -> dict:
    """{model: (rows, SHA-256 of every row's values in primary-key order)}; backup events apart (they are made by the
    backup and the restore themselves)."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.using(using).order_by("pk")
        if model is AuditEvent:
            rows = rows.exclude(action__startswith="core.backup.")
        values = list(rows.values_list(*[field.attname for field in model._meta.concrete_fields]))
        out[model._meta.label] = (len(values), hashlib.sha256(repr(values).encode()).hexdigest())
    return out


def files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def wipe(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media_root)
    media_root.mkdir()
    assert not Child.objects.exists() and not files(media_root)


def repack(archive: Path, change) -> Path:
    """The archive again, after `change(folder)` edited its extracted content (a forger who keeps the format)."""
    folder = archive.parent / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    change(folder)
    changed = archive.parent / f"{change.__name__}.tar.gz"
    with tarfile.open(changed, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, path.relative_to(folder).as_posix())
    shutil.rmtree(folder)
    return changed


def test_round_trip_in_place(make_user, media, tmp_path):
    fill(make_user)
    before, files_before = snapshot(), files(media)
    assert before["registry.Child"][0] == 4 and before["cases.CaseDocument"][0] == 1 and len(files_before) == 2

    with pytest.raises(backup.BackupError, match="bên ngoài MEDIA_ROOT"):
        backup.create(media / "sao-luu")
    made = backup.create(tmp_path / "backups")
    archive = Path(made["path"])
    assert made["files"] == 2 and oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database_vendor"] == connections["default"].vendor
    assert manifest["migrations"]["cases"] and manifest["migrations"]["registry"]
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for name, content in files_before.items():
        assert listed[f"media/{name}"] == {"path": f"media/{name}", "size": len(content),
                                           "sha256": hashlib.sha256(content).hexdigest()}
    created = AuditEvent.objects.get(action="core.backup.create")
    assert created.actor is None and created.actor_label == "system" and created.summary["sha256"] == made["sha256"]

    with pytest.raises(backup.BackupError, match="không trống"):  # data there and no --force
        backup.restore(archive)
    assert snapshot() == before

    wipe(media)
    done = backup.restore(archive)
    assert snapshot() == before
    assert files(media) == files_before
    assert done["files"] == done["files_written"] == 2 and done["pending_migrations"] == 0
    assert done["row_counts"]["registry.Child"] == 4
    restored = AuditEvent.objects.get(action="core.backup.restore")
    assert restored.actor_label == "system" and restored.summary["files"] == 2 and not restored.summary["replaced_data"]


@pytest.mark.skipif(not POSTGRES, reason="a second PostgreSQL database as the restore target")
def test_round_trip_into_a_new_postgresql_database(make_user, media, tmp_path):
    fill(make_user)
    before, files_before = snapshot(), files(media)
    archive = Path(backup.create(tmp_path / "backups")["path"])
    shutil.rmtree(media)
    media.mkdir()

    source = connections["default"].settings_dict
    target = f"{source['NAME']}_restore"
    server = {"host": source["HOST"], "port": source["PORT"] or 5432, "user": source["USER"],
              "password": source["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.execute(f'CREATE DATABASE "{target}"')
    # A connection made here, not declared in settings: the test framework lets such a one reach its database.
    connections["restore_target"] = load_backend(source["ENGINE"]).DatabaseWrapper({**source, "NAME": target},
                                                                                    "restore_target")
    try:
        done = backup.restore(archive, using="restore_target")
        assert snapshot("restore_target") == before
        assert files(media) == files_before
        assert done["files_written"] == 2 and not done["replaced_data"]
        assert AuditEvent.objects.using("restore_target").filter(action="core.backup.restore").count() == 1
        with pytest.raises(backup.BackupError, match="không trống"):
            backup.restore(archive, using="restore_target")
    finally:
        connections["restore_target"].close()
        del connections["restore_target"]
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}"')


def test_encrypted_backup_with_the_commands(make_user, media, tmp_path):
    fill(make_user)
    before, files_before = snapshot(), files(media)
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("mot cau rat dai de nho 2026\n")
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backups"), "--passphrase-file", str(passphrase), stdout=out)
    (archive,) = (tmp_path / "backups").glob("treem-backup-*.tar.gz.enc")
    assert "Đã sao lưu" in out.getvalue()
    content = archive.read_bytes()
    assert content.startswith(b"TREEMEN1") and PDF not in content and "Lò Thị Mai".encode() not in content
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(content)  # not a readable tar.gz without the passphrase

    wrong = tmp_path / "wrong"
    wrong.write_text("khong phai mat khau nay")
    with pytest.raises(CommandError, match="Cụm mật khẩu không đúng"):
        call_command("restore", str(archive), "--passphrase-file", str(wrong), "--force")
    with pytest.raises(CommandError, match="được mã hóa"):
        call_command("restore", str(archive), "--force")
    changed = tmp_path / "changed.tar.gz.enc"
    changed.write_bytes(content[:5000] + bytes([content[5000] ^ 1]) + content[5001:])
    with pytest.raises(CommandError, match="Cụm mật khẩu không đúng"):
        call_command("restore", str(changed), "--passphrase-file", str(passphrase), "--force")
    assert snapshot() == before  # nothing was touched by the refusals

    wipe(media)
    out = io.StringIO()
    call_command("restore", str(archive), "--passphrase-file", str(passphrase), stdout=out)
    assert snapshot() == before and files(media) == files_before
    assert "Đã khôi phục" in out.getvalue()


def test_a_changed_archive_is_refused_before_anything_is_touched(make_user, media, tmp_path):
    fill(make_user)
    archive = Path(backup.create(tmp_path / "backups")["path"])
    before, files_before = snapshot(), files(media)

    content = archive.read_bytes()
    flipped = tmp_path / "flipped.tar.gz"
    middle = len(content) // 2
    flipped.write_bytes(content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1:])

    def one_byte_of_the_attachment(folder):
        (attachment,) = list((folder / "media").rglob("*.pdf"))
        data = bytearray(attachment.read_bytes())
        data[10] ^= 0x01
        attachment.write_bytes(bytes(data))

    def a_file_more(folder):
        (folder / "media" / "them.txt").write_bytes(b"x")

    def a_newer_version(folder):
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["migrations"]["cases"] = "9999_from_the_future"
        (folder / "manifest.json").write_text(json.dumps(manifest))

    for bad, message in [(flipped, "hỏng hoặc đã bị sửa"),
                         (repack(archive, one_byte_of_the_attachment), "không khớp với mã kiểm tra"),
                         (repack(archive, a_file_more), "không có trong bản kê"),
                         (repack(archive, a_newer_version), "phiên bản treem mới hơn")]:
        with pytest.raises(backup.BackupError, match=message):
            backup.restore(bad, force=True)
        assert snapshot() == before and files(media) == files_before


def test_rotation_keeps_7_daily_4_weekly_12_monthly(tmp_path):
    day, names = datetime(2025, 11, 1, 2), []
    while day <= datetime(2026, 12, 4, 2):
        names.append(f"treem-backup-{day:%Y%m%d-%H%M%S}.tar.gz")
        day += timedelta(days=1)
    names += ["treem-backup-20261204-010000.tar.gz.enc", "ghi-chu.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    deleted = backup.prune(tmp_path)
    kept = sorted(path.name[13:21] for path in tmp_path.iterdir() if path.name.startswith("treem-backup-"))
    assert kept == sorted([
        *[f"202611{d}" for d in (28, 29, 30)], *[f"2026120{d}" for d in (1, 2, 3, 4)],  # 7 days
        "20261122", "20261115",  # the weeks before (Sundays): weeks 47 and 46
        "20261031", "20260930", "20260831", "20260731", "20260630", "20260531", "20260430", "20260331",
        "20260228", "20260131",  # the last of each month of 2026
    ])
    assert (tmp_path / "ghi-chu.txt").exists()
    assert len(deleted) == len(names) - 1 - 19 and (tmp_path / "treem-backup-20261204-010000.tar.gz.enc") in deleted
