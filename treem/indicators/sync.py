"""Reported values follow their submission (plans.Submission) without plans knowing about indicators."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from treem.audit.services import record_many
from treem.core.actors import SYSTEM
from treem.plans.models import SubmissionStatus

from .models import Source, Value, ValueStatus


def values_sync(*, province_ids=None, submissions=None) -> dict[str, int]:
    """Reported values follow their submission: submitted with it, accepted with it (then locked), back to draft
    when it is returned. Accepted values never move back. Audited as one system event per change of status."""
    base = Value.objects.filter(source=Source.REPORTED, submission__isnull=False)
    if province_ids is not None:
        base = base.filter(submission__round__province_id__in=province_ids)
    if submissions is not None:
        base = base.filter(submission_id__in=submissions)
    moves = [
        ("accepted", Q(submission__status=SubmissionStatus.ACCEPTED), ~Q(status=ValueStatus.ACCEPTED),
         ValueStatus.ACCEPTED),
        ("submitted", Q(submission__status=SubmissionStatus.SUBMITTED), Q(status=ValueStatus.DRAFT),
         ValueStatus.SUBMITTED),
        ("draft", Q(submission__status__in=[SubmissionStatus.DRAFT, SubmissionStatus.RETURNED]),
         Q(status=ValueStatus.SUBMITTED), ValueStatus.DRAFT),
    ]
    done = {}
    with transaction.atomic():
        for name, where, which, new in moves:
            rows = list(base.filter(where).filter(which).select_for_update().only("pk", "status", "indicator_id",
                                                                                  "unit_id", "year"))
            if not rows:
                continue
            Value.objects.filter(pk__in=[r.pk for r in rows]).update(status=new, updated_at=timezone.now())
            record_many(SYSTEM, f"indicators.value.{name}", [(r, {"status": new}) for r in rows])
            done[name] = len(rows)
    return done
