"""The deadline rules loaded before the citations were checked against Decree 56/2017's text: correct their legal
basis, only where it is still the old fixture's text (a basis an administrator edited stays as it is)."""

from django.db import migrations

OLD_TO_NEW = {
    "initial_assessment_12h": (
        "Nghị định 56/2017/NĐ-CP, điều 24 (thời hạn chưa kiểm chứng, có thể sửa)",
        "Nghị định 56/2017/NĐ-CP, khoản 2 Điều 26 (đánh giá ban đầu; Nghị định không đặt thời hạn riêng: 12 giờ "
        "theo khoản 3 Điều 26, có thể sửa)",
    ),
    "emergency_protection_12h": (
        "Luật Trẻ em 2016, điều 50; Nghị định 56/2017/NĐ-CP, điều 24",
        "Luật Trẻ em 2016, Điều 50; Nghị định 56/2017/NĐ-CP, khoản 3 Điều 26, khoản 2 Điều 31, khoản 2 Điều 32",
    ),
    "plan_draft_5wd": ("Nghị định 56/2017/NĐ-CP, điều 26", "Nghị định 56/2017/NĐ-CP, khoản 1 Điều 28"),
    "plan_approval_2wd": ("Nghị định 56/2017/NĐ-CP, điều 26", "Nghị định 56/2017/NĐ-CP, khoản 4 Điều 28"),
    "separation_15d": (
        "Luật Trẻ em 2016, điều 50; Nghị định 56/2017/NĐ-CP, điều 25",
        "Luật Trẻ em 2016, Điều 50; Nghị định 56/2017/NĐ-CP, khoản 3 Điều 32",
    ),
}


def forwards(apps, schema_editor):
    rules = apps.get_model("cases", "DeadlineRule").objects
    for code, (old, new) in OLD_TO_NEW.items():
        rules.filter(code=code, legal_basis=old).update(legal_basis=new)


def backwards(apps, schema_editor):
    rules = apps.get_model("cases", "DeadlineRule").objects
    for code, (old, new) in OLD_TO_NEW.items():
        rules.filter(code=code, legal_basis=new).update(legal_basis=old)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_protect_case_history")]

    operations = [migrations.RunPython(forwards, backwards)]
