import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from docx import Document as Docx
from hypothesis import given
from hypothesis import strategies as st

from treem.audit.models import AuditEvent
from treem.cases import reference as case_reference
from treem.cases import services as cases
from treem.cases.models import ConcernType
from treem.childfriendly import documents, scoring, selectors, services
from treem.childfriendly.models import (
    Assessment,
    CommuneClassification,
    CommuneType,
    Criterion,
    ScoreChange,
    Status,
    SubIndicator,
    Value,
)
from treem.childfriendly.reference import load_standard
from treem.core.actors import SYSTEM
from treem.core.exceptions import NotAllowed
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import services as registry
from treem.registry.models import Child, CircumstanceGroup
from treem.registry.reference import load_reference

from .conftest import IN_WINDOW, YEAR, fill, ready

# ---------------------------------------------------------------- the standard as data


def test_the_standard_loads_idempotently_and_keeps_an_administrators_edit(standard):
    criteria = {c.number: c for c in Criterion.objects.all()}
    assert len(criteria) == 13
    assert (criteria[1].max_points, criteria[6].max_points, criteria[7].max_points) == (100, 125, 50)
    assert {n for n, c in criteria.items() if c.points_verified} == {1, 6, 7}
    assert all(c.legal_reference for c in criteria.values())
    assert all(s.legal_reference for s in SubIndicator.objects.all())
    Criterion.objects.filter(number=2).update(max_points=80)  # an administrator corrects an unverified figure
    assert load_standard() == {"created": 0, "updated": 0}
    assert Criterion.objects.get(number=2).max_points == 80


# ---------------------------------------------------------------- the rule


MET = dict.fromkeys(range(1, 14), 1)


def test_a_criterion_at_zero_fails_even_above_the_threshold():
    points = dict.fromkeys(range(1, 14), 80)
    points[5] = 0
    v = scoring.verdict(points, MET, 850)
    assert v.total == 960 and v.at_zero == (5,) and not v.recognised


def test_exactly_at_the_threshold_is_recognised_one_below_is_not():
    points = dict.fromkeys(range(1, 14), 65)
    points[1] = 850 - 65 * 12
    assert scoring.verdict(points, MET, 850).recognised
    points[1] -= 1
    assert not scoring.verdict(points, MET, 850).recognised


@given(st.lists(st.integers(0, 125), min_size=13, max_size=13), st.sampled_from([800, 850, 900]))
def test_the_rule_is_the_three_conditions(listed, threshold):
    points = dict(enumerate(listed, start=1))
    v = scoring.verdict(points, dict.fromkeys(points, 30), threshold)
    expected = sum(points.values()) >= threshold and all(p >= 30 for p in points.values())
    assert v.recognised == expected
    assert v.total == sum(points.values())


@given(st.sampled_from(["at_least", "at_most", "yes_no", "proportional"]),
       st.decimals(0, 100, places=2), st.integers(0, 125), st.decimals(0, 100, places=2))
def test_sub_points_stay_within_zero_and_the_maximum(scoring_kind, target, points, value):
    got = scoring.sub_points(scoring_kind, target, points, value)
    assert 0 <= got <= points
    if scoring_kind == "proportional":
        assert got <= scoring.sub_points(scoring_kind, target, points, min(value + 1, Decimal(100)))


@pytest.mark.parametrize(("kind", "threshold"), [(CommuneType.URBAN_WARD, 900), (CommuneType.OTHER, 850),
                                                  (CommuneType.DISADVANTAGED, 800)])
def test_each_commune_type_has_its_threshold_from_the_data(standard, commune_x, worker_x, kind, threshold):
    CommuneClassification.objects.create(commune=commune_x, commune_type=kind, valid_from=date(2025, 7, 1))
    a = services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR)
    fill(a, worker_x)
    # full marks but one criterion of 100 reduced to reach exactly the threshold minus one: recognition depends on type
    score = scoring.assessment_score(a)
    assert (score.commune_type, score.threshold, score.total) == (kind, threshold, 1000)
    assert score.verdict.recognised


def test_the_commune_type_has_history(standard, commune_x):
    CommuneClassification.objects.create(commune=commune_x, commune_type=CommuneType.OTHER,
                                         valid_to=date(2025, 6, 30))
    CommuneClassification.objects.create(commune=commune_x, commune_type=CommuneType.DISADVANTAGED,
                                         valid_from=date(2025, 7, 1))
    assert scoring.commune_type(commune_x, 2024) == (CommuneType.OTHER, True)
    assert scoring.commune_type(commune_x, 2025) == (CommuneType.DISADVANTAGED, True)


