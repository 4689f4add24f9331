"""Charts drawn on the server as SVG text: no JavaScript, no CDN, the same SVG in a page and (later) in a document.

Every chart carries a <title> and a <desc> (read by screen readers) and is shown next to a table with the same numbers.
Numbers are written the Vietnamese way (71,3%). Functions return SVG text (a `str`); the caller marks it safe.
"""

import zlib
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import pgettext

from treem.core.formats import format_number

from .models import Measure, TargetStatus

STATUS_COLOURS = {
    TargetStatus.MET: "#0b6e4f",
    TargetStatus.ON_TRACK: "#198754",
    TargetStatus.AT_RISK: "#b8860b",
    TargetStatus.OFF_TRACK: "#b02a37",
    TargetStatus.NO_DATA: "#6c757d",
}
SERIES = "#0d4f8b"
GUIDE = "#6c757d"
TARGET = "#b02a37"


def format_value(value, measure: str, digits: int | None = None) -> str:
    """A figure with its unit: 71,3% / 4,5‰ / 1.234 / 112,0. None -> ""."""
    if value is None:
        return ""
    if measure == Measure.PERCENT:
        return f"{format_number(value, 1 if digits is None else digits)}%"
    if measure == Measure.PER_MILLE:
        return f"{format_number(value, 1 if digits is None else digits)}‰"
    if measure == Measure.COUNT:
        return format_number(value, 0 if digits is None else digits)
    return format_number(value, 1 if digits is None else digits)


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal | float


def _num(value) -> float:
    return float(value)


def _attr(value) -> str:
    return quoteattr(str(value))


def _svg(width: int, height: int, title: str, desc: str, body: list[str], css_class: str = "chart") -> str:
    ident = f"c{zlib.crc32(f'{title}|{desc}|{width}|{height}'.encode()):08x}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class={_attr(css_class)} viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="{ident}-t {ident}-d" preserveAspectRatio="xMidYMid meet">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
            + "".join(body) + "</svg>")


def _scale(low: float, high: float, out_low: float, out_high: float):
    span = (high - low) or 1.0

    def scale(v: float) -> float:
        return round(out_low + (v - low) / span * (out_high - out_low), 1)

    return scale


def _nice_bounds(values: list[float], measure: str) -> tuple[float, float]:
    low, high = min(values), max(values)
    if measure == Measure.PERCENT:
        low, high = min(low, 0.0), max(high, 0.0)
        if high > 90:
            high = max(high, 100.0)
    else:
        low = min(low, 0.0)
    if high == low:
        high = low + 1
    return low, high


