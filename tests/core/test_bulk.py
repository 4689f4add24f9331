"""bulk.insert_dicts: rows with different sets of keys, defaults and JSON columns land as Django would write them,
through COPY on PostgreSQL (the threshold lowered so a few rows take that path) and bulk_create elsewhere."""

import uuid
from datetime import date

import pytest

from treem.core import bulk
from treem.registry.models import Child, ChildStatus, YesNoUnknown


@pytest.mark.django_db
def test_rows_with_different_keys_take_their_defaults(monkeypatch, commune_x):
    monkeypatch.setattr(bulk, "COPY_THRESHOLD", 1)
    common = {"commune_id": commune_x.pk, "province_id": commune_x.province_id, "sex": "F",
              "birth_date": date(2019, 5, 4)}
    rows = [
        {**common, "id": uuid.uuid4(), "full_name": "Lò Thị A", "name_folded": "lo thi a"},
        {**common, "id": uuid.uuid4(), "full_name": "Lò Thị B", "name_folded": "lo thi b", "village": "Bản Nà",
         "quality_flags": ["id_missing"], "has_quality_issues": True},
        {**common, "full_name": "Lò Thị C", "name_folded": "lo thi c", "personal_id": "012319000123",
         "birth_registered": YesNoUnknown.YES},
    ]
    bulk.insert_dicts(Child, rows)
    got = {c.full_name: c for c in Child.objects.all()}
    assert set(got) == {"Lò Thị A", "Lò Thị B", "Lò Thị C"}
    a, b, c = got["Lò Thị A"], got["Lò Thị B"], got["Lò Thị C"]
    assert a.pk == rows[0]["id"] and a.village == "" and a.quality_flags == [] and a.status == ChildStatus.ACTIVE
    assert a.version == 1 and a.created_at is not None and a.birth_registered == YesNoUnknown.UNKNOWN
    assert b.village == "Bản Nà" and b.quality_flags == ["id_missing"] and b.has_quality_issues
    assert isinstance(c.pk, uuid.UUID) and c.personal_id == "012319000123" and c.birth_registered == YesNoUnknown.YES
    assert Child.objects.filter(name_folded__words=["lo", "b"]).get() == b  # the search column follows (PostgreSQL)
