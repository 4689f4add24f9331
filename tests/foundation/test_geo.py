from datetime import date

from treem.geo import selectors
from treem.geo.models import Unit, UnitConversion, UnitLevel, UnitSystem
from treem.geo.services import load_units


def count(system, level):
    return Unit.objects.filter(system=system, level=level).count()


def test_current_structure_has_34_provinces_and_3321_communes(db):
    assert count(UnitSystem.CURRENT, UnitLevel.PROVINCE) == 34
    assert count(UnitSystem.CURRENT, UnitLevel.COMMUNE) == 3321
    assert count(UnitSystem.CURRENT, UnitLevel.DISTRICT) == 0
    kinds = dict.fromkeys(["xã", "phường", "đặc khu"], 0)
    for kind in Unit.objects.current().communes().values_list("kind", flat=True):
        kinds[kind] += 1
    assert kinds == {"xã": 2621, "phường": 687, "đặc khu": 13}


def test_legacy_structure_has_63_provinces_with_districts(db):
    assert count(UnitSystem.LEGACY, UnitLevel.PROVINCE) == 63
    assert count(UnitSystem.LEGACY, UnitLevel.DISTRICT) > 690
    assert 10000 <= count(UnitSystem.LEGACY, UnitLevel.COMMUNE) <= 10700
    assert not Unit.objects.legacy().filter(valid_to__isnull=True).exists()


def test_old_and_new_codes_overlap_but_are_different_units(db):
    # Code 91 was Kiên Giang before 2025 and is An Giang now.
    old = selectors.unit_by_code("91", system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE)
    new = selectors.unit_by_code("91", level=UnitLevel.PROVINCE)
    assert old.pk != new.pk
    assert old.name == "Tỉnh Kiên Giang" and new.name == "Tỉnh An Giang"


def test_known_province_conversions(db):
    assert selectors.convert_code("91", UnitLevel.PROVINCE).target.name == "Tỉnh An Giang"  # Kiên Giang
    assert selectors.convert_code("89", UnitLevel.PROVINCE).target.name == "Tỉnh An Giang"
    assert selectors.convert_code("94", UnitLevel.PROVINCE).target.name == "Thành phố Cần Thơ"  # Sóc Trăng
    assert selectors.convert_code("93", UnitLevel.PROVINCE).target.name == "Thành phố Cần Thơ"  # Hậu Giang
    assert selectors.convert_code("12", UnitLevel.PROVINCE).target.name == "Tỉnh Lai Châu"
    an_giang = selectors.unit_by_code("91", level=UnitLevel.PROVINCE)
    assert {u.name for u in selectors.legacy_sources(an_giang)} == {"Tỉnh An Giang", "Tỉnh Kiên Giang"}


def test_whole_commune_converts_to_one_unit(db):
    # Phường Phúc Xá (Ba Đình, Hà Nội) went whole into Phường Hồng Hà.
    conversion = selectors.convert_code("00001")
    assert not conversion.needs_decision
    assert conversion.target.name == "Phường Hồng Hà"


def test_split_commune_is_marked_not_silently_assigned(db):
    split = UnitConversion.objects.filter(partial=True).values_list("legacy", flat=True)
    legacy = Unit.objects.filter(pk__in=split).first()
    conversion = selectors.converted(legacy)
    multi = [u for u in Unit.objects.filter(pk__in=split)[:400] if len(selectors.converted(u).targets) > 1]
    assert multi, "the official table has communes split across several new ones"
    many = selectors.converted(multi[0])
    assert many.needs_decision and many.target is None
    assert conversion.targets  # every partial row still names its new units


def test_district_maps_to_the_new_units_of_its_communes(db):
    district = Unit.objects.legacy().filter(level=UnitLevel.DISTRICT, name="Quận Ba Đình").get()
    targets = selectors.converted(district).targets
    assert targets and all(t.system == UnitSystem.CURRENT and t.level == UnitLevel.COMMUNE for t in targets)


def test_hierarchy_as_of_a_date(db):
    before = selectors.units_on(date(2024, 12, 31), UnitLevel.PROVINCE)
    after = selectors.units_on(date(2026, 1, 1), UnitLevel.PROVINCE)
    assert before.count() == 63 and after.count() == 34
    assert selectors.units_on(date(2024, 12, 31), UnitLevel.DISTRICT).count() > 690
    assert not selectors.units_on(date(2026, 1, 1), UnitLevel.DISTRICT).exists()


def test_communes_of_a_province(lai_chau):
    communes = selectors.communes_of(lai_chau)
    assert communes.count() == 38
    assert "Xã Bình Lư" in {c.name for c in communes}


def test_ancestors_of_a_legacy_commune(db):
    commune = Unit.objects.legacy().get(level=UnitLevel.COMMUNE, code="00001")
    assert [u.name for u in selectors.ancestors(commune)] == ["Thành phố Hà Nội", "Quận Ba Đình"]


def test_loading_again_changes_nothing(db):
    before = Unit.objects.count(), UnitConversion.objects.count()
    report = load_units()
    assert not report.changed
    assert (Unit.objects.count(), UnitConversion.objects.count()) == before
