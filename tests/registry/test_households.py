"""Households: services (from a child, join, leave, carers, audit), scope attacks through the UI and the API, the
child page's household card, the household page, the API, and the demo households. The last test drives a
phone-sized browser over both pages and keeps screenshots in test-artifacts/."""

from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    api,
    leader_fixture,
    reference_fixture,
    worker_y_fixture,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.core.text import fold
from treem.registry import demo, services
from treem.registry.models import Carer, Child, ChildCarer, ChildCircumstance, Household, PovertyStatus
from treem.registry.selectors import household_detail, households_visible_to

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def family(add_child):
    """Two siblings of commune X with their mother as primary carer, and their father as a second carer."""
    elder = add_child("Giàng Thị Mai", sex="F", born=years_ago(9), village="Bản Hô Ta", address="Nhà số 4")
    younger = add_child("Giàng A Páo", born=years_ago(4), village="Bản Hô Ta")
    mother = services.carer_link(actor=SYSTEM, child=elder, full_name="Lý Thị Dợ", relation="mother",
                                 phone="0912345678", primary=True).carer
    services.carer_link(actor=SYSTEM, child=younger, carer=mother, relation="mother", primary=True)
    father = services.carer_link(actor=SYSTEM, child=elder, full_name="Giàng A Chứ", relation="father").carer
    return elder, younger, mother, father


@pytest.fixture
def household_x(family, worker_x):
    elder, younger, _mother, _father = family
    household = services.household_create(actor=worker_x, child=elder, data={"poverty_status": "poor"})
    services.child_set_household(actor=worker_x, child=younger, household=household)
    return household


@pytest.fixture
def household_y(add_child, commune_y):
    child = add_child("Sùng A Chứ", commune=commune_y, village="Bản Sin Suối Hồ")
    services.carer_link(actor=SYSTEM, child=child, full_name="Sùng Thị Mỷ", relation="mother", primary=True)
    return services.household_create(actor=SYSTEM, child=child, data={"poverty_status": "near_poor"})


def events(action: str, obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).order_by("at", "id"))


# ---------------------------------------------------------------- services


def test_household_from_a_child_is_prefilled_and_audited(family, worker_x, commune_x):
    elder, _younger, mother, father = family
    household = services.household_create(actor=worker_x, child=elder, data={"poverty_status": "hộ cận nghèo"})
    assert household.commune == commune_x and household.village == "Bản Hô Ta" and household.address == "Nhà số 4"
    assert household.head_name == "Lý Thị Dợ"  # the primary carer, not the father
    assert household.poverty_status == PovertyStatus.NEAR_POOR  # Vietnamese spelling understood
    assert household.search_folded == "ly thi do ban ho ta"
    elder.refresh_from_db()
    mother.refresh_from_db()
    father.refresh_from_db()
    assert elder.household == household and elder.version == 2
    assert mother.household == household and father.household is None  # only the head joins on creation
    created = events("registry.household.create", household)
    assert len(created) == 1 and created[0].actor == worker_x and created[0].unit == commune_x
    assert created[0].summary["head_name"] == [None, "Lý Thị Dợ"]
    assert created[0].summary["poverty_status"] == [None, "near_poor"]
    assert created[0].summary["child"] == str(elder.pk)
    joined = events("registry.child.household_join", elder)
    assert len(joined) == 1 and joined[0].summary == {"household": [None, str(household.pk)]}
    assert events("registry.household.carer_join", household)[0].summary["carer"] == str(mother.pk)


def test_typed_values_override_the_prefill(family, worker_x):
    elder = family[0]
    household = services.household_create(actor=worker_x, child=elder, data={
        "head_name": "  giàng   a  CHỨ ", "address": ""})  # the village left out: the child's
    assert household.head_name == "Giàng A Chứ" and household.village == "Bản Hô Ta" and household.address == ""
    assert household.poverty_status == PovertyStatus.UNKNOWN


def test_a_household_without_a_child_needs_a_commune_in_scope(worker_x, commune_x, commune_y, reference):
    household = services.household_create(actor=worker_x, commune=commune_x, data={"head_name": "Lò Văn Xuân"})
    assert household.commune == commune_x and not household.children.exists()
    with pytest.raises(PermissionDenied):
        services.household_create(actor=worker_x, commune=commune_y, data={"head_name": "Lò Văn Xuân"})
    with pytest.raises(ValidationError):
        services.household_create(actor=worker_x, commune=commune_x, data={"poverty_status": "giàu"})


