"""The plans API under /api/v1/plans/, scoped by agency and unit, attacked from every side."""

import pytest
from rest_framework.test import APIClient

from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.plans.models import Submission, SubmissionStatus, Task

from .conftest import agency


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_documents_carry_the_cascade_both_ways(world):
    rows = results(api(world.user("quantri")).get("/api/v1/plans/documents/"))
    by_number = {r["number"]: r for r in rows}
    directive = by_number["28-CT/TW"]
    assert directive["type_label"] == "Chỉ thị" and directive["province_code"] is None
    assert by_number["61-CTr/TU"]["id"] in directive["implemented_by"]
    assert directive["id"] in by_number["234/KH-UBND"]["implements"]
    assert by_number["234/KH-UBND"]["area"] == "Tỉnh Kiên Giang"


def test_documents_and_targets_are_scoped_by_province(world):
    client = api(world.user("tinh.laichau"))
    numbers = {r["number"] for r in results(client.get("/api/v1/plans/documents/"))}
    assert "48-CTr/TU" in numbers and "28-CT/TW" in numbers and "234/KH-UBND" not in numbers
    assert client.get(f"/api/v1/plans/documents/{world.document('61-CTr/TU').pk}/").status_code == 404
    targets = results(client.get("/api/v1/plans/targets/"))
    assert targets and all(t["document"] == str(world.document("48-CTr/TU").pk) for t in targets)
    cantho_target = world.document("61-CTr/TU").targets.first()
    assert client.get(f"/api/v1/plans/targets/{cantho_target.pk}/").status_code == 404
    first = results(api(world.user("tinh.cantho")).get(
        f"/api/v1/plans/targets/?document={world.document('61-CTr/TU').pk}"))[0]
    assert first["baseline_value"] == "71.3000" and first["values"][0]["direction"] == "at_least"


def test_an_agency_reporter_gets_only_her_agencys_tasks_and_reports_on_them(world):
    reporter = world.user("soyte.angiang")
    client = api(reporter)
    tasks = results(client.get("/api/v1/plans/tasks/?page_size=500"))
    family = {"Sở Y tế", "Sở Lao động - Thương binh và Xã hội"}
    assert tasks and all(any(a["agency_name"] in family for a in t["agencies"]) for t in tasks)
    police_task = Task.objects.filter(assignments__agency=agency("91", "Công an tỉnh An Giang")).first()
    assert client.get(f"/api/v1/plans/tasks/{police_task.pk}/").status_code == 404
    assert client.post(f"/api/v1/plans/tasks/{police_task.pk}/updates/", {"text": "x", "status": "done"},
                       format="json").status_code == 404
    own = Task.objects.filter(assignments__agency=agency("91", "Sở Y tế")).first()
    response = client.post(f"/api/v1/plans/tasks/{own.pk}/updates/",
                           {"text": "Đã triển khai", "status": "in_progress", "period_year": 2026,
                            "figures": [{"label": "Số xã", "value": "12"}]}, format="json")
    assert response.status_code == 201 and response.json()["agency"] == agency("91", "Sở Y tế").pk


