"""The catalogue: loaded from its fixture idempotently, updated by a newer version, an administrator's edit kept,
a cycle refused (in Vietnamese) at load and at edit; every code the other modules use is there."""

import json

import pytest
from django.utils import translation

from tests.indicators.engine_data import catalogue  # noqa: F401 (the fixture)
from treem.audit.models import AuditEvent
from treem.core.exceptions import NotAllowed
from treem.indicators.catalogue import CATALOGUE_FILE, LOCAL, CatalogueError, indicator_edit, load, read_fixture
from treem.indicators.models import Indicator, Method

SHARED_CODES = [
    "child_population", "sc_children", "sc_share", "sc_supported_share", "abused_children", "personal_id_share",
    "cases_opened", "cases_closed", "case_steps_on_time_share", "cfc_communes_share", "under5_underweight_share",
    "under5_stunting_share", "lower_secondary_dropout_share", "kindergarten_attendance_share", "sex_ratio_at_birth",
    "under1_full_vaccination_share", "birth_registration_under5_share", "villages_play_space_share",
    "children_consulted_share", "sc_per_1000"
]
# Seed 001 (Sóc Trăng, 61-CTr/TU) and the Lai Châu programme (48-CTr/TU): each target's indicator.
SEED_TARGETS = ["cfc_communes_share", "under5_underweight_share", "under5_stunting_share",
                "kindergarten_attendance_share", "primary_completion_share", "primary_dropout_share",
                "lower_secondary_completion_share", "lower_secondary_dropout_share", "sc_share", "sc_supported_share"]


def _fixture(tmp_path, version, change=None):
    data = read_fixture()
    data["version"] = version
    if change:
        change(data)
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_every_shared_code_is_in_the_catalogue_with_its_method():
    codes = dict(Indicator.objects.values_list("code", "method"))
    assert set(SHARED_CODES + SEED_TARGETS) <= set(codes)
    assert codes["sc_per_1000"] == Method.DERIVED
    assert codes["child_population"] == Method.COMPUTED and codes["cfc_communes_share"] == Method.REPORTED
    for indicator in Indicator.objects.all():
        assert indicator.name_vi and indicator.name_en and indicator.definition_vi and indicator.legal_reference
        assert indicator.lead_agency_vi and indicator.catalogue_version == read_fixture()["version"]


@pytest.mark.django_db
def test_load_is_idempotent_and_a_newer_version_updates_but_keeps_an_administrators_edit(tmp_path, national_admin):
    before = {i.code: i.updated_at for i in Indicator.objects.all()}
    assert load() == {"created": [], "updated": [], "kept": [], "ended": []}
    assert {i.code: i.updated_at for i in Indicator.objects.all()} == before
    edited = indicator_edit(actor=national_admin, indicator=Indicator.objects.get(code="sc_share"),
                            data={"name_vi": "Tỷ lệ trẻ em có HCĐB (tỉnh tự đặt tên)"})
    assert edited.catalogue_version == LOCAL
    assert AuditEvent.objects.filter(action="indicators.indicator.edit", object_id=str(edited.pk)).exists()

    def rename(data):
        for entry in data["indicators"]:
            entry["name_en"] = entry["name_en"] + " (v2)"
        data["indicators"] = [e for e in data["indicators"] if e["code"] != "communes_play_space_share"]

    report = load(path=_fixture(tmp_path, "2999.1", rename))
    assert report["kept"] == ["sc_share"] and "communes_play_space_share" in report["ended"]
    assert Indicator.objects.get(code="child_population").name_en.endswith("(v2)")
    assert Indicator.objects.get(code="sc_share").name_vi == "Tỷ lệ trẻ em có HCĐB (tỉnh tự đặt tên)"
    ended = Indicator.objects.get(code="communes_play_space_share")
    assert ended.valid_to is not None  # ended, not deleted
    # An older fixture changes nothing.
    assert load(path=_fixture(tmp_path, "2000.1"))["updated"] == []


@pytest.mark.django_db
def test_a_catalogue_with_a_cycle_is_refused_whole_in_vietnamese(tmp_path):
    def cycle(data):
        data["indicators"].append({**data["indicators"][0], "code": "loop_a", "method": "derived",
                                   "computation": "", "expression": {"op": "+", "args": [{"ind": "loop_b"},
                                                                                        {"const": 1}]}})
        data["indicators"].append({**data["indicators"][0], "code": "loop_b", "method": "derived",
                                   "computation": "", "expression": {"op": "*", "args": [{"ind": "loop_a"},
                                                                                        {"const": 2}]}})

    path = _fixture(tmp_path, "2999.2", cycle)
    with translation.override("vi"), pytest.raises(CatalogueError, match="quay lại chính nó"):
        load(path=path)
    assert not Indicator.objects.filter(code__startswith="loop_").exists()  # nothing half-saved
    with translation.override("vi"), pytest.raises(Exception, match="quay lại chính nó"):
        load(path=path)


@pytest.mark.django_db
def test_an_edit_that_makes_an_expression_refer_to_itself_is_refused(national_admin, worker_x):
    derived = Indicator.objects.get(code="sc_per_1000")
    with translation.override("vi"), pytest.raises(CatalogueError, match="quay lại chính nó"):
        indicator_edit(actor=national_admin, indicator=derived,
                       data={"expression": {"op": "+", "args": [{"ind": "sc_per_1000"}, {"const": 1}]}})
    with pytest.raises(CatalogueError):
        indicator_edit(actor=national_admin, indicator=derived,
                       data={"expression": {"op": "+", "args": [{"ind": "no_such_code"}, {"const": 1}]}})
    derived.refresh_from_db()
    assert derived.catalogue_version != LOCAL  # unchanged
    with pytest.raises(NotAllowed):
        indicator_edit(actor=worker_x, indicator=derived, data={"name_vi": "x"})


def test_the_fixture_file_is_the_one_loaded():
    assert CATALOGUE_FILE.name == "catalogue.json" and read_fixture()["indicators"]
