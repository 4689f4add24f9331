"""A child added by hand whose carer is already on the register (same name, folded, and same phone) is offered that
carer's household, as the import groups siblings (issue 11, finding 2): the live check and the form show the offer,
saving with it reuses the carer record and joins the household (audited), the API does the same with
`join_household_of_carer`; nobody is offered the household of a carer of a commune she may not edit."""

import pytest

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    api,
    reference_fixture,
    worker_y_fixture,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.registry import services
from treem.registry.models import Carer, Child, ChildCarer

OFFER = "Tham gia hộ của Lý Thị Dợ (Bản Hô Ta), có 2 trẻ"


@pytest.fixture
def family(add_child):
    """Two siblings of commune X in one household headed by their mother, Lý Thị Dợ (0912 345 678)."""
    elder = add_child("Giàng Thị Mai", sex="F", born=years_ago(9), village="Bản Hô Ta")
    younger = add_child("Giàng A Páo", born=years_ago(4), village="Bản Hô Ta")
    mother = services.carer_link(actor=SYSTEM, child=elder, full_name="Lý Thị Dợ", relation="mother",
                                 phone="0912 345 678", primary=True).carer
    services.carer_link(actor=SYSTEM, child=younger, carer=mother, relation="mother", primary=True)
    household = services.household_create(actor=SYSTEM, child=elder)
    services.child_set_household(actor=SYSTEM, child=younger, household=household)
    return household, mother


def new_child(commune, **extra) -> dict:
    return {"commune": commune.code, "full_name": "Giàng A Chứ", "sex": "M",
            "birth_date": years_ago(2).strftime("%d/%m/%Y"), "birth_registered": "unknown",
            "attends_school": "unknown", "immunisation": "unknown", "disability": "unknown",
            "carer_name": "ly thi do", "carer_relation": "mother", "carer_phone": "0912345678", **extra}


def test_the_live_check_offers_the_household_of_the_same_carer(client, family, worker_x, commune_x):
    _household, mother = family
    client.force_login(worker_x)
    page = client.post("/children/check/", new_child(commune_x)).content.decode()
    assert OFFER in page and f'value="{mother.pk}"' in page
    event = AuditEvent.objects.filter(action="registry.household.list", actor=worker_x).latest("id")
    assert event.summary["filters"] == {"carer_of": "ly thi do", "commune": commune_x.code}
    # another phone, or no phone: not the same carer (a name alone cannot tell two mothers of a village apart)
    for phone in ("0987654321", ""):
        assert "Tham gia hộ" not in client.post("/children/check/",
                                                new_child(commune_x, carer_phone=phone)).content.decode()


def test_saving_with_the_offer_joins_the_household_and_reuses_the_carer(client, family, worker_x, commune_x):
    household, mother = family
    client.force_login(worker_x)
    carers = Carer.objects.count()
    response = client.post("/children/new/", new_child(commune_x, join_household=str(mother.pk)))
    assert response.status_code == 302
    child = Child.objects.get(full_name="Giàng A Chứ")
    assert child.household_id == household.pk
    assert Carer.objects.count() == carers  # no second record of the same mother
    link = ChildCarer.objects.get(child=child)
    assert (link.carer_id, link.relation, link.primary) == (mother.pk, "mother", True)
    actions = set(AuditEvent.objects.filter(object_id=str(child.pk)).values_list("action", flat=True))
    assert {"registry.child.create", "registry.child.carer_link", "registry.child.household_join"} <= actions
    assert AuditEvent.objects.filter(action="registry.household.child_join", object_id=str(household.pk)).exists()
    page = client.get(f"/children/households/{household.pk}/").content.decode()
    assert "Giàng Thị Mai" in page and "Giàng A Páo" in page and "Giàng A Chứ" in page


def test_saving_without_the_offer_keeps_a_new_carer_and_no_household(client, family, worker_x, commune_x):
    client.force_login(worker_x)
    carers = Carer.objects.count()
    assert client.post("/children/new/", new_child(commune_x)).status_code == 302
    child = Child.objects.get(full_name="Giàng A Chứ")
    assert child.household_id is None and Carer.objects.count() == carers + 1


def test_a_forged_choice_is_not_a_household(client, family, worker_x, commune_x, add_child):
    """The household is the one the offer computes from what was typed, never the one the browser sends."""
    _household, _mother = family
    other = services.carer_link(actor=SYSTEM, child=add_child("Lò Văn Sáng"), full_name="Lò Thị Ơn",
                                relation="mother", phone="0977000111").carer
    client.force_login(worker_x)
    assert client.post("/children/new/", new_child(commune_x, join_household=str(other.pk))).status_code == 302
    assert Child.objects.get(full_name="Giàng A Chứ").household_id is None


def test_no_offer_from_a_commune_the_reader_may_not_edit(family, worker_y, commune_x, make_user, lai_chau):
    from treem.accounts.models import Role
    from treem.registry.selectors import household_offer

    assert household_offer(worker_y, commune=commune_x, carer_name="Lý Thị Dợ", carer_phone="0912345678") is None
    leader = make_user("lanhdao.laichau", Role.LEADER, lai_chau)  # reads the register, does not edit it
    assert household_offer(leader, commune=commune_x, carer_name="Lý Thị Dợ", carer_phone="0912345678") is None


def test_the_api_joins_the_household_of_a_carer(family, worker_x, worker_y, commune_x, commune_y):
    household, mother = family
    body = {"commune": commune_x.code, "full_name": "Giàng A Chứ", "sex": "M",
            "birth_date": years_ago(2).isoformat(), "join_household_of_carer": str(mother.pk),
            "carer_relation": "mother"}
    carers = Carer.objects.count()
    response = api(worker_x).post("/api/v1/children/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["household"] == str(household.pk) and Carer.objects.count() == carers
    assert ChildCarer.objects.get(child_id=response.json()["id"]).carer_id == mother.pk
    # a carer of another commune, or one that does not exist: refused, nothing created
    for carer in (str(mother.pk), "00000000-0000-0000-0000-000000000000"):
        refused = api(worker_y).post("/api/v1/children/", {**body, "commune": commune_y.code,
                                                           "join_household_of_carer": carer}, format="json")
        assert refused.status_code == 400 and "join_household_of_carer" in refused.json()
    assert not Child.objects.filter(commune=commune_y, full_name="Giàng A Chứ").exists()
    schema = api(worker_x).get("/api/v1/schema/").content.decode()
    assert "join_household_of_carer" in schema
