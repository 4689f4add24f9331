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