def test_the_round_lifecycle_through_the_api(world):
    round_ = world.round("91")
    health = agency("91", "Sở Y tế")
    reporter, officer = api(world.user("soyte.angiang")), api(world.user("tinh.angiang"))
    created = reporter.post("/api/v1/plans/submissions/", {"round": str(round_.pk), "agency": health.pk,
                                                           "text": "Báo cáo năm 2026"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    again = reporter.post("/api/v1/plans/submissions/", {"round": str(round_.pk), "agency": health.pk}, format="json")
    assert again.status_code == 409 and again.json()["existing"] == pk and "đã có báo cáo" in again.json()["detail"]
    submitted = reporter.post(f"/api/v1/plans/submissions/{pk}/submit/")
    assert submitted.json()["status"] == "submitted" and submitted.json()["on_time"] is False  # after 10/11/2026
    assert reporter.post(f"/api/v1/plans/submissions/{pk}/return/", {"note": "x"}, format="json").status_code == 403
    returned = officer.post(f"/api/v1/plans/submissions/{pk}/return/", {"note": "Bổ sung"}, format="json")
    assert returned.json()["status"] == "returned"
    stats = officer.get(f"/api/v1/plans/rounds/{round_.pk}/").json()["stats"]
    assert stats["returned"] == 1 and stats["received"] == 8
    edited = reporter.patch(f"/api/v1/plans/submissions/{pk}/", {"text": "Đã bổ sung"}, format="json")
    assert edited.status_code == 200
    assert reporter.post(f"/api/v1/plans/submissions/{pk}/submit/").json()["status"] == "submitted"
    accepted = officer.post(f"/api/v1/plans/submissions/{pk}/accept/").json()
    assert accepted["status"] == "accepted" and [e["kind"] for e in accepted["events"]][-1] == "accepted"
    assert officer.get(f"/api/v1/plans/rounds/{round_.pk}/").json()["stats"]["received"] == 9


def test_submissions_are_scoped_and_cannot_be_written_for_another_agency(world):
    round_ = world.round("91")
    reporter = api(world.user("soyte.angiang"))
    visible = results(reporter.get("/api/v1/plans/submissions/"))
    assert all(s["agency"] == agency("91", "Sở Y tế").pk for s in visible)
    other = round_.submissions.filter(status=SubmissionStatus.DRAFT).first()
    assert reporter.get(f"/api/v1/plans/submissions/{other.pk}/").status_code == 404
    assert reporter.patch(f"/api/v1/plans/submissions/{other.pk}/", {"text": "x"}, format="json").status_code == 404
    justice = agency("91", "Sở Tư pháp")
    forged = reporter.post("/api/v1/plans/submissions/", {"round": str(round_.pk), "agency": justice.pk},
                           format="json")
    assert forged.status_code == 403 and not Submission.objects.filter(round=round_, agency=justice).exists()
    cantho = world.round("92")
    assert reporter.post("/api/v1/plans/submissions/", {"round": str(cantho.pk), "agency": agency("92", "Sở Y tế").pk},
                         format="json").status_code == 404
    # the reporter sees her round without the other agencies' statistics
    mine = reporter.get(f"/api/v1/plans/rounds/{round_.pk}/").json()
    assert mine["stats"] is None


@pytest.mark.parametrize("username", ["tinh.laichau", "canbo.binhlu", "tongdai.angiang"])
def test_others_get_404_or_403(world, username):
    client = api(world.user(username))
    round_ = world.round("91")
    submission = round_.submissions.first()
    assert client.get(f"/api/v1/plans/rounds/{round_.pk}/").status_code in (403, 404)
    assert client.get(f"/api/v1/plans/submissions/{submission.pk}/").status_code in (403, 404)
    assert client.post(f"/api/v1/plans/submissions/{submission.pk}/accept/").status_code in (403, 404)


def test_a_hotline_operator_has_no_plans_at_all(world):
    client = api(world.user("tongdai.angiang"))
    assert client.get("/api/v1/plans/documents/").status_code == 403


def test_rounds_are_opened_by_the_provinces_focal_officer_only(world, make_user, an_giang):
    document = world.document("234/KH-UBND")
    body = {"title": "Sơ kết", "document": str(document.pk), "period_year": 2026, "deadline": "2026-12-20",
            "agencies": [agency("91", "Sở Y tế").pk]}
    assert api(world.user("tinh.angiang")).post("/api/v1/plans/rounds/", body, format="json").status_code == 201
    leader = make_user("ld.test", Role.LEADER, an_giang)
    assert api(leader).post("/api/v1/plans/rounds/", body, format="json").status_code == 403
    assert api(world.user("tinh.laichau")).post("/api/v1/plans/rounds/", body, format="json").status_code == 404
    foreign = dict(body, agencies=[agency("12", "Sở Y tế").pk])
    assert api(world.user("tinh.angiang")).post("/api/v1/plans/rounds/", foreign, format="json").status_code == 400


def test_the_schema_lists_the_plans_endpoints(client, db):  # db: throttles count in the shared cache
    text = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/plans/documents/", "/api/v1/plans/targets/", "/api/v1/plans/tasks/",
                 "/api/v1/plans/rounds/", "/api/v1/plans/submissions/{id}/return/"):
        assert path in text


def test_a_refused_first_save_leaves_nothing_started(world):
    """POST starts the report and saves its figures in one transaction (issue 11, item 3): a figure on a target the
    agency does not report on is refused, and no draft, no event and no audit line is left behind."""
    round_ = world.round("91")
    health = agency("91", "Sở Y tế")
    Submission.objects.filter(round=round_, agency=health).delete()
    foreign = world.document("48-CTr/TU").targets.first()  # Lai Châu's programme: not Sở Y tế An Giang's target
    audit_before = AuditEvent.objects.filter(action__startswith="plans.submission").count()
    refused = api(world.user("soyte.angiang")).post(
        "/api/v1/plans/submissions/",
        {"round": str(round_.pk), "agency": health.pk, "text": "Báo cáo năm 2026",
         "figures": [{"target": str(foreign.pk), "value": "12"}]}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["detail"]  # the service's message, in Vietnamese
    assert not Submission.objects.filter(round=round_, agency=health).exists()
    assert AuditEvent.objects.filter(action__startswith="plans.submission").count() == audit_before
    started = api(world.user("soyte.angiang")).post(
        "/api/v1/plans/submissions/", {"round": str(round_.pk), "agency": health.pk, "text": "Báo cáo năm 2026"},
        format="json")
    assert started.status_code == 201, started.content
    assert AuditEvent.objects.filter(action="plans.submission.create", object_id=started.json()["id"]).count() == 1
    assert AuditEvent.objects.filter(action="plans.submission.save", object_id=started.json()["id"]).count() == 1
