"""The audit action registry: unknown codes are refused by every writer, every action reads as a Vietnamese sentence,
and the child's history and the auditor's page show words, names and labels instead of codes, ids and raw values."""

import re
import string
from datetime import date

import pytest
from django.utils import translation

from tests.registry.registry_fixtures import (  # noqa: F401 - pytest fixtures
    add_child_fixture,
    csv_bytes,
    pid,
    reference_fixture,
    rows_for_file,
    years_ago,
)
from treem.accounts.models import Role
from treem.audit import registry
from treem.audit.models import AuditEvent
from treem.audit.rendering import render_event
from treem.audit.services import record, record_list, record_many, record_view
from treem.core.actors import SYSTEM
from treem.registry import importing, services
from treem.registry.models import Child

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
CODE = re.compile(r"\b[a-z]+\.[a-z_]+\.[a-z_]+\b")
RAW_VALUES = re.compile(
    r"(?<![\w/.-])(F|M|active|moved|deceased|manual|import|father|mother|True|False|None)(?![\w/.-])")
SAMPLE = {"actor": "Nguyễn Thị Lan", "object": "Lò Văn Páo", "fields": "giới tính", "count": "12",
          "unit": "Xã Bản Lang"}


def _placeholders(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


# -- the registry refuses what it does not know ------------------------------------------------------------------


def test_every_writer_refuses_an_unregistered_code(worker_x, commune_x):
    before = AuditEvent.objects.count()
    with pytest.raises(ValueError, match=re.escape("unregistered audit action 'registry.child.teleport'")):
        record(worker_x, "registry.child.teleport", commune_x)
    with pytest.raises(ValueError, match=re.escape("geo.unit.view")):
        record_view(worker_x, commune_x)  # nobody registered reading a unit as a sensitive read
    with pytest.raises(ValueError, match=re.escape("registry.childx.list")):
        record_list(worker_x, "registry.childx.list", shown=3)
    with pytest.raises(ValueError, match=re.escape("registry.child.bulk_teleport")):
        record_many(worker_x, "registry.child.bulk_teleport", [(Child(full_name="A"), {})], unit=commune_x)
    assert AuditEvent.objects.count() == before


def test_record_many_writes_one_event_per_object(worker_x, commune_x):
    children = [Child(full_name=f"Trẻ số {i}") for i in range(600)]  # above the COPY threshold on PostgreSQL
    assert record_many(worker_x, "registry.child.update", [(c, {"village": ["", "Bản Mới"], "password": "x"})
                                                           for c in children], unit=commune_x) == 600
    events = AuditEvent.objects.filter(action="registry.child.update").order_by("object_repr")
    assert events.count() == 600
    first = events.get(object_id=str(children[0].pk))
    assert first.actor == worker_x and first.actor_label == "canbo.x" and first.unit == commune_x
    assert first.object_type == "registry.child" and first.object_repr == "Trẻ số 0"
    assert first.summary == {"village": ["", "Bản Mới"]} and first.at is not None  # never a password


# -- every action reads in Vietnamese ------------------------------------------------------------------------------


@pytest.mark.parametrize("action", registry.all_actions(), ids=lambda a: a.code)
def test_every_registered_action_reads_in_vietnamese(action):
    with translation.override("en"):
        english, english_name = str(action.sentence), str(action.name)
    with translation.override("vi"):
        vietnamese, vietnamese_name = str(action.sentence), str(action.name)
        rendered = vietnamese.format(**SAMPLE)  # no KeyError: only the registry's parameters
    assert _placeholders(english) <= set(registry.PARAMETERS)
    assert _placeholders(vietnamese) == _placeholders(english), "the translation keeps every parameter"
    assert vietnamese != english and vietnamese_name != english_name, "not translated"
    assert "{" not in rendered and not CODE.search(rendered)
    for label in action.fields.values():  # the labels written by hand for summary keys
        if not isinstance(label, str):
            with translation.override("en"):
                english_label = str(label)
            assert str(label) != english_label, f"{action.code}: {english_label!r} not translated"


def test_reads_as_names_a_registered_action():
    for action in registry.all_actions():
        assert not action.reads_as or registry.get(action.reads_as) is not None


# -- the child's history in words ----------------------------------------------------------------------------------


@pytest.fixture
def storied_child(worker_x, commune_x, reference, make_user):
    """A child added by hand, edited (sex), given a father as primary carer, updated by an import and recorded
    deceased (status): each step leaves an event with codes and raw values in its summary."""
    worker_x.full_name = "Nguyễn Thị Lan"
    worker_x.save(update_fields=["full_name"])
    born = years_ago(5)
    child = services.child_create(actor=worker_x, commune=commune_x, data={
        "full_name": "Nguyễn Văn Đức", "sex": "M", "birth_date": born, "village": "Bản Cũ"})
    child = services.child_update(actor=worker_x, child=child, version=child.version, data={"sex": "F"})
    services.carer_link(actor=worker_x, child=child, full_name="Nguyễn Văn Sáu", relation="father", primary=True)
    content = csv_bytes(rows_for_file([("Nguyễn Văn Đức", born, "Nữ", "Kinh", pid("F", born, 1), "Bản Nà Khuồng",
                                        "Nguyễn Văn Sáu", "0912345678")]))
    _plan, summary = importing.import_file(content, "danh sach.csv", commune=commune_x, actor=worker_x, commit=True)
    assert summary["update"] == 1
    child.refresh_from_db()
    services.child_mark_deceased(actor=worker_x, child=child, died_on=date(2026, 3, 2), note="tai nạn")
    return child


def _history(client, child) -> str:
    page = client.get(f"/children/{child.pk}/").content.decode()
    start = page.index('id="history-h"')
    return page[start:page.index("</section>", start)]


def test_child_history_shows_words_not_codes_ids_or_raw_values(client, worker_x, storied_child):
    client.force_login(worker_x)
    history = _history(client, storied_child)
    for words in ("Thêm vào sổ", "Sửa thông tin", "Thêm người chăm sóc", "Ghi nhận đã mất", "Nguyễn Thị Lan",
                  "Nam → Nữ", "Cha", "Nguyễn Văn Sáu", "Bản Cũ → Bản Nà Khuồng", "Nhập từ bảng tính",
                  "02/03/2026", "Đang theo dõi → Đã mất"):
        assert words in history, words
    assert not UUID.search(history), UUID.search(history)
    assert not CODE.search(history), CODE.search(history)
    assert not RAW_VALUES.search(re.sub(r"<[^>]+>", " ", history)), RAW_VALUES.search(history)
    assert "— → —" not in history and "{'" not in history
    assert "canbo.x" not in history  # the person's full name, not her login


def test_child_detail_names_the_primary_carer_in_words(client, worker_x, storied_child):
    client.force_login(worker_x)
    page = client.get(f"/children/{storied_child.pk}/").content.decode()
    assert "Cha <span class=\"small text-muted\">(người chăm sóc chính)</span>" in page
    assert ">chính<" not in page


def test_a_provisional_record_reads_as_an_addition_to_who_may_not_see_the_case(worker_x, commune_x):
    from treem.registry.selectors import child_history

    child = Child.objects.create(full_name="Lò Thị Ơn", sex="F", birth_date=years_ago(4), commune=commune_x,
                                 province=commune_x.province, source="case intake")
    record(worker_x, "cases.provisional_child.create", child, unit=commune_x,
           summary={"provisional": True, "source": "case intake"})
    with translation.override("vi"):
        hidden = child_history(worker_x, child, case_visible=False)[0]
        shown = child_history(worker_x, child, case_visible=True)[0]
    assert hidden.label == "Thêm vào sổ theo dõi" and hidden.lines == []
    assert shown.label == "Ghi nhận từ tin báo về bảo vệ trẻ em"
    assert ("Nguồn", "Ghi nhận từ tin báo về bảo vệ trẻ em") in shown.lines


# -- the auditor's page --------------------------------------------------------------------------------------------


def test_audit_page_shows_sentences_and_full_names(client, make_user, storied_child, lai_chau):
    auditor = make_user("kiemtoan", Role.AUDITOR)
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    body = page[page.index("<h1"):]
    assert "Nguyễn Thị Lan đã sửa giới tính của Nguyễn Văn Đức" in body
    assert "Nguyễn Thị Lan đã ghi Nguyễn Văn Đức đã mất" in body
    assert "Nguyễn Thị Lan đã thêm người chăm sóc cho Nguyễn Văn Đức" in body
    assert "Nguyễn Thị Lan đã nhập tệp danh sach.csv vào sổ" in body
    assert "{&#x27;" not in body and "{'" not in body
    visible = re.sub(r'<[^>]+>', " ", body)  # the select's option values are codes; what a person reads is not
    assert not CODE.search(visible), CODE.search(visible)
    assert not UUID.search(visible), UUID.search(visible)
    # The filter lists the actions by their Vietnamese names, and filters by the chosen one.
    assert '<option value="registry.child.deceased">Ghi nhận đã mất</option>' in body
    only = client.get("/audit/?action=registry.child.deceased").content.decode()
    assert "đã ghi Nguyễn Văn Đức đã mất" in only and "đã sửa giới tính" not in only


def test_render_event_of_the_system_and_of_a_list(worker_x, commune_x):
    record(SYSTEM, "registry.reference.load", summary={"version": "2026"})
    record_list(worker_x, "registry.child.list", shown=25, filters={"q": "duc"})
    with translation.override("vi"):
        loaded, listed = AuditEvent.objects.order_by("id")
        assert render_event(loaded) == "Hệ thống đã nạp danh mục hoàn cảnh đặc biệt và nguy cơ"
        assert render_event(listed) == "canbo.x đã xem danh sách 25 trẻ"


def test_admin_lists_events_as_sentences_and_filters_by_action_name(client, national_admin, storied_child):
    client.force_login(national_admin)
    page = client.get("/admin/audit/auditevent/").content.decode()
    assert "Nguyễn Thị Lan đã sửa giới tính của Nguyễn Văn Đức" in page
    assert "?action=registry.child.deceased" in page and ">Ghi nhận đã mất<" in page  # the filter, by name
    rows = page[page.index('id="result_list"'):page.index("</table>", page.index('id="result_list"'))]
    assert not CODE.search(re.sub(r"<[^>]+>", " ", rows)), CODE.search(rows)


def test_every_action_code_written_in_the_code_is_registered():
    """A static look at the code: every literal action code passed to record/record_list/record_many (or chosen by a
    conditional expression beside them) is registered, so that a branch no test walks cannot fail in production."""
    import re
    from pathlib import Path

    from treem.audit import registry

    root = Path(__file__).resolve().parents[2] / "treem"
    call = re.compile(r'\brecord(?:_list|_many)?\(\s*[^,()]+,\s*(.{0,160})', re.S)
    code = re.compile(r'"((?:accounts|registry|quality|cases|plans|core|audit|privacy|api|geo|reports)'
                      r'(?:\.[a-z_0-9]+){2,})"')
    unregistered = set()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts or path.name == "audit_actions.py":
            continue
        for match in call.finditer(path.read_text()):
            head = match.group(1).split(",")[0]  # the code argument: a literal or `"a" if x else "b"`
            unregistered |= {(c, path.name) for c in code.findall(head) if registry.get(c) is None}
    assert not unregistered, sorted(unregistered)
