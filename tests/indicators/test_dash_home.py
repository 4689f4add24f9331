"""The home page is the role's work: a leader sees the province's targets at a glance, a focal officer the rounds'
completeness and the targets off track, an agency reporter what it owes, a commune worker the steps overdue, the
children to check and the reports to send. Counts and links, never a child's name; a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from treem.accounts.models import Agency, AgencyKind, Role
from treem.plans.models import Document, DocumentType, ReportingRound, RoundAgency, Submission, SubmissionStatus

from .dash_fixtures import bind, indicator, value, world


@pytest.fixture
def data(db, lai_chau, commune_x, commune_y, an_giang):
    return world(lai_chau, commune_x, commune_y, an_giang)


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return response


def panel(response, key):
    return [p for p in response.context["panels"] if p["key"] == key]


def test_the_leader_sees_her_provinces_targets_at_a_glance(client, data, make_user, lai_chau):
    leader = make_user("lanhdao.laichau", Role.LEADER, lai_chau)
    response = home(client, leader)
    [targets] = panel(response, "targets")
    assert targets["subtitle"] == lai_chau.name
    assert next(r.indicator.code for r in targets["targets"]) == "cfc_communes_share"  # off track first
    html = response.content.decode()
    assert "Chỉ tiêu của tỉnh" in html and "Chậm tiến độ" in html and "73,0% (2025)" in html
    assert "Tỷ số giới tính khi sinh" not in html  # An Giang
    assert reverse("indicators:province", args=["12"]) in html


def test_the_leaders_home_keeps_the_same_number_of_queries_with_more_targets(client, data, make_user, lai_chau):
    leader = make_user("lanhdao.laichau", Role.LEADER, lai_chau)
    client.force_login(leader)
    client.get(reverse("web:home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("web:home"))
    for n in range(10):
        ind = indicator(f"extra_{n}", f"Chỉ tiêu thêm {n}")
        bind(ind, lai_chau, text=f"Chỉ tiêu thêm {n}", baseline=1, baseline_year=2023, goal=5)
        value(ind, lai_chau, 2025, 2)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("web:home"))
    assert len(many) == len(few) <= 25, [q["sql"] for q in many.captured_queries]
    [targets] = panel(response, "targets")
    assert len(targets["targets"]) == 8 and targets["more"] == 5


def test_the_focal_officer_sees_the_rounds_completeness_and_only_the_targets_off_track(client, data, lai_chau,
                                                                                      province_officer):
    document = Document.objects.create(doc_type=DocumentType.PLAN, number="12/KH-UBND", province=lai_chau,
                                       title="Kế hoạch bảo vệ trẻ em năm 2026")
    round_ = ReportingRound.objects.create(title="Báo cáo kết quả năm 2026", document=document, province=lai_chau,
                                           period_year=2026, deadline=date(2026, 11, 10))
    agencies = [Agency.objects.create(name=f"Sở {n} tỉnh Lai Châu", name_folded=f"so {n}",
                                      kind=AgencyKind.DEPARTMENT, province=lai_chau) for n in range(3)]
    for agency in agencies:
        RoundAgency.objects.create(round=round_, agency=agency, agency_name=agency.name)
    Submission.objects.create(round=round_, agency=agencies[0], status=SubmissionStatus.SUBMITTED,
                              submitted_at=timezone.now())
    Submission.objects.create(round=round_, agency=agencies[1], status=SubmissionStatus.DRAFT)
    response = home(client, province_officer)
    [rounds] = panel(response, "rounds")
    [line] = rounds["lines"]
    assert line["text"] == "Báo cáo kết quả năm 2026" and line["share"] == 33
    assert "đã nhận 1/3 báo cáo" in response.content.decode()
    [targets] = panel(response, "targets")
    assert [r.status for r in targets["targets"]] == ["off_track"]


def test_the_agency_reporter_sees_what_it_owes(client, data, lai_chau, make_user):
    agency = Agency.objects.create(name="Sở Y tế tỉnh Lai Châu", name_folded="so y te", kind=AgencyKind.DEPARTMENT,
                                   province=lai_chau)
    reporter = make_user("soyte.laichau", Role.AGENCY_REPORTER, agency=agency)
    document = Document.objects.create(doc_type=DocumentType.PLAN, number="12/KH-UBND", province=lai_chau,
                                       title="Kế hoạch bảo vệ trẻ em năm 2026")
    round_ = ReportingRound.objects.create(title="Báo cáo năm 2025", document=document, province=lai_chau,
                                           period_year=2025, deadline=timezone.localdate() - timedelta(days=2))
    RoundAgency.objects.create(round=round_, agency=agency, agency_name=agency.name)
    response = home(client, reporter)
    [owed] = panel(response, "owed")
    stats = {s["key"]: s["value"] for s in owed["stats"]}
    assert stats["reports"] == 1 and stats["overdue"] == 1
    assert owed["url"] == reverse("plans:my")
    assert not panel(response, "targets")  # an agency reporter has no indicators


def test_the_commune_worker_sees_steps_children_to_check_and_reports_to_send(client, data, worker_x, commune_x):
    from treem.core.actors import SYSTEM
    from treem.registry import services as registry
    from treem.registry.quality import findings

    registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Lò Văn Páo", "sex": "M", "birth_date": date(2017, 5, 20)})
    findings.check_commune(commune_x)  # no personal ID: open findings
    committee = Agency.objects.create(name="UBND xã Bình Lư", name_folded="ubnd xa binh lu",
                                      kind=AgencyKind.COMMUNE_COMMITTEE, province=commune_x.province, unit=commune_x)
    document = Document.objects.create(doc_type=DocumentType.PLAN, number="12/KH-UBND", province=commune_x.province,
                                       title="Kế hoạch bảo vệ trẻ em năm 2026")
    round_ = ReportingRound.objects.create(title="Báo cáo của xã năm 2026", document=document,
                                           province=commune_x.province, period_year=2026,
                                           deadline=timezone.localdate() + timedelta(days=10))
    RoundAgency.objects.create(round=round_, agency=committee, agency_name=committee.name)
    response = home(client, worker_x)
    html = response.content.decode()
    [steps] = panel(response, "case-steps")
    assert {s["key"] for s in steps["stats"]} == {"overdue", "soon"}
    [check] = panel(response, "children-to-check")
    assert check["stats"][0]["value"] >= 1 and check["url"] == reverse("quality:commune", args=[commune_x.code])
    [reports] = panel(response, "reports-to-send")
    assert [line["text"] for line in reports["lines"]] == ["Báo cáo của xã năm 2026"]
    assert "Lò Văn Páo" not in html  # counts and links only
    assert "Trẻ em cần kiểm tra" in html and "Báo cáo phải gửi" in html
    assert not panel(response, "targets")
