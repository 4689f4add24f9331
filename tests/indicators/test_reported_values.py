"""Reported values: the agency's form, bad input refused in Vietnamese with nothing saved, locked once accepted,
corrections kept, scope through the UI and the API."""
# ruff: noqa: F811 (the module's fixtures are imported by name)

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.indicators.targets_fixtures import ind_world, iw, province  # noqa: F401
from treem.audit.models import AuditEvent
from treem.core.exceptions import NotAllowed
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.indicators.models import Source, Value, ValueRevision, ValueStatus
from treem.indicators.services import Entry, reported_indicators, reported_values_save, value_correct, values_sync
from treem.plans.models import ReportingRound, RoundStatus, SubmissionStatus
from treem.plans.rounds import submission_accept, submission_start


def health_submission(code: str):
    round_ = ReportingRound.objects.get(province__code=code, province__system="current", period_year=2026)
    return round_.submissions.get(agency__name="Sở Y tế")


def test_the_agency_gets_the_indicators_it_leads(iw):
    codes = {i.code for i in reported_indicators(health_submission("92"))}
    assert {"under5_underweight_share", "under5_stunting_share"} <= codes
    assert "kindergarten_attendance_share" not in codes


@pytest.mark.parametrize("entry,words", [
    (Entry(Decimal("120")), "từ 0 đến 100"),
    (Entry(None, Decimal("120"), Decimal("100")), "Tử số (120) lớn hơn mẫu số (100)"),
    (Entry(None, Decimal("5"), None), "cả tử số và mẫu số"),
    (Entry(Decimal("-1")), "không được âm"),
    (Entry(Decimal("90")), "lớn hơn 3 lần"),  # last year 9,3
])
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_saved(iw, entry, words):
    submission = health_submission("92")  # returned: editable
    before = {(v.pk, v.value) for v in Value.objects.all()}
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        reported_values_save(iw.user("soyte.cantho"), submission,
                             {"under5_stunting_share": Entry(Decimal("15.9")), "under5_underweight_share": entry})
    assert words in " ".join(refused.value.message_dict["under5_underweight_share"])
    assert {(v.pk, v.value) for v in Value.objects.all()} == before  # the good row was not saved either
    assert AuditEvent.objects.count() == events


def test_a_big_jump_with_a_comment_is_saved_as_a_draft_and_audited(iw):
    submission = health_submission("92")
    saved = reported_values_save(iw.user("soyte.cantho"), submission, {
        "under5_underweight_share": Entry(None, Decimal("30"), Decimal("1000"), "đợt cân đo mới")})
    value = saved[0]
    assert value.value == Decimal("3.0000") and value.status == ValueStatus.DRAFT
    assert value.source == Source.REPORTED and value.submission == submission and value.unit == province("92")
    assert AuditEvent.objects.filter(action="indicators.value.report", object_id=str(submission.pk)).exists()


def test_values_are_accepted_with_the_submission_then_locked_and_corrected_with_history(iw):
    submission = health_submission("92")
    reporter, officer = iw.user("soyte.cantho"), iw.user("tinh.cantho")
    submission.text = submission.text or "Báo cáo"
    reported_values_save(reporter, submission, {"under5_stunting_share": Entry(Decimal("16.1"))}, submit=True)
    value = Value.objects.get(indicator__code="under5_stunting_share", unit=province("92"), year=2026)
    assert value.status == ValueStatus.SUBMITTED
    submission_accept(actor=officer, submission=submission)
    values_sync(submissions=[submission.pk])
    value.refresh_from_db()
    assert value.status == ValueStatus.ACCEPTED and value.locked
    with pytest.raises(ValidationError) as locked:
        reported_values_save(reporter, submission, {"under5_stunting_share": Entry(Decimal("16.0"))})
    assert "đã được tiếp nhận" in locked.value.messages[0]
    with pytest.raises(NotAllowed):
        value_correct(reporter, value, Entry(Decimal("16.0")), "sai số")
    with pytest.raises(ValidationError):
        value_correct(officer, value, Entry(Decimal("16.0")), "  ")
    value_correct(officer, value, Entry(Decimal("16.0")), "Sở Y tế gửi lại số đã rà soát")
    value.refresh_from_db()
    revision = ValueRevision.objects.get(value=value)
    assert (value.value, revision.old_value, revision.reason) == (Decimal("16.0"), Decimal("16.1"),
                                                                  "Sở Y tế gửi lại số đã rà soát")


