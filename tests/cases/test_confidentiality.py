"""Confidentiality attacked through the UI and the API: who sees a case, what of it, and that every view is logged."""

import pytest
from django.utils import timezone

from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.models import Case, Stage
from treem.cases.selectors import cases_for_child_visible_to

from .conftest import api, version, walk


@pytest.fixture
def referred_case(new_case, worker_x, chair_x, social_work_centre):
    case = walk(new_case(), worker_x, chair_x, Stage.IMPLEMENTATION)
    item = case.plans.get().items.get()
    referral = services.referral_create(actor=worker_x, case=case, expected_version=version(case),
                                        agency=social_work_centre, kind="social_work", item=item,
                                        shared_information="Cần 8 buổi tư vấn tâm lý.", consent_by="Trẻ và mẹ",
                                        consent_on=timezone.localdate())
    return Case.objects.get(pk=case.pk), referral


def test_assigned_worker_sees_the_file_and_the_view_is_logged(client, new_case, worker_x):
    case = new_case()
    client.force_login(worker_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Lò Văn Páo" in page and "Cháu bị bố đánh" in page and "Bà Lò Thị Xuân" in page
    assert AuditEvent.objects.filter(action="cases.case.view", object_id=str(case.pk), actor=worker_x).exists()


@pytest.mark.parametrize("who", ["worker_y", "chair_y", "leader_an_giang", "hospital_user", "centre_user"])
def test_outsiders_get_404_in_the_ui_and_the_api(request, client, new_case, who):
    case = new_case()
    intruder = request.getfixturevalue(who)
    client.force_login(intruder)
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/assessment/", f"/cases/{case.pk}/forms/1.docx",
                f"/cases/{case.pk}/edit/"):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert case.reference not in client.get("/cases/list/").content.decode()
    assert api(intruder).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api(intruder).get(f"/api/v1/cases/{case.pk}/events/").status_code == 404
    assert case.reference not in api(intruder).get("/api/v1/cases/").content.decode()


def test_hotline_operator_sees_the_intake_she_recorded_not_the_case_file(client, new_case, hotline, worker_x,
                                                                         chair_x):
    case = walk(new_case(), worker_x, chair_x, Stage.APPROVAL)
    client.force_login(hotline)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    intake = client.get(f"/cases/intakes/{case.pk}/")
    page = intake.content.decode()
    assert intake.status_code == 200 and case.reference in page and "Cháu bị bố đánh" in page
    assert "Tư vấn tâm lý" not in page  # nothing of the plan
    client_api = api(hotline)
    assert client_api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client_api.get(f"/api/v1/case-intakes/{case.pk}/").json()["reference"] == case.reference
    assert client_api.get(f"/api/v1/cases/{case.pk}/events/").status_code == 404


def test_another_hotline_operator_does_not_see_the_intake(client, new_case, make_user, lai_chau):
    from treem.accounts.models import Role

    case = new_case()
    other = make_user("tongdai2", Role.HOTLINE_OPERATOR, lai_chau)
    client.force_login(other)
    assert client.get(f"/cases/intakes/{case.pk}/").status_code == 404
    assert api(other).get(f"/api/v1/case-intakes/{case.pk}/").status_code == 404


def test_commune_chair_sees_the_file_but_names_are_initials_in_lists(client, new_case, chair_x):
    case = new_case()
    client.force_login(chair_x)
    assert "Lò Văn Páo" in client.get(f"/cases/{case.pk}/").content.decode()
    listing = client.get("/cases/list/").content.decode()
    assert case.reference in listing and "L. V. P." in listing and "Lò Văn Páo" not in listing


def test_reporter_identity_is_protected_from_all_but_the_assigned_workers(client, new_case, chair_x,
                                                                          provincial_case_worker):
    case = new_case()
    for viewer in (chair_x, provincial_case_worker):
        client.force_login(viewer)
        page = client.get(f"/cases/{case.pk}/").content.decode()
        assert "Bà Lò Thị Xuân" not in page and "0912000111" not in page
        assert api(viewer).get(f"/api/v1/cases/{case.pk}/").json()["reporter"] is None


