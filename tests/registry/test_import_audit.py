"""Every step of an import is a service with an audit event (issue 11: batch creation, preview, columns, the start of
a background save wrote none, and views changed a batch's state by hand)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    csv_bytes,
    reference_fixture,
    rows_for_file,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.registry.models import ImportBatch, ImportStatus

B = years_ago(8)
ROWS = [("Lò Thị Ơn", B, "Nữ", "Thái", "", "Bản Hô Ta", "Lò Văn Sơn", ""),
        ("Giàng A Páo", B, "Nam", "H'Mông", "", "Bản Pắc Ta", "", "")]


def _actions(batch) -> list[str]:
    return list(AuditEvent.objects.filter(object_id=str(batch.pk)).exclude(action__endswith=".view")
                .order_by("id").values_list("action", flat=True))


def test_upload_preview_columns_and_save_are_audited(client, worker_x, commune_x, reference):
    client.force_login(worker_x)
    client.post("/children/import/", {"commune": commune_x.code,
                                      "file": SimpleUploadedFile("ds.csv", csv_bytes(rows_for_file(ROWS)))})
    batch = ImportBatch.objects.get()
    assert _actions(batch) == ["registry.import.upload", "registry.import.preview"]
    upload = AuditEvent.objects.get(action="registry.import.upload")
    assert upload.actor == worker_x and upload.unit == commune_x and upload.summary["file"] == "ds.csv"
    client.post(f"/children/import/{batch.pk}/mapping/", {"col_0": ""})
    assert _actions(batch)[-2:] == ["registry.import.columns", "registry.import.preview"]
    client.post(f"/children/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED and _actions(batch)[-1] == "registry.import.commit"


def test_a_large_file_queued_for_saving_is_audited(client, worker_x, commune_x, reference, settings,
                                                   django_capture_on_commit_callbacks):
    settings.REGISTRY_IMPORT_SYNC_BYTES = 10  # every file is "large": checked and saved by background jobs
    client.force_login(worker_x)
    with django_capture_on_commit_callbacks(execute=True):  # the jobs run when the request's transaction commits
        client.post("/children/import/", {"commune": commune_x.code,
                                          "file": SimpleUploadedFile("ds.csv", csv_bytes(rows_for_file(ROWS)))})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PREVIEWED and batch.job is not None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/children/import/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert "registry.import.commit_queued" in _actions(batch)
    queued = AuditEvent.objects.get(action="registry.import.commit_queued")
    assert queued.summary["rows"] == 2 and queued.actor == worker_x