def test_join_leave_and_move_between_households(family, household_x, worker_x, commune_x):
    _elder, younger, _mother, _father = family
    younger.refresh_from_db()
    assert younger.household == household_x
    assert events("registry.household.child_join", household_x)[0].summary["name"] == "Giàng A Páo"
    with pytest.raises(ValidationError):
        services.child_set_household(actor=worker_x, child=younger, household=household_x)  # already in it
    other = services.household_create(actor=worker_x, commune=commune_x, data={"head_name": "Lò Văn Xuân"})
    services.child_set_household(actor=worker_x, child=younger, household=other)
    younger.refresh_from_db()
    assert younger.household == other
    assert events("registry.household.child_leave", household_x)[0].summary["child"] == str(younger.pk)
    assert events("registry.child.household_join", younger)[-1].summary["household"] == [
        str(household_x.pk), str(other.pk)]
    services.child_leave_household(actor=worker_x, child=younger)
    younger.refresh_from_db()
    assert younger.household is None
    assert events("registry.child.household_leave", younger)[0].summary["household"] == [str(other.pk), None]
    with pytest.raises(ValidationError):
        services.child_leave_household(actor=worker_x, child=younger)
    assert Household.objects.filter(pk=other.pk).exists()  # an empty household stays (it may have carers)


def test_a_child_of_another_commune_cannot_be_added(household_x, add_child, commune_y, worker_x,
                                                    province_officer):
    child_y = add_child("Sùng A Chứ", commune=commune_y)
    for actor in (province_officer, SYSTEM, worker_x):
        with pytest.raises(ValidationError) as error:
            services.child_set_household(actor=actor, child=child_y, household=household_x)
        assert "xã/phường khác" in " ".join(error.value.messages)
    child_y.refresh_from_db()
    assert child_y.household is None
    assert not AuditEvent.objects.filter(action="registry.child.household_join", object_id=str(child_y.pk)).exists()


def test_a_child_off_the_register_cannot_start_or_join_a_household(family, household_x, worker_x, add_child):
    gone = add_child("Lò Văn Hải")
    services.child_mark_in_error(actor=worker_x, child=gone, reason="nhập thử")
    with pytest.raises(ValidationError):
        services.household_create(actor=worker_x, child=gone)
    with pytest.raises(ValidationError):
        services.child_set_household(actor=worker_x, child=gone, household=household_x)


def test_readers_and_other_communes_may_not_write(household_x, household_y, family, leader, worker_x):
    elder = family[0]
    for call in (
        lambda: services.household_create(actor=leader, child=elder),
        lambda: services.household_update(actor=leader, household=household_x, data={"poverty_status": "poor"}),
        lambda: services.child_leave_household(actor=leader, child=elder),
        lambda: services.household_update(actor=worker_x, household=household_y, data={"head_name": "X"}),
    ):
        with pytest.raises(PermissionDenied):
            call()
    household_x.refresh_from_db()
    household_y.refresh_from_db()
    assert household_x.version == 1 and household_y.head_name == "Sùng Thị Mỷ"


def test_update_records_the_changes_and_refuses_stale_versions(household_x, worker_x):
    updated = services.household_update(actor=worker_x, household=household_x, version=1, data={
        "poverty_status": "không", "head_name": "giàng a chứ", "village": "Bản Mới"})
    assert updated.version == 2 and updated.poverty_status == PovertyStatus.NOT_POOR
    assert updated.search_folded == "giang a chu ban moi"
    event = events("registry.household.update", household_x)[0]
    assert event.summary == {"head_name": ["Lý Thị Dợ", "Giàng A Chứ"], "poverty_status": ["poor", "not_poor"],
                             "village": ["Bản Hô Ta", "Bản Mới"]}
    with pytest.raises(services.VersionConflict):
        services.household_update(actor=worker_x, household=household_x, version=1, data={"address": "X"})
    services.household_update(actor=worker_x, household=household_x, version=2, data={"village": "Bản Mới"})
    assert len(events("registry.household.update", household_x)) == 1  # no change, no event
    household_x.refresh_from_db()
    assert household_x.version == 2 and household_x.address == "Nhà số 4"