# ---------------------------------------------------------------- pre-filled values


def test_prefilled_values_equal_a_direct_count(standard, commune_x, worker_x, tmp_path, settings):
    load_reference()
    case_reference.load()
    children = [registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": f"Lò Văn {name}", "sex": "M", "birth_date": date(2015, 1, i + 1)})
        for i, name in enumerate(["An", "Bình", "Cường", "Dũng"])]
    Child.objects.filter(pk=children[0].pk).update(personal_id="012345678901", birth_registered="yes")
    Child.objects.filter(pk=children[1].pk).update(birth_registered="yes")
    group = CircumstanceGroup.objects.first()
    registry.circumstance_add(actor=SYSTEM, child=children[2], group=group, supported=True)
    registry.circumstance_add(actor=SYSTEM, child=children[3], group=group, supported=False)
    cases.intake_record(actor=worker_x, commune=commune_x, channel="hotline_111", narrative="Cháu bị đánh.",
                        concern_types=[ConcernType.VIOLENCE], children=[{"child": children[3]}])
    a = services.assessment_start(actor=worker_x, commune=commune_x, year=timezone.localdate().year)
    got = {v.sub_indicator.code: v.value for v in Value.objects.filter(assessment=a).select_related("sub_indicator")}
    active = Child.objects.filter(commune=commune_x, status="active")
    n = active.count()
    assert got["2.2"] == Decimal(100 * active.exclude(personal_id="").count() / n).quantize(Decimal("0.01"))
    assert got["2.1"] == Decimal(100 * active.filter(birth_registered="yes").count() / n).quantize(Decimal("0.01"))
    assert got["3.1"] == 1
    assert got["6.1"] == Decimal("50.00")
    assert got["7.1"] is None  # typed by the commune


# ---------------------------------------------------------------- bad input: refused, nothing half-saved


def test_a_value_out_of_range_is_refused_and_nothing_is_saved(standard, commune_x, worker_x):
    a = services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR)
    criterion = Criterion.objects.get(number=10)
    with pytest.raises(ValidationError) as refused:
        services.values_save(actor=worker_x, assessment=a, criterion=criterion,
                             values={"10.1": "99,5", "10.2": "101", "10.3": "abc"})
    text = " ".join(refused.value.messages)
    assert "10.2" in text and "10.3" in text and "giá trị" in text.lower()
    assert not Value.objects.filter(assessment=a, sub_indicator__criterion=criterion, value__isnull=False).exists()
    services.values_save(actor=worker_x, assessment=a, criterion=criterion,
                         values={"10.1": "99,5", "10.2": "100", "10.3": "90"})
    assert Value.objects.get(assessment=a, sub_indicator__code="10.1").value == Decimal("99.50")


def test_a_total_typed_that_does_not_match_is_refused(standard, commune_x, worker_x, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    a = ready(services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR), worker_x)
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=worker_x, assessment=a, declared_total="990", on=IN_WINDOW)
    assert "1000" in " ".join(refused.value.messages) and "không khớp" in " ".join(refused.value.messages)
    assert Assessment.objects.get(pk=a.pk).status == Status.DRAFT
    services.assessment_submit(actor=worker_x, assessment=a, declared_total="1000", on=IN_WINDOW)
    assert Assessment.objects.get(pk=a.pk).status == Status.SUBMITTED


def test_a_submission_after_the_window_is_refused(standard, commune_x, worker_x, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    a = ready(services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR), worker_x)
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=worker_x, assessment=a, on=date(YEAR, 11, 2))
    assert "01/10/2026" in refused.value.messages[0] and "01/11/2026" in refused.value.messages[0]
    assert Assessment.objects.get(pk=a.pk).submitted_at is None


def test_a_submission_needs_the_council_minutes(standard, commune_x, worker_x):
    a = services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR)
    fill(a, worker_x)
    with pytest.raises(ValidationError) as refused:
        services.assessment_submit(actor=worker_x, assessment=a, on=IN_WINDOW)
    assert "biên bản" in " ".join(refused.value.messages).lower()


