"""The home page's panels (treem.web.views.home finds each app's `home.panels(user)`, as it finds `nav.MODULES`).

Indicators sit above the register, cases and plans, so this module may read all of them. The home page is the role's
work: small panels, each a few counts or lines linked to the page that holds the rest.

- a commune worker: overdue case steps, children to check (data-quality findings), reports to send;
- an agency reporter: what her agency owes (plans.selectors.owed_by);
- a focal officer: the open rounds' completeness and the targets off track or at risk;
- a leader (and an auditor, a commune chair, a focal officer): the province's targets at a glance.

Panels show counts and official texts, never a child's name: the pages they link to log what they show. Each panel
runs a fixed number of queries (tests/indicators/test_dash_home.py counts them).
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

from treem.access import Capability, scope_for
from treem.accounts.models import Role
from treem.cases.selectors import due_deadlines
from treem.geo.models import Unit
from treem.plans import schedule
from treem.plans.models import ReportingRound, RoundStatus, SubmissionStatus
from treem.plans.selectors import owed_by
from treem.registry.quality.selectors import findings_visible_to

from . import charts, selectors
from .models import TargetStatus

PANEL_TARGETS = 8  # targets shown on the leader's panel, off track first


def panels(user) -> list[dict]:
    scope = scope_for(user)
    roles = scope.roles
    out = []
    if Role.COMMUNE_WORKER in roles:
        out += _commune_work(user, scope)
    if Role.AGENCY_REPORTER in roles and scope.has(Capability.REPORT_FOR_AGENCY):
        out.append(_owed(user))
    if Role.FOCAL_OFFICER in roles:
        out.append(_rounds(user, scope))
    if roles & {Role.LEADER, Role.FOCAL_OFFICER, Role.AUDITOR} and scope.has(Capability.VIEW_INDICATORS):
        out += _targets(user, scope, only_off_track=Role.FOCAL_OFFICER in roles and Role.LEADER not in roles)
    return [p for p in out if p]


def _commune_work(user, scope) -> list[dict]:
    communes = list(Unit.objects.filter(pk__in=scope.commune_ids(Capability.VIEW_CHILDREN)))
    out = []
    if scope.has(Capability.VIEW_CASES):
        due = due_deadlines(user)
        overdue = sum(1 for row in due if row["overdue"])
        out.append({"key": "case-steps", "title": pgettext("home", "Case steps"), "url": reverse("cases:due"),
                    "stats": [{"key": "overdue", "label": pgettext("home", "overdue"), "value": overdue,
                               "alert": overdue > 0},
                              {"key": "soon", "label": pgettext("home", "due within 3 days"),
                               "value": len(due) - overdue}]})
    if scope.has(Capability.VIEW_CHILDREN) and communes:
        counts = dict(findings_visible_to(user).filter(commune__in=communes, resolved_at__isnull=True)
                      .values("commune_id").annotate(n=Count("id")).values_list("commune_id", "n"))
        for commune in communes:
            out.append({"key": "children-to-check", "title": pgettext("home", "Children to check"),
                        "subtitle": commune.name, "url": reverse("quality:commune", args=[commune.code]),
                        "stats": [{"key": "findings", "label": pgettext("home", "open findings"),
                                   "value": counts.get(commune.pk, 0), "alert": counts.get(commune.pk, 0) > 0}]})
    out.append(_commune_reports(communes))
    return out


def _commune_reports(communes) -> dict | None:
    """Reports the commune's People's Committee is expected to send in open rounds and has not sent."""
    if not communes:
        return None
    sent = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
    rounds = list(ReportingRound.objects.filter(status=RoundStatus.OPEN, expected__agency__unit__in=communes)
                  .exclude(submissions__agency__unit__in=communes, submissions__status__in=sent)
                  .distinct().order_by("deadline").values_list("title", "deadline")[:5])
    today = timezone.localdate()
    return {"key": "reports-to-send", "title": pgettext("home", "Reports to send"), "url": None,
            "lines": [{"text": title, "when": deadline, "alert": deadline < today} for title, deadline in rounds],
            "empty": pgettext("home", "No report is waiting."),
            "stats": [{"key": "reports", "label": pgettext("home", "to send"), "value": len(rounds),
                       "alert": any(d < today for _, d in rounds)}]}


def _owed(user) -> dict:
    owed = owed_by(user)
    rounds = [r for r in owed["rounds"] if r["owed"]]
    overdue_tasks = sum(1 for r in owed["tasks"] if r.state == schedule.OVERDUE)
    return {"key": "owed", "title": pgettext("home", "What your agency owes"), "url": reverse("plans:my"),
            "stats": [{"key": "reports", "label": pgettext("home", "reports to send"), "value": len(rounds),
                       "alert": any(r["overdue"] for r in rounds)},
                      {"key": "overdue", "label": pgettext("home", "reports overdue"),
                       "value": sum(1 for r in rounds if r["overdue"]), "alert": any(r["overdue"] for r in rounds)},
                      {"key": "tasks", "label": pgettext("home", "tasks overdue"), "value": overdue_tasks,
                       "alert": overdue_tasks > 0}],
            "lines": [{"text": r["round"].title, "when": r["round"].deadline, "alert": r["overdue"]}
                      for r in rounds[:5]]}


def _rounds(user, scope) -> dict | None:
    provinces = scope.province_ids(Capability.VIEW_PLANS)
    if not provinces and not scope.is_national(Capability.VIEW_PLANS):
        return None
    qs = ReportingRound.objects.filter(status=RoundStatus.OPEN)
    if not scope.is_national(Capability.VIEW_PLANS):
        qs = qs.filter(province__in=provinces)
    sent = [SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]
    rounds = list(qs.annotate(
        n_expected=Count("expected", distinct=True),
        n_received=Count("submissions", filter=Q(submissions__status__in=sent), distinct=True),
    ).order_by("deadline")[:5])
    lines = []
    for round_ in rounds:
        share = round(100 * round_.n_received / round_.n_expected) if round_.n_expected else None
        lines.append({"text": round_.title, "when": round_.deadline, "url": reverse("plans:round", args=[round_.pk]),
                      "detail": pgettext("home", "{received}/{expected} reports received").format(
                          received=round_.n_received, expected=round_.n_expected),
                      "share": share, "alert": round_.deadline < timezone.localdate() and share != 100})
    return {"key": "rounds", "title": pgettext("home", "Reporting rounds"), "url": reverse("plans:rounds"),
            "lines": lines, "empty": pgettext("home", "No round is open.")}


def _targets(user, scope, *, only_off_track: bool) -> list[dict]:
    out = []
    for province in selectors.scope_provinces(user).order_by("code")[:3]:
        rows = selectors.bound_targets(user, province)
        counts = selectors.status_counts(rows)
        if only_off_track:
            rows = [r for r in rows if r.status in (TargetStatus.OFF_TRACK, TargetStatus.AT_RISK)]
        shown = rows[:PANEL_TARGETS]
        for row in shown:
            row.light = mark_safe(charts.status_badge(row.status, row.status_label))  # noqa: S308 - escaped parts
        out.append({"key": "targets", "title": (pgettext("home", "Targets off track") if only_off_track
                                                 else pgettext("home", "Targets at a glance")),
                    "subtitle": province.name, "url": reverse("indicators:province", args=[province.code]),
                    "targets": shown, "more": len(rows) - len(shown), "counts": counts,
                    "empty": pgettext("home", "No target is off track.") if only_off_track
                    else pgettext("home", "No target is bound to an indicator yet.")})
    return out
