"""Duplicate detection on synthetic registers with planted duplicates (ground truth known)."""

from datetime import date

import pytest

from treem.registry.quality import dedupe
from treem.registry.quality.dedupe import Pair, find_duplicates, link
from treem.registry.quality.synthetic import generate_children

COMMUNES = ["03592", "03595", "03598"]

# Twins: the same birth date, carer, surname and village; different given names. Never one child.
TWINS = [
    (
        {"full_name": "Nguyễn Văn Minh", "sex": "M", "personal_id": "012217900001"},
        {"full_name": "Nguyễn Văn Long", "sex": "M", "personal_id": "012217900002"},
        "Trần Thị Hoa",
        date(2017, 4, 5),
    ),
    (
        {"full_name": "Giàng A Páo", "sex": "M", "personal_id": None},
        {"full_name": "Giàng A Sính", "sex": "M", "personal_id": None},
        "Giàng A Chứ",
        date(2019, 9, 1),
    ),
    (
        {"full_name": "Lê Thị Lan", "sex": "F", "personal_id": None},
        {"full_name": "Lê Văn Hùng", "sex": "M", "personal_id": "012220900003"},
        "Lê Văn Tám",
        date(2020, 1, 20),
    ),
    (
        {"full_name": "Phạm Ngọc Anh", "sex": "F", "personal_id": None},
        {"full_name": "Phạm Ngọc Châu", "sex": "F", "personal_id": None},
        "Vũ Thị Mai",
        date(2016, 11, 30),
    ),
]


def twin_records():
    records = []
    for number, (first, second, carer, born) in enumerate(TWINS):
        for which, child in enumerate((first, second)):
            records.append(
                {
                    **child,
                    "id": f"T{number}{which}",
                    "birth_date": born,
                    "carer_name": carer,
                    "village": "Bản Nà Khuồng",
                    "commune_code": COMMUNES[0],
                }
            )
    return records


def twin_pairs():
    return {frozenset((f"T{n}0", f"T{n}1")) for n in range(len(TWINS))}


def scores(pairs: list[Pair], truth: list[tuple[str, str]]) -> tuple[float, float]:
    found = {frozenset((p.left_id, p.right_id)) for p in pairs}
    expected = {frozenset(t) for t in truth}
    true_positives = len(found & expected)
    return true_positives / max(len(found), 1), true_positives / len(expected)


def register(province: int, seed: int):
    records, truth = generate_children(2000, COMMUNES, province, seed=seed, planted_duplicates=100)
    return list(records) + twin_records(), truth


@pytest.fixture(scope="module", params=[12, 94], ids=["Lai Châu", "Sóc Trăng"])
def run(request):
    records, truth = register(request.param, seed=11)
    return records, truth, find_duplicates(records)


def test_precision_and_recall_on_planted_duplicates(run):
    records, truth, pairs = run
    precision, recall = scores(pairs, truth)
    print(f"\n{len(records)} records, {len(truth)} planted: precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.95
    assert recall >= 0.9


def test_twins_are_not_proposed(run):
    _, _, pairs = run
    found = {frozenset((p.left_id, p.right_id)) for p in pairs}
    assert not found & twin_pairs()


def test_pairs_are_ordered_and_explained(run):
    records, _, pairs = run
    position = {r["id"]: i for i, r in enumerate(records)}
    assert [p.probability for p in pairs] == sorted((p.probability for p in pairs), reverse=True)
    for pair in pairs:
        assert position[pair.left_id] < position[pair.right_id]
        assert pair.probability >= 0.9
        assert pair.explanation.endswith(pair.explanation.split("; ")[-1])
        assert "mức nền" in pair.explanation
        total = sum(w for _, w in pair.contributions)
        prior_weight = float(pair.explanation.rsplit(" ", 1)[-1].replace(",", "."))
        assert abs(total + prior_weight - pair.match_weight) < 0.2  # the explanation adds up
    exact_birth_dates = [p for p in pairs if "ngày sinh trùng khớp +" in p.explanation]
    assert exact_birth_dates
    assert any("," in p.explanation.split("ngày sinh trùng khớp ")[1].split(";")[0] for p in exact_birth_dates)


def test_same_seed_same_pairs():
    records, _ = register(12, seed=11)
    first = find_duplicates(records)
    second = find_duplicates(records)
    assert [(p.left_id, p.right_id) for p in first] == [(p.left_id, p.right_id) for p in second]
    assert [round(p.probability, 9) for p in first] == [round(p.probability, 9) for p in second]


def test_small_list_uses_default_parameters_and_keeps_twins_apart():
    records, truth = generate_children(150, COMMUNES, 89, seed=2, planted_duplicates=8)
    records = list(records) + twin_records()
    pairs = find_duplicates(records)
    precision, recall = scores(pairs, truth)
    assert precision >= 0.95 and recall >= 0.9
    assert not {frozenset((p.left_id, p.right_id)) for p in pairs} & twin_pairs()


def test_link_two_lists():
    records, truth = generate_children(1200, COMMUNES, 92, seed=5, planted_duplicates=150)
    records = list(records)
    duplicate_ids = {d for _, d in truth}
    register_records = [r for r in records if r["id"] not in duplicate_ids]
    newcomers, _ = generate_children(200, COMMUNES, 92, seed=6)
    import_file = [r for r in records if r["id"] in duplicate_ids] + [dict(r, id="N" + r["id"]) for r in newcomers]
    pairs = link(register_records, import_file)
    assert all(p.left_id.startswith("C") and not p.right_id.startswith("C") for p in pairs)
    precision, recall = scores(pairs, truth)
    assert precision >= 0.95 and recall >= 0.9


def test_blocking_never_on_surname_alone():
    for rule in dedupe._BLOCKING_RULES:
        assert rule != ("surname",)
        assert "surname" not in rule or len(rule) > 2


def test_messy_and_tiny_inputs():
    assert find_duplicates([]) == []
    assert find_duplicates([{"full_name": "A"}]) == []
    messy = [
        {"full_name": "Nguyễn Văn A", "birth_date": "04/03/2015", "sex": "Nam", "personal_id": 12215000123.0},
        {"full_name": "NGUYEN VAN A", "birth_date": "4/3/2015", "sex": "nam", "personal_id": "012215000123"},
        {"full_name": None, "birth_date": "không rõ", "sex": None},
        {"surname": "Lò", "given_name": "Páo", "birth_date": 42067},
    ]
    pairs = find_duplicates(messy)
    assert [(p.left_id, p.right_id) for p in pairs] == [(0, 1)]
    assert "số định danh trùng khớp" in pairs[0].explanation