def test_a_file_whose_content_is_not_its_type_is_refused(standard, commune_x, worker_x, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    a = services.assessment_start(actor=worker_x, commune=commune_x, year=YEAR)
    with pytest.raises(ValidationError):
        services.file_add(actor=worker_x, assessment=a, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary"),
                          kind="evidence", title="Giả")
    assert not a.files.exists()


def test_recognising_an_assessment_never_appraised_is_refused(submitted, province_officer, lai_chau):
    with pytest.raises(ValidationError) as refused:
        services.recognise(actor=province_officer, province=lai_chau, year=YEAR, assessments=[submitted],
                           signer="Lê Văn Hòa")
    assert "chưa được thẩm định" in refused.value.messages[0]
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_an_appraisal_by_a_user_outside_the_province_is_refused(submitted, other_officer, worker_x):
    for actor in (other_officer, worker_x):
        with pytest.raises(NotAllowed):
            services.assessment_appraise(actor=actor, assessment=submitted)
        with pytest.raises(NotAllowed):
            services.score_correct(actor=actor, assessment=submitted, criterion=Criterion.objects.get(number=2),
                                   points=10, reason="Sai")
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


def test_who_appraises_is_configuration(submitted, province_officer, make_user, lai_chau):
    from treem.childfriendly.models import Authority

    leader = make_user("lanhdao", "leader", lai_chau)
    assert not services.may_act(leader, "appraise", lai_chau)
    Authority.objects.create(province=lai_chau, step="appraise", role="leader", body_name="SỞ Y TẾ",
                             valid_from=date(2025, 7, 1))
    assert services.may_act(leader, "appraise", lai_chau)
    assert not services.may_act(province_officer, "appraise", lai_chau)


# ---------------------------------------------------------------- appraisal, changes kept, recognition, documents


def test_the_full_path_keeps_every_change_and_produces_the_documents(submitted, province_officer, worker_x, lai_chau):
    c3 = Criterion.objects.get(number=3)
    with pytest.raises(ValidationError):
        services.score_correct(actor=province_officer, assessment=submitted, criterion=c3, points=80, reason="x")
    with pytest.raises(ValidationError):
        services.score_correct(actor=province_officer, assessment=submitted, criterion=c3, points=40, reason=" ")
    services.score_correct(actor=province_officer, assessment=submitted, criterion=c3, points=40,
                           reason="Một trẻ bị xâm hại chưa được ghi nhận")
    services.assessment_return(actor=province_officer, assessment=submitted, comment="Bổ sung minh chứng 3.2")
    with pytest.raises(ValidationError):  # after submission, a change needs a reason
        services.values_save(actor=worker_x, assessment=submitted, criterion=c3, values={"3.1": "1", "3.2": "100"})
    services.values_save(actor=worker_x, assessment=submitted, criterion=c3, values={"3.1": "1", "3.2": "100"},
                         reason="Bổ sung theo ý kiến của tỉnh")
    services.assessment_submit(actor=worker_x, assessment=submitted, on=date(YEAR, 12, 1))  # a return is answered
    changes = list(ScoreChange.objects.filter(assessment=submitted))
    assert [(c.old, c.new, c.by) for c in changes] == [(75, 40, province_officer), (0, 1, worker_x)]
    assert all(c.reason and c.at for c in changes)
    services.assessment_appraise(actor=province_officer, assessment=submitted)
    score = scoring.assessment_score(Assessment.objects.get(pk=submitted.pk))
    assert score.total == 1000 - 75 + 40 and score.verdict.recognised
    decision = services.recognise(actor=province_officer, province=lai_chau, year=YEAR, assessments=[submitted],
                                  signer="Lê Văn Hòa", signed_on=date(YEAR, 12, 10))
    assert decision.number == "01/QĐ-UBND"
    assert Assessment.objects.get(pk=submitted.pk).status == Status.RECOGNISED
    word = Docx(io.BytesIO(documents.render(decision, "decision", "docx")))
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in word.paragraphs] + cells)
    assert "QUYẾT ĐỊNH" in text and "01/QĐ-UBND" in text and "06/2019/QĐ-TTg" in text
    assert submitted.commune.name in cells and "965" in cells
    from pypdf import PdfReader

    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(documents.render(decision, "list", "pdf"))).pages)
    assert "DANH SÁCH" in pdf_text and "Bình Lư" in pdf_text
    codes = set(AuditEvent.objects.filter(object_id=str(submitted.pk)).values_list("action", flat=True))
    assert {"childfriendly.score.correct", "childfriendly.assessment.return", "childfriendly.values.save",
            "childfriendly.assessment.submit", "childfriendly.assessment.appraise"} <= codes


# ---------------------------------------------------------------- scope through the pages and the API