def test_carers_join_and_leave_the_childs_household(family, household_x, worker_x, add_child):
    elder, _younger, _mother, father = family
    services.carer_set_household(actor=worker_x, child=elder, carer=father)
    father.refresh_from_db()
    assert father.household == household_x
    assert events("registry.household.carer_join", household_x)[-1].summary["name"] == "Giàng A Chứ"
    with pytest.raises(ValidationError):
        services.carer_set_household(actor=worker_x, child=elder, carer=father)  # already in it
    stranger = Carer.objects.create(full_name="Lò Thị Xuân", name_folded="lo thi xuan")
    with pytest.raises(ValidationError):
        services.carer_set_household(actor=worker_x, child=elder, carer=stranger)  # not the child's carer
    services.carer_leave_household(actor=worker_x, household=household_x, carer=father)
    father.refresh_from_db()
    assert father.household is None
    assert events("registry.household.carer_leave", household_x)[0].summary["household"] == [
        str(household_x.pk), None]
    lone = add_child("Lò Văn Hải")
    link = services.carer_link(actor=SYSTEM, child=lone, full_name="Lò Văn Sáu", relation="father")
    with pytest.raises(ValidationError):
        services.carer_set_household(actor=worker_x, child=lone, carer=link.carer)  # the child has no household


def test_a_child_received_by_another_commune_leaves_her_household(client, family, household_x, worker_x, worker_y,
                                                                  commune_y):
    younger = family[1]
    services.child_record_move(actor=worker_x, child=younger, to_commune=commune_y)
    client.force_login(worker_y)  # the receiving commune sees the child, not the household she is leaving
    page = client.get(f"/children/{younger.pk}/").content.decode()
    card = page[page.index('id="household"'):page.index('id="measurements"')]
    assert "do xã/phường nơi trẻ chuyển đi quản lý" in card and "Lý Thị Dợ" not in card
    services.child_accept_move(actor=worker_y, child=younger)
    younger.refresh_from_db()
    assert younger.household is None and younger.commune == commune_y
    event = AuditEvent.objects.get(action="registry.child.accept_move", object_id=str(younger.pk))
    assert event.summary["household"] == [str(household_x.pk), None]


# ---------------------------------------------------------------- selectors


def test_households_are_scoped_like_children(household_x, household_y, worker_x, province_officer, leader,
                                             make_user, an_giang):
    from treem.accounts.models import Role

    assert set(households_visible_to(worker_x)) == {household_x}
    assert set(households_visible_to(province_officer)) == {household_x, household_y}
    assert set(households_visible_to(leader)) == {household_x, household_y}
    other_province = make_user("tinh.angiang", Role.FOCAL_OFFICER, an_giang)
    assert not households_visible_to(other_province).exists()
    with pytest.raises(Http404):  # fetched within the scope: 404 outside
        household_detail(worker_x, household_y.pk)
    detail = household_detail(worker_x, household_x.pk)
    assert [c.full_name for c in detail.members] == ["Giàng Thị Mai", "Giàng A Páo"]  # eldest first
    assert [c.full_name for c in detail.carer_list] == ["Lý Thị Dợ"]


# ---------------------------------------------------------------- UI


def test_child_page_shows_the_household_with_the_siblings(client, family, household_x, worker_x):
    elder, younger, _mother, _father = family
    client.force_login(worker_x)
    page = client.get(f"/children/{younger.pk}/").content.decode()
    card = page[page.index('id="household"'):page.index('id="measurements"')]
    assert "Hộ gia đình" in card and "Chủ hộ" in card and "Lý Thị Dợ" in card
    assert "Hộ nghèo" in card and "Bản Hô Ta" in card
    assert "Các trẻ khác trong hộ" in card and f'href="/children/{elder.pk}/#household"' in card
    assert "Giàng Thị Mai" in card and "Giàng A Páo" not in card.split("Các trẻ khác trong hộ")[1].split(
        "Người chăm sóc trong hộ")[0]
    assert "Người chăm sóc trong hộ" in card and "0912345678" in card
    assert "Rời khỏi hộ" in card and f"/children/households/{household_x.pk}/" in card
    history = page[page.index('id="history-h"'):]
    assert "Vào hộ gia đình" in history and "Lý Thị Dợ" in history  # the history names the household by its head


