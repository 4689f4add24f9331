"""Registry services: normalisation, scope checks, audit in the same transaction, optimistic locking, moves."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    chair_x_fixture,
    leader_fixture,
    pid,
    reference_fixture,
    worker_y_fixture,
    years_ago,
)
from treem.audit.models import AuditEvent
from treem.core.actors import SYSTEM
from treem.geo.models import Unit
from treem.registry import services
from treem.registry.models import Child, ChildStatus, Measurement
from treem.registry.selectors import children_visible_to, incoming_children


def test_create_normalises_name_dates_and_keeps_the_province(worker_x, commune_x, reference):
    child = services.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "  nguye\u0302\u0303n   VĂN đức ", "sex": "Nam", "birth_date": "5/3/2018",
        "personal_id": "012 218 000 123", "ethnicity": "dt kinh", "village": " Bản  Nà Khuồng "})
    assert child.full_name == "Nguyễn Văn Đức"  # NFC, title case, single spaces
    assert child.name_folded == "nguyen van duc"
    assert child.birth_date == date(2018, 3, 5) and child.sex == "M"
    assert child.personal_id == "012218000123" and child.ethnicity == "Kinh" and child.village == "Bản Nà Khuồng"
    assert child.province_id == commune_x.province_id
    event = AuditEvent.objects.get(action="registry.child.create", object_id=str(child.pk))
    assert event.actor == worker_x and event.unit == commune_x
    assert event.summary["full_name"] == [None, "Nguyễn Văn Đức"]


def test_personal_id_problems_are_findings_not_refusals(worker_x, commune_x, reference):
    born = years_ago(6)
    child = services.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Thị Ơn", "sex": "F", "birth_date": born, "personal_id": pid("M", born, 7)})
    assert child.pk and "id_sex_mismatch" in child.quality_flags and child.has_quality_issues
    no_id = services.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Lò Văn Sơn", "sex": "M", "birth_date": born})
    assert no_id.quality_flags == ["id_missing"]


@pytest.mark.parametrize(("birth", "message"), [
    (date.today() + timedelta(days=3), "tương lai"),
    (years_ago(16, days=1), "dưới 16 tuổi"),
    ("31/02/2019", "không tồn tại"),
    ("", "ngày sinh"),
])
def test_impossible_birth_dates_are_refused(worker_x, commune_x, reference, birth, message):
    with pytest.raises(ValidationError) as error:
        services.child_create(actor=worker_x, commune=commune_x, data={
            "full_name": "Giàng A Páo", "sex": "M", "birth_date": birth})
    assert message in " ".join(error.value.message_dict["birth_date"])
    assert not Child.objects.exists() and not AuditEvent.objects.filter(action="registry.child.create").exists()


def test_viewers_and_other_communes_cannot_write(commune_x, commune_y, worker_x, chair_x, leader, add_child):
    child = add_child()
    data = {"full_name": "Thào A Sính", "sex": "M", "birth_date": years_ago(3)}
    for actor in (chair_x, leader):
        with pytest.raises(PermissionDenied):
            services.child_create(actor=actor, commune=commune_x, data=data)
        with pytest.raises(PermissionDenied):
            services.child_update(actor=actor, child=child, data={"village": "Bản Mới"}, version=child.version)
    with pytest.raises(PermissionDenied):
        services.child_create(actor=worker_x, commune=commune_y, data=data)
    child.refresh_from_db()
    assert child.village == "" and Child.objects.count() == 1


def test_audit_event_is_written_in_the_service_transaction(worker_x, add_child, monkeypatch):
    child = add_child()

    def broken_record(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", broken_record)
    with pytest.raises(RuntimeError):
        services.child_update(actor=worker_x, child=child, data={"village": "Bản Hô Ta"}, version=child.version)
    child.refresh_from_db()
    assert child.village == "" and child.version == 1  # the change rolled back with the missing event

    monkeypatch.undo()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.child_update(actor=worker_x, child=child, data={"village": "Bản Hô Ta"}, version=child.version)
        raise RuntimeError("caller fails after the service")
    assert not AuditEvent.objects.filter(action="registry.child.update").exists()


def test_update_records_the_change_and_bumps_the_version(worker_x, add_child):
    child = add_child(village="Bản 1")
    updated = services.child_update(actor=worker_x, child=child, data={"village": "Bản 2", "grade": "3A"},
                                    version=1)
    assert updated.version == 2
    event = AuditEvent.objects.get(action="registry.child.update")
    assert event.summary == {"grade": ["", "3A"], "village": ["Bản 1", "Bản 2"]}


def test_stale_version_is_refused_and_nothing_is_overwritten(worker_x, add_child):
    child = add_child()
    first_reader_version = child.version
    services.child_update(actor=worker_x, child=child, data={"village": "Bản A"}, version=first_reader_version)
    with pytest.raises(services.VersionConflict) as conflict:
        services.child_update(actor=worker_x, child=child, data={"village": "Bản B"}, version=first_reader_version)
    assert "Người khác đã sửa hồ sơ này" in str(conflict.value)
    child.refresh_from_db()
    assert child.village == "Bản A" and child.version == 2


def test_move_and_accept(worker_x, worker_y, commune_x, commune_y, add_child):
    child = add_child()
    services.child_record_move(actor=worker_x, child=child, to_commune=commune_y, note="theo mẹ", version=1)
    assert list(incoming_children(worker_y)) == [child]
    assert children_visible_to(worker_y).filter(pk=child.pk).exists()  # the receiving commune sees her
    with pytest.raises(PermissionDenied):
        services.child_accept_move(actor=worker_x, child=child)  # only the receiving commune accepts
    accepted = services.child_accept_move(actor=worker_y, child=child, village="Bản Sin Suối Hồ")
    assert accepted.commune == commune_y and accepted.status == ChildStatus.ACTIVE and accepted.moved_to is None
    assert accepted.province_id == commune_y.province_id
    assert not children_visible_to(worker_x).filter(pk=child.pk).exists()
    assert list(incoming_children(worker_y)) == []
    actions = list(AuditEvent.objects.filter(object_id=str(child.pk)).values_list("action", flat=True))
    assert {"registry.child.move", "registry.child.accept_move"} <= set(actions)


def test_move_to_another_province_and_cancel(worker_x, add_child, an_giang):
    child = add_child()
    other = Unit.objects.filter(province=an_giang, level="commune", system="current").first()
    services.child_record_move(actor=worker_x, child=child, to_commune=other)
    assert child.pk in set(incoming_children(SYSTEM).values_list("pk", flat=True))
    services.child_cancel_move(actor=worker_x, child=child)
    child.refresh_from_db()
    assert child.status == ChildStatus.ACTIVE and child.moved_to is None


def test_status_changes(worker_x, add_child):
    child = add_child()
    with pytest.raises(ValidationError):
        services.child_mark_in_error(actor=worker_x, child=child, reason="  ")
    services.child_mark_in_error(actor=worker_x, child=child, reason="nhập thử")
    child.refresh_from_db()
    assert child.status == ChildStatus.IN_ERROR and child.status_reason == "nhập thử"
    other = add_child("Lò Văn Tâm")
    services.child_mark_deceased(actor=worker_x, child=other, died_on=date.today() - timedelta(days=2))
    other.refresh_from_db()
    assert other.status == ChildStatus.DECEASED and other.status_on == date.today() - timedelta(days=2)


def test_periodic_check_moves_sixteen_year_olds_off_the_register(add_child):
    turning = add_child("Vàng A Dế", born=years_ago(16, days=-3))  # 16 in three days
    young = add_child("Vàng Thị Mỷ", born=years_ago(10))
    assert services.children_mark_over_16(actor=SYSTEM) == 0
    later = date.today() + timedelta(days=3)
    assert services.children_mark_over_16(actor=SYSTEM, today=later) == 1
    turning.refresh_from_db()
    young.refresh_from_db()
    assert turning.status == ChildStatus.OVER_16 and young.status == ChildStatus.ACTIVE
    assert AuditEvent.objects.filter(action="registry.child.over_16", object_id=str(turning.pk)).exists()


def test_periodic_check_needs_national_scope_or_named_communes(worker_x, commune_x):
    with pytest.raises(PermissionDenied):
        services.children_mark_over_16(actor=worker_x)
    assert services.children_mark_over_16(actor=worker_x, communes=[commune_x]) == 0


def test_circumstances_carers_measurements(worker_x, add_child):
    child = add_child()
    item = services.circumstance_add(actor=worker_x, child=child, group="d", subgroup="d2", started_on="01/02/2024",
                                     source="Quyết định 12/QĐ-UBND", supported=True)
    with pytest.raises(ValidationError):
        services.circumstance_add(actor=worker_x, child=child, group="d")  # already open
    with pytest.raises(ValidationError):
        services.circumstance_add(actor=worker_x, child=child, group="a", subgroup="d1")  # wrong group
    services.circumstance_end(actor=worker_x, circumstance=item, ended_on="01/03/2025", reason="hết hỗ trợ")
    item.refresh_from_db()
    assert item.ended_on == date(2025, 3, 1)
    link = services.carer_link(actor=worker_x, child=child, full_name="lò thị   xoa", relation="mother",
                               phone="+84 912 345 678", primary=True)
    assert link.carer.full_name == "Lò Thị Xoa" and link.carer.phone == "0912345678"
    with pytest.raises(ValidationError):
        services.carer_link(actor=worker_x, child=child, full_name="Lò Văn A", relation="father", phone="12345")
    services.measurement_add(actor=worker_x, child=child, measured_on=date.today(), height_cm="120,5",
                             weight_kg="23")
    with pytest.raises(ValidationError):
        services.measurement_add(actor=worker_x, child=child, measured_on=date.today(), height_cm="900")
    assert Measurement.objects.get(child=child).height_cm == pytest.approx(120.5)
    history = set(AuditEvent.objects.filter(object_id=str(child.pk)).values_list("action", flat=True))
    assert {"registry.child.circumstance_add", "registry.child.circumstance_end", "registry.child.carer_link",
            "registry.child.measurement_add"} <= history
