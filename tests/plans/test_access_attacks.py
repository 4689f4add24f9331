"""The access layer attacked through the plans pages and the API (issue 11, item 1).

Every detail page fetches within the reader's scope (treem.access.fetch): a record of another province, or another
agency's report, answers 404 and discloses nothing; an action the role may not take answers 403, and the 403 page
names the roles that may (treem.access.require)."""

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from treem.access import Capability, Grant, Scope, allows, restrict, roles_with
from treem.accounts.models import Role
from treem.plans.models import ConsolidatedReport, Document, ReportingRound, Submission, Target, Task, TaskAgency
from treem.plans.succession import predecessors_closure

from .conftest import agency


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _api(user, url):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url)


def _labels(capability: str) -> list[str]:
    with translation.override("vi"):
        return [str(Role(role).label) for role in roles_with(capability)]


def test_another_provinces_round_submission_task_and_target_are_404_in_the_ui(world, client):
    officer = world.user("tinh.laichau")  # Lai Châu (12); the round below is An Giang's (91)
    round_ = world.round("91")
    submission = round_.submissions.first()
    task = Task.objects.filter(document__province=round_.province).first()
    target = Target.objects.exclude(document__province=None).exclude(document__province__code="12").first()
    assert submission is not None and task is not None and target is not None
    urls = [
        reverse("plans:round", args=[round_.pk]),
        reverse("plans:round_compare", args=[round_.pk]),
        reverse("plans:submission", args=[submission.pk]),
        reverse("plans:task", args=[task.pk]),
        reverse("plans:target_edit", args=[target.pk]),
    ]
    for url in urls:
        response = _get(client, officer, url)
        assert response.status_code == 404, url
        assert round_.province.name not in response.content.decode()
    # the same pages answer for the province's own officer: the 404s above are the scope, not broken pages
    own = world.user("tinh.angiang")
    for url in urls[:4]:
        assert _get(client, own, url).status_code == 200, url


def test_another_provinces_round_and_submission_are_404_in_the_api(world):
    officer = world.user("tinh.laichau")
    round_ = world.round("91")
    submission = round_.submissions.first()
    assert _api(officer, f"/api/v1/plans/rounds/{round_.pk}/").status_code == 404
    assert _api(officer, f"/api/v1/plans/submissions/{submission.pk}/").status_code == 404
    listed = _api(officer, "/api/v1/plans/rounds/").json()["results"]
    assert str(round_.pk) not in {r["id"] for r in listed} and listed  # her own province's round is listed
    own = world.user("tinh.angiang")
    assert _api(own, f"/api/v1/plans/rounds/{round_.pk}/").status_code == 200
    assert _api(own, f"/api/v1/plans/submissions/{submission.pk}/").status_code == 200


def test_an_agency_reporter_reaches_her_agencys_report_only(world, client):
    reporter = world.user("soyte.angiang")
    health = agency("91", "Sở Y tế")
    round_ = world.round("91")
    other = round_.submissions.exclude(agency=health).first()
    assert other is not None
    assert _get(client, reporter, reverse("plans:submission", args=[other.pk])).status_code == 404
    assert _api(reporter, f"/api/v1/plans/submissions/{other.pk}/").status_code == 404
    # and the round she is expected in is hers to read, another province's is not
    assert _api(reporter, f"/api/v1/plans/rounds/{round_.pk}/").status_code == 200
    assert _api(reporter, f"/api/v1/plans/rounds/{world.round('12').pk}/").status_code == 404


def test_a_malformed_or_unknown_key_is_404_not_500(world, client):
    officer = world.user("tinh.angiang")
    assert _get(client, officer, reverse("plans:round_new") + "?document=not-a-uuid").status_code == 404
    assert _get(client, officer, reverse("plans:round_new") + "?document=").status_code == 404


def test_the_403_page_names_the_roles_that_may_edit_plans(world, client):
    leader = world.user("lanhdao.angiang")  # reads An Giang's plans, edits none
    response = _get(client, leader, reverse("plans:upload"))
    page = response.content.decode()
    assert response.status_code == 403
    needed = _labels(Capability.EDIT_PLANS)
    assert needed and all(label in page for label in needed)
    with translation.override("vi"):
        assert str(Role.LEADER.label) in page  # what she has, beside what she would need


def test_the_plan_rules_follow_agencies_successions_and_national_documents(world):
    """Not vacuous: the rules registered in treem/plans/access_rules.py draw the lines the selectors drew."""
    cap = Capability.VIEW_PLANS
    health = agency("91", "Sở Y tế")
    reporter = Scope(user_id=None, grants=(Grant(role=Role.AGENCY_REPORTER, agency_id=health.pk),))
    national = Document.objects.filter(province__isnull=True).first()
    family = predecessors_closure([health.pk])  # Sở Y tế and the departments it succeeded
    own_tasks = Task.objects.filter(pk__in=TaskAgency.objects.filter(agency__in=family).values("task_id"))
    others = Task.objects.filter(document__province=health.province).exclude(pk__in=own_tasks.values("pk"))
    assert own_tasks.exists() and others.exists() and national is not None
    assert set(restrict(Task, reporter, cap)) >= set(own_tasks)
    assert not restrict(Task, reporter, cap).filter(pk__in=others.values("pk")).exists()
    assert all(allows(reporter, cap, t) for t in own_tasks) and not any(allows(reporter, cap, t) for t in others)
    # an agency reads the documents of its province and the national ones, not another province's
    assert allows(reporter, cap, national)
    assert not restrict(Document, reporter, cap).filter(province=world.round("12").province).exists()
    # a commune worker's grant reaches her province's plans, but no round (rounds are for province-level readers)
    commune = world.round("91").province.children.filter(system="current", level="commune").first()
    worker = Scope(user_id=None, grants=(Grant(role=Role.COMMUNE_WORKER, commune_id=commune.pk),))
    assert restrict(Document, worker, cap).filter(province=commune.province).exists()
    assert not restrict(ReportingRound, worker, cap).exists()
    assert not restrict(Submission, worker, cap).exists() and not restrict(ConsolidatedReport, worker, cap).exists()


@pytest.mark.parametrize("name", ["round", "submission"])
def test_fetch_does_not_disclose_whether_a_record_exists(world, client, name):
    """Outside the scope and nonexistent answer alike: the same 404 page, nothing of the record on it."""
    officer = world.user("tinh.laichau")
    record = world.round("91") if name == "round" else world.round("91").submissions.first()
    outside = _get(client, officer, reverse(f"plans:{name}", args=[record.pk]))
    missing = _get(client, officer, reverse(f"plans:{name}", args=["00000000-0000-0000-0000-000000000000"]))
    assert outside.status_code == missing.status_code == 404
    page = outside.content.decode()
    assert "Không tìm thấy trang" in page and "Không tìm thấy trang" in missing.content.decode()
    round_ = world.round("91")
    assert round_.province.name not in page and round_.document.number not in page
