"""Reading a list of children (or households) is logged like reading one child: through the UI and the API, with the
filters, the number shown and the commune or province concerned, so that the auditors of that unit see who looked."""

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    api,
    reference_fixture,
)
from treem.accounts.models import Role
from treem.audit.models import AuditEvent
from treem.audit.selectors import audit_events_visible_to
from treem.registry import services


def only_event(action: str) -> AuditEvent:
    [event] = AuditEvent.objects.filter(action=action)
    return event


def test_a_search_in_the_ui_is_logged_with_its_words_and_commune(client, worker_x, commune_x, add_child):
    add_child("Lò Văn Sơn")
    add_child("Lò Thị Ơn", sex="F")
    client.force_login(worker_x)
    assert "Lò Văn Sơn" in client.get("/children/", {"q": "lo van", "sex": "M"}).content.decode()
    event = only_event("registry.child.list")
    assert event.actor == worker_x and event.unit == commune_x and event.object_id == ""
    assert event.summary == {"filters": {"q": "lo van", "sex": "M"}, "shown": 1, "page": 1, "via": "web"}


def test_api_lists_are_logged_and_a_province_reader_is_logged_against_her_province(
        province_officer, worker_x, lai_chau, commune_x, commune_y, add_child, make_user):
    add_child("Lò Văn Sơn")
    add_child("Sùng A Chứ", commune=commune_y)
    assert len(api(province_officer).get("/api/v1/children/").json()["results"]) == 2
    event = only_event("registry.child.list")
    assert event.actor == province_officer and event.unit == lai_chau
    assert event.summary == {"filters": {}, "shown": 2, "page": "1", "via": "api"}
    AuditEvent.objects.all().delete()

    api(worker_x).get("/api/v1/children/", {"paging": "cursor", "village": "Bản 9"})
    event = only_event("registry.child.list")
    assert event.unit == commune_x and event.summary == {"filters": {"village": "Bản 9"}, "shown": 0,
                                                         "page": "cursor", "via": "api"}
    # The province's auditor reads it; another province's does not.
    auditor = make_user("kiemtoan.laichau", Role.AUDITOR, lai_chau)
    assert audit_events_visible_to(auditor).filter(pk=event.pk).exists()


def test_a_commune_outside_the_scope_in_the_address_does_not_file_the_event_there(
        client, worker_x, commune_x, commune_y, add_child):
    client.force_login(worker_x)
    client.get("/children/", {"commune": commune_y.code})
    assert only_event("registry.child.list").unit == commune_x


def test_household_lists_are_logged(client, worker_x, commune_x, add_child):
    child = add_child("Giàng Thị Mai", sex="F", village="Bản Hô Ta")
    services.carer_link(actor=worker_x, child=child, full_name="Lý Thị Dợ", relation="mother", primary=True)
    services.household_create(actor=worker_x, child=child, data={"poverty_status": "poor"})
    client.force_login(worker_x)
    client.get("/children/households/", {"q": "ly do"})
    event = only_event("registry.household.list")
    assert event.unit == commune_x and event.summary["filters"] == {"q": "ly do", "commune": commune_x.code}
    assert event.summary["shown"] == 1
    api(worker_x).get("/api/v1/households/", {"poverty_status": "poor"})
    [_, by_api] = AuditEvent.objects.filter(action="registry.household.list").order_by("at", "id")
    assert by_api.summary == {"filters": {"poverty_status": "poor"}, "shown": 1, "page": "1", "via": "api"}


def test_carer_and_circumstance_lists_of_the_api_are_logged(worker_x, commune_x, add_child):
    child = add_child("Giàng Thị Mai", sex="F")
    services.carer_link(actor=worker_x, child=child, full_name="Lý Thị Dợ", relation="mother", primary=True)
    client = api(worker_x)
    assert len(client.get("/api/v1/carers/").json()["results"]) == 1
    assert client.get("/api/v1/circumstances/", {"page": "1"}).status_code == 200
    carers, circumstances = only_event("registry.carer.list"), only_event("registry.childcircumstance.list")
    assert carers.unit == circumstances.unit == commune_x
    assert carers.summary["shown"] == 1 and circumstances.summary == {"filters": {}, "shown": 0, "page": "1",
                                                                      "via": "api"}
