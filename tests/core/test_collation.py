"""Vietnamese collation (issue 11): Đ after D, Ô after O, tones after letters; units by their proper name; the same
order from Python (`vi_key`), SQLite (treem's `vi` collation) and PostgreSQL (ICU `vi-x-icu`)."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from treem.core.collation import ViOrder, proper_name, sort_units, vi_key
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.geo.selectors import communes_of

IN_ORDER = ["An", "Anh", "Ăn", "Ân", "Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Dương", "Đại", "Đức", "Oanh", "Ô Môn", "Ơ",
            "Uyên", "Ưng", "Vị Tân", "Yên"]


def test_vietnamese_alphabet_and_tones():
    shuffled = IN_ORDER[1::2] + IN_ORDER[::2]
    assert sorted(shuffled, key=vi_key) == IN_ORDER


def test_a_unit_sorts_by_its_proper_name():
    assert proper_name("Thành phố Cần Thơ", "thành phố") == "Cần Thơ"
    assert proper_name("Phường Đại Thành", "phường") == "Đại Thành"
    assert proper_name("Đặc khu Côn Đảo", "đặc khu") == "Côn Đảo"
    assert proper_name("Bản Lướt", "xã") == "Bản Lướt"  # a name without its kind stays whole
    units = [Unit(name=n, kind=k) for n, k in [("Tỉnh Lai Châu", "tỉnh"), ("Thành phố Cần Thơ", "thành phố"),
                                               ("Tỉnh An Giang", "tỉnh")]]
    assert [u.name for u in sort_units(units)] == ["Tỉnh An Giang", "Thành phố Cần Thơ", "Tỉnh Lai Châu"]


def _db_order(names: list[str]) -> list[str]:
    """The names as the database orders them with treem's Vietnamese collation (VALUES name their column column1)."""
    values = ", ".join(["(%s)"] * len(names))
    collation = '"vi-x-icu"' if connection.vendor == "postgresql" else "vi"
    sql = f"SELECT column1 FROM (VALUES {values}) AS t ORDER BY column1 COLLATE {collation}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, names)
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_database_orders_as_python_does():
    assert _db_order(list(reversed(IN_ORDER))) == IN_ORDER


SYLLABLES = ["a", "an", "anh", "ăn", "ân", "ba", "bà", "bả", "bã", "bá", "bạ", "da", "đa", "dương", "đức", "o", "ô",
             "ơ", "oanh", "u", "ư", "uyên", "ưng", "y", "yến", "nguyễn", "thị", "văn", "lò", "giàng", "mỷ", "thạch"]
names = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=3).map(lambda w: " ".join(w).title())


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(st.lists(names, min_size=2, max_size=12, unique=True))
def test_python_and_the_database_agree_on_any_vietnamese_names(sample):
    assert _db_order(sample) == sorted(sample, key=vi_key)


@pytest.mark.django_db
def test_communes_of_a_province_come_in_vietnamese_order(lai_chau):
    communes = list(communes_of(lai_chau))
    assert communes == sort_units(communes) and len(communes) > 30
    names = [c.sort_name for c in communes]
    assert names == sorted(names, key=vi_key)
    provinces = list(Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE).order_by(
        ViOrder("sort_name")).values_list("name", flat=True))
    assert provinces.index("Tỉnh An Giang") < provinces.index("Thành phố Cần Thơ") < provinces.index("Tỉnh Lai Châu")