def test_a_value_sent_after_the_round_is_closed_is_refused(iw):
    submission = health_submission("92")
    ReportingRound.objects.filter(pk=submission.round_id).update(status=RoundStatus.CLOSED)
    with pytest.raises(ValidationError) as closed:
        reported_values_save(iw.user("soyte.cantho"), submission, {"under5_stunting_share": Entry(Decimal("16"))})
    assert "đã đóng" in closed.value.messages[0]


def test_another_provinces_agency_cannot_post(iw, client):
    submission = health_submission("92")
    client.force_login(iw.user("soyte.laichau"))
    answer = client.post("/api/v1/indicators/values/", {"submission": str(submission.pk),
                                                         "indicator": "under5_stunting_share", "value": "16"},
                         content_type="application/json")
    assert answer.status_code in (403, 404)
    with pytest.raises(NotAllowed):
        reported_values_save(iw.user("soyte.laichau"), submission, {"under5_stunting_share": Entry(Decimal("16"))})


def test_the_agency_posts_through_the_api_with_the_same_checks(iw, client):
    submission = health_submission("92")
    client.force_login(iw.user("soyte.cantho"))
    bad = client.post("/api/v1/indicators/values/", {"submission": str(submission.pk),
                                                      "indicator": "under5_stunting_share", "value": "101"},
                      content_type="application/json")
    assert bad.status_code == 400 and "từ 0 đến 100" in bad.json()["detail"]
    good = client.post("/api/v1/indicators/values/", {"submission": str(submission.pk),
                                                       "indicator": "under5_stunting_share", "value": "15.8"},
                       content_type="application/json")
    assert good.status_code == 201 and good.json()["status"] == "draft"


def test_api_values_are_scoped(iw, client):
    cantho, laichau = province("92"), province("12")
    commune = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, province=cantho).first()
    from treem.indicators.models import Indicator

    Value.objects.create(indicator=Indicator.objects.get(code="sc_share"), unit=commune, year=2025,
                         value=Decimal("1"), source=Source.COMPUTED)
    client.force_login(iw.user("lanhdao.cantho"))
    units = {row["unit"] for row in client.get("/api/v1/indicators/values/?page_size=500").json()["results"]}
    assert cantho.pk in units and laichau.pk not in units
    client.force_login(iw.user("canbo.ninhkieu"))
    rows = client.get("/api/v1/indicators/values/").json()["results"]
    mine = Unit.objects.get(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, name="Phường Ninh Kiều")
    assert {row["unit"] for row in rows} <= {mine.pk}
    assert cantho.pk not in {row["unit"] for row in rows}
    client.force_login(iw.user("lanhdao.laichau"))
    targets = client.get("/api/v1/indicators/targets/").json()["results"]
    assert targets and {t["unit"] for t in targets} == {laichau.pk}


def test_the_values_form_and_the_binding_page(iw, client):
    submission = health_submission("92")
    client.force_login(iw.user("soyte.cantho"))
    page = client.get(f"/indicators/submissions/{submission.pk}/values/")
    assert page.status_code == 200 and "Số liệu chỉ số của báo cáo" in page.content.decode()
    answer = client.post(f"/indicators/submissions/{submission.pk}/values/",
                         {"under5_stunting_share-value": "150", "save": "1"})
    assert answer.status_code == 200 and "từ 0 đến 100" in answer.content.decode()
    answer = client.post(f"/indicators/submissions/{submission.pk}/values/",
                         {"under5_stunting_share-value": "15,7", "save": "1"})
    assert answer.status_code == 302
    assert Value.objects.get(indicator__code="under5_stunting_share", unit=province("92"), year=2026).value == \
        Decimal("15.7")
    client.force_login(iw.user("soyte.laichau"))
    assert client.get(f"/indicators/submissions/{submission.pk}/values/").status_code == 404
    from tests.indicators.targets_fixtures import seed_target

    target = seed_target("tieu chuan phu hop voi tre em")
    client.force_login(iw.user("tinh.cantho"))
    page = client.get(f"/indicators/targets/{target.pk}/").content.decode()
    assert "71,3" in page and "97,2" in page and "Tỉnh Sóc Trăng" in page
    assert health_submission("92").status == SubmissionStatus.RETURNED
    submission_start  # noqa: B018 (imported for readers: submissions start in plans)
