"""A report that names a child already on the register finds her instead of making a second record (issue 11,
finding 1): the intake form and the API propose the register's matches (as much of each as the recorder may see),
the same personal ID links at once, the case's "add a child" page is a search (never the commune's list), and a
provisional child later found on the register is merged into it with one decision. Proposals never tell anyone
that a child is in a case."""

from datetime import date

import pytest
from django.utils import timezone

from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.cases import services
from treem.cases.models import Case, ConcernType, Confidentiality
from treem.core.actors import SYSTEM
from treem.registry import services as registry
from treem.registry.models import Child, ChildStatus
from treem.registry.quality.models import DuplicatePair, PairStatus

from .conftest import api, version

BORN = date(2017, 3, 12)
PID = "012317000123"  # Lai Châu, a girl born in 2017


@pytest.fixture
def dung(commune_x):
    """Vàng Thị Dung, on commune X's register with her father as carer."""
    from treem.registry.reference import load_reference

    load_reference()
    child = registry.child_create(actor=SYSTEM, commune=commune_x, data={
        "full_name": "Vàng Thị Dung", "sex": "F", "birth_date": BORN, "village": "Bản Nà Lừu", "personal_id": PID})
    registry.carer_link(actor=SYSTEM, child=child, full_name="Vàng A Sử", relation="father", phone="0912345678",
                        primary=True)
    for name, born in (("Lò Thị Hoa", date(2016, 1, 5)), ("Tòng Văn Minh", date(2015, 6, 1))):
        registry.child_create(actor=SYSTEM, commune=commune_x, data={"full_name": name, "sex": "F",
                                                                   "birth_date": born, "village": "Bản Mới"})
    return child


def intake_post(commune, lai_chau, **extra) -> dict:
    return {"received_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"), "channel": "hotline_111",
            "request_type": "intervention", "province": lai_chau.pk, "commune": commune.pk,
            "concern_types": [ConcernType.NEGLECT], "narrative": "Cháu bị bỏ mặc ở nhà một mình nhiều ngày.",
            "child_name": "Vang Thi Dung", "child_sex": "F", "child_birth_date": "12/03/2017",
            "confidentiality": Confidentiality.CONFIDENTIAL, "distribution": "province", **extra}


def test_the_intake_form_proposes_the_registered_child_and_linking_creates_no_new_child(client, dung, worker_x,
                                                                                       commune_x, lai_chau):
    client.force_login(worker_x)
    children = Child.objects.count()
    response = client.post("/cases/new/", intake_post(commune_x, lai_chau))
    page = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()  # nothing recorded before the choice
    assert "Trẻ này đã có trong sổ theo dõi chưa?" in page
    assert "Vàng Thị Dung" in page and "12/03/2017" in page and "Bản Nà Lừu" in page and "Vàng A Sử" in page
    assert f'value="{dung.pk}"' in page and "Lò Thị Hoa" not in page  # the match, not the commune
    event = AuditEvent.objects.filter(action="registry.child.list", actor=worker_x).latest("id")
    assert event.unit == commune_x and event.summary["filters"] == {"intake_match": commune_x.code}
    assert event.summary["shown"] == 1
    response = client.post("/cases/new/", intake_post(commune_x, lai_chau, child_match=str(dung.pk)))
    assert response.status_code == 302
    case = Case.objects.get()
    assert [link.child_id for link in case.case_children.all()] == [dung.pk]
    assert Child.objects.count() == children


def test_a_new_child_is_still_possible(client, dung, worker_x, commune_x, lai_chau):
    client.force_login(worker_x)
    children = Child.objects.count()
    assert client.post("/cases/new/", intake_post(commune_x, lai_chau, child_match="new")).status_code == 302
    assert Child.objects.count() == children + 1
    assert Case.objects.get().case_children.get().child.provisional


def test_a_forged_choice_of_another_communes_child_is_refused(client, dung, worker_y, commune_y, lai_chau):
    client.force_login(worker_y)
    response = client.post("/cases/new/", intake_post(commune_y, lai_chau, child_match=str(dung.pk)))
    assert response.status_code == 400 and not Case.objects.exists()


def test_the_hotline_sees_name_birth_year_and_village_only(client, dung, hotline, commune_x, lai_chau, make_user,
                                                          an_giang):
    client.force_login(hotline)
    page = client.post("/cases/new/", intake_post(commune_x, lai_chau)).content.decode()
    proposals = page.split('id="proposals-title"')[1].split("</section>")[0]
    assert "Vàng Thị Dung" in proposals and "sinh năm 2017" in proposals and "Bản Nà Lừu" in proposals
    assert "12/03/2017" not in proposals and "Vàng A Sử" not in page and PID not in page
    assert client.post("/cases/new/", intake_post(commune_x, lai_chau, child_match=str(dung.pk))).status_code == 302
    assert Case.objects.get().case_children.get().child_id == dung.pk
    # another province's hotline is proposed nobody: a provisional record, as before
    client.force_login(make_user("tongdai.angiang", Role.HOTLINE_OPERATOR, an_giang))
    response = client.post("/cases/new/", intake_post(commune_x, lai_chau))
    assert response.status_code == 302 and Case.objects.count() == 2
    assert Case.objects.order_by("created_at").last().case_children.get().child.provisional


