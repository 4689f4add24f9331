"""Every demo person has a name of their own (issue 11: the auditor and a commune chair were both "Hồ Thị Ngọc")."""

from collections import Counter
from io import StringIO

import pytest

from treem.accounts import demo
from treem.accounts.models import User


@pytest.mark.django_db
def test_demo_people_have_distinct_names(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo.load(StringIO())
    names = Counter(User.objects.values_list("full_name", flat=True))
    assert len(names) >= 30
    assert [name for name, n in names.items() if n > 1] == []
    auditor = User.objects.get(username="kiemtoan")
    assert len(auditor.full_name.split()) >= 3


@pytest.mark.django_db
def test_older_demo_data_sharing_a_name_is_renamed(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    User.objects.create(username="kiemtoan", full_name="Hồ Thị Ngọc")
    User.objects.create(username="chutich.x", full_name="Hồ Thị Ngọc")
    demo.load(StringIO())
    assert User.objects.filter(full_name="Hồ Thị Ngọc").count() <= 1


@pytest.mark.django_db
def test_a_centrally_run_citys_bodies_are_named_as_the_citys(settings, tmp_path):
    from treem.accounts.models import Agency

    settings.VAR_DIR = tmp_path
    demo.load(StringIO())
    def names(**where) -> set[str]:
        return set(Agency.objects.filter(**where).values_list("name", flat=True))

    can_tho = names(province__code="92", province__system="current")
    assert {"Ủy ban nhân dân thành phố Cần Thơ", "Thành ủy Cần Thơ", "Thành đoàn Cần Thơ",
            "Công an thành phố Cần Thơ"} <= can_tho
    assert not [name for name in can_tho if "tỉnh" in name.lower()]
    lai_chau = names(province__code="12", province__system="current")
    assert {"Ủy ban nhân dân tỉnh Lai Châu", "Tỉnh ủy Lai Châu", "Tỉnh đoàn Lai Châu"} <= lai_chau
    soc_trang = names(province__name="Tỉnh Sóc Trăng")
    assert "Tỉnh ủy Sóc Trăng" in soc_trang  # a legacy province merged into Cần Thơ stays a province