def test_child_without_household_offers_to_create_or_find_one(client, family, worker_x, leader):
    elder = family[0]
    client.force_login(worker_x)
    page = client.get(f"/children/{elder.pk}/").content.decode()
    assert "Chưa thuộc hộ gia đình nào." in page and "Tạo hộ gia đình cho trẻ" in page
    assert 'value="Lý Thị Dợ"' in page  # the form is prefilled with the primary carer
    assert "Tên chủ hộ hoặc thôn/bản" in page
    client.force_login(leader)
    page = client.get(f"/children/{elder.pk}/").content.decode()
    assert "Chưa thuộc hộ gia đình nào." in page and "Tạo hộ gia đình cho trẻ" not in page


def test_worker_creates_finds_joins_edits_and_leaves_through_the_ui(client, family, worker_x):
    elder, younger, mother, father = family
    client.force_login(worker_x)
    response = client.post(f"/children/{elder.pk}/household/new/", {
        "head_name": "Lý Thị Dợ", "poverty_status": "near_poor", "village": "Bản Hô Ta", "address": ""})
    household = Household.objects.get()
    assert response.status_code == 302 and response.url == f"/children/households/{household.pk}/"
    assert household.poverty_status == "near_poor" and household.address == ""
    page = client.get(response.url).content.decode()
    assert "Hộ Lý Thị Dợ" in page and "Hộ cận nghèo" in page and "Giàng Thị Mai" in page
    assert "Người chăm sóc của các trẻ chưa thuộc hộ" in page and "Giàng A Chứ" in page  # the father, to add
    assert AuditEvent.objects.filter(action="registry.household.view", object_id=str(household.pk)).exists()

    found = client.get(f"/children/{younger.pk}/household/", {"q": "ly do"}).content.decode()  # no diacritics
    assert "Lý Thị Dợ" in found and "Thêm vào hộ này" in found
    assert "Lý Thị Dợ" not in client.get(f"/children/{younger.pk}/household/", {"q": "sung"}).content.decode()
    by_village = client.get(f"/children/{younger.pk}/household/").content.decode()  # nothing typed: her village
    assert "Lý Thị Dợ" in by_village and "Bản Hô Ta" in by_village
    response = client.post(f"/children/{younger.pk}/household/join/", {"household": str(household.pk)})
    assert response.status_code == 302
    younger.refresh_from_db()
    assert younger.household == household

    response = client.post(f"/children/households/{household.pk}/carers/add/", {
        "carer": str(father.pk), "child": str(elder.pk)})
    father.refresh_from_db()
    assert response.status_code == 302 and father.household == household

    edit = {"head_name": "Giàng A Chứ", "poverty_status": "poor", "village": "Bản Hô Ta", "address": "Đội 3",
            "version": household.version}
    assert client.post(f"/children/households/{household.pk}/", edit).status_code == 302
    household.refresh_from_db()
    assert household.head_name == "Giàng A Chứ" and household.poverty_status == "poor" and household.version == 2
    stale = client.post(f"/children/households/{household.pk}/", {**edit, "address": "Đội 4", "version": 1})
    assert stale.status_code == 409 and "Người khác đã sửa hồ sơ này" in stale.content.decode()
    household.refresh_from_db()
    assert household.address == "Đội 3"

    response = client.post(f"/children/{younger.pk}/household/leave/")
    younger.refresh_from_db()
    assert response.status_code == 302 and younger.household is None
    assert client.post(f"/children/households/{household.pk}/carers/remove/",
                       {"carer": str(mother.pk)}).status_code == 302
    mother.refresh_from_db()
    assert mother.household is None


def test_households_page_lists_the_communes_households_and_nothing_else(client, household_x, household_y, worker_x,
                                                                       commune_y):
    client.force_login(worker_x)
    assert 'href="/children/households/"' in client.get("/children/").content.decode()
    page = client.get("/children/households/").content.decode()
    assert "Hộ gia đình" in page and "1 hộ" in page
    assert f'/children/households/{household_x.pk}/' in page and "Lý Thị Dợ" in page and "Hộ nghèo" in page
    assert "2 trẻ trong sổ" in page and "Bản Hô Ta" in page
    assert "Sùng Thị Mỷ" not in page and str(household_y.pk) not in page
    # Another commune's code in the address is not a way in: the worker's own commune is listed instead.
    other = client.get(f"/children/households/?commune={commune_y.code}&q=sung").content.decode()
    assert "Sùng Thị Mỷ" not in other and "Không có hộ nào phù hợp." in other
    found = client.get("/children/households/?q=ly+do").content.decode()  # no diacritics
    assert "Lý Thị Dợ" in found
    filtered = client.get("/children/households/?poverty_status=near_poor").content.decode()
    assert "Không có hộ nào phù hợp." in filtered and "Lý Thị Dợ" not in filtered