def test_the_same_personal_id_links_without_asking(dung, hotline, commune_x, worker_x):
    children = Child.objects.count()
    case = services.intake_record(actor=hotline, commune=commune_x, channel="hotline_111", narrative="Bị bỏ đói.",
                                  concern_types=[ConcernType.NEGLECT],
                                  children=[{"full_name": "Bé Dung", "sex": "F", "age": 9, "personal_id": PID}])
    assert case.case_children.get().child_id == dung.pk and Child.objects.count() == children
    assert AuditEvent.objects.filter(action="cases.case.child_match", object_id=str(case.pk),
                                     summary__matched="personal_id").exists()
    response = api(worker_x).post("/api/v1/case-intakes/", {
        "commune_code": commune_x.code, "concern_types": ["neglect"], "narrative": "Lại bị bỏ đói.",
        "children": [{"full_name": "Dung", "sex": "F", "age": 9, "personal_id": "0123 1700 0123"}]}, format="json")
    assert response.status_code == 201, response.content
    assert Case.objects.get(pk=response.json()["id"]).case_children.get().child_id == dung.pk
    assert Child.objects.count() == children


def test_a_number_alone_does_not_give_the_hotline_a_childs_record(dung, hotline, commune_x):
    """Without access to the register, a personal ID links only with the child's name: typing numbers with any name
    must not attach (and so name) a child of the register."""
    case = services.intake_record(actor=hotline, commune=commune_x, channel="hotline_111", narrative="Bị bỏ đói.",
                                  concern_types=[ConcernType.NEGLECT],
                                  children=[{"full_name": "Bé Tí", "sex": "F", "age": 9, "personal_id": PID}])
    linked = case.case_children.get().child
    assert linked.pk != dung.pk and linked.provisional


def test_the_api_answers_409_with_the_candidates_then_links_the_chosen_one(dung, hotline, commune_x):
    body = {"commune_code": commune_x.code, "concern_types": ["neglect"], "narrative": "Cháu bị bỏ mặc.",
            "children": [{"full_name": "vang thi dung", "sex": "F", "birth_date": "2017-03-12"}]}
    children = Child.objects.count()
    response = api(hotline).post("/api/v1/case-intakes/", body, format="json")
    assert response.status_code == 409 and not Case.objects.exists()
    [match] = response.json()["children"]
    assert match["index"] == 0
    assert match["candidates"] == [{"registry_id": str(dung.pk), "name": "Vàng Thị Dung", "birth_year": 2017,
                                    "village": "Bản Nà Lừu", "reason": "tên gần giống, trùng ngày sinh"}]
    body["children"][0]["registry_id"] = str(dung.pk)
    response = api(hotline).post("/api/v1/case-intakes/", body, format="json")
    assert response.status_code == 201
    assert Case.objects.get().case_children.get().child_id == dung.pk and Child.objects.count() == children
    body["children"] = [{"full_name": "vang thi dung", "sex": "F", "birth_date": "2017-03-12", "new_child": True}]
    assert api(hotline).post("/api/v1/case-intakes/", body, format="json").status_code == 201
    assert Child.objects.count() == children + 1


def test_a_reader_of_the_register_gets_the_full_candidate_through_the_api(dung, worker_x, commune_x):
    body = {"commune_code": commune_x.code, "concern_types": ["neglect"], "narrative": "Cháu bị bỏ mặc.",
            "children": [{"full_name": "Dung", "sex": "F", "age": timezone.localdate().year - 2017,
                          "carer_name": "vang a su"}]}
    response = api(worker_x).post("/api/v1/case-intakes/", body, format="json")
    assert response.status_code == 409
    [candidate] = response.json()["children"][0]["candidates"]
    assert candidate["birth_date"] == "2017-03-12" and candidate["carer"] == "Vàng A Sử"
    assert candidate["reason"] == "tên gần giống, cùng người chăm sóc"


@pytest.fixture
def other_worker_x(make_user, commune_x):
    return make_user("canbo.x2", Role.COMMUNE_WORKER, commune_x)


