"""The indicator pages: the province dashboard, the communes' scorecard, an indicator's page and its spreadsheet, a
commune's page. Scope through the pages and the export; the reads that show communes' figures are logged; the
dashboard's queries do not grow with the number of targets."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.core.collation import sort_units
from treem.geo.models import Unit
from treem.indicators.models import TargetStatus

from .dash_fixtures import bind, indicator, value, world


@pytest.fixture
def data(db, lai_chau, commune_x, commune_y, an_giang):
    return world(lai_chau, commune_x, commune_y, an_giang)


@pytest.fixture
def leader(make_user, lai_chau):
    return make_user("lanhdao.laichau", Role.LEADER, lai_chau)


def page(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


def test_the_leader_sees_every_target_of_her_province_with_baseline_latest_goal_and_status(client, data, leader):
    response = page(client, leader, "indicators:province", "12")
    assert response.status_code == 200
    html = response.content.decode()
    assert "71,3% (2023)" in html and "73,0% (2025)" in html and "97,2% (2030)" in html
    assert "9,8% (2023)" in html and "8,2% (2025)" in html
    assert "chưa có số liệu nền" in html  # the count target without a baseline: never 0
    assert "Tỷ số giới tính khi sinh" not in html  # An Giang's target
    cards = response.context["rows"]
    assert next(r.status for r in cards) == TargetStatus.OFF_TRACK  # off track first
    assert cards[0].trend["good"] is True  # 72,1 -> 73,0, higher is better
    assert "data-as-of" in html and "Số liệu tính đến" in html


def test_filters_by_status_and_group(client, data, leader):
    response = page(client, leader, "indicators:province", "12", status="on_track")
    assert [r.indicator.code for r in response.context["rows"]] == ["under5_underweight_share"]
    response = page(client, leader, "indicators:province", "12", group="protection")
    assert [r.indicator.code for r in response.context["rows"]] == ["sc_children"]
    response = page(client, leader, "indicators:province", "12", status="nonsense", group="<script>")
    assert len(response.context["rows"]) == 3


def test_a_province_outside_the_scope_is_refused_and_an_unknown_one_is_not_found(client, data, leader):
    assert page(client, leader, "indicators:province", "91").status_code == 403
    assert page(client, leader, "indicators:scorecard", "91").status_code == 403
    assert page(client, leader, "indicators:indicator", "91", "sex_ratio_at_birth").status_code == 403
    assert page(client, leader, "indicators:export", "91", "sex_ratio_at_birth").status_code == 403
    assert page(client, leader, "indicators:province", "99999").status_code == 404


def test_a_commune_worker_sees_only_her_commune(client, data, worker_x, commune_x, commune_y):
    response = page(client, worker_x, "indicators:index")
    assert response.status_code == 302 and response.url == reverse("indicators:commune", args=[commune_x.code])
    response = page(client, worker_x, "indicators:commune", commune_x.code)
    html = response.content.decode()
    assert response.status_code == 200
    assert "60,5%" in html and "12,4%" in html and "17" in html
    assert "88,3%" not in html and "4,1%" not in html  # commune Y's figures
    assert "61,0%" not in html  # a draft
    assert page(client, worker_x, "indicators:commune", commune_y.code).status_code == 403
    for name in ("indicators:province", "indicators:scorecard"):
        assert page(client, worker_x, name, "12").status_code == 403
    assert page(client, worker_x, "indicators:export", "12", "cfc_communes_share").status_code == 403


def test_the_leader_reaches_a_province_dashboard_from_the_index(client, data, leader):
    response = page(client, leader, "indicators:index")
    assert response.status_code == 302 and response.url == reverse("indicators:province", args=["12"])


def test_the_scorecard_sorts_by_any_indicator_and_by_name_in_vietnamese_order(client, data, leader, commune_x,
                                                                               commune_y):
    def order(**query):
        response = page(client, leader, "indicators:scorecard", "12", **query)
        assert response.status_code == 200
        return [r.commune.code for r in response.context["card"]["rows"]]

    by_name = order()
    assert by_name.index(commune_x.code) < by_name.index(commune_y.code)  # Bình Lư before Sin Suối Hồ
    communes = {u.code: u for u in Unit.objects.filter(province=commune_x.province, level="commune")}
    assert len(by_name) == len(communes)  # every commune of the province, with or without figures
    assert by_name == [u.code for u in sort_units(communes.values())]  # Vietnamese order, by proper name
    plain = [u.code for u in sorted(communes.values(), key=lambda u: (u.sort_name, u.name))]
    assert by_name != plain  # code-point order would put Đ after Y: the collation matters here
    assert order(order="desc") == by_name[::-1]
    cfc = order(sort="cfc_communes_share")
    assert cfc[:2] == [commune_x.code, commune_y.code]  # 60,5 then 88,25
    assert order(sort="cfc_communes_share", order="desc")[:2] == [commune_y.code, commune_x.code]
    under = order(sort="under5_underweight_share", order="desc")
    assert under[:2] == [commune_x.code, commune_y.code]


def test_the_scorecard_names_the_communes_that_pull_the_province_down(client, data, leader, commune_x):
    response = page(client, leader, "indicators:scorecard", "12")
    pulling = response.context["card"]["pulling_down"]
    assert [r.commune.code for r in pulling] == [commune_x.code]  # 60,5 < 73,0 and 12,4 > 8,2 (lower is better)
    assert {i.code for i in pulling[0].below} == {"cfc_communes_share", "under5_underweight_share"}
    html = response.content.decode()
    assert "Xã kéo tỉnh xuống" in html or "kéo" in html


def test_the_indicator_page_has_a_chart_the_same_numbers_in_a_table_and_a_logged_read(client, data, leader,
                                                                                       lai_chau, commune_x):
    AuditEvent.objects.all().delete()
    response = page(client, leader, "indicators:indicator", "12", "cfc_communes_share")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="line-chart"' in html and "<svg" in html and 'id="years-table"' in html
    assert "72,1%" in html and "60,5%" in html and "88,3%" in html
    [event] = AuditEvent.objects.filter(action="indicators.value.list")
    assert (event.actor, event.unit) == (leader, lai_chau)


def test_breakdowns_are_shown_with_labels_not_codes(client, data, leader):
    response = page(client, leader, "indicators:indicator", "12", "sc_children")
    [group] = response.context["breakdowns"]
    assert [r["label"] for r in group["rows"]] == ["Trẻ em gái", "Trẻ em trai"]
    assert [r["text"] for r in group["rows"]] == ["2", "18"]


def test_the_spreadsheet_has_the_series_and_the_communes_and_is_logged(client, data, leader, commune_x):
    AuditEvent.objects.all().delete()
    response = page(client, leader, "indicators:export", "12", "cfc_communes_share")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    years, communes = book.worksheets[0], book.worksheets[1]
    assert [r[1:3] for r in years.iter_rows(min_row=2, values_only=True)] == [(2024, 72.1), (2025, 73.0)]
    by_code = {r[1]: r[3] for r in communes.iter_rows(min_row=2, values_only=True)}
    assert by_code[commune_x.code] == 60.5
    assert AuditEvent.objects.filter(action="indicators.value.export", actor=leader).count() == 1


def test_a_formula_in_a_commune_or_indicator_name_is_neutralised(client, data, leader, lai_chau):
    ind = indicator("evil", "=HYPERLINK(\"http://x\")")
    value(ind, lai_chau, 2025, 1)
    response = page(client, leader, "indicators:export", "12", "evil")
    book = load_workbook(io.BytesIO(response.content))
    texts = [c.value for row in book["Giới thiệu"].iter_rows() for c in row]
    assert texts[0].startswith("'=")


def test_the_dashboard_queries_do_not_grow_with_the_targets(client, data, leader, lai_chau):
    client.force_login(leader)
    url = reverse("indicators:province", args=["12"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(12):
        ind = indicator(f"extra_{n}", f"Chỉ tiêu thêm {n}")
        bind(ind, lai_chau, text=f"Chỉ tiêu thêm {n}", baseline=1, baseline_year=2023, goal=5)
        value(ind, lai_chau, 2025, 2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 15


def test_the_scorecard_queries_do_not_grow_with_communes_or_indicators(client, data, leader, lai_chau, commune_x):
    client.force_login(leader)
    url = reverse("indicators:scorecard", args=["12"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(5):
        ind = indicator(f"more_{n}", f"Chỉ tiêu khác {n}")
        value(ind, commune_x, 2025, n)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_report_table_gives_baseline_target_this_years_value_and_status(data, leader, lai_chau):
    from treem.indicators.report import report_chart, report_table

    rows = {r.indicator: r for r in report_table(leader, lai_chau, 2025)}
    cfc = rows["Tỷ lệ xã, phường đạt tiêu chuẩn phù hợp với trẻ em"]
    assert (cfc.baseline, cfc.value, cfc.status) == ("71,3% (2023)", "73,0%", "Chậm tiến độ")
    assert "97,2% (2030)" in cfc.goal
    assert rows["Số trẻ em có hoàn cảnh đặc biệt"].baseline == "chưa có số liệu nền"
    assert report_table(leader, lai_chau, 2019)[0].value == ""
    svg = report_chart(leader, lai_chau, 2025)
    assert "73,0%" in svg and "8,2%" in svg and "Số trẻ em" not in svg  # percentages only
