"""Alerts before the submission window closes (like treem.plans.reminders): `send_alerts(today)` is idempotent, each
alert has a key (user, year, commune or province), so running it daily sends each alert once. Alerts are stored as a
message code and parameters and rendered in the reader's language when shown."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from treem.accounts.models import Assignment, Role
from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.core.formats import format_date
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .models import Alert, Assessment, Status, SubmissionWindow
from .services import window


def _open_window(today: date) -> tuple[int, date] | None:
    """(year, last day) when today falls in the alert period before the window of this year closes."""
    span = window(today.year)
    rule = SubmissionWindow.objects.valid_on(date(today.year, 10, 1)).first()
    if span is None or rule is None:
        return None
    if span[0] <= today <= span[1] and (span[1] - today).days <= rule.alert_days:
        return today.year, span[1]
    return None


@transaction.atomic
def send_alerts(today: date) -> int:
    found = _open_window(today)
    if found is None:
        return 0
    year, closes = found
    done = set(Assessment.objects.filter(year=year).exclude(status=Status.DRAFT).values_list("commune_id", flat=True))
    waiting = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE).exclude(pk__in=done)
    in_force = Assignment.objects.valid_on(today)
    rows = []
    by_province: dict[int, int] = {}
    for worker in in_force.filter(role=Role.COMMUNE_WORKER, unit__in=waiting).select_related("unit"):
        rows.append(Alert(user_id=worker.user_id, key=f"cfc:{year}:{worker.unit.code}", code="commune_not_submitted",
                          params={"year": year, "closes": closes.isoformat()}, unit=worker.unit))
    for province_id in waiting.values_list("province_id", flat=True):
        by_province[province_id] = by_province.get(province_id, 0) + 1
    officers = in_force.filter(Q(role=Role.FOCAL_OFFICER), unit_id__in=by_province).select_related("unit")
    for officer in officers:
        rows.append(Alert(user_id=officer.user_id, key=f"cfc:{year}:{officer.unit.code}",
                          code="province_not_submitted",
                          params={"year": year, "closes": closes.isoformat(), "count": by_province[officer.unit_id]},
                          unit=officer.unit))
    before = Alert.objects.count()
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    sent = Alert.objects.count() - before
    if sent:
        record(SYSTEM, "childfriendly.alerts.send", None, summary={"count": sent, "year": year})
    return sent


def render(alert: Alert) -> str:
    params = dict(alert.params)
    params["closes"] = format_date(date.fromisoformat(params["closes"]))
    params["unit"] = alert.unit.name
    if alert.code == "commune_not_submitted":
        return _("%(unit)s has not submitted its child-friendly self-assessment for %(year)s: the window closes on "
                 "%(closes)s.") % params
    if alert.code == "province_not_submitted":
        return _("%(count)s communes of %(unit)s have not submitted their child-friendly self-assessment for "
                 "%(year)s: the window closes on %(closes)s.") % params
    return ""
