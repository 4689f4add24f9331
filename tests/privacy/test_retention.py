"""Retention rules: the dry run changes nothing and counts right; the purge anonymises exactly what the rule says,
keeps the statistics, is audited, and a second run does nothing; unconfirmed rules never act."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.registry.registry_fixtures import years_ago
from treem.audit.models import AuditEvent
from treem.cases.models import Case
from treem.core.actors import SYSTEM
from treem.core.exceptions import NotAllowed
from treem.privacy import retention
from treem.privacy.models import Anonymised, RetentionRule
from treem.registry import services as registry
from treem.registry.models import Carer, Child, ChildCircumstance


def confirm(code: str, **changes) -> RetentionRule:
    RetentionRule.objects.filter(code=code).update(confirmed_by="Nguyễn Văn Pháp chế", confirmed_on=date(2026, 1, 5),
                                                   **changes)
    return RetentionRule.objects.get(code=code)


def snapshot() -> list[tuple]:
    return list(Child.objects.order_by("pk").values_list(
        "full_name", "personal_id", "birth_date", "village", "address", "sex", "commune_id", "version"))


def aged(child: Child, born: date) -> Child:
    """The register refuses a new child over 16: the years pass for a child recorded long ago."""
    Child.objects.filter(pk=child.pk).update(birth_date=born, status="over_16")
    child.refresh_from_db()
    return child


@pytest.fixture
def register(add_child, commune_x, commune_y):
    """Two children old enough for the default rule (16 + 10 years ago and more), three young ones."""
    old_a = add_child("Lò Văn Cũ", sex="M", personal_id="012208000001", village="Bản 1", address="Số 1",
                      school="THPT", notes="ghi chú")
    registry.carer_link(actor=SYSTEM, child=old_a, relation="mother", full_name="Lò Thị Mẹ", phone="0912000111",
                        primary=True)
    registry.circumstance_add(actor=SYSTEM, child=old_a, group="a", started_on="01/01/2020")
    old_a = aged(old_a, years_ago(27))
    old_b = aged(add_child("Vàng Thị Xưa", sex="F", commune=commune_y), years_ago(26, days=1))
    young = [add_child(f"Trẻ {i}", born=years_ago(5 + i), sex="MF"[i % 2]) for i in range(3)]
    edge = aged(add_child("Vừa Chưa Đến", sex="F"), years_ago(26, days=-1))  # 26 years old tomorrow: not yet
    return {"old": [old_a, old_b], "young": [*young, edge]}


def test_the_dry_run_changes_nothing_and_counts_right(register):
    before, events = snapshot(), AuditEvent.objects.count()
    [effect] = retention.dry_run(rules=[RetentionRule.objects.get(code="child_after_16")])
    assert effect.count == 2 and not effect.applied
    assert effect.sample == ["L. V. C., Xã Bình Lư, sinh năm " + str(years_ago(27).year),
                             "V. T. X., Xã Sin Suối Hồ, sinh năm " + str(years_ago(26, days=1).year)]
    assert snapshot() == before and AuditEvent.objects.count() == events and not Anonymised.objects.exists()


def test_the_command_dry_run_changes_nothing(register, capsys):
    confirm("child_after_16")
    before = snapshot()
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "child_after_16: 2 (would apply;" in out and "L. V. C." in out and "Lò Văn Cũ" not in out
    assert snapshot() == before and not AuditEvent.objects.filter(action="privacy.retention.apply").exists()


def test_an_unconfirmed_rule_never_acts(register, capsys):
    before = snapshot()
    call_command("apply_retention")
    assert "child_after_16: 2 (NOT CONFIRMED, not applied" in capsys.readouterr().out
    assert snapshot() == before and not Anonymised.objects.exists()
    with pytest.raises(ValueError):
        retention.apply_rule(RetentionRule.objects.get(code="child_after_16"), actor=SYSTEM)


def counts():
    return Counter(Child.objects.values_list("commune_id", "sex")), Counter(
        ChildCircumstance.objects.values_list("child__commune_id", "group__code"))


def test_the_purge_anonymises_exactly_what_the_rule_says_keeps_counts_and_is_audited(register, commune_x, commune_y):
    rule = confirm("child_after_16")
    old_a, old_b = register["old"]
    young_before = list(Child.objects.filter(pk__in=[c.pk for c in register["young"]]).order_by("pk").values())
    stats = counts()
    effect = retention.apply_rule(rule, actor=SYSTEM)
    assert effect.count == 2 and effect.applied
    assert counts() == stats  # children per commune per sex, circumstances per commune per group
    for child, born in [(old_a, years_ago(27)), (old_b, years_ago(26, days=1))]:
        child.refresh_from_db()
        assert child.full_name == "Đã ẩn danh" and child.name_folded == "da an danh"
        assert (child.personal_id, child.village, child.address, child.school, child.notes) == ("", "", "", "", "")
        assert child.birth_date == date(born.year, 1, 1)
    assert old_a.sex == "M" and old_a.commune == commune_x and old_b.commune == commune_y
    assert not old_a.carer_links.exists()
    carer = Carer.objects.get()
    assert (carer.full_name, carer.phone) == ("Đã ẩn danh", "")
    # The young children (and the one a day short) are untouched, to the field.
    assert list(Child.objects.filter(pk__in=[c.pk for c in register["young"]]).order_by("pk").values()) == young_before
    event = AuditEvent.objects.get(action="privacy.retention.apply")
    assert event.object_id == str(rule.pk) and event.summary["count"] == 2
    assert event.summary["per_commune"] == {commune_x.code: 1, commune_y.code: 1}
    # Nothing of the children in the purge's own event.
    assert "Lò Văn Cũ" not in str(event.summary) and "012208000001" not in str(event.summary)


def test_the_purge_is_idempotent(register):
    rule = confirm("child_after_16")
    retention.apply_rule(rule, actor=SYSTEM)
    after = snapshot()
    second = retention.apply_rule(rule, actor=SYSTEM)
    assert second.count == 0 and snapshot() == after
    assert [e.summary["count"] for e in AuditEvent.objects.filter(action="privacy.retention.apply")
            .order_by("id")] == [2, 0]


def test_a_child_in_an_open_case_is_kept(register, make_case):
    old_a, old_b = register["old"]
    make_case(old_a)  # still open
    make_case(old_b, closed_days_ago=30)
    rule = confirm("child_after_16")
    assert retention.apply_rule(rule, actor=SYSTEM).count == 1
    old_a.refresh_from_db()
    assert old_a.full_name == "Lò Văn Cũ"


def test_case_rule_blanks_the_reporter_of_old_closed_cases_only(add_child, make_case):
    child = add_child("Lò Văn Tuấn")
    old = make_case(child, closed_days_ago=366 * 2)
    recent = make_case(child, closed_days_ago=100)
    still_open = make_case(child)
    rule = confirm("case_after_closure", years=1)
    assert [e.count for e in retention.dry_run(rules=[rule])] == [1]
    assert retention.apply_rule(rule, actor=SYSTEM).count == 1
    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_phone, old.children_description, old.place_detail) == ("", "", "", "")
    assert old.narrative == "Bí mật: nội dung sự việc" and old.reference.startswith("LCU-")
    for case in (recent, still_open):
        assert Case.objects.get(pk=case.pk).reporter_name == "Người báo Tin"
    assert retention.apply_rule(rule, actor=SYSTEM).count == 0


def test_audit_rule_deletes_old_events_but_keeps_its_own(db):
    rule = confirm("audit_events", years=1)
    old = AuditEvent.objects.create(actor_label="x", action="registry.child.view")
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=800))
    kept = AuditEvent.objects.create(actor_label="x", action="registry.child.view")
    [effect] = retention.dry_run(rules=[rule])
    assert effect.count == 1 and effect.sample[0].startswith("Sự kiện nhật ký lúc ")  # no action code on the page
    retention.apply_rule(rule, actor=SYSTEM)
    first = AuditEvent.objects.get(action="privacy.retention.apply")
    AuditEvent.objects.filter(pk=first.pk).update(at=timezone.now() - timedelta(days=800))
    assert not AuditEvent.objects.filter(pk=old.pk).exists() and AuditEvent.objects.filter(pk=kept.pk).exists()
    retention.apply_rule(rule, actor=SYSTEM)
    assert AuditEvent.objects.filter(pk=first.pk).exists()  # the proof of a purge is never purged


def test_the_page_shows_counts_and_a_sample_without_names(client, register, make_user, national_admin):
    from treem.accounts.models import Role

    auditor = make_user("thanhtra", Role.AUDITOR, None)
    client.force_login(auditor)
    page = client.get("/privacy/retention/").content.decode()
    assert "Nếu áp dụng hôm nay: 2 hồ sơ" in page and "L. V. C., Xã Bình Lư" in page and "Lò Văn Cũ" not in page
    assert "Chờ pháp chế tỉnh xác nhận: chưa thực hiện" in page and "/privacy/retention/child_after_16/" not in page
    assert client.get("/privacy/retention/child_after_16/").status_code == 403


def test_an_administrator_edits_a_rule_audited(client, national_admin):
    client.force_login(national_admin)
    assert client.get("/privacy/retention/child_after_16/").status_code == 200
    bad = client.post("/privacy/retention/child_after_16/", {"years": 12, "active": "on", "confirmed_by": "Ai đó",
                                                             "description": "x", "legal_basis": ""})
    assert bad.status_code == 400 and "Nhập cả người xác nhận và ngày xác nhận" in bad.content.decode()
    response = client.post("/privacy/retention/child_after_16/", {
        "years": 12, "active": "on", "confirmed_by": "Nguyễn Văn Pháp chế", "confirmed_on": "05/01/2026",
        "description": "Ẩn danh", "legal_basis": "Luật 91/2025/QH15"})
    assert response.status_code == 302
    rule = RetentionRule.objects.get(code="child_after_16")
    assert rule.years == 12 and rule.confirmed and rule.subject == "child" and rule.action == "anonymise"
    event = AuditEvent.objects.get(action="privacy.retentionrule.update")
    assert event.actor == national_admin and event.summary["years"] == [10, 12]
    assert event.summary["confirmed_on"] == [None, "2026-01-05"]


def test_a_province_administrator_reads_the_countrys_rules_but_cannot_change_them(client, make_user, lai_chau):
    from treem.accounts.models import Role
    from treem.privacy import services

    province_admin = make_user("quantri.laichau.luu", Role.ADMINISTRATOR, lai_chau)
    client.force_login(province_admin)
    page = client.get("/privacy/retention/")
    assert page.status_code == 200 and "/privacy/retention/child_after_16/" not in page.content.decode()
    assert client.get("/privacy/retention/child_after_16/").status_code == 403
    refused = client.post("/privacy/retention/child_after_16/", {"years": 1, "active": "on", "description": "x"})
    assert refused.status_code == 403
    rule = RetentionRule.objects.get(code="child_after_16")
    with pytest.raises(NotAllowed):
        services.retention_rule_update(actor=province_admin, rule=rule, data={})
    assert RetentionRule.objects.get(code="child_after_16").years == rule.years
