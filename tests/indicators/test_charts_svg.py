"""The SVG charts parse as XML, carry a title and a description with the numbers written the Vietnamese way, and put
the points where the numbers say."""

import itertools
import xml.etree.ElementTree as ET
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treem.indicators import charts
from treem.indicators.charts import Point
from treem.indicators.models import Measure, TargetStatus

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_the_line_chart_has_a_point_and_a_label_per_year_the_expected_path_and_the_target():
    svg = parse(charts.line_chart([Point(2024, Decimal("72.1")), Point(2025, Decimal("73"))], measure=Measure.PERCENT,
                                  title="Tỷ lệ xã đạt chuẩn", baseline=Point(2023, Decimal("71.3")),
                                  target=Point(2030, Decimal("97.2"))))
    assert svg.find("s:title", NS).text == "Tỷ lệ xã đạt chuẩn"
    desc = svg.find("s:desc", NS).text
    assert "2024: 72,1%" in desc and "2025: 73,0%" in desc and "71,3%" in desc and "97,2%" in desc
    points = svg.findall(".//s:circle[@class='point']", NS)
    assert [(p.get("data-year"), p.get("data-value")) for p in points] == [("2024", "72,1%"), ("2025", "73,0%")]
    labels = [t.text for t in svg.findall(".//s:text[@class='label']", NS)]
    assert labels == ["72,1%", "73,0%"]
    expected = svg.find(".//s:line[@class='expected']", NS)
    baseline = svg.find(".//s:circle[@class='baseline']", NS)
    assert (expected.get("x1"), expected.get("y1")) == (baseline.get("cx"), baseline.get("cy"))
    target = svg.find(".//s:path[@class='target']", NS)
    assert target.get("data-value") == "97,2%" and target.get("data-year") == "2030"
    # later years to the right, higher values higher up (smaller y)
    xs = [float(p.get("cx")) for p in points]
    ys = [float(p.get("cy")) for p in points]
    assert xs[0] < xs[1] and ys[0] > ys[1]
    assert float(expected.get("y2")) < ys[1]  # the target (97,2) is above the latest value


def test_an_empty_series_says_so():
    svg = parse(charts.line_chart([], measure=Measure.PERCENT, title="Không có"))
    assert svg.find("s:desc", NS).text == "Chưa có số liệu."


def test_the_bar_chart_has_one_bar_per_commune_in_order_and_says_which_have_no_data():
    rows = [("Xã Bình Lư", Decimal("60.5")), ("Xã Sin Suối Hồ", Decimal("88.25")), ("Xã Đạo San", None)]
    svg = parse(charts.bar_chart(rows, measure=Measure.PERCENT, title="Theo xã", reference=Decimal("73"),
                                 reference_label="tỉnh"))
    bars = svg.findall(".//s:rect[@class='bar']", NS)
    assert [(b.get("data-label"), b.get("data-value")) for b in bars] == [("Xã Bình Lư", "60,5%"),
                                                                          ("Xã Sin Suối Hồ", "88,3%")]
    assert float(bars[0].get("width")) < float(bars[1].get("width"))
    values = [t.text for t in svg.findall(".//s:text[@class='bar-value']", NS)]
    assert values == ["60,5%", "88,3%", "chưa có số liệu"]
    assert "Xã Đạo San: chưa có số liệu" in svg.find("s:desc", NS).text
    reference = svg.find(".//s:line[@class='reference']", NS)
    assert float(bars[0].get("x")) + float(bars[0].get("width")) < float(reference.get("x1"))


def test_names_are_escaped():
    svg = charts.bar_chart([("<script>alert(1)</script> & \"x\"", 1)], measure=Measure.COUNT, title="<b>")
    tree = parse(svg)
    assert "<script>" not in svg
    assert tree.find(".//s:rect", NS).get("data-label") == "<script>alert(1)</script> & \"x\""


def test_the_traffic_light_names_its_status():
    svg = parse(charts.status_badge(TargetStatus.OFF_TRACK, "Chậm tiến độ"))
    assert svg.get("aria-label") == "Chậm tiến độ" and svg.get("data-status") == "off_track"
    assert svg.find("s:circle", NS).get("fill") == charts.STATUS_COLOURS[TargetStatus.OFF_TRACK]


def test_values_with_their_unit():
    assert charts.format_value(Decimal("71.25"), Measure.PERCENT) == "71,3%"
    assert charts.format_value(Decimal("1234"), Measure.COUNT) == "1.234"
    assert charts.format_value(Decimal("4.5"), Measure.PER_MILLE) == "4,5‰"
    assert charts.format_value(Decimal("112.4"), Measure.RATIO) == "112,4"
    assert charts.format_value(None, Measure.PERCENT) == ""


values = st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


# generation slows on a loaded machine: that is not what this checks
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(1990, 2060), values, min_size=1, max_size=12),
       st.sampled_from(list(Measure)))
def test_any_series_draws_inside_the_frame_in_year_order_with_every_label(series, measure):
    points = [Point(y, v) for y, v in series.items()]
    svg = parse(charts.line_chart(points, measure=measure, title="t"))
    width, height = (float(n) for n in svg.get("viewBox").split()[2:])
    circles = svg.findall(".//s:circle[@class='point']", NS)
    assert [int(c.get("data-year")) for c in circles] == sorted(series)
    for c in circles:
        assert 0 <= float(c.get("cx")) <= width and 0 <= float(c.get("cy")) <= height
    assert [c.get("data-value") for c in circles] == [charts.format_value(series[y], measure) for y in sorted(series)]
    by_value = sorted(circles, key=lambda c: series[int(c.get("data-year"))])
    ys = [float(c.get("cy")) for c in by_value]
    assert ys == sorted(ys, reverse=True)  # a larger value is never drawn lower


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.decimals(min_value=0, max_value=100000, places=2)), min_size=1, max_size=30))
def test_any_bars_keep_their_order_and_grow_with_the_value(vals):
    rows = [(f"Xã {i}", v) for i, v in enumerate(vals)]
    svg = parse(charts.bar_chart(rows, measure=Measure.COUNT, title="t"))
    bars = svg.findall(".//s:rect[@class='bar']", NS)
    assert [b.get("data-label") for b in bars] == [label for label, v in rows if v is not None]
    known = [v for v in vals if v is not None]
    widths = [float(b.get("width")) for b in bars]
    pairs = sorted(zip(known, widths, strict=True))
    assert all(a[1] <= b[1] + 0.2 for a, b in itertools.pairwise(pairs))
