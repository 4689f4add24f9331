"""Export of the filtered list: real XLSX and CSV, formulas neutralised, the export logged."""

import io

import openpyxl

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    reference_fixture,
)
from treem.audit.models import AuditEvent


def test_export_xlsx_neutralises_formulas_and_is_logged(client, worker_x, add_child):
    add_child("Nguyễn Văn Đức", village="=HYPERLINK(\"http://evil\",\"bấm\")", address="+84 cmd|calc")
    add_child("Lò Thị Ơn", sex="F", village="Bản 2")
    client.force_login(worker_x)
    response = client.get("/children/export.xlsx?village=%3DHYPERLINK(%22http%3A%2F%2Fevil%22%2C%22b%E1%BA%A5m%22)")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Họ và tên" and len(rows) == 2
    village = rows[1][rows[0].index("Thôn/bản/ấp")]
    address = rows[1][rows[0].index("Địa chỉ")]
    assert village.startswith("'=") and address.startswith("'+")
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f"  # no cell is a formula
    event = AuditEvent.objects.get(action="registry.child.export")
    assert event.actor == worker_x and event.summary["count"] == 1 and event.summary["format"] == "xlsx"


def test_export_csv(client, worker_x, add_child):
    add_child("Nguyễn Văn Đức", notes="x", village="@SUM(1+1)")
    client.force_login(worker_x)
    response = client.get("/children/export.csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Họ và tên,Giới tính,Ngày sinh")
    assert "Nguyễn Văn Đức,Nam," in text and "'@SUM(1+1)" in text and "Đang theo dõi" in text