def test_households_page_asks_a_province_officer_to_narrow_first(client, household_x, household_y, province_officer,
                                                                commune_y):
    client.force_login(province_officer)
    page = client.get("/children/households/").content.decode()
    assert "Chọn xã/phường, hoặc gõ tên chủ hộ hay thôn/bản" in page and "Lý Thị Dợ" not in page
    one = client.get(f"/children/households/?commune={commune_y.code}").content.decode()
    assert "Sùng Thị Mỷ" in one and "Hộ cận nghèo" in one and "Lý Thị Dợ" not in one
    across = client.get("/children/households/?q=ban").content.decode()  # every village is a "Bản"
    assert "Sùng Thị Mỷ" in across and "Lý Thị Dợ" in across and "2 hộ" in across


def test_worker_of_another_commune_gets_404_through_the_ui(client, household_x, household_y, worker_x, family):
    elder = family[0]
    child_y = household_y.children.get()
    client.force_login(worker_x)
    assert client.get(f"/children/households/{household_y.pk}/").status_code == 404
    assert client.post(f"/children/households/{household_y.pk}/", {
        "head_name": "X", "poverty_status": "poor", "version": 1}).status_code == 404
    carer_y = Carer.objects.get(household=household_y)
    assert client.post(f"/children/households/{household_y.pk}/carers/remove/",
                       {"carer": str(carer_y.pk)}).status_code == 404
    for path in ("household/", "household/new/", "household/join/", "household/leave/"):
        method = client.get if path == "household/" else client.post
        assert method(f"/children/{child_y.pk}/{path}", {"household": str(household_x.pk)}).status_code == 404
    # Her own child into the other commune's household: the household is out of reach.
    assert client.post(f"/children/{elder.pk}/household/join/",
                       {"household": str(household_y.pk)}).status_code == 404
    household_y.refresh_from_db()
    child_y.refresh_from_db()
    elder.refresh_from_db()
    assert household_y.version == 1 and child_y.household == household_y and elder.household == household_x
    assert not AuditEvent.objects.filter(action="registry.household.view", object_id=str(household_y.pk)).exists()


def test_leader_reads_but_gets_403_on_writes_through_the_ui(client, household_x, family, leader):
    elder, _younger, mother, _father = family
    client.force_login(leader)
    page = client.get(f"/children/households/{household_x.pk}/")
    assert page.status_code == 200 and "Sửa thông tin hộ" not in page.content.decode()
    assert client.post(f"/children/households/{household_x.pk}/", {
        "head_name": "X", "poverty_status": "not_poor", "version": 1}).status_code == 403
    assert client.post(f"/children/households/{household_x.pk}/carers/remove/",
                       {"carer": str(mother.pk)}).status_code == 403
    assert client.get(f"/children/{elder.pk}/household/").status_code == 403
    assert client.post(f"/children/{elder.pk}/household/new/", {"poverty_status": "poor"}).status_code == 403
    assert client.post(f"/children/{elder.pk}/household/join/",
                       {"household": str(household_x.pk)}).status_code == 403
    assert client.post(f"/children/{elder.pk}/household/leave/").status_code == 403
    household_x.refresh_from_db()
    elder.refresh_from_db()
    assert household_x.version == 1 and household_x.poverty_status == "poor" and elder.household == household_x
    assert Household.objects.count() == 1


def test_group_n_child_without_a_poor_household_is_flagged(client, family, worker_x):
    elder = family[0]
    services.circumstance_add(actor=worker_x, child=elder, group="n")
    client.force_login(worker_x)
    assert "nhóm n" in client.get(f"/children/{elder.pk}/").content.decode()
    household = services.household_create(actor=worker_x, child=elder, data={"poverty_status": "not_poor"})
    assert "nhóm n" in client.get(f"/children/{elder.pk}/").content.decode()
    services.household_update(actor=worker_x, household=household, data={"poverty_status": "poor"})
    assert "Trẻ thuộc nhóm n" not in client.get(f"/children/{elder.pk}/").content.decode()


# ---------------------------------------------------------------- API


