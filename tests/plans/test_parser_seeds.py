"""The two seed documents, checked against expectations written by hand from reading them.

Seed 001: a dispatch of the Sóc Trăng People's Committee (3452/UBND-VX) forwarding the Party programme 61-CTr/TU,
which states a baseline ("ĐẶC ĐIỂM, TÌNH HÌNH") and ten targets ("Mục tiêu cụ thể").
Seed 002: the Kiên Giang People's Committee plan (its header with number and date is not in the text) with tasks
for 17 headings of agencies under "IV. TỔ CHỨC THỰC HIỆN".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from treem.plans.parser import ParsedPlan, parse_plan_file, parse_plan_text

SEEDS = Path(__file__).resolve().parents[2] / "treem" / "plans" / "seeds"
SEED_001 = SEEDS / "001_626193b0675de070.txt"
SEED_002 = SEEDS / "002_dd8384e2b7666dd2.txt"

# (words that identify the indicator, value, unit, direction, year, baseline value, baseline line)
EXPECTED_001_TARGETS = [
    ("xã, phường, thị trấn đạt tiêu chuẩn phù hợp với trẻ em", 97.2, "%", "at_least", None, 71.3, 62),
    ("suy dinh dưỡng thể cân nặng theo tuổi", 6.0, "%", "below", None, 9.8, 62),
    ("suy dinh dưỡng thể chiều cao theo tuổi", 12.0, "%", "below", None, 19.6, 62),
    ("huy động trẻ em 5 tuổi đi học mẫu giáo", 99.3, "%", "at_least", None, 99.0, 62),
    ("hoàn thành chương trình cấp tiểu học", 99.0, "%", "at_least", None, 99.88, 62),
    ("bỏ học bậc tiểu học", 0.1, "%", "below", None, 0.45, 62),
    ("hoàn thành chương trình cấp trung học cơ sở", 93.0, "%", "at_least", None, 98.7, 62),
    ("bỏ học cấp trung học cơ sở", 0.05, "%", "below", None, 1.82, 62),
    ("hoàn cảnh đặc biệt/tổng số trẻ em", 0.5, "%", "below", None, 1.11, 62),
    ("hoàn cảnh đặc biệt được trợ giúp", 97.0, "%", "at_least", None, 93.4, 62),
]
EXPECTED_001_TARGET_LINES = [86, 88, 88, 92, 94, 94, 96, 96, 100, 102]

EXPECTED_001_TASKS = [
    ("Sở Lao động - Thương binh và Xã hội", "lead"),
    ("Ủy ban nhân dân các huyện, thị xã, thành phố", "coordinate"),
    ("Các huyện ủy, thị ủy, thành ủy, ban cán sự đảng, đảng đoàn, đảng ủy trực thuộc Tỉnh ủy", "lead"),
    ("Đảng đoàn Hội đồng nhân dân tỉnh", "lead"),
    ("Ban cán sự đảng Uỷ ban nhân dân tỉnh", "lead"),
    ("Uỷ ban Mặt trận Tổ quốc Việt Nam tỉnh", "lead"),
    ("Các tổ chức chính trị - xã hội, hội quần chúng, tổ chức xã hội", "lead"),
    ("Ban Tuyên giáo Tỉnh uỷ", "lead"),
]

# Section IV of seed 002: 17 headings; "14." and "16." name two agencies each.
EXPECTED_002_TASK_COUNTS = {
    "Sở Lao động - Thương binh và Xã hội": 7,
    "Sở Giáo dục và Đào tạo": 4,
    "Sở Văn hoá và Thể thao": 3,
    "Sở Du lịch": 2,
    "Sở Y tế": 3,
    "Sở Thông tin và Truyền thông": 1,
    "Sở Tư pháp": 1,
    "Sở Nội vụ": 1,
    "Sở Tài chính": 1,
    "Sở Kế hoạch và Đầu tư": 1,
    "Công an tỉnh": 3,
    "Ban Dân tộc tỉnh": 1,
    "Tỉnh đoàn": 1,
    "Đài Phát thanh và Truyền hình Kiên Giang": 1,
    "Báo Kiên Giang": 1,
    "Các sở, ban, ngành liên quan": 1,
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh": 1,
    "Các đoàn thể, tổ chức chính trị - xã hội có liên quan": 1,
    "UBND các huyện, thành phố": 5,
}
# Tasks that open with "Phối hợp với ..." (the agency supports rather than leads), as (agency, first words).
EXPECTED_002_COORDINATE = {
    ("Sở Lao động - Thương binh và Xã hội", "Phối hợp với các sở, ban, ngành, đoàn thể"),
    ("Sở Tư pháp", "Phối hợp với các cơ quan chức năng"),
    ("Sở Tài chính", "Phối hợp với các cơ quan, đơn vị"),
    ("Sở Kế hoạch và Đầu tư", "Phối hợp với các sở, ngành"),
}


@pytest.fixture(scope="module")
def plan_001() -> ParsedPlan:
    return parse_plan_file(SEED_001)


@pytest.fixture(scope="module")
def plan_002() -> ParsedPlan:
    return parse_plan_file(SEED_002)


def target_summary(plan: ParsedPlan) -> list[tuple]:
    return [
        (t.value, t.unit, t.direction, t.year, t.baseline.value if t.baseline else None) for t in plan.targets
    ]


# --- Seed 001 ------------------------------------------------------------------------------------------------------


def test_001_every_target_with_its_baseline(plan_001: ParsedPlan) -> None:
    expected = [(value, unit, direction, year, baseline) for _, value, unit, direction, year, baseline, _ in
                EXPECTED_001_TARGETS]
    assert target_summary(plan_001) == expected


def test_001_targets_name_their_indicator_and_lines(plan_001: ParsedPlan) -> None:
    for target, expected, line in zip(plan_001.targets, EXPECTED_001_TARGETS, EXPECTED_001_TARGET_LINES, strict=True):
        words, *_, baseline_line = expected
        assert words in target.text
        assert target.source_lines == (line, line)
        assert target.baseline is not None
        assert target.baseline.source_lines == (baseline_line, baseline_line)
        assert target.baseline.year is None  # "Đến nay" gives no year, and none is invented


def test_001_child_friendly_communes(plan_001: ParsedPlan) -> None:
    communes = plan_001.targets[0]
    assert communes.text == "Tỷ lệ xã, phường, thị trấn đạt tiêu chuẩn phù hợp với trẻ em đạt 97,2%"
    assert communes.baseline is not None
    assert "77/108 xã, phường, thị trấn" in communes.baseline.text
    assert communes.baseline.text.endswith("đạt 71,3%")


def test_001_document_is_the_dispatch(plan_001: ParsedPlan) -> None:
    document = plan_001.document
    assert document.type == "Công văn"
    assert document.number == "3452/UBND-VX"
    assert document.date == dt.date(2024, 10, 23)
    assert document.place == "Sóc Trăng"
    assert document.issuer == "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG"
    assert document.signer == "Lâm Hoàng Nghiệp"
    assert document.title is not None
    assert document.title.startswith("triển khai Chương trình thực hiện Chỉ thị số 28-CT/TW ngày 25/12/2023")
    assert document.title.endswith("phồn vinh, hạnh phúc")
    assert document.source_lines["number"] == (9, 9)
    assert document.source_lines["title"] == (10, 17)
    assert document.source_lines["signer"] == (48, 48)


def test_001_implements(plan_001: ParsedPlan) -> None:
    cited = [(item.number, item.date, item.issuer) for item in plan_001.implements]
    assert cited == [
        ("61-CTr/TU", dt.date(2024, 10, 21), "Ban Thường vụ Tỉnh ủy Sóc Trăng"),
        ("28-CT/TW", dt.date(2023, 12, 25), "Bộ Chính trị"),
        ("1965-CV/BCSD", dt.date(2024, 10, 23), "Ban cán sự đảng Ủy ban nhân dân tỉnh Sóc Trăng"),
    ]


def test_001_tasks(plan_001: ParsedPlan) -> None:
    assert [(task.agency, task.role) for task in plan_001.tasks] == EXPECTED_001_TASKS
    first = plan_001.tasks[0]
    assert first.text.startswith("chủ trì, phối hợp với các cơ quan có liên quan")
    assert first.source_lines == (31, 31)
    assert plan_001.tasks[2].source_lines == (166, 168)  # a paragraph broken by a blank line, joined again


def test_001_deadline(plan_001: ParsedPlan) -> None:
    assert [(d.month, d.day, d.year, d.recurrence) for d in plan_001.deadlines] == [(11, None, 2024, "once")]
    assert "trong tháng 11/2024" in plan_001.deadlines[0].text


def test_001_warnings_only_note_the_attachment(plan_001: ParsedPlan) -> None:
    assert len(plan_001.warnings) == 1
    assert "kèm theo Chương trình (từ dòng 50)" in plan_001.warnings[0]


# --- Seed 002 ------------------------------------------------------------------------------------------------------


def test_002_agencies_and_task_counts(plan_002: ParsedPlan) -> None:
    counts = Counter(task.agency for task in plan_002.tasks)
    assert dict(counts) == EXPECTED_002_TASK_COUNTS
    assert len(plan_002.tasks) == 39


def test_002_roles(plan_002: ParsedPlan) -> None:
    coordinate = {(t.agency, t.text[:len(words)]) for t in plan_002.tasks if t.role == "coordinate"
                  for agency, words in EXPECTED_002_COORDINATE if agency == t.agency}
    assert coordinate == EXPECTED_002_COORDINATE
    assert sum(task.role == "lead" for task in plan_002.tasks) == 35


def test_002_joint_headings_share_their_task(plan_002: ParsedPlan) -> None:
    radio = [t for t in plan_002.tasks if t.agency == "Đài Phát thanh và Truyền hình Kiên Giang"]
    paper = [t for t in plan_002.tasks if t.agency == "Báo Kiên Giang"]
    assert radio[0].text == paper[0].text
    assert radio[0].text.startswith("Đẩy mạnh thông tin, tuyên truyền")
    assert radio[0].source_lines == (585, 597)
    front = next(t for t in plan_002.tasks if t.agency == "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh")
    assert front.text.startswith("trong phạm vi chức năng, nhiệm vụ tham gia")  # "16. Đề nghị ..." inline heading


def test_002_task_text_and_lines(plan_002: ParsedPlan) -> None:
    tourism = [t for t in plan_002.tasks if t.agency == "Sở Du lịch"]
    assert tourism[1].text == "Tăng cường quản lý chặt chẽ các hoạt động du lịch bảo đảm an toàn cho trẻ em"
    assert tourism[1].source_lines == (435, 437)
    culture = [t for t in plan_002.tasks if t.agency == "Sở Văn hoá và Thể thao"]
    assert culture[2].text.endswith("Hướng dẫn, trang bị kiến thức và kỹ năng trong gia đình về thực hiện quyền trẻ em")


def test_002_document(plan_002: ParsedPlan) -> None:
    document = plan_002.document
    assert document.type == "Kế hoạch"
    assert document.number is None  # the header with "Số: 234/KH-UBND" is not in this text: nothing invented
    assert document.date is None
    assert document.place is None
    assert document.issuer == "UBND tỉnh Kiên Giang"
    assert document.signer == "Nguyễn Lưu Trung"
    assert document.title is not None
    assert document.title.startswith("Triển khai thực hiện Kế hoạch số 211-KH/TU ngày 25/4/2024")
    assert document.source_lines["title"] == (3, 9)
    assert "Không tìm thấy số, ký hiệu của văn bản." in plan_002.warnings
    assert "Không tìm thấy ngày ban hành văn bản." in plan_002.warnings


def test_002_implements(plan_002: ParsedPlan) -> None:
    cited = [(item.number, item.date, item.issuer) for item in plan_002.implements]
    assert cited == [
        ("211-KH/TU", dt.date(2024, 4, 25), "Ban Thường vụ Tỉnh ủy Kiên Giang"),
        ("28-CT/TW", dt.date(2023, 12, 25), "Bộ Chính trị"),
    ]


def test_002_reporting_deadline(plan_002: ParsedPlan) -> None:
    assert [(d.month, d.day, d.year, d.recurrence) for d in plan_002.deadlines] == [(11, 10, None, "yearly")]
    deadline = plan_002.deadlines[0]
    assert "trước ngày 10/11" in deadline.text
    assert deadline.source_lines == (680, 686)


def test_002_has_no_targets_and_says_so(plan_002: ParsedPlan) -> None:
    assert plan_002.targets == []
    assert any(warning.startswith("Không tìm thấy chỉ tiêu") for warning in plan_002.warnings)


# --- The JSON contract ---------------------------------------------------------------------------------------------


def test_json_contract_keys(plan_001: ParsedPlan) -> None:
    data = plan_001.to_json()
    assert set(data) == {"document", "implements", "targets", "tasks", "deadlines", "warnings"}
    assert set(data["document"]) == {"type", "number", "date", "place", "issuer", "title", "signer", "source_lines"}
    assert set(data["implements"][0]) == {"number", "date", "issuer", "source_lines"}
    assert set(data["targets"][0]) == {"text", "value", "unit", "direction", "year", "baseline", "source_lines"}
    assert set(data["targets"][0]["baseline"]) == {"value", "year", "text", "source_lines"}
    assert set(data["tasks"][0]) == {"agency", "role", "text", "source_lines"}
    assert set(data["deadlines"][0]) == {"text", "month", "day", "year", "recurrence", "source_lines"}
    assert data["document"]["date"] == "2024-10-23"
    assert data["targets"][0]["source_lines"] == [86, 86]


def test_source_lines_point_at_the_words(plan_002: ParsedPlan) -> None:
    lines = SEED_002.read_text(encoding="utf-8").split("\n")
    for task in plan_002.tasks:
        first, last = task.source_lines
        first_words = " ".join(task.text.split()[:2])
        assert first_words in " ".join(lines[first - 1 : last]), task


def test_parse_text_and_file_agree() -> None:
    assert parse_plan_text(SEED_002.read_text(encoding="utf-8")).to_json() == parse_plan_file(SEED_002).to_json()
