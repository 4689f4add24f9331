"""Every read of plans a user sees, filtered by the reader's scope (the rules: treem/plans/access_rules.py).

* Documents, targets: national documents, and those of the provinces the reader works in (through a province,
  a commune or an agency).
* Tasks: those of the reader's provinces; an agency reporter sees only her agency's tasks (and those of the
  agencies hers succeeded).
* Rounds and submissions: those of provinces where the reader holds a province-level role; an agency reporter sees
  the rounds her agency is expected in and only her agency's submission.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q
from django.utils import timezone

from treem.access import Capability, fetch, require, restrict, scope_for
from treem.accounts.models import Agency

from . import schedule
from .models import (
    RECEIVED,
    ConsolidatedReport,
    Document,
    PlanDraft,
    ReportingRound,
    Submission,
    SubmissionStatus,
    Target,
    Task,
    TaskAgency,
    TaskStatus,
    TaskUpdate,
)
from .succession import predecessors_closure, successors_map

C = Capability


def chain_down(document: Document, province=None) -> list[Document]:
    """The document and every document implementing it (transitively), within a province when given."""
    found = {document.pk: document}
    frontier = [document]
    while frontier:
        node = frontier.pop()
        children = node.implemented_by.all()
        if province is not None:
            children = children.filter(Q(province=province) | Q(province__isnull=True))
        for child in children:
            if child.pk not in found:
                found[child.pk] = child
                frontier.append(child)
    return list(found.values())


# -- documents and targets -------------------------------------------------------------------------------------------


def documents_visible_to(user):
    scope = require(user, C.VIEW_PLANS)
    return restrict(Document.objects.select_related("province", "area", "issuer_agency"), scope, C.VIEW_PLANS)


def targets_visible_to(user):
    scope = require(user, C.VIEW_PLANS)
    qs = Target.objects.select_related("document", "area").prefetch_related("values", "agencies")
    return restrict(qs, scope, C.VIEW_PLANS)


# -- tasks ------------------------------------------------------------------------------------------------------------


def tasks_visible_to(user):
    scope = require(user, C.VIEW_PLANS)
    qs = Task.objects.select_related("document", "document__province").prefetch_related(
        Prefetch("assignments", queryset=TaskAgency.objects.select_related("agency", "agency__province")),
    )
    return restrict(qs, scope, C.VIEW_PLANS)


@dataclass
class TaskRow:
    task: Task
    state: str
    due: date | None
    leads: list
    coordinators: list

    @property
    def pk(self):
        return self.task.pk


def reported_years(tasks) -> dict[tuple, set[tuple[int, int]]]:
    """{(document id, agency id): {(year, reporting agency id)}} for which the agency's report was received in a
    round whose cascade contains the document: the yearly report covers the agency's yearly tasks of that year.
    The agencies an agency succeeded count as reported too."""
    documents = {t.document_id for t in tasks}
    provinces = {t.document.province_id for t in tasks if t.document.province_id}
    result: dict[tuple, set[int]] = {}
    if not provinces:
        return result
    rounds = ReportingRound.objects.filter(province__in=provinces).select_related("document", "province")
    for round_ in rounds:
        chain = {d.pk for d in chain_down(round_.document, round_.province)} & documents
        if not chain:
            continue
        for agency_id in round_.submissions.filter(status__in=RECEIVED).values_list("agency_id", flat=True):
            for family_member in predecessors_closure([agency_id]):
                for document_id in chain:
                    result.setdefault((document_id, family_member), set()).add((round_.period_year, agency_id))
    return result


def task_rows(tasks, today: date | None = None, reporting_agencies=None) -> list[TaskRow]:
    """Tasks with their deadline state (overdue, approaching ...), the agencies by role, and for agencies that no
    longer exist their successors (attribute ``successors`` on the TaskAgency).

    A yearly task's year is done when its agency reported progress for that year or sent the year's report in a
    round covering the task's document (any successor's report when `reporting_agencies` is None, else only
    those agencies' reports: an agency's own list is done when she reported, not when a sister successor did)."""
    today = today or timezone.localdate()
    tasks = list(tasks)
    done_years: dict = {}
    for task_id, year in TaskUpdate.objects.filter(
        task__in=[t.pk for t in tasks], period_year__isnull=False
    ).values_list("task_id", "period_year"):
        done_years.setdefault(task_id, set()).add(year)
    reported = reported_years(tasks)
    agencies = {a.agency for t in tasks for a in t.assignments.all() if a.agency}
    successors = successors_map(agencies, today)
    rows = []
    for task in tasks:
        finished = task.status in (TaskStatus.DONE, TaskStatus.CANCELLED)
        years = set(done_years.get(task.pk, ()))
        leads, coordinators = [], []
        for assignment in task.assignments.all():
            assignment.successors = successors.get(assignment.agency_id, []) if assignment.agency_id else []
            (leads if assignment.role == "lead" else coordinators).append(assignment)
            if assignment.agency_id:
                years |= {
                    year
                    for year, by in reported.get((task.document_id, assignment.agency_id), ())
                    if reporting_agencies is None or by in reporting_agencies
                }
        state, due = schedule.state(
            schedule.Schedule.of(task), today=today, finished=finished, done_years=frozenset(years)
        )
        rows.append(TaskRow(task, state, due, leads, coordinators))
    return rows


# -- one record: a scoped get, 404 outside the reader's scope (treem.access.fetch) -----------------------------------


def document_for(user, pk) -> Document:
    qs = Document.objects.select_related("province", "area", "issuer_agency")
    return fetch(qs, require(user, C.VIEW_PLANS), C.VIEW_PLANS, pk=pk)


def target_for(user, pk) -> Target:
    return fetch(Target.objects.select_related("document", "area"), require(user, C.VIEW_PLANS), C.VIEW_PLANS, pk=pk)


def task_for(user, pk) -> Task:
    qs = Task.objects.select_related("document", "document__province").prefetch_related(
        Prefetch("assignments", queryset=TaskAgency.objects.select_related("agency", "agency__province")),
    )
    return fetch(qs, require(user, C.VIEW_PLANS), C.VIEW_PLANS, pk=pk)


def round_for(user, pk) -> ReportingRound:
    qs = ReportingRound.objects.select_related("document", "province", "focal_agency")
    return fetch(qs, require(user, C.VIEW_PLANS), C.VIEW_PLANS, pk=pk)


def submission_for(user, pk) -> Submission:
    qs = Submission.objects.select_related("round", "round__province", "round__document", "agency")
    return fetch(qs, require(user, C.VIEW_PLANS), C.VIEW_PLANS, pk=pk)


def draft_for(user, pk) -> PlanDraft:
    """A pending plan upload: only those who may edit its province's plans reach it."""
    return fetch(PlanDraft.objects.select_related("province"), user, C.EDIT_PLANS, pk=pk)