def test_api_lists_filters_and_retrieves(household_x, household_y, family, province_officer, worker_x, commune_x,
                                         commune_y):
    client = api(province_officer)
    rows = client.get("/api/v1/households/").json()
    assert rows["count"] == 2
    assert client.get("/api/v1/households/", {"commune": commune_y.code}).json()["results"][0]["id"] == str(
        household_y.pk)
    found = client.get("/api/v1/households/", {"q": "ly thi"}).json()["results"]
    assert [r["head_name"] for r in found] == ["Lý Thị Dợ"]
    assert client.get("/api/v1/households/", {"q": "ban sin"}).json()["count"] == 1  # by village
    assert client.get("/api/v1/households/", {"q": "thi do ta"}).json()["count"] == 1  # any word order
    assert client.get("/api/v1/households/", {"q": "hi"}).json()["count"] == 0  # words start with what is typed
    assert client.get("/api/v1/households/", {"poverty_status": "near_poor"}).json()["results"][0]["commune"] == \
        commune_y.code
    body = client.get(f"/api/v1/households/{household_x.pk}/").json()
    assert body["head_name"] == "Lý Thị Dợ" and body["poverty_status"] == "poor" and body["commune"] == commune_x.code
    assert [c["full_name"] for c in body["children"]] == ["Giàng Thị Mai", "Giàng A Páo"]
    assert [c["full_name"] for c in body["carers"]] == ["Lý Thị Dợ"]
    assert AuditEvent.objects.filter(action="registry.household.view", object_id=str(household_x.pk)).exists()
    child = api(worker_x).get(f"/api/v1/children/{family[0].pk}/").json()
    assert child["household"] == str(household_x.pk)
    assert api(worker_x).get(f"/api/v1/children/{family[0].pk}/household/").status_code == 404  # no such route
    assert client.get("/api/v1/children/", {"q": "lo van"}).status_code == 200


