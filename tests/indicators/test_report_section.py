# ruff: noqa: F811 (the module's fixtures are imported by name)
"""The round's consolidated report (Decree 30, DOCX) carries the indicator table: baseline, target, value, status."""

import io

from docx import Document as Docx

from tests.indicators.targets_fixtures import ind_world, iw, province  # noqa: F401
from treem.accounts.models import Assignment, Role
from treem.core.actors import SYSTEM
from treem.indicators.report import consolidation_section
from treem.plans.consolidation import build_document
from treem.plans.models import ReportingRound
from treem.reports.official import Table, render_docx


def test_the_consolidated_report_has_the_indicator_table_of_the_provinces_bound_targets(iw):
    round_ = ReportingRound.objects.filter(province=province("92")).order_by("-period_year").first()
    document = build_document(round_, actor=SYSTEM)
    tables = [b for b in document.body if isinstance(b, Table)]
    indicator_table = next(t for t in tables if "Trạng thái" in t.header)
    cfc = next(row for row in indicator_table.rows if "phù hợp với trẻ em" in row[1])
    assert "71,3%" in cfc[3] and "97,2%" in cfc[4] and cfc[6]  # baseline (2023, Sóc Trăng), target, a status
    text = "\n".join(cell.text for t in Docx(io.BytesIO(render_docx(document))).tables for row in t.rows
                     for cell in row.cells)
    assert "71,3%" in text and "97,2%" in text


def test_the_officer_who_consolidates_sees_only_her_provinces_indicators(iw):
    """The section is read with the consolidating officer's scope: Lai Châu's officer gets nothing of Cần Thơ."""
    round_ = ReportingRound.objects.filter(province=province("92")).order_by("-period_year").first()
    lai_chau_officer = Assignment.objects.filter(role=Role.FOCAL_OFFICER, unit=province("12")).first().user
    assert consolidation_section(round_, lai_chau_officer) == []
    assert consolidation_section(round_, SYSTEM)