def consolidated_report_for(user, pk) -> ConsolidatedReport:
    qs = ConsolidatedReport.objects.select_related("round")
    return fetch(qs, require(user, C.VIEW_PLANS), C.VIEW_PLANS, pk=pk)


# -- rounds and submissions ------------------------------------------------------------------------------------------


def rounds_visible_to(user):
    scope = require(user, C.VIEW_PLANS)
    qs = ReportingRound.objects.select_related("document", "province", "focal_agency")
    return restrict(qs, scope, C.VIEW_PLANS)


def submissions_visible_to(user):
    scope = require(user, C.VIEW_PLANS)
    return restrict(Submission.objects.select_related("round", "round__province", "agency"), scope, C.VIEW_PLANS)


def sees_all_submissions(user, round_) -> bool:
    """A province-level reader (focal officer, leader, auditor) sees every agency's submission side by side."""
    scope = scope_for(user)
    return scope.is_national(C.VIEW_PLANS) or round_.province_id in scope.province_ids(C.VIEW_PLANS)


def my_agencies(user) -> list[Agency]:
    scope = scope_for(user)
    ids = scope.agency_ids(C.REPORT_FOR_AGENCY)
    return list(Agency.objects.filter(pk__in=ids).select_related("province"))


def owed_by(user, today: date | None = None) -> dict:
    """What an agency reporter owes, by when, from every plan at once: open rounds her agency is expected in
    (without an accepted or submitted report), and her agency's tasks by deadline."""
    today = today or timezone.localdate()
    agencies = my_agencies(user)
    ids = [a.pk for a in agencies]
    rounds = list(
        ReportingRound.objects.filter(expected__agency__in=ids)
        .select_related("document", "province")
        .order_by("deadline")
        .distinct()
    )
    submissions = {(s.round_id, s.agency_id): s for s in Submission.objects.filter(round__in=rounds, agency__in=ids)}
    round_rows = []
    for round_ in rounds:
        for agency_id in round_.expected.filter(agency__in=ids).values_list("agency_id", flat=True):
            submission = submissions.get((round_.pk, agency_id))
            status = submission.status if submission else None
            owed = status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED)
            round_rows.append(
                {
                    "round": round_,
                    "agency": next(a for a in agencies if a.pk == agency_id),
                    "submission": submission,
                    "owed": owed,
                    "overdue": owed and round_.deadline < today,
                    "days_left": (round_.deadline - today).days,
                    "days_overdue": (today - round_.deadline).days,
                }
            )
    family = predecessors_closure(ids)
    tasks = (
        Task.objects.filter(pk__in=TaskAgency.objects.filter(agency__in=family).values("task_id"))
        .select_related("document", "document__province")
        .prefetch_related(
            Prefetch("assignments", queryset=TaskAgency.objects.select_related("agency", "agency__province")),
        )
    )
    rows = task_rows(tasks, today, reporting_agencies=set(ids))
    order = {
        schedule.OVERDUE: 0,
        schedule.APPROACHING: 1,
        schedule.OK: 2,
        schedule.NO_DEADLINE: 3,
        schedule.FINISHED: 4,
    }
    rows.sort(key=lambda r: (order[r.state], r.due or date.max, r.task.document_id, r.task.order))
    return {"agencies": agencies, "rounds": round_rows, "tasks": rows}