def test_strictly_confidential_case_shows_names_only_to_assigned_workers(client, new_case, chair_x, worker_x):
    case = new_case(confidentiality="strict")
    client.force_login(chair_x)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Lò Văn Páo" not in page and "L. V. P." in page
    client.force_login(worker_x)
    assert "Lò Văn Páo" in client.get(f"/cases/{case.pk}/").content.decode()


def test_provincial_supervisor_sees_the_file_unless_distribution_is_commune_only(client, new_case,
                                                                                 provincial_case_worker):
    shared, restricted = new_case(), new_case(distribution="commune")
    client.force_login(provincial_case_worker)
    assert "Cháu bị bố đánh" in client.get(f"/cases/{shared.pk}/").content.decode()
    summary = client.get(f"/cases/{restricted.pk}/")
    page = summary.content.decode()
    assert summary.status_code == 200 and restricted.reference in page
    assert "Cháu bị bố đánh" not in page and "Páo" not in page
    assert client.get(f"/cases/{restricted.pk}/forms/1.docx").status_code == 403
    body = api(provincial_case_worker).get(f"/api/v1/cases/{restricted.pk}/").json()
    assert body["access"] == "summary" and "narrative" not in body
    assert api(provincial_case_worker).get(f"/api/v1/cases/{restricted.pk}/events/").status_code == 403


def test_leader_of_the_province_sees_a_summary_only(client, new_case, leader_lai_chau):
    case = new_case()
    client.force_login(leader_lai_chau)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert case.reference in page and "Páo" not in page and "Cháu bị bố đánh" not in page
    assert client.post(f"/cases/{case.pk}/assessment/", {"version": case.version}).status_code == 403


def test_referred_agency_sees_only_the_referred_part(client, referred_case, centre_user):
    case, referral = referred_case
    client.force_login(centre_user)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    page = client.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert "Cần 8 buổi tư vấn tâm lý." in page and "Lò Văn Páo" in page
    assert "Cháu bị bố đánh" not in page and "Bà Lò Thị Xuân" not in page and case.reference not in page
    body = api(centre_user).get(f"/api/v1/case-referrals/{referral.pk}/").json()
    assert body["shared_information"] == "Cần 8 buổi tư vấn tâm lý." and "case_id" not in body
    assert "narrative" not in body
    listed = api(centre_user).get("/api/v1/case-referrals/").json()["results"]
    assert [r["id"] for r in listed] == [referral.pk]
    assert api(centre_user).get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_an_agency_not_referred_sees_nothing(client, referred_case, hospital_user):
    case, referral = referred_case
    client.force_login(hospital_user)
    assert client.get(f"/cases/referrals/{referral.pk}/").status_code == 404
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert api(hospital_user).get(f"/api/v1/case-referrals/{referral.pk}/").status_code == 404
    assert api(hospital_user).get("/api/v1/case-referrals/").json()["results"] == []
    response = api(hospital_user).post(f"/api/v1/case-referrals/{referral.pk}/respond/", {"status": "accepted"})
    assert response.status_code == 404


def test_worker_of_another_commune_cannot_write_through_the_ui(client, new_case, worker_y):
    case = new_case()
    client.force_login(worker_y)
    response = client.post(f"/cases/{case.pk}/edit/", {"version": case.version, "narrative": "ghi đè"})
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).narrative.startswith("Cháu bị bố đánh")


def test_the_registry_learns_a_case_exists_only_for_those_who_may_see_it(new_case, worker_x, chair_x, worker_y,
                                                                         hotline, leader_lai_chau):
    case = new_case()
    child = case.case_children.get().child
    assert list(cases_for_child_visible_to(worker_x, child)) == [case]
    assert list(cases_for_child_visible_to(chair_x, child)) == [case]
    for user in (worker_y, hotline, leader_lai_chau):
        assert not cases_for_child_visible_to(user, child).exists()


def test_anonymous_is_sent_to_login_and_refused_by_the_api(client, new_case):
    case = new_case()
    assert client.get(f"/cases/{case.pk}/").status_code == 302
    assert client.get("/cases/").status_code == 302
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/cases/{case.pk}/").status_code in (401, 403)
