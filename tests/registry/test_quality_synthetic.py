import itertools
import types
from collections import Counter
from datetime import date

from treem.registry.quality.ethnicity import find_ethnic_group
from treem.registry.quality.personal_id import check_personal_id
from treem.registry.quality.synthetic import SPECIAL_CIRCUMSTANCE_GROUPS, generate_children
from treem.registry.quality.text import fold

COMMUNES = ["00001", "00004", "00006"]


def children(n, province=92, seed=1, **kwargs):
    records, pairs = generate_children(n, COMMUNES, province, seed, **kwargs)
    return list(records), pairs


def test_records_are_lazy():
    records, pairs = generate_children(1_000_000, COMMUNES, 12, seed=1, planted_duplicates=10)
    assert isinstance(records, types.GeneratorType)
    assert len(pairs) == 10
    assert len(list(itertools.islice(records, 5))) == 5


def test_same_seed_same_records_other_seed_other_records():
    assert children(300, seed=4) == children(300, seed=4)
    assert children(300, seed=4)[0] != children(300, seed=5)[0]


def test_kinh_surname_distribution():
    records, _ = children(10_000, province=92)
    kinh = [r for r in records if r["ethnicity"] == "Kinh"]
    share = Counter(r["surname"] for r in kinh)["Nguyễn"] / len(kinh)
    assert 0.33 < share < 0.43
    assert {"Trần", "Lê", "Phạm", "Võ", "Huỳnh", "Đặng"} <= {r["surname"] for r in kinh}


def test_children_are_children_and_ethnic_groups_are_real():
    records, _ = children(3000, province=12)
    for r in records:
        assert date(2009, 6, 1) < r["birth_date"] <= date(2025, 6, 1)
        assert find_ethnic_group(r["ethnicity"]) is not None
        assert r["full_name"] == " ".join(p for p in (r["surname"], r["middle_name"], r["given_name"]) if p)


def test_lai_chau_mix_and_minority_naming():
    records, _ = children(5000, province=12)
    mix = Counter(r["ethnicity"] for r in records)
    assert mix.most_common(1)[0][0] == "Thái"
    assert mix["Mông"] > mix["Kinh"] * 1.2 and mix["Dao"] > 0 and mix["Hà Nhì"] > 0
    mong_boys = [r for r in records if r["ethnicity"] == "Mông" and r["sex"] == "M"]
    assert all(r["middle_name"] == "A" for r in mong_boys)
    assert any(r["surname"] == "Giàng" for r in mong_boys)
    assert all(r["village"].startswith("Bản ") for r in records)


def test_mekong_mix():
    records, _ = children(5000, province=94)
    mix = Counter(r["ethnicity"] for r in records)
    assert mix["Kinh"] > mix["Khơ-me"] > mix["Hoa"] > 0
    assert all(r["village"].startswith("Ấp ") for r in records)


def test_personal_ids_are_consistent_with_a_few_missing_and_malformed():
    records, _ = children(20_000, province=94)
    missing = sum(r["personal_id"] is None for r in records)
    flagged = [
        r for r in records if r["personal_id"] and check_personal_id(r["personal_id"], r["sex"], r["birth_date"])
    ]
    assert 0.02 < missing / len(records) < 0.04
    assert 0.005 < len(flagged) / len(records) < 0.015
    good = [r["personal_id"] for r in records if r["personal_id"]]
    assert len(set(good)) > 0.999 * len(good)  # distinct children, distinct numbers
    assert Counter(pid[:3] for pid in good).most_common(1)[0][0] == "094"


def test_carers_phones_and_special_circumstances():
    records, _ = children(20_000)
    assert all(r["carer_name"] for r in records)
    phones = [r["carer_phone"] for r in records if r["carer_phone"]]
    assert all(len(p) == 10 and p[:2] in ("03", "05", "07", "08", "09") for p in phones)
    special = [r for r in records if r["special_circumstances"]]
    assert 0.005 < len(special) / len(records) < 0.02
    assert {g for r in special for g in r["special_circumstances"]} <= set(SPECIAL_CIRCUMSTANCE_GROUPS)


def test_planted_duplicates_carry_realistic_noise():
    noise = {}
    records, pairs = children(2000, planted_duplicates=200, noise_log=noise)
    assert len(records) == 2200 and len(pairs) == 200
    by_id = {r["id"]: r for r in records}
    kinds = Counter(k for applied in noise.values() for k in applied)
    for kind in (
        "no_diacritics",
        "drop_middle",
        "swap_day_month",
        "typo",
        "village",
        "same_id",
        "id_missing",
        "id_typo",
    ):
        assert kinds[kind] > 5, kind
    for original_id, duplicate_id in pairs:
        original, duplicate = by_id[original_id], by_id[duplicate_id]
        assert original != duplicate or noise[duplicate_id] == ("same_id",)
        if "no_diacritics" in noise[duplicate_id]:
            assert duplicate["full_name"].isascii() or "typo" in noise[duplicate_id]
        if "swap_day_month" in noise[duplicate_id] and "date_typo" not in noise[duplicate_id]:
            born = original["birth_date"]
            assert duplicate["birth_date"] == born.replace(day=born.month, month=born.day)


def test_twins_exist_and_are_distinct_children():
    records, _ = children(20_000)
    by_key = Counter((r["carer_name"], r["birth_date"]) for r in records)
    twins = [k for k, count in by_key.items() if count == 2]
    assert len(twins) > 20
    for key in twins[:20]:
        a, b = (r for r in records if (r["carer_name"], r["birth_date"]) == key)
        assert fold(a["given_name"]) != fold(b["given_name"])


def test_a_million_rows_stream_quickly():
    records, _ = generate_children(100_000, COMMUNES, 12, seed=3)
    count = sum(1 for _ in records)  # ~1 s per 100,000 rows, so a million in ~10 s
    assert count == 100_000
