"""The statutory clocks cite the articles of Decree 56/2017/NĐ-CP that set them, and the limits are the rules' data.

Checked against the decree's text (official codification, topic Trẻ em; /work/shared/design/DOMAIN.md): initial
assessment art. 26.2 (no deadline of its own); 12 hours art. 26.3, 31.2, 32.2; plan within 5 working days art. 28.1;
approval within 2 working days art. 28.4; temporary separation at most 15 days art. 32.3. Art. 24 is confidentiality
and art. 25 receiving the report: neither sets a clock.
"""

import importlib
import json
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from treem.cases import deadlines, reference, services, statutory
from treem.cases.models import Deadline, DeadlineRule

from .conftest import version, vn

CITATIONS = {
    "initial_assessment_12h": "Nghị định 56/2017/NĐ-CP, khoản 2 Điều 26 (đánh giá ban đầu; Nghị định không đặt "
                              "thời hạn riêng: 12 giờ theo khoản 3 Điều 26, có thể sửa)",
    "emergency_protection_12h": "Luật Trẻ em 2016, Điều 50; Nghị định 56/2017/NĐ-CP, khoản 3 Điều 26, khoản 2 "
                                "Điều 31, khoản 2 Điều 32",
    "plan_draft_5wd": "Nghị định 56/2017/NĐ-CP, khoản 1 Điều 28",
    "plan_approval_2wd": "Nghị định 56/2017/NĐ-CP, khoản 4 Điều 28",
    "separation_15d": "Luật Trẻ em 2016, Điều 50; Nghị định 56/2017/NĐ-CP, khoản 3 Điều 32",
}
AMOUNTS = {"initial_assessment_12h": (12, "hours"), "emergency_protection_12h": (12, "hours"),
           "plan_draft_5wd": (5, "working_days"), "plan_approval_2wd": (2, "working_days"),
           "separation_15d": (15, "calendar_days")}


def test_the_fixture_cites_the_articles_that_set_each_clock():
    rules = json.loads(reference.RULES_FILE.read_text(encoding="utf-8"))["rules"]
    assert {r["code"]: r["legal_basis"] for r in rules} == CITATIONS
    assert {r["code"]: (r["amount"], r["unit"]) for r in rules} == AMOUNTS
    for rule in rules:  # arts. 24 (confidentiality) and 25 (receiving) set no clock
        assert "điều 24" not in rule["legal_basis"].lower() and "điều 25" not in rule["legal_basis"].lower()
    # what bootstrap loaded is the corrected text (and fits the column)
    assert dict(DeadlineRule.objects.values_list("code", "legal_basis")) == CITATIONS
    assert all(len(text) <= DeadlineRule._meta.get_field("legal_basis").max_length for text in CITATIONS.values())


def test_migration_corrects_the_old_citations_and_keeps_an_administrators_edit():
    migration = importlib.import_module("treem.cases.migrations.0003_correct_deadline_legal_basis")
    DeadlineRule.objects.filter(code="plan_draft_5wd").update(legal_basis="Nghị định 56/2017/NĐ-CP, điều 26")
    DeadlineRule.objects.filter(code="separation_15d").update(
        legal_basis="Luật Trẻ em 2016, điều 50; Nghị định 56/2017/NĐ-CP, điều 25")
    DeadlineRule.objects.filter(code="plan_approval_2wd").update(legal_basis="Quyết định của tỉnh")  # edited
    migration.forwards(apps, None)
    got = dict(DeadlineRule.objects.values_list("code", "legal_basis"))
    assert got["plan_draft_5wd"] == CITATIONS["plan_draft_5wd"]
    assert got["separation_15d"] == CITATIONS["separation_15d"]
    assert got["plan_approval_2wd"] == "Quyết định của tỉnh"


def _separated_case(new_case, worker_x):
    case = new_case(received_at=vn(2026, 6, 1, 9, 0))
    services.initial_assessment_record(actor=worker_x, case=case, expected_version=version(case),
                                       risk_level="high", carer_is_abuser=True, assessed_at=vn(2026, 6, 1, 11, 0))
    return case


def _start(case, worker_x, planned_end):
    return services.separation_start(actor=worker_x, case=case, expected_version=version(case),
                                     planned_end=planned_end, separated_from="bố", place_of_care="nhà bà",
                                     reason="bạo lực", started_at=vn(2026, 6, 1, 12, 0))


def test_the_separation_limit_is_the_rules_amount(new_case, worker_x):
    """An administrator who shortens the rule to 10 days shortens what the service accepts, the clock and Form 07."""
    DeadlineRule.objects.filter(code="separation_15d").update(amount=10)
    case = _separated_case(new_case, worker_x)
    with pytest.raises(ValidationError) as refused:
        _start(case, worker_x, date(2026, 6, 14))  # 13 days: within the old constant 15, past the rule's 10
    assert "10 ngày" in str(refused.value) and "11/06/2026" in str(refused.value)
    _start(case, worker_x, date(2026, 6, 11))
    clock = Deadline.objects.get(case=case, rule__code="separation_15d")
    assert timezone_day(clock.due_at) == date(2026, 6, 11)
    doc = statutory.build(case, 7)
    text = " ".join(getattr(block, "text", "") for block in doc.body)
    assert "không quá 10 ngày" in text and "Điều 32 Nghị định" in text


def test_a_longer_rule_allows_a_longer_separation(new_case, worker_x):
    DeadlineRule.objects.filter(code="separation_15d").update(amount=20)
    case = _separated_case(new_case, worker_x)
    _start(case, worker_x, date(2026, 6, 1) + timedelta(days=18))  # refused by the old constant 15
    assert deadlines.separation_limit(case, vn(2026, 6, 1, 12, 0)) == (20, date(2026, 6, 21))


def test_the_engine_takes_every_amount_from_the_rules(new_case):
    DeadlineRule.objects.filter(code="initial_assessment_12h").update(amount=6)
    case = new_case(received_at=vn(2026, 6, 1, 9, 0))
    clock = Deadline.objects.get(case=case, rule__code="initial_assessment_12h")
    assert clock.due_at == vn(2026, 6, 1, 15, 0)


def timezone_day(moment):
    from django.utils import timezone

    return timezone.localtime(moment).date()
