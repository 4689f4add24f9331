"""Reminders and submission history stop storing sentences: a reminder keeps its kind and parameters, a history
line its facts. Old rows are read back into parameters when they are one of the known sentences (English or
Vietnamese); a reminder that is not keeps its text as legacy_text, shown as is."""

from datetime import datetime

from django.db import migrations, models
from django.utils import timezone
from django.utils.translation import pgettext

from treem.core.messages import iso_day, params_in_any_language

ROUND_DUE = "%(agency)s: the report “%(round)s” is due on %(date)s (in %(n)s days)."
ROUND_OVERDUE = ("%(agency)s: the report “%(round)s” was due on %(date)s and has not been submitted; "
                 "submit it now (it will be counted late).")
RETURNED = "%(agency)s: the report “%(round)s” was returned for correction: %(note)s"


def _p(msgid):
    return lambda: pgettext("plans", msgid)


def reminder_params(kind: str, text: str) -> dict | None:
    if kind in ("round_due", "round_overdue", "returned"):
        msgid = {"round_due": ROUND_DUE, "round_overdue": ROUND_OVERDUE, "returned": RETURNED}[kind]
        params = params_in_any_language(text, _p(msgid))
        if params and "date" in params:
            params["date"] = iso_day(params["date"])
        if params and "n" in params:
            params["n"] = int(params["n"]) if params["n"].isdigit() else params["n"]
        return params
    if kind in ("task_due", "task_overdue"):
        whole = params_in_any_language(text, _p("%(agency)s: %(parts)s."))
        if not whole:
            return None
        params = {"agency": whole["agency"], "overdue": 0, "approaching": 0, "first": None}
        for part in whole["parts"].split(", "):
            overdue = params_in_any_language(part, _p("%(n)s tasks overdue"))
            due = params_in_any_language(part, _p("%(n)s tasks due by %(d)s"))
            if overdue and overdue["n"].isdigit():
                params["overdue"] = int(overdue["n"])
            elif due and due["n"].isdigit():
                params["approaching"], params["first"] = int(due["n"]), iso_day(due["d"])
            else:
                return None
        return params
    return None


def forwards(apps, schema_editor):
    Reminder = apps.get_model("plans", "Reminder")
    for reminder in Reminder.objects.exclude(legacy_text="").iterator():
        if reminder.params:
            continue
        params = reminder_params(reminder.kind, reminder.legacy_text)
        if params:
            Reminder.objects.filter(pk=reminder.pk).update(params=params, legacy_text="")

    SubmissionEvent = apps.get_model("plans", "SubmissionEvent")
    counts = _p("This submission's time counts.")
    still = _p("The first submission's time (%(t)s) still counts.")
    changed = _p("Deadline changed to %(d)s")
    for event in SubmissionEvent.objects.exclude(note="").select_related("submission").iterator():
        update = {}
        if event.kind in ("submitted", "resubmitted") and params_in_any_language(event.note, counts) == {}:
            update = {"note": ""}
        elif event.kind in ("submitted", "resubmitted") and (found := params_in_any_language(event.note, still)):
            counted_at = event.submission.counted_at
            if counted_at is None:
                try:
                    naive = datetime.strptime(found["t"], "%d/%m/%Y %H:%M")
                    counted_at = timezone.make_aware(naive)
                except ValueError:
                    continue
            update = {"note": "", "params": {"counted_at": counted_at.isoformat()}}
            # the line's timeliness is the one that counted, as the status says (not this resubmission's own)
            if event.deadline:
                update["on_time"] = timezone.localtime(counted_at).date() <= event.deadline
        elif event.kind == "deadline" and params_in_any_language(event.note, changed):
            update = {"note": ""}
        if update:
            SubmissionEvent.objects.filter(pk=event.pk).update(**update)


def demo_text_in_vietnamese(apps, schema_editor):
    """The demo's reports said "thực hiện Programme 61-CTr/TU" when seeded under English: name the document type in
    Vietnamese, as the rest of the sentence is."""
    from django.utils import translation

    from treem.plans.models import DocumentType

    Submission = apps.get_model("plans", "Submission")
    for value, label in DocumentType.choices:
        with translation.override("en"):
            english = str(label)
        with translation.override("vi"):
            vietnamese = str(label)
        if english == vietnamese:
            continue
        for submission in Submission.objects.filter(text__contains=f"thực hiện {english} ").only("pk", "text"):
            text = submission.text.replace(f"thực hiện {english} ", f"thực hiện {vietnamese} ")
            Submission.objects.filter(pk=submission.pk).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_protect_reports_and_tasks")]

    operations = [
        migrations.RenameField("reminder", "message", "legacy_text"),
        migrations.AlterField(
            model_name="reminder",
            name="legacy_text",
            field=models.CharField(blank=True, help_text="an old reminder's text not converted", max_length=500),
        ),
        migrations.AddField(
            model_name="reminder", name="params", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AddField(
            model_name="submissionevent", name="params", field=models.JSONField(blank=True, default=dict)
        ),
        migrations.AlterField(
            model_name="submissionevent",
            name="note",
            field=models.TextField(
                blank=True, help_text="what a person wrote (the return note); never a system sentence"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RunPython(demo_text_in_vietnamese, migrations.RunPython.noop),
    ]