def test_proposals_never_tell_that_a_child_is_in_a_strict_case(client, dung, new_case, hotline, other_worker_x,
                                                               commune_x, lai_chau):
    """Lò Văn Páo exists only as the provisional record of a strictly confidential report. The hotline (no register)
    is never proposed him; a worker of the commune who is not on the case finds him like any child of the register,
    without the case."""
    case = new_case(confidentiality=Confidentiality.STRICT)
    pao = {"child_name": "Lo Van Pao", "child_sex": "M", "child_birth_date": "", "child_age": "9"}
    client.force_login(hotline)
    page = client.post("/cases/new/", intake_post(commune_x, lai_chau, **pao)).content.decode()
    assert "Lò Văn Páo" not in page
    response = api(hotline).post("/api/v1/case-intakes/", {
        "commune_code": commune_x.code, "concern_types": ["violence"], "narrative": "Bị đánh.",
        "children": [{"full_name": "Lò Văn Páo", "sex": "M", "age": 9}]}, format="json")
    assert response.status_code == 201 and "Lò Văn Páo" not in response.content.decode()
    client.force_login(other_worker_x)
    page = client.post("/cases/new/", intake_post(commune_x, lai_chau, **pao)).content.decode()
    assert "Lò Văn Páo" in page
    assert case.reference not in page and str(case.pk) not in page and "mật" not in page.split("proposals-title")[1]


def test_add_a_child_is_a_search_never_the_communes_list(client, dung, new_case, worker_x, commune_x):
    case = new_case()
    client.force_login(worker_x)
    page = client.get(f"/cases/{case.pk}/children/add/").content.decode()
    assert "Vàng Thị Dung" not in page and "Lò Thị Hoa" not in page and "Tòng Văn Minh" not in page
    AuditEvent.objects.filter(action="registry.child.list").delete()
    page = client.get(f"/cases/{case.pk}/children/add/", {"q": "vang dung"}).content.decode()
    assert "Vàng Thị Dung" in page and "12/03/2017" in page and "Bản Nà Lừu" in page and "Vàng A Sử" in page
    assert "Lò Thị Hoa" not in page and "Tòng Văn Minh" not in page
    [event] = AuditEvent.objects.filter(action="registry.child.list", actor=worker_x)
    assert event.summary["filters"] == {"case_child_search": commune_x.code, "q": "vang dung"}
    assert event.summary["shown"] == 1 and event.unit == commune_x
    by_id = client.get(f"/cases/{case.pk}/children/add/", {"q": PID}).content.decode()
    assert "Vàng Thị Dung" in by_id and "Lò Thị Hoa" not in by_id
    assert "Vàng Thị Dung" not in client.get(f"/cases/{case.pk}/children/add/", {"q": "0123"}).content.decode()
    children = Child.objects.count()
    response = client.post(f"/cases/{case.pk}/children/add/", {"version": version(case), "registered": dung.pk})
    assert response.status_code == 302
    assert dung.pk in set(case.case_children.values_list("child_id", flat=True)) and Child.objects.count() == children


def test_a_provisional_child_is_merged_into_the_register_with_one_decision(client, dung, new_case, worker_x,
                                                                          commune_x):
    case = new_case(children=[{"full_name": "Vàng Thị Dung", "sex": "F", "age": timezone.localdate().year - 2017}])
    provisional = case.case_children.get().child
    assert provisional.provisional and provisional.pk != dung.pk
    client.force_login(worker_x)
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/children/{provisional.pk}/identify/" in detail
    page = client.get(f"/cases/{case.pk}/children/{provisional.pk}/identify/").content.decode()
    assert "Đây chính là trẻ Vàng Thị Dung" in page and "12/03/2017" in page and "Lò Thị Hoa" not in page
    response = client.post(f"/cases/{case.pk}/children/{provisional.pk}/identify/",
                           {"registered": dung.pk, "version": version(case)})
    assert response.status_code == 302
    assert [link.child_id for link in case.case_children.all()] == [dung.pk]
    provisional.refresh_from_db()
    assert (provisional.status, provisional.merged_into_id) == (ChildStatus.MERGED, dung.pk)
    assert DuplicatePair.objects.get().status == PairStatus.MERGED
    assert AuditEvent.objects.filter(action="registry.child.merge", object_id=str(dung.pk)).exists()
    assert AuditEvent.objects.filter(action="cases.case.child_identify", object_id=str(case.pk)).exists()
    dung.refresh_from_db()
    assert dung.full_name == "Vàng Thị Dung" and dung.birth_date == BORN and not dung.provisional


def test_merging_needs_the_names_and_the_register(client, dung, new_case, worker_x, chair_x, provincial_case_worker):
    strict = new_case(confidentiality=Confidentiality.STRICT,
                      children=[{"full_name": "Vàng Thị Dung", "sex": "F", "age": 9}])
    provisional = strict.case_children.get().child
    url = f"/cases/{strict.pk}/children/{provisional.pk}/identify/"
    for user in (chair_x, provincial_case_worker):  # no names of a strict case / no right to edit the register
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"registered": dung.pk, "version": version(strict)}).status_code == 403
    provisional.refresh_from_db()
    assert provisional.status == ChildStatus.ACTIVE
    client.force_login(worker_x)  # assigned: may
    assert client.post(url, {"registered": dung.pk, "version": version(strict)}).status_code == 302
