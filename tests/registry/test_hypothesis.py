"""Random rows through the import preview: it never crashes and never writes."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    csv_bytes,
    reference_fixture,
)
from treem.audit.models import AuditEvent
from treem.registry import importing
from treem.registry.models import Carer, Child

HEADER = ["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Số định danh cá nhân", "Thôn", "Số điện thoại"]
cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["Nguyễn Văn Đức", "nam", "Nữ", "01/02/2015", "2015-02-01", "31/02/2015", "=1+1", "012315000001",
                     "+84912345678", "Kinh", "H'Mông", " ", "ngày 5 tháng 3 năm 2016"]),
    st.integers(min_value=-10**13, max_value=10**13).map(str),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
)
rows = st.lists(st.lists(cell, min_size=0, max_size=9), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows)
def test_random_rows_never_crash_and_never_write(rows, commune_x, reference):
    before = (Child.objects.count(), Carer.objects.count(), AuditEvent.objects.count())
    content = csv_bytes([[str(v).replace("\x00", "") for v in row] for row in rows], header=HEADER)
    try:
        table = importing.read_file(content, "ngau-nhien.csv")
    except importing.ImportProblem as problem:
        assert str(problem)  # a message for the user, not a crash
        return
    try:
        plan = importing.plan_import(table, commune_x, content=content)
    except importing.MappingNeeded:
        return
    summary = plan.summary()
    assert summary["total"] == len(plan.rows) == sum(summary[a] for a in importing.ACTIONS)
    for row in plan.rows:
        assert row.action in importing.ACTIONS
        assert (row.action == "reject") == bool(row.errors)
    assert (Child.objects.count(), Carer.objects.count(), AuditEvent.objects.count()) == before
