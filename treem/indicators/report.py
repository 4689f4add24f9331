"""The indicator table and chart of a round's consolidated report (DOCX/PDF, Decree 30).

The consolidation (treem.plans.consolidation) may not import indicators (the layering contract: plans stands below
indicators), so the report asks through a hook the lead wires at merge: `report_table(actor, province, year)` gives
the rows, `report_chart(actor, province, year)` the SVG. Both read through the dashboards' selectors (scoped to the
actor who consolidates) and only Value / Rollup / TargetBinding rows.
"""

from dataclasses import dataclass

from django.utils.translation import pgettext

from treem.geo.models import Unit
from treem.reports.official import Heading, Table

from . import charts, selectors


@dataclass(frozen=True)
class ReportRow:
    indicator: str  # the indicator's Vietnamese name
    target_text: str  # the plan's target as written
    baseline: str  # "71,3% (2023)" or "chưa có số liệu nền"
    goal: str  # "đạt ít nhất 97,2% (2030)"
    value: str  # this year's figure ("" when none)
    status: str  # the status in words
    status_code: str


def report_table(actor, province: Unit, year: int) -> list[ReportRow]:
    """One row per target of the province bound to an indicator: baseline, target, the figure of `year`, status."""
    rows = []
    for row in selectors.bound_targets(actor, province):
        figure = next((f for f in row.series if f.year == year), None)
        rows.append(ReportRow(
            indicator=row.indicator.name_vi, target_text=row.binding.target.text, baseline=row.texts["baseline"],
            goal=row.texts["goal"], value=charts.format_value(figure.value, row.indicator.measure) if figure else "",
            status=row.status_label, status_code=row.status))
    return rows


def report_chart(actor, province: Unit, year: int) -> str:
    """Each percentage target's figure of `year` as a bar (the targets measured in % side by side), SVG text."""
    bars = []
    for row in selectors.bound_targets(actor, province):
        if row.indicator.measure != "percent":
            continue
        figure = next((f for f in row.series if f.year == year), None)
        bars.append((row.indicator.name_vi, figure.value if figure else None))
    return charts.bar_chart(bars, measure="percent",
                            title=pgettext("dashboard", "Targets of %(name)s") % {"name": province.name} + f" ({year})")


def consolidation_section(round_, actor) -> list:
    """The blocks the round's consolidated report gets (installed by IndicatorsConfig.ready in plans.extensions)."""
    rows = report_table(actor, round_.province, round_.period_year)
    if not rows:
        return []
    return [
        Heading(pgettext("dashboard", "Targets measured by their indicators (year %(year)s)")
                % {"year": round_.period_year}, 2),
        Table([pgettext("dashboard", "No."), pgettext("dashboard", "Target as set"), pgettext("dashboard", "Indicator"),
               pgettext("dashboard", "Baseline"), pgettext("dashboard", "Target value"),
               pgettext("dashboard", "Value %(year)s") % {"year": round_.period_year},
               pgettext("dashboard", "Status")],
              [[str(i), r.target_text, r.indicator, r.baseline, r.goal, r.value or "—", r.status]
               for i, r in enumerate(rows, start=1)]),
    ]