def line_chart(points: list[Point], *, measure: str, title: str, baseline: Point | None = None,
               target: Point | None = None, width: int = 640, height: int = 280) -> str:
    """The series by year; the straight line from the baseline to the target (the expected path) dashed; the target as
    a marker. Each point is labelled with its value."""
    pts = sorted(points, key=lambda p: p.year)
    marks = [p for p in [*pts, baseline, target] if p is not None]
    if not marks:
        return _svg(width, 60, title, pgettext("dashboard", "No data yet."), [
            f'<text x="10" y="35" font-size="14" fill="{GUIDE}">{escape(pgettext("dashboard", "No data yet."))}'
            "</text>"])
    years = [p.year for p in marks]
    first, last = min(years), max(years)
    if first == last:
        first, last = first - 1, last + 1
    low, high = _nice_bounds([_num(p.value) for p in marks], measure)
    left, right, top, bottom = 56, width - 20, 20, height - 36
    x = _scale(first, last, left, right)
    y = _scale(low, high, bottom, top)
    body = [f'<g class="axes" stroke="{GUIDE}" stroke-width="1">'
            f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>'
            f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/></g>']
    for value in (low, (low + high) / 2, high):
        body.append(f'<text class="tick" x="{left - 6}" y="{y(value) + 4}" text-anchor="end" font-size="11" '
                    f'fill="{GUIDE}">{escape(format_value(value, measure, 0))}</text>')
    for year in range(first, last + 1) if last - first <= 12 else sorted(set(years)):
        body.append(f'<text class="year" x="{x(year)}" y="{bottom + 18}" text-anchor="middle" font-size="11" '
                    f'fill="{GUIDE}">{year}</text>')
    if baseline is not None and target is not None:
        body.append(f'<line class="expected" x1="{x(baseline.year)}" y1="{y(_num(baseline.value))}" '
                    f'x2="{x(target.year)}" y2="{y(_num(target.value))}" stroke="{GUIDE}" stroke-width="1.5" '
                    'stroke-dasharray="6 4"/>')
    if baseline is not None:
        body.append(f'<circle class="baseline" cx="{x(baseline.year)}" cy="{y(_num(baseline.value))}" r="4" '
                    f'fill="#fff" stroke="{GUIDE}" stroke-width="2" data-year="{baseline.year}" '
                    f'data-value={_attr(format_value(baseline.value, measure))}/>')
    if target is not None:
        tx, ty = x(target.year), y(_num(target.value))
        body.append(f'<path class="target" d="M{tx} {ty - 7} L{tx + 7} {ty} L{tx} {ty + 7} L{tx - 7} {ty} Z" '
                    f'fill="{TARGET}" data-year="{target.year}" '
                    f'data-value={_attr(format_value(target.value, measure))}/>')
        body.append(f'<text class="target-label" x="{tx}" y="{ty - 11}" text-anchor="middle" font-size="12" '
                    f'fill="{TARGET}">{escape(format_value(target.value, measure))}</text>')
    if pts:
        path = " ".join(f"{x(p.year)},{y(_num(p.value))}" for p in pts)
        body.append(f'<polyline class="series" points="{path}" fill="none" stroke="{SERIES}" stroke-width="2.5"/>')
        for p in pts:
            body.append(f'<circle class="point" cx="{x(p.year)}" cy="{y(_num(p.value))}" r="4" fill="{SERIES}" '
                        f'data-year="{p.year}" data-value={_attr(format_value(p.value, measure))}/>')
            body.append(f'<text class="label" x="{x(p.year)}" y="{y(_num(p.value)) - 9}" text-anchor="middle" '
                        f'font-size="12" fill="{SERIES}">{escape(format_value(p.value, measure))}</text>')
    desc = "; ".join(f"{p.year}: {format_value(p.value, measure)}" for p in pts)
    if baseline is not None:
        desc += "; " + pgettext("dashboard", "baseline {year}: {value}").format(
            year=baseline.year, value=format_value(baseline.value, measure))
    if target is not None:
        desc += "; " + pgettext("dashboard", "target {year}: {value}").format(
            year=target.year, value=format_value(target.value, measure))
    return _svg(width, height, title, desc.strip("; "), body)


def sparkline(points: list[Point], *, measure: str, title: str, width: int = 120, height: int = 32) -> str:
    """A small line of the series, for a row of the dashboard (the numbers are in the row beside it)."""
    pts = sorted(points, key=lambda p: p.year)
    desc = "; ".join(f"{p.year}: {format_value(p.value, measure)}" for p in pts) or pgettext("dashboard",
                                                                                              "No data yet.")
    if len(pts) < 2:
        body = [f'<circle class="point" cx="{width / 2}" cy="{height / 2}" r="3" fill="{SERIES}"/>'] if pts else []
        return _svg(width, height, title, desc, body, "sparkline")
    values = [_num(p.value) for p in pts]
    x = _scale(pts[0].year, pts[-1].year, 4, width - 4)
    y = _scale(min(values), max(values), height - 4, 4)
    path = " ".join(f"{x(p.year)},{y(_num(p.value))}" for p in pts)
    last = pts[-1]
    return _svg(width, height, title, desc, [
        f'<polyline class="series" points="{path}" fill="none" stroke="{SERIES}" stroke-width="2"/>',
        f'<circle class="point" cx="{x(last.year)}" cy="{y(_num(last.value))}" r="3" fill="{SERIES}"/>'],
        "sparkline")


def bar_chart(rows: list[tuple[str, object]], *, measure: str, title: str, reference=None,
              reference_label: str = "", width: int = 640, bar_height: int = 22) -> str:
    """Horizontal bars, one per row (a commune), in the order given, each labelled with its value; rows without a value
    say so. `reference` (the province's figure) is drawn as a vertical line."""
    label_width, value_width = 190, 70
    top = 24 if reference is not None else 6
    height = top + bar_height * len(rows) + 8
    known = [_num(v) for _, v in rows if v is not None] + ([_num(reference)] if reference is not None else [])
    high = max([*known, 0.0]) or 1.0
    if measure == Measure.PERCENT and high > 90:
        high = max(high, 100.0)
    x = _scale(0.0, high, label_width, width - value_width)
    body = []
    for i, (label, value) in enumerate(rows):
        ty = top + i * bar_height
        body.append(f'<text class="bar-label" x="{label_width - 6}" y="{ty + bar_height * 0.68}" text-anchor="end" '
                    f'font-size="12">{escape(_short(label))}</text>')
        if value is None:
            body.append(f'<text class="bar-value" x="{label_width + 4}" y="{ty + bar_height * 0.68}" font-size="12" '
                        f'fill="{GUIDE}">{escape(pgettext("dashboard", "no data"))}</text>')
            continue
        w = max(x(_num(value)) - label_width, 1)
        body.append(f'<rect class="bar" x="{label_width}" y="{ty + 3}" width="{w}" height="{bar_height - 6}" '
                    f'fill="{SERIES}" data-label={_attr(label)} data-value={_attr(format_value(value, measure))}/>')
        body.append(f'<text class="bar-value" x="{label_width + w + 4}" y="{ty + bar_height * 0.68}" '
                    f'font-size="12">{escape(format_value(value, measure))}</text>')
    if reference is not None:
        rx = x(_num(reference))
        body.append(f'<line class="reference" x1="{rx}" y1="{top - 4}" x2="{rx}" y2="{height - 4}" stroke="{TARGET}" '
                    'stroke-width="1.5" stroke-dasharray="4 3"/>')
        body.append(f'<text class="reference-label" x="{rx}" y="{top - 8}" text-anchor="middle" font-size="11" '
                    f'fill="{TARGET}">{escape(reference_label)} {escape(format_value(reference, measure))}</text>')
    desc = "; ".join(f"{label}: {format_value(v, measure) if v is not None else pgettext('dashboard', 'no data')}"
                     for label, v in rows)
    return _svg(width, height, title, desc, body)


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def status_badge(status: str, label: str, size: int = 16) -> str:
    """A traffic light: a coloured disc with its status in words as title (the words are also shown beside it)."""
    colour = STATUS_COLOURS.get(status, STATUS_COLOURS[TargetStatus.NO_DATA])
    r = size / 2
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="status-light" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}" role="img" aria-label={_attr(label)} data-status={_attr(status)}>'
            f"<title>{escape(label)}</title>"
            f'<circle cx="{r}" cy="{r}" r="{r - 1}" fill="{colour}"/></svg>')