def test_api_creates_updates_and_manages_members(family, worker_x, commune_x):
    elder, younger, _mother, father = family
    client = api(worker_x)
    created = client.post("/api/v1/households/", {"child": str(elder.pk), "poverty_status": "near_poor"},
                          format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["head_name"] == "Lý Thị Dợ" and body["village"] == "Bản Hô Ta" and body["version"] == 1
    assert [c["id"] for c in body["children"]] == [str(elder.pk)]
    url = f"/api/v1/households/{body['id']}/"
    assert client.patch(url, {"poverty_status": "poor"}, format="json").status_code == 400  # no version
    ok = client.patch(url, {"poverty_status": "poor", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["poverty_status"] == "poor" and ok.json()["version"] == 2
    assert client.patch(url, {"address": "X", "version": 1}, format="json").status_code == 409
    assert client.patch(url, {"poverty_status": "rich", "version": 2}, format="json").status_code == 400
    joined = client.post(f"{url}add-child/", {"child": str(younger.pk)}, format="json")
    assert joined.status_code == 200 and len(joined.json()["children"]) == 2
    added = client.post(f"{url}add-carer/", {"carer": str(father.pk), "child": str(elder.pk)}, format="json")
    assert added.status_code == 200 and {c["full_name"] for c in added.json()["carers"]} == {"Lý Thị Dợ",
                                                                                             "Giàng A Chứ"}
    removed = client.post(f"{url}remove-carer/", {"carer": str(father.pk)}, format="json")
    assert removed.status_code == 200 and len(removed.json()["carers"]) == 1
    left = client.post(f"{url}remove-child/", {"child": str(younger.pk)}, format="json")
    assert left.status_code == 200 and [c["id"] for c in left.json()["children"]] == [str(elder.pk)]
    bare = client.post("/api/v1/households/", {"commune": commune_x.code, "head_name": "lò văn xuân"},
                       format="json")
    assert bare.status_code == 201 and bare.json()["head_name"] == "Lò Văn Xuân" and bare.json()["children"] == []
    assert AuditEvent.objects.filter(action__startswith="registry.household.", actor=worker_x).count() >= 7


def test_api_scope_attacks(household_x, household_y, family, worker_x, province_officer, leader, commune_y):
    child_y = household_y.children.get()
    elder = family[0]
    client = api(worker_x)
    assert {r["id"] for r in client.get("/api/v1/households/").json()["results"]} == {str(household_x.pk)}
    assert client.get("/api/v1/households/", {"commune": commune_y.code}).json()["count"] == 0
    y_url = f"/api/v1/households/{household_y.pk}/"
    assert client.get(y_url).status_code == 404
    assert client.patch(y_url, {"head_name": "X", "version": 1}, format="json").status_code == 404
    assert client.post(f"{y_url}add-child/", {"child": str(elder.pk)}, format="json").status_code == 404
    x_url = f"/api/v1/households/{household_x.pk}/"
    # A commune-Y child into her own household: the child is out of her reach.
    assert client.post(f"{x_url}add-child/", {"child": str(child_y.pk)}, format="json").status_code == 404
    assert client.post("/api/v1/households/", {"child": str(child_y.pk)}, format="json").status_code == 404
    assert client.post("/api/v1/households/", {"commune": commune_y.code}, format="json").status_code == 403
    # A province officer sees both communes, but a household holds its own commune's children only.
    refused = api(province_officer).post(f"{x_url}add-child/", {"child": str(child_y.pk)}, format="json")
    assert refused.status_code == 400 and "child" in refused.json()
    reader = api(leader)
    assert reader.get(x_url).status_code == 200 and reader.get("/api/v1/households/").json()["count"] == 2
    assert reader.patch(x_url, {"poverty_status": "not_poor", "version": 1}, format="json").status_code == 403
    assert reader.post("/api/v1/households/", {"child": str(elder.pk)}, format="json").status_code == 403
    assert reader.post(f"{x_url}remove-child/", {"child": str(elder.pk)}, format="json").status_code == 403
    household_x.refresh_from_db()
    household_y.refresh_from_db()
    child_y.refresh_from_db()
    assert household_x.version == 1 and household_y.version == 1 and child_y.household == household_y
    assert Household.objects.count() == 2


def test_openapi_schema_lists_the_households(client, worker_x):
    client.force_login(worker_x)
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/households/" in schema and "add-child" in schema


# ---------------------------------------------------------------- demo


def test_demo_groups_siblings_into_households_idempotently(db):
    from treem.accounts import demo as accounts_demo

    accounts_demo.load(StringIO())
    demo.load(StringIO())
    households = Household.objects.all()
    total = households.count()
    children = Child.objects.filter(source="demo")
    assert not children.filter(household__isnull=True).exists()  # every demo child lives in a household
    assert total < children.count()  # siblings share one
    sizes = Counter(children.values_list("household_id", flat=True))
    assert max(sizes.values()) >= 2
    statuses = Counter(households.values_list("poverty_status", flat=True))
    assert 0.02 < statuses[PovertyStatus.POOR] / total < 0.10
    assert 0.02 < statuses[PovertyStatus.NEAR_POOR] / total < 0.10
    assert statuses[PovertyStatus.NOT_POOR] > total / 2
    for household in households.filter(pk__in=[pk for pk, n in sizes.items() if n >= 2][:20]):
        members = list(household.children.all())
        assert len({c.commune_id for c in members}) == 1 and members[0].commune_id == household.commune_id
        heads = set(ChildCarer.objects.filter(child__in=members, primary=True).values_list("carer__full_name",
                                                                                            flat=True))
        assert heads == {household.head_name}
        assert household.carers.get().full_name == household.head_name
    ill = ChildCircumstance.objects.filter(group__code="n", child__source="demo").values_list(
        "child__household__poverty_status", flat=True)
    assert set(ill) <= {PovertyStatus.POOR, PovertyStatus.NEAR_POOR}
    assert AuditEvent.objects.filter(action="registry.household.create").count() == total
    snapshot = sorted(households.values_list("commune__code", "head_name", "village", "poverty_status"))
    demo.load(StringIO())
    assert Household.objects.count() == total
    assert sorted(Household.objects.values_list("commune__code", "head_name", "village", "poverty_status")) == \
        snapshot


def test_demo_households_are_the_same_on_every_installation(db):
    """Same seed, same households: the statuses do not depend on the random ids of the rows."""
    from treem.accounts import demo as accounts_demo

    accounts_demo.load(StringIO())
    demo.load(StringIO())
    first = sorted(Household.objects.values_list("commune__code", "head_name", "village", "poverty_status"))
    Child.objects.filter(source="demo").update(household=None)
    Carer.objects.update(household=None)
    AuditEvent.objects.filter(action="registry.household.create").delete()
    Household.objects.all().delete()
    demo.load(StringIO())  # the children are there: only the households are made again
    assert sorted(Household.objects.values_list("commune__code", "head_name", "village", "poverty_status")) == first


# ---------------------------------------------------------------- a real phone-sized browser


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_household_card_and_page_on_a_phone(live_server, settings, tmp_path):
    from django.core.management import call_command

    from tests.browser import chromium_page, login

    settings.VAR_DIR = tmp_path
    call_command("bootstrap", "--demo", stdout=StringIO())
    password = (tmp_path / "demo_password").read_text().strip()
    sizes = Counter(Child.objects.filter(commune__code="03390", status="active").values_list("household_id",
                                                                                             flat=True))
    household = (Household.objects.filter(pk__in=[pk for pk, n in sizes.items() if n >= 2],
                                          poverty_status__in=[PovertyStatus.POOR, PovertyStatus.NEAR_POOR])
                 .order_by("search_folded").first())
    assert household is not None
    child = household.children.filter(status="active").order_by("-birth_date").first()
    sibling = household.children.exclude(pk=child.pk).filter(status="active").first()
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium_page() as page:
        login(page, live_server.url, "canbo.binhlu", password)
        # The commune's households, found by the head's name typed without diacritics.
        page.goto(f"{live_server.url}/children/")
        page.get_by_role("link", name="Hộ gia đình").click()
        page.wait_for_url("**/children/households/")
        page.get_by_placeholder("Tên chủ hộ hoặc thôn/bản").fill(fold(household.head_name))
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_url("**/children/households/?q=*")
        assert page.get_by_role("link", name=household.head_name).first.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "household-list-phone.png"), full_page=True)
        page.goto(f"{live_server.url}/children/{child.pk}/#household")
        card = page.locator("#household")
        card.get_by_role("heading", name="Hộ gia đình").wait_for()
        text = card.inner_text()
        assert household.head_name in text and household.get_poverty_status_display() in text
        assert sibling.full_name in text and "Các trẻ khác trong hộ" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
        card.screenshot(path=str(ARTIFACTS / "household-card-phone.png"))
        page.screenshot(path=str(ARTIFACTS / "household-child-page-phone.png"), full_page=True)
        card.get_by_role("link", name="Trang hộ gia đình").click()
        page.wait_for_url(f"**/children/households/{household.pk}/")
        assert page.get_by_role("heading", name=f"Hộ {household.head_name}").is_visible()
        main = page.locator("main").inner_text()
        assert child.full_name in main and sibling.full_name in main and "Trẻ em trong hộ" in main
        page.get_by_text("Sửa thông tin hộ").click()
        page.get_by_label("Hộ nghèo, cận nghèo").select_option("not_poor")
        page.screenshot(path=str(ARTIFACTS / "household-page-phone.png"), full_page=True)
        page.get_by_role("button", name="Lưu lại").click()  # Django's own catalog words it so
        page.wait_for_url(f"**/children/households/{household.pk}/")
        assert "Đã lưu thay đổi." in page.locator("main").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        # The child leaves, then is found again by her head's name typed without diacritics.
        page.goto(f"{live_server.url}/children/{child.pk}/#household")
        page.get_by_role("button", name="Rời khỏi hộ").click()
        page.wait_for_url(f"**/children/{child.pk}/*")
        card = page.locator("#household")
        assert "Chưa thuộc hộ gia đình nào." in card.inner_text()
        card.get_by_text("Tạo hộ gia đình cho trẻ").click()
        card.screenshot(path=str(ARTIFACTS / "household-card-empty-phone.png"))
        # Heads share names (two Cầm Thị Ơn in Bình Lư): her name and the village, as a worker would type them.
        card.get_by_placeholder("Tên chủ hộ hoặc thôn/bản").fill(fold(f"{household.head_name} {household.village}"))
        card.get_by_role("button", name="Tìm").click()
        page.wait_for_url(f"**/children/{child.pk}/household/?q=*")
        row = page.locator("li", has_text=household.head_name).filter(has_text=household.village)
        assert "Không nghèo" in row.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "household-picker-phone.png"), full_page=True)
        row.get_by_role("button", name="Thêm vào hộ này").click()
        page.wait_for_url(f"**/children/{child.pk}/*")
        assert f"{child.full_name} nay thuộc hộ {household.head_name}." in page.locator("main").inner_text()
    household.refresh_from_db()
    child.refresh_from_db()
    assert household.poverty_status == PovertyStatus.NOT_POOR and household.version == 2
    assert child.household == household