def test_scope_through_pages_and_api(submitted, client, worker_y, province_officer, other_officer, commune_y):
    b = services.assessment_start(actor=worker_y, commune=commune_y, year=YEAR)
    url = f"/child-friendly/{submitted.pk}/"
    minutes = submitted.files.get()
    client.force_login(worker_y)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}files/{minutes.pk}/").status_code == 404
    assert client.get(f"/child-friendly/{b.pk}/files/{minutes.pk}/").status_code == 404  # not a file of b
    assert client.get(f"/api/v1/child-friendly/assessments/{submitted.pk}/").status_code == 404
    api = "/api/v1/child-friendly/assessments/"
    assert [r["commune"] for r in client.get(api).json()["results"]] == [commune_y.code]
    client.force_login(other_officer)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}appraise/").status_code == 404
    assert client.get("/api/v1/child-friendly/assessments/").json()["results"] == []
    client.force_login(province_officer)
    page = client.get(url)
    assert page.status_code == 200 and "Bình Lư" in page.content.decode()
    listed = {r["commune"] for r in client.get("/api/v1/child-friendly/assessments/").json()["results"]}
    assert listed == {submitted.commune.code, b.commune.code}
    overview = client.get("/child-friendly/province/12/?year=2026").content.decode()
    assert "Sin Suối Hồ" in overview
    assert client.post(f"{url}appraise/").status_code == 302
    assert Assessment.objects.get(pk=submitted.pk).status == Status.APPRAISED


def test_the_command_prints_exactly_the_issues_keys(submitted):
    out = io.StringIO()
    call_command("cfc_assessment", commune=submitted.commune.code, year=YEAR, json=True, stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["commune", "year", "type", "threshold", "criteria", "total", "recognised_expected",
                          "status"]
    assert list(data["criteria"][0]) == ["number", "points", "max_points", "met", "sources"]
    assert data["total"] == 1000 and data["recognised_expected"] is True and data["status"] == "submitted"
    assert data["criteria"][1]["sources"] == ["birth_registered", "personal_id"]


def test_recognised_share_per_commune_with_legacy_results(submitted, province_officer, lai_chau, commune_y):
    services.assessment_appraise(actor=province_officer, assessment=submitted)
    services.recognise(actor=province_officer, province=lai_chau, year=YEAR, assessments=[submitted], signer="A")
    rows = {r["unit_id"]: r for r in selectors.recognised_share([lai_chau.pk], YEAR, date(YEAR, 12, 31))}
    assert rows[submitted.commune_id]["numerator"] == 1 and rows[commune_y.pk]["numerator"] == 0
    assert all(r["denominator"] == 1 for r in rows.values())
    legacy = Unit.objects.filter(system=UnitSystem.LEGACY, level=UnitLevel.COMMUNE).exclude(province=None).first()
    Assessment.objects.create(commune=legacy, province=legacy.province, year=2023, standard=submitted.standard,
                              status=Status.RECOGNISED, legacy=True)
    before = {r["unit_id"]: r for r in selectors.recognised_share([legacy.province_id], 2023, date(2023, 12, 31))}
    assert before[legacy.pk]["numerator"] == 1
    assert sum(r["numerator"] for r in before.values()) == 1


def test_alerts_before_the_window_closes_are_sent_once(standard, submitted, worker_y, province_officer, commune_y):
    from treem.childfriendly.alerts import render, send_alerts
    from treem.childfriendly.models import Alert

    assert send_alerts(date(YEAR, 10, 1)) == 0  # a month before the end: no alert yet
    sent = send_alerts(date(YEAR, 10, 28))
    assert send_alerts(date(YEAR, 10, 29)) == 0
    mine = Alert.objects.get(user=worker_y)
    assert "Sin Suối Hồ" in render(mine) and "01/11/2026" in render(mine)
    theirs = Alert.objects.get(user=province_officer)
    assert theirs.params["count"] == Unit.objects.filter(province=commune_y.province, system="current",
                                                         level="commune").count() - 1
    assert sent == Alert.objects.count() and not Alert.objects.filter(user=submitted.submitted_by).exists()


def test_the_recognitions_feed_the_indicator_of_child_friendly_communes(submitted, province_officer, lai_chau):
    """treem.indicators counts the recognitions: 1 for the recognised commune, over every commune of the province."""
    from treem.indicators.computations import compute

    services.assessment_appraise(actor=province_officer, assessment=submitted)
    services.recognise(actor=province_officer, province=lai_chau, year=YEAR, assessments=[submitted], signer="A")
    figures = compute(lai_chau.pk, date(YEAR, 12, 31)).figures
    mine = figures[("cfc_recognised_share", submitted.commune_id, "")]
    assert (mine.numerator, mine.denominator) == (1, 1)
    rows = [f for (code, _c, k), f in figures.items() if code == "cfc_recognised_share" and k == ""]
    communes = Unit.objects.valid_on(date(YEAR, 12, 31)).filter(level=UnitLevel.COMMUNE, province=lai_chau).count()
    assert sum(f.numerator for f in rows) == 1 and sum(f.denominator for f in rows) == communes
