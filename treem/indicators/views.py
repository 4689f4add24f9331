"""Pages of indicators: the province dashboard, the communes' scorecard, an indicator's page and its spreadsheet, a
commune's own page. Reads go through selectors (scoped); the pages that show figures by commune or broken down by sex,
age, group or abuse type log the read (small counts could point to a child)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from treem.access import require
from treem.audit.services import record_list
from treem.core.collation import sort_units
from treem.core.formats import format_date

from . import charts, export, selectors
from .models import Group, Indicator, TargetStatus

VIEW = selectors.VIEW


def _int(text, default=None, low=1900, high=2200):
    try:
        value = int(text)
    except (TypeError, ValueError):
        return default
    return value if low <= value <= high else default


@login_required
def index(request):
    """Where the user's indicators are: her province's dashboard, her commune's page, or a choice (national)."""
    require(request.user, VIEW)
    provinces = sort_units(selectors.scope_provinces(request.user))
    communes = sort_units(selectors.scope_communes(request.user))
    if len(provinces) == 1 and not communes:
        return redirect("indicators:province", code=provinces[0].code)
    if len(communes) == 1 and not provinces:
        return redirect("indicators:commune", code=communes[0].code)
    return render(request, "indicators/index.html", {"provinces": provinces, "communes": communes})


def _decorate(rows):
    for row in rows:
        points = [f.point for f in row.series]
        if row.baseline and (not points or row.baseline.year < points[0].year):
            points.insert(0, row.baseline)  # the line starts at the baseline
        row.sparkline = mark_safe(charts.sparkline(  # noqa: S308 - built from escaped parts
            points, measure=row.indicator.measure, title=row.indicator.name))
        row.light = mark_safe(charts.status_badge(row.status, row.status_label))  # noqa: S308
    return rows


@login_required
def province(request, code):
    province = selectors.province_for(request.user, code)
    status = request.GET.get("status", "")
    status = status if status in TargetStatus.values else ""
    group = request.GET.get("group", "")
    group = group if group in Group.values else ""
    every = selectors.bound_targets(request.user, province)
    rows = [r for r in every if (not status or r.status == status) and (not group or r.indicator.group == group)]
    return render(request, "indicators/province.html", {
        "province": province, "rows": _decorate(rows), "counts": selectors.status_counts(every),
        "total": len(every), "status": status, "group": group, "groups": list(selectors.GROUP_LABELS.items()),
        "statuses": [(s, selectors.STATUS_LABELS[s]) for s in selectors.STATUS_ORDER],
        "as_of": format_date(selectors.data_as_of(province)),
    })


@login_required
def scorecard(request, code):
    province = selectors.province_for(request.user, code)
    indicators = selectors.province_indicators(request.user, province)
    card = selectors.scorecard(request.user, province, indicators, sort=request.GET.get("sort", ""),
                               descending=request.GET.get("order") == "desc", year=_int(request.GET.get("year")))
    for row in card["rows"]:
        row.texts = [(i, format_cell(row.cells[i.pk], i), i in row.below) for i in indicators]
    province_texts = [(i, format_cell(card["province"][i.pk], i)) for i in indicators]
    return render(request, "indicators/scorecard.html", {
        "province": province, "card": card, "province_texts": province_texts,
        "as_of": format_date(selectors.data_as_of(province)),
    })


def format_cell(figure, indicator) -> str:
    return charts.format_value(figure.value, indicator.measure) if figure and figure.value is not None else ""


def _indicator_data(request, code, indicator_code):
    province = selectors.province_for(request.user, code)
    indicator = get_object_or_404(Indicator, code=indicator_code)
    series = selectors.unit_series(request.user, indicator, province)
    latest = selectors.latest_years(request.user, [indicator.pk], selectors.scope_communes_of(province))
    years = sorted({f.year for f in series} | set(latest.values()))
    year = _int(request.GET.get("year")) or latest.get(indicator.pk) or (series[-1].year if series else None)
    communes = selectors.by_commune(request.user, indicator, province, year) if year else []
    return province, indicator, series, years, year, communes


@login_required
def indicator(request, code, indicator_code):
    province, indicator, series, years, year, communes = _indicator_data(request, code, indicator_code)
    target = selectors.binding_for(request.user, indicator, province)
    if target is not None:
        _decorate([target])
    m = indicator.measure
    line = charts.line_chart([f.point for f in series], measure=m, title=f"{indicator.name} — {province.name}",
                             baseline=target.baseline if target else None, target=target.goal if target else None)
    reference = next((f.value for f in series if f.year == year), None)
    if not any(f for _, f in communes):
        communes = []  # reported for the province as a whole: no chart of a hundred empty bars
    bars = charts.bar_chart([(c.name, f.value if f else None) for c, f in communes], measure=m,
                            title=pgettext("dashboard", "{indicator} by commune, {year}").format(
                                indicator=indicator.name, year=year),
                            reference=reference, reference_label=pgettext("dashboard", "province"))
    breakdowns = selectors.breakdowns(request.user, indicator, province, year) if year else []
    record_list(request.user, "indicators.value.list", unit=province, request=request,
                shown=len([1 for _, f in communes if f]) + sum(len(g["rows"]) for g in breakdowns),
                filters={"indicator": indicator.code, "year": year})
    return render(request, "indicators/indicator.html", {
        "province": province, "indicator": indicator, "target": target, "year": year, "years": years,
        "series": [(f, charts.format_value(f.value, m)) for f in series],
        "communes": [(c, f, charts.format_value(f.value, m) if f else "") for c, f in communes],
        "line": mark_safe(line), "bars": mark_safe(bars),  # noqa: S308 - built from escaped parts
        "breakdowns": breakdowns, "measure": selectors.MEASURE_LABELS.get(m, ""),
        "as_of": format_date(selectors.data_as_of(province)),
    })


@login_required
def indicator_export(request, code, indicator_code):
    province, indicator, series, _, year, communes = _indicator_data(request, code, indicator_code)
    content = export.indicator_workbook(indicator, province, series, communes, year)
    record_list(request.user, "indicators.value.export", unit=province, request=request,
                shown=len(series) + len(communes), filters={"indicator": indicator.code, "year": year})
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="chi-tieu-{indicator.code}-{province.code}.xlsx"'
    return response


@login_required
def commune(request, code):
    commune = selectors.commune_for(request.user, code)
    rows = selectors.commune_indicators(request.user, commune)
    for row in rows:
        m = row["indicator"].measure
        row["sparkline"] = mark_safe(charts.sparkline(  # noqa: S308 - built from escaped parts
            [f.point for f in row["series"]], measure=m, title=row["indicator"].name))
        row["years"] = [(f.year, charts.format_value(f.value, m)) for f in row["series"]]
    record_list(request.user, "indicators.value.list", unit=commune, request=request, shown=len(rows),
                filters={"commune": commune.code})
    return render(request, "indicators/commune.html", {
        "commune": commune, "rows": rows, "as_of": format_date(selectors.data_as_of(commune.province)),
        "province_visible": selectors.scope_provinces(request.user).filter(pk=commune.province_id).exists(),
    })
