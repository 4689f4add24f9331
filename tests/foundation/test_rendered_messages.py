"""Text for people is rendered when shown, never stored as a sentence: alerts, reminders, data-quality findings and a
submission's history keep a code and its parameters and read in the reader's language; old rows stored as English
sentences are converted by the data migrations."""

import importlib

from django.apps import apps
from django.utils import timezone, translation

from treem.accounts.models import Role
from treem.cases.events import alert_text
from treem.cases.models import Alert, AlertKind
from treem.core.actors import SYSTEM
from treem.plans.models import Reminder, ReminderKind
from treem.registry import services as registry
from treem.registry.quality import findings
from treem.registry.quality.models import Finding


def both(render):
    with translation.override("vi"):
        vi = render()
    with translation.override("en"):
        en = render()
    return vi, en


def test_a_case_alert_reads_in_the_readers_language_from_the_same_row(make_user, commune_x):
    chair = make_user("chutich.x", Role.COMMUNE_CHAIR, commune_x)
    Alert.objects.create(recipient=chair, kind=AlertKind.DEADLINE_MISSED, key="k1",
                         params={"reference": "LC-2026-0001", "rule": "Đánh giá ban đầu",
                                 "due": "2026-11-20T09:00:00+07:00"})
    alert = Alert.objects.get(key="k1")
    vi, en = both(lambda: alert_text(alert))
    assert vi == "Hồ sơ LC-2026-0001: Đánh giá ban đầu quá hạn từ 20/11/2026 09:00"
    assert en == "Case LC-2026-0001: Đánh giá ban đầu overdue since 20/11/2026 09:00"


def test_a_reminder_reads_in_the_readers_language_from_the_same_row(make_user):
    user = make_user("baocao.soyte")
    Reminder.objects.create(user=user, key="r1", kind=ReminderKind.TASK_OVERDUE,
                            params={"agency": "Sở Y tế", "overdue": 2, "approaching": 0, "first": None})
    reminder = Reminder.objects.get(key="r1")
    assert reminder.legacy_text == ""
    assert both(lambda: reminder.text) == ("Sở Y tế: 2 nhiệm vụ quá hạn.", "Sở Y tế: 2 tasks overdue.")


def test_a_finding_reads_in_the_readers_language_from_the_same_row(commune_x):
    child = registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Lo Thi Thanh", "sex": "F", "birth_date": timezone.localdate().replace(year=2018),
        "ethnicity": "Thái"})
    findings.check_commune(commune_x)
    finding = Finding.objects.get(child=child, code="name_no_diacritics")
    assert finding.params == {"name": "Lo Thi Thanh"} and finding.legacy_text == ""
    vi, en = both(lambda: Finding.objects.get(pk=finding.pk).text)
    assert vi == "'Lo Thi Thanh' không có dấu; hãy đối chiếu cách viết trên giấy khai sinh."
    assert en == "'Lo Thi Thanh' has no diacritics; check the spelling on the birth certificate."
    # a finding of the personal ID (its sentence came from the Vietnamese-only core) reads in English too
    missing = Finding.objects.get(child=child, code="id_missing")
    assert both(lambda: missing.text) == ("Chưa có số định danh cá nhân.", "No personal ID number is recorded.")


def test_the_migration_converts_an_old_english_reminder_and_keeps_an_unknown_one(make_user):
    user = make_user("baocao.soyte")
    old = Reminder.objects.create(user=user, key="old", kind=ReminderKind.ROUND_DUE, legacy_text=(
        "Sở Y tế: the report “Báo cáo năm 2026” is due on 10/11/2026 (in 7 days)."))
    tasks = Reminder.objects.create(user=user, key="tasks", kind=ReminderKind.TASK_OVERDUE,
                                    legacy_text="Sở Y tế: 2 tasks overdue, 1 tasks due by 30/11/2026.")
    odd = Reminder.objects.create(user=user, key="odd", kind=ReminderKind.ROUND_DUE, legacy_text="Nhắc việc cũ")
    importlib.import_module("treem.plans.migrations.0003_messages_as_codes").forwards(apps, None)

    old.refresh_from_db()
    assert old.legacy_text == "" and old.params == {
        "agency": "Sở Y tế", "round": "Báo cáo năm 2026", "date": "2026-11-10", "n": 7}
    with translation.override("vi"):
        assert old.text == "Sở Y tế: báo cáo “Báo cáo năm 2026” đến hạn ngày 10/11/2026 (còn 7 ngày)."
    tasks.refresh_from_db()
    assert tasks.params == {"agency": "Sở Y tế", "overdue": 2, "approaching": 1, "first": "2026-11-30"}
    odd.refresh_from_db()
    assert odd.params == {} and odd.text == "Nhắc việc cũ"  # not a known sentence: shown as it was


def test_the_migration_reads_old_finding_sentences_in_english_and_vietnamese():
    migration = importlib.import_module("treem.registry.quality.migrations.0002_finding_params")
    assert migration.finding_params(
        "name_no_diacritics", "'Lo Thi Thanh' has no diacritics; check the spelling on the birth certificate."
    ) == {"name": "Lo Thi Thanh"}
    assert migration.finding_params(
        "id_sex_mismatch", "Số định danh '001218012345' ghi giới tính Nam (chữ số thứ 4 là 2) nhưng hồ sơ ghi Nữ."
    ) == {"id": "001218012345", "encoded": "M", "digit": "2", "sex": "F"}
    assert migration.finding_params("stale", "Last updated on 03/01/2024, more than 12 months ago.") == {
        "date": "2024-01-03", "months": 12}
    assert migration.finding_params("sex_missing", "Sex is not recorded.") == {}
    assert migration.finding_params("stale", "something else") is None
