"""Reporting rounds: one submission per agency, draft -> submitted -> returned -> resubmitted -> accepted, and
completeness and timeliness counted from the actual submit time with the history of what counted."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from treem.accounts.models import Role
from treem.core.exceptions import NotAllowed
from treem.plans.models import EventKind, RoundAgency, SubmissionStatus, TimelinessRule
from treem.plans.rounds import (
    SubmissionExists,
    default_expected_agencies,
    round_create,
    round_stats,
    round_update,
    submission_accept,
    submission_return,
    submission_save,
    submission_save_and_submit,
    submission_start,
    submission_submit,
    targets_for,
)

from .conftest import agency

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN)


@pytest.fixture
def fresh_round(world, an_giang):
    """A new An Giang round with a deadline of 30/11/2026 and three agencies."""
    officer = world.user("tinh.angiang")
    agencies = [agency("91", "Sở Y tế"), agency("91", "Sở Tư pháp"), agency("91", "Sở Nội vụ")]
    return round_create(actor=officer, document=world.document("234/KH-UBND"), province=an_giang,
                        title="Báo cáo 6 tháng cuối năm 2026", period_year=2026, deadline=date(2026, 11, 30),
                        agencies=agencies, focal_agency=agencies[0])


def test_the_full_cycle_counts_the_first_submission_by_default(world, fresh_round):
    reporter, officer = world.user("soyte.angiang"), world.user("tinh.angiang")
    health = agency("91", "Sở Y tế")
    submission = submission_start(actor=reporter, round_=fresh_round, agency=health)
    with pytest.raises(ValidationError, match="còn trống"):
        submission_submit(actor=reporter, submission=submission)
    submission_save(actor=reporter, submission=submission, text="Kết quả năm 2026 ...")
    submission = submission_submit(actor=reporter, submission=submission, at=at(date(2026, 11, 30), 23, 50))
    assert submission.status == SubmissionStatus.SUBMITTED and submission.on_time  # 23:50 on the deadline day
    assert round_stats(fresh_round).as_dict() == {
        "expected": 3, "received": 1, "on_time": 1, "late": 0, "returned": 0, "accepted": 0, "missing": 2,
        "completeness": 33.3, "timeliness": 33.3}

    submission = submission_return(actor=officer, submission=submission, note="Bổ sung số liệu dinh dưỡng.")
    stats = round_stats(fresh_round)
    assert (stats.received, stats.returned, stats.on_time) == (0, 1, 0)  # a returned report is not complete
    with pytest.raises(ValidationError):
        submission_accept(actor=officer, submission=submission)

    submission_save(actor=reporter, submission=submission, text="Kết quả năm 2026, đã bổ sung số liệu.")
    submission = submission_submit(actor=reporter, submission=submission, at=at(date(2026, 12, 3), 9))
    assert submission.on_time and submission.counted_at == at(date(2026, 11, 30), 23, 50)
    events = list(submission.events.filter(kind__in=[EventKind.SUBMITTED, EventKind.RESUBMITTED]))
    # the history says what the status says: the first submission's time counts, so the resubmission is on time
    assert [(e.kind, e.on_time, e.counted) for e in events] == [
        ("submitted", True, True), ("resubmitted", True, False)]
    submission = submission_accept(actor=officer, submission=submission)
    assert round_stats(fresh_round).as_dict()["accepted"] == 1


def test_the_latest_submission_counts_when_the_round_says_so(world, fresh_round):
    fresh_round.timeliness_rule = TimelinessRule.LAST_SUBMIT
    fresh_round.save()
    reporter = world.user("soyte.angiang")
    submission = submission_start(actor=reporter, round_=fresh_round, agency=agency("91", "Sở Y tế"))
    submission_save(actor=reporter, submission=submission, text="Báo cáo")
    submission_submit(actor=reporter, submission=submission, at=at(date(2026, 11, 20), 8))
    submission_return(actor=world.user("tinh.angiang"), submission=submission, note="Thiếu số liệu")
    submission = submission_submit(actor=reporter, submission=submission, at=at(date(2026, 12, 1), 0, 5))
    assert submission.on_time is False and round_stats(fresh_round).late == 1


def test_a_late_submission_is_accepted_and_counted_late(world):
    round_ = world.round("91")  # deadline 10/11/2026; Sở Y tế has not reported in the demo
    reporter = world.user("soyte.angiang")
    health = agency("91", "Sở Y tế")
    before = round_stats(round_)
    submission = submission_start(actor=reporter, round_=round_, agency=health)
    submission_save(actor=reporter, submission=submission, text="Báo cáo muộn")
    submission = submission_submit(actor=reporter, submission=submission, at=at(date(2026, 11, 22), 9))
    assert submission.status == SubmissionStatus.SUBMITTED and submission.on_time is False
    after = round_stats(round_)
    assert (after.received, after.late, after.on_time) == (before.received + 1, before.late + 1, before.on_time)


def test_a_second_submission_is_refused_and_nothing_is_lost(world, fresh_round):
    reporter = world.user("soyte.angiang")
    health = agency("91", "Sở Y tế")
    first = submission_start(actor=reporter, round_=fresh_round, agency=health)
    submission_save(actor=reporter, submission=first, text="Bản đầu")
    with pytest.raises(SubmissionExists) as error:
        submission_start(actor=reporter, round_=fresh_round, agency=health)
    assert error.value.existing == first and "đã có báo cáo trong đợt này" in error.value.messages[0]
    first.refresh_from_db()
    assert first.text == "Bản đầu" and first.events.filter(kind=EventKind.REFUSED).count() == 1
    assert fresh_round.submissions.count() == 1


def test_only_the_agencys_own_reporter_may_write_and_only_the_focal_officer_may_review(world, fresh_round, make_user,
                                                                                        an_giang):
    health, justice = agency("91", "Sở Y tế"), agency("91", "Sở Tư pháp")
    with pytest.raises(NotAllowed):  # the health reporter cannot report for the justice department
        submission_start(actor=world.user("soyte.angiang"), round_=fresh_round, agency=justice)
    with pytest.raises(NotAllowed):  # nor can the focal officer write an agency's report
        submission_start(actor=world.user("tinh.angiang"), round_=fresh_round, agency=health)
    submission = submission_start(actor=world.user("soyte.angiang"), round_=fresh_round, agency=health)
    submission_save(actor=world.user("soyte.angiang"), submission=submission, text="Báo cáo")
    submission_submit(actor=world.user("soyte.angiang"), submission=submission)
    leader = make_user("lanhdao.test", Role.LEADER, an_giang)
    for actor in (world.user("soyte.angiang"), leader, world.user("tinh.cantho")):
        with pytest.raises(NotAllowed):
            submission_return(actor=actor, submission=submission, note="x")
    with pytest.raises(NotAllowed):
        submission_accept(actor=world.user("tinh.laichau"), submission=submission)


def test_an_agency_not_expected_cannot_start_and_a_closed_round_takes_nothing(world, fresh_round, make_user):
    police = agency("91", "Công an tỉnh An Giang")
    reporter = make_user("congan.test", Role.AGENCY_REPORTER, agency=police)
    with pytest.raises(ValidationError, match="không thuộc danh sách"):
        submission_start(actor=reporter, round_=fresh_round, agency=police)
    round_update(actor=world.user("tinh.angiang"), round_=fresh_round, status="closed")
    with pytest.raises(ValidationError, match="đã đóng"):
        submission_start(actor=world.user("soyte.angiang"), round_=fresh_round, agency=agency("91", "Sở Y tế"))


def test_moving_the_deadline_re_evaluates_timeliness_and_keeps_the_history(world, fresh_round):
    reporter = world.user("soyte.angiang")
    submission = submission_start(actor=reporter, round_=fresh_round, agency=agency("91", "Sở Y tế"))
    submission_save(actor=reporter, submission=submission, text="Báo cáo")
    submission_submit(actor=reporter, submission=submission, at=at(date(2026, 11, 25), 10))
    round_update(actor=world.user("tinh.angiang"), round_=fresh_round, deadline=date(2026, 11, 20))
    submission.refresh_from_db()
    assert submission.on_time is False
    change = submission.events.get(kind=EventKind.DEADLINE)
    assert change.deadline == date(2026, 11, 20) and "20/11/2026" in change.text and change.on_time is False
    assert change.note == ""  # the system sentence is rendered from the facts, not stored


def test_expected_agencies_are_todays_successors_and_stay_as_named_when_the_round_opened(world, an_giang):
    expected = default_expected_agencies(world.document("234/KH-UBND"), an_giang, date(2026, 11, 10))
    names = {a.name for a in expected}
    # The plan names Kiên Giang's Sở LĐ-TB&XH, Sở VH&TT, Ban Dân tộc ...: today's An Giang agencies report.
    assert {"Sở Y tế", "Sở Nội vụ", "Sở Văn hóa, Thể thao và Du lịch", "Sở Dân tộc và Tôn giáo",
            "Công an tỉnh An Giang"} <= names
    assert all(a.province == an_giang and a.valid_to is None for a in expected)
    round_ = world.round("91")
    health = agency("91", "Sở Y tế")
    health.name = "Sở Y tế (đổi tên)"
    health.save()
    assert RoundAgency.objects.get(round=round_, agency=health).agency_name == "Sở Y tế"


def test_figures_go_to_the_targets_the_agency_serves(world):
    round_ = world.round("92")  # Cần Thơ: programme 61-CTr/TU with ten targets
    education = agency("92", "Sở Giáo dục và Đào tạo")
    served = targets_for(round_, education)
    assert served and all("học" in t.text or "giáo dục" in t.text for t in served)
    health_targets = targets_for(round_, agency("92", "Sở Y tế"))  # the consolidating agency: also the unassigned
    assert any("phù hợp với trẻ em" in t.text for t in health_targets)
    submission = round_.submissions.get(agency=agency("92", "Sở Y tế"))  # returned in the demo
    with pytest.raises(ValidationError, match="không thuộc phần"):
        submission_save(actor=world.user("soyte.cantho"), submission=submission,
                        figures={served[0].pk: ("99,5", "")})


def test_a_resubmitted_reports_history_says_what_its_status_says(world, fresh_round, client):
    from django.utils import translation

    reporter, officer = world.user("soyte.angiang"), world.user("tinh.angiang")
    submission = submission_start(actor=reporter, round_=fresh_round, agency=agency("91", "Sở Y tế"))
    submission_save(actor=reporter, submission=submission, text="Báo cáo")
    submission_submit(actor=reporter, submission=submission, at=at(date(2026, 11, 28), 9))
    submission_return(actor=officer, submission=submission, note="Bổ sung số liệu")
    submission_save(actor=reporter, submission=submission, text="Báo cáo đã bổ sung")
    submission = submission_submit(actor=reporter, submission=submission, at=at(date(2026, 12, 2), 9))
    assert submission.on_time is True  # the first submission's time counts
    line = submission.events.get(kind=EventKind.RESUBMITTED)
    assert line.on_time is submission.on_time and line.note == ""  # one fact, no stored sentence
    with translation.override("vi"):
        assert line.text == "Vẫn tính thời điểm gửi lần đầu (28/11/2026 09:00)."
    with translation.override("en"):
        assert line.text == "The first submission's time (28/11/2026 09:00) still counts."
    client.force_login(reporter)
    page = client.get(f"/plans/submissions/{submission.pk}/").content.decode()
    history = page[page.index('<ol class="small">'):]
    history = history[:history.index("</ol>")]
    assert "trễ hạn" not in history and history.count("đúng hạn") == 2


def test_save_and_submit_is_one_transaction(world, fresh_round, client):
    """Issue 11: the report page saved the draft and submitted it in two transactions, so a refused submission kept a
    half-done change. Now a refused submission leaves the saved report as it was."""
    from treem.plans.models import ReportingRound, RoundStatus, Submission

    reporter = world.user("soyte.angiang")
    submission = submission_start(actor=reporter, round_=fresh_round, agency=agency("91", "Sở Y tế"))
    submission = submission_save(actor=reporter, submission=submission, text="Bản nháp đầu tiên.")
    ReportingRound.objects.filter(pk=fresh_round.pk).update(status=RoundStatus.CLOSED)  # submitting is refused now
    with pytest.raises(ValidationError, match=r"đã đóng|closed"):
        submission_save_and_submit(actor=reporter, submission=submission, text="Sửa lại rồi nộp.")
    assert Submission.objects.get(pk=submission.pk).text == "Bản nháp đầu tiên."
