"""A chair's "plan awaiting your approval" alert whose plan was already decided is resolved (read) and reads as the
decision, as plan_decide now does."""

from datetime import UTC

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Alert = apps.get_model("cases", "Alert")
    Plan = apps.get_model("cases", "Plan")
    now = timezone.now()
    for alert in Alert.objects.filter(kind="plan_submitted").iterator():
        params = dict(alert.params or {})
        parts = alert.key.split(":")
        if "decision" in params or len(parts) < 2 or parts[0] != "plan" or not parts[1].isdigit():
            continue
        plan = Plan.objects.filter(pk=int(parts[1])).only("status", "submitted_at").first()
        if plan is None or plan.status == "draft":
            continue
        if plan.status == "submitted":
            # waiting again after a return: only an alert of an earlier submission is done (that one was returned)
            current = plan.submitted_at and plan.submitted_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")
            if len(parts) < 4 or parts[3] == current:
                continue
            params["decision"] = "returned"
        else:
            params["decision"] = "returned" if plan.status == "returned" else "approved"
        Alert.objects.filter(pk=alert.pk).update(params=params, read_at=alert.read_at or now)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_correct_deadline_legal_basis")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
