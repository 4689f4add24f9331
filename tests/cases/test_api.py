"""The API: a hotline system posts reports with a token; cases, events and referrals with the same confidentiality."""

from io import StringIO

from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from treem.accounts.models import Role
from treem.cases.models import Case, Source, Stage

from .conftest import api, walk


def hotline_client() -> APIClient:
    out = StringIO()
    call_command("hotline_token", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    return client


def payload(**extra):
    data = {"commune_code": "03390", "channel": "hotline_111", "concern_types": ["sexual_abuse"],
            "narrative": "Cuộc gọi từ tổng đài 111: cháu gái 12 tuổi bị hàng xóm sàm sỡ.",
            "reporter_anonymous": True, "children": [{"full_name": "Vàng Thị Chi", "sex": "F", "age": 12}]}
    data.update(extra)
    return data


def test_the_hotline_service_user_posts_a_report_with_its_token(worker_x):
    client = hotline_client()
    response = client.post("/api/v1/case-intakes/", payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert body["reference"] == case.reference and body["commune_name"] == "Xã Bình Lư"
    assert case.source == Source.API and case.recorded_by.username == "hethong.111"
    assert case.case_children.get().child.provisional
    assert worker_x.case_alerts.filter(case=case).exists()
    # The service user reads back its own reports, never the case file.
    assert client.get(f"/api/v1/case-intakes/{case.pk}/").status_code == 200
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get("/api/v1/cases/").json()["results"] == []


def test_the_token_command_is_idempotent_and_can_rotate():
    first, second, rotated = StringIO(), StringIO(), StringIO()
    call_command("hotline_token", stdout=first)
    call_command("hotline_token", stdout=second)
    call_command("hotline_token", "--rotate", stdout=rotated)
    assert first.getvalue() == second.getvalue() != rotated.getvalue()
    user = Token.objects.get().user
    assert not user.has_usable_password() and user.assignments.get().role == Role.HOTLINE_OPERATOR


def test_bad_intake_input_is_refused_with_400():
    client = hotline_client()
    assert client.post("/api/v1/case-intakes/", payload(commune_code="99999"), format="json").status_code == 400
    assert client.post("/api/v1/case-intakes/", payload(concern_types=[]), format="json").status_code == 400
    no_sex = payload(children=[{"full_name": "X", "age": 3}])
    response = client.post("/api/v1/case-intakes/", no_sex, format="json")
    assert response.status_code == 400 and not Case.objects.exists()


def test_a_user_without_the_intake_right_cannot_post(leader_lai_chau):
    assert api(leader_lai_chau).post("/api/v1/case-intakes/", payload(), format="json").status_code == 403


def test_case_detail_and_events_for_the_team(new_case, worker_x, chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.APPROVAL)
    body = api(worker_x).get(f"/api/v1/cases/{case.pk}/").json()
    assert body["access"] == "full" and body["stage"] == "approval"
    assert body["children"][0]["name"] == "Lò Văn Páo" and body["reporter"]["name"] == "Bà Lò Thị Xuân"
    assert {d["rule"] for d in body["deadlines"]} >= {"initial_assessment_12h", "plan_approval_2wd"}
    events = api(chair_x).get(f"/api/v1/cases/{case.pk}/events/").json()
    assert [e["kind"] for e in events][:2] == ["received", "forwarded"]
    assert any("Mẫu 04" in e["text"] for e in events)


def test_case_list_masks_names_unless_assigned(new_case, worker_x, chair_x):
    case = new_case()
    assert api(worker_x).get("/api/v1/cases/").json()["results"][0]["children"] == ["Lò Văn Páo"]
    row = api(chair_x).get("/api/v1/cases/").json()["results"][0]
    assert row["id"] == str(case.pk) and row["children"] == ["L. V. P."]


def test_agency_answers_a_referral_through_the_api(new_case, worker_x, chair_x, social_work_centre, centre_user):
    from django.utils import timezone

    from treem.cases import services

    from .conftest import version

    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    referral = services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                        agency=social_work_centre, kind="social_work", shared_information="x",
                                        consent_by="mẹ", consent_on=timezone.localdate())
    client = api(centre_user)
    assert client.post(f"/api/v1/case-referrals/{referral.pk}/respond/", {"status": "completed"}).status_code == 400
    response = client.post(f"/api/v1/case-referrals/{referral.pk}/respond/", {"status": "accepted", "note": "Nhận"})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    team_view = api(worker_x).get(f"/api/v1/case-referrals/{referral.pk}/").json()
    assert team_view["case_reference"] == case.reference and team_view["status"] == "accepted"


def test_the_schema_lists_the_case_endpoints(client):
    text = client.get("/api/v1/schema/").content.decode()
    for path in ("/api/v1/case-intakes/", "/api/v1/cases/{id}/events/", "/api/v1/case-referrals/{id}/respond/"):
        assert path in text
