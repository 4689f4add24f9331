"""Documents other than the seeds: a made-up plan using every common layout, a dispatch, a plan without targets,
a news article; the seeds in other text layouts; and the helpers for agencies and numbers."""

from __future__ import annotations

import datetime as dt
import textwrap
import unicodedata

import pytest

from treem.core.formats import format_number, parse_decimal_vi
from treem.plans.parser import parse_plan_text
from treem.plans.parser.agencies import fold, is_generic_group, match_agency, split_agencies
from treem.plans.parser.normalize import paragraphs_from_text

from .test_parser_formats import essentials
from .test_parser_seeds import SEED_001, SEED_002

LAI_CHAU_PLAN = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số: 45/KH-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Lai Châu, ngày 05 tháng 3 năm 2025

KẾ HOẠCH
Thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2025

Căn cứ Luật Trẻ em số 102/2016/QH13 ngày 05 tháng 4 năm 2016;
Căn cứ Quyết định số 1183/QĐ-TTg ngày 14/10/2024 của Thủ tướng Chính phủ ban hành Kế hoạch thực hiện Chỉ thị \
số 28-CT/TW;
Thực hiện Chương trình số 48-CTr/TU ngày 10/7/2024 của Ban Thường vụ Tỉnh ủy Lai Châu.

I. KẾT QUẢ NĂM 2024
Năm 2024, toàn tỉnh có 80/106 xã đạt tiêu chuẩn xã phù hợp với trẻ em, đạt 75,5%; tỷ lệ trẻ em dưới 6 tuổi được \
cấp thẻ bảo hiểm y tế đạt 96%; số trẻ em bị xâm hại là 21 trẻ em.

II. MỤC TIÊU ĐẾN NĂM 2030
1. Chỉ tiêu
a) Tỷ lệ xã đạt tiêu chuẩn xã phù hợp với trẻ em đạt trên 90%.
b) Phấn đấu 100% trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế.
c) Số trẻ em bị xâm hại giảm xuống không quá 10 trẻ em mỗi năm.
d) Tỷ lệ trẻ em được tiếp cận dịch vụ bảo vệ tăng lên 95% vào năm 2027.
đ) Tỷ lệ trẻ em bỏ học giảm từ 2,5% (năm 2024) xuống còn 1,2%.
e) Có ít nhất 1.250 cộng tác viên được tập huấn.
g) Duy trì 120 điểm vui chơi cho trẻ em.

III. NHIỆM VỤ, GIẢI PHÁP
Các sở, ngành tăng cường phối hợp; bảo đảm 100% cán bộ được tập huấn.

IV. TỔ CHỨC THỰC HIỆN
1. Sở Y tế:
a) Chủ trì, phối hợp với Sở Giáo dục và Đào tạo, Hội Liên hiệp Phụ nữ tỉnh tổ chức khám sức khỏe định kỳ cho trẻ em;
b) Hướng dẫn cập nhật dữ liệu trẻ em trên phần mềm quản lý thông tin trẻ em tại cơ sở.
2. Sở Giáo dục và Đào tạo
• Xây dựng trường học an toàn, thân thiện.
• Phối hợp với Sở Y tế triển khai y tế trường học.
3. Công an tỉnh, Tỉnh đoàn và Hội Liên hiệp Phụ nữ tỉnh
+ Tuyên truyền phòng, chống xâm hại trẻ em.
4. UBND các huyện, thành phố chủ trì triển khai Kế hoạch tại địa phương; báo cáo kết quả về Sở Y tế trước ngày \
15 tháng 12 hằng năm.

V. CHẾ ĐỘ BÁO CÁO
Các cơ quan, đơn vị báo cáo sơ kết 6 tháng chậm nhất ngày 30/6/2025 và báo cáo năm trước ngày 10/11 hằng năm.

Nơi nhận:
- Như trên;
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
(Đã ký)
Tống Thanh Hải
"""

DISPATCH = """\
ỦY BAN NHÂN DÂN
TỈNH LAI CHÂU
Số: 1021/UBND-VX
V/v triển khai Tháng hành động vì trẻ em năm 2025

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Lai Châu, ngày 20 tháng 4 năm 2025

Kính gửi: Các sở, ban, ngành tỉnh; UBND các huyện, thành phố.

Thực hiện Công văn số 1230/BYT-BMTE ngày 10/4/2025 của Bộ Y tế về việc tổ chức Tháng hành động vì trẻ em năm \
2025, Ủy ban nhân dân tỉnh có ý kiến như sau:

1. Giao Sở Y tế chủ trì, phối hợp với Tỉnh đoàn và các cơ quan liên quan xây dựng kế hoạch tổ chức Tháng hành \
động vì trẻ em, trình UBND tỉnh trước ngày 30/4/2025.

2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp tuyên truyền, vận động.

Nơi nhận:
- Như trên;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Hà Trọng Hải
"""

NEWS = """\
Lai Châu: Hơn 200 trẻ em được khám sàng lọc tim bẩm sinh miễn phí

Sáng 12/6, tại Trung tâm Y tế huyện Tam Đường, Sở Y tế phối hợp với Bệnh viện Nhi Trung ương tổ chức khám sàng \
lọc bệnh tim bẩm sinh cho trẻ em. Theo Ban tổ chức, tỷ lệ trẻ em được tiêm chủng đầy đủ trên địa bàn huyện năm \
2024 đạt 95,6%, tăng 2% so với năm trước.

Dịp này, các đơn vị đã trao 50 suất quà cho các em có hoàn cảnh khó khăn. Chương trình sẽ tiếp tục được tổ chức \
trước ngày 30/9 tại các huyện còn lại.
"""

PLAN_WITHOUT_TARGETS = """\
KẾ HOẠCH
Tổ chức Tháng hành động vì trẻ em năm 2025

I. MỤC ĐÍCH, YÊU CẦU
Nâng cao nhận thức của các cấp, các ngành và toàn xã hội về quyền trẻ em.

II. TỔ CHỨC THỰC HIỆN
1. Sở Y tế
- Chủ trì, phối hợp với Sở Giáo dục và Đào tạo tổ chức truyền thông về dinh dưỡng trẻ em.
2. Công an tỉnh
- Tăng cường phòng ngừa xâm hại trẻ em trong dịp hè.
"""


# --- A plan in every common layout --------------------------------------------------------------------------------


def test_made_up_plan_document_and_basis() -> None:
    plan = parse_plan_text(LAI_CHAU_PLAN)
    document = plan.document
    assert (document.type, document.number, document.date, document.place) == (
        "Kế hoạch", "45/KH-UBND", dt.date(2025, 3, 5), "Lai Châu"
    )
    assert document.issuer == "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"
    assert document.title == "Thực hiện công tác bảo vệ, chăm sóc trẻ em năm 2025"
    assert document.signer == "Tống Thanh Hải"
    assert [(i.number, i.date, i.issuer) for i in plan.implements] == [
        ("102/2016/QH13", dt.date(2016, 4, 5), None),
        ("1183/QĐ-TTg", dt.date(2024, 10, 14), "Thủ tướng Chính phủ"),
        ("28-CT/TW", None, None),
        ("48-CTr/TU", dt.date(2024, 7, 10), "Ban Thường vụ Tỉnh ủy Lai Châu"),
    ]


def test_made_up_plan_targets() -> None:
    plan = parse_plan_text(LAI_CHAU_PLAN)
    summary = [
        (t.value, t.unit, t.direction, t.year, (t.baseline.value, t.baseline.year) if t.baseline else None)
        for t in plan.targets
    ]
    assert summary == [
        (90.0, "%", "at_least", 2030, (75.5, 2024)),  # "đạt trên 90%"; the heading says "ĐẾN NĂM 2030"
        (100.0, "%", "equal", 2030, (96.0, 2024)),  # "Phấn đấu 100% trẻ em ...": the value opens the clause
        (10.0, "trẻ em", "below", 2030, (21.0, 2024)),  # "giảm xuống không quá 10 trẻ em"
        (95.0, "%", "increase_to", 2027, None),  # "tăng lên 95% vào năm 2027"
        (1.2, "%", "reduce_to", 2030, (2.5, 2024)),  # the baseline stated in the target itself
        (1250.0, "cộng tác viên", "at_least", 2030, None),  # "1.250": a thousands separator
        (120.0, "điểm vui chơi", "equal", 2030, None),  # "Duy trì 120 ..."
    ]
    assert plan.targets[1].text == "Phấn đấu 100% trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế"
    assert plan.targets[4].baseline is not None
    assert plan.targets[4].baseline.text == plan.targets[4].text
    assert "Không tìm thấy số liệu nền (hiện trạng) cho 3/7 chỉ tiêu." in plan.warnings


def test_made_up_plan_tasks() -> None:
    plan = parse_plan_text(LAI_CHAU_PLAN)
    assert [(t.agency, t.role) for t in plan.tasks] == [
        ("Sở Y tế", "lead"),
        ("Sở Giáo dục và Đào tạo", "coordinate"),  # named after "Chủ trì, phối hợp với"
        ("Hội Liên hiệp Phụ nữ tỉnh", "coordinate"),
        ("Sở Y tế", "lead"),
        ("Sở Giáo dục và Đào tạo", "lead"),  # "•" bullets
        ("Sở Giáo dục và Đào tạo", "coordinate"),  # "Phối hợp với Sở Y tế ..."
        ("Công an tỉnh", "lead"),  # one heading, three agencies, "+" bullet
        ("Tỉnh đoàn", "lead"),
        ("Hội Liên hiệp Phụ nữ tỉnh", "lead"),
        ("UBND các huyện, thành phố", "lead"),  # the agency and its task on one numbered line
    ]
    assert plan.tasks[3].text == "Hướng dẫn cập nhật dữ liệu trẻ em trên phần mềm quản lý thông tin trẻ em tại cơ sở"


def test_made_up_plan_deadlines() -> None:
    plan = parse_plan_text(LAI_CHAU_PLAN)
    assert [(d.month, d.day, d.year, d.recurrence) for d in plan.deadlines] == [
        (12, 15, None, "yearly"),
        (6, 30, 2025, "once"),
        (11, 10, None, "yearly"),
    ]


def test_dispatch_reads_assignments_and_deadline() -> None:
    plan = parse_plan_text(DISPATCH)
    assert (plan.document.type, plan.document.number, plan.document.signer) == (
        "Công văn", "1021/UBND-VX", "Hà Trọng Hải"
    )
    assert plan.document.title == "triển khai Tháng hành động vì trẻ em năm 2025"
    assert [(i.number, i.issuer) for i in plan.implements] == [("1230/BYT-BMTE", "Bộ Y tế")]
    assert [(t.agency, t.role) for t in plan.tasks] == [
        ("Sở Y tế", "lead"),
        ("Tỉnh đoàn", "coordinate"),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "coordinate"),  # "Đề nghị ... phối hợp tuyên truyền"
    ]
    assert [(d.month, d.day, d.year, d.recurrence) for d in plan.deadlines] == [(4, 30, 2025, "once")]
    assert plan.targets == []
    assert any("không phải kế hoạch hay chương trình" in warning for warning in plan.warnings)


def test_news_article_gives_nothing_but_warnings() -> None:
    plan = parse_plan_text(NEWS)
    assert plan.targets == [] and plan.tasks == [] and plan.deadlines == [] and plan.implements == []
    assert plan.document.type is None and plan.document.number is None
    assert "Không xác định được loại văn bản (kế hoạch, chương trình, công văn, ...)." in plan.warnings
    assert any(warning.startswith("Không phải văn bản kế hoạch") for warning in plan.warnings)


def test_plan_without_targets() -> None:
    plan = parse_plan_text(PLAN_WITHOUT_TARGETS)
    assert plan.targets == []
    assert any(warning.startswith("Không tìm thấy chỉ tiêu") for warning in plan.warnings)
    assert [(t.agency, t.role) for t in plan.tasks] == [
        ("Sở Y tế", "lead"),
        ("Sở Giáo dục và Đào tạo", "coordinate"),
        ("Công an tỉnh", "lead"),
    ]


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\u00a0\u200b"], ids=["empty", "blank-lines", "invisible"])
def test_empty_text(text: str) -> None:
    plan = parse_plan_text(text)
    assert plan.warnings == ["Văn bản không có nội dung."]


# --- The seeds in other layouts ------------------------------------------------------------------------------------


def _paragraph_texts(path) -> list[str]:
    _, paragraphs, _ = paragraphs_from_text(path.read_text(encoding="utf-8"))
    return [paragraph.text for paragraph in paragraphs]


@pytest.mark.parametrize("seed", [SEED_001, SEED_002], ids=["seed001", "seed002"])
@pytest.mark.parametrize("width", [30, 45, 62, 80, 97, 120])
@pytest.mark.parametrize("separator", ["\n", "\n\n"], ids=["hard-wrapped", "blank-after-every-line"])
def test_hard_wrapped_seed(seed, width: int, separator: str) -> None:
    """Text copied out of a PDF: every paragraph wrapped at ``width``, no blank line between paragraphs (or a
    blank line after every line, as in seed 002). The parser must find the paragraphs again."""
    lines = []
    for text in _paragraph_texts(seed):
        lines += textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    expected = essentials(parse_plan_text(seed.read_text(encoding="utf-8")))
    assert essentials(parse_plan_text(separator.join(lines))) == expected


@pytest.mark.parametrize("seed", [SEED_001, SEED_002], ids=["seed001", "seed002"])
def test_one_paragraph_per_line(seed) -> None:
    expected = essentials(parse_plan_text(seed.read_text(encoding="utf-8")))
    assert essentials(parse_plan_text("\n".join(_paragraph_texts(seed)))) == expected


def test_markup_nbsp_and_nfd() -> None:
    text = SEED_001.read_text(encoding="utf-8")
    variant = unicodedata.normalize("NFD", text).replace(" đạt ", "\u00a0**đạt**\u00a0").replace(" - ", " \u2013 ")
    assert essentials(parse_plan_text(variant)) == essentials(parse_plan_text(text))


# --- Agencies ------------------------------------------------------------------------------------------------------


def test_fold() -> None:
    assert fold("  Sở Lao động - Thương binh  và Xã hội ") == "so lao dong - thuong binh va xa hoi"
    assert fold("Ủy ban") == fold("Uỷ ban") == fold(unicodedata.normalize("NFD", "ỦY BAN")) == "uy ban"
    assert fold("ĐÀI\u00a0PHÁT THANH") == "dai phat thanh"


REGISTRY = [
    ("ldtbxh", "Sở Lao động - Thương binh và Xã hội"),
    ("yte", "Sở Y tế"),
    ("gddt", "Sở Giáo dục và Đào tạo"),
    ("vhtt", "Sở Văn hóa và Thể thao"),
    ("congan", "Công an tỉnh"),
    ("ubnd-tinh", "Ủy ban nhân dân tỉnh"),
    ("ubnd-huyen", "Ủy ban nhân dân các huyện, thành phố"),
    ("mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh"),
    ("bao", "Báo Kiên Giang"),
]


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Sở Lao động - Thương binh và Xã hội", "ldtbxh"),
        ("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "ldtbxh"),
        ("Sở LĐTBXH", "ldtbxh"),
        ("Sở LĐ-TB&XH", "ldtbxh"),
        ("Sở GD&ĐT", "gddt"),
        ("Sở Văn hoá và Thể thao", "vhtt"),
        ("Đề nghị Sở Y tế", "yte"),
        ("Công an tỉnh Kiên Giang", "congan"),
        ("UBND tỉnh", "ubnd-tinh"),
        ("UBND các huyện, thành phố", "ubnd-huyen"),
        ("Ủy ban MTTQVN tỉnh", "mttq"),
        ("Sở Tư pháp", None),
        ("Đài Phát thanh và Truyền hình Kiên Giang", None),
        ("Báo Sóc Trăng", None),
    ],
)
def test_match_agency(name: str, key: str | None) -> None:
    found, score = match_agency(name, REGISTRY)
    assert found == key, (name, score)
    assert 0 <= score <= 100


def test_match_agency_threshold() -> None:
    key, score = match_agency("Sở Y tế dự phòng", REGISTRY)
    assert key is None and score < 85
    assert match_agency("Sở Y tế dự phòng", REGISTRY, threshold=50)[0] == "yte"
    assert match_agency("Sở Y tế", []) == (None, 0.0)


@pytest.mark.parametrize(
    ("phrase", "names"),
    [
        ("Đài Phát thanh và Truyền hình Kiên Giang, Báo Kiên Giang",
         ["Đài Phát thanh và Truyền hình Kiên Giang", "Báo Kiên Giang"]),
        ("Sở Lao động - Thương binh và Xã hội", ["Sở Lao động - Thương binh và Xã hội"]),
        ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        ("Công an tỉnh, Tỉnh đoàn và Hội Liên hiệp Phụ nữ tỉnh",
         ["Công an tỉnh", "Tỉnh đoàn", "Hội Liên hiệp Phụ nữ tỉnh"]),
        ("các sở, ban, ngành, đoàn thể và UBND các huyện, thành phố",
         ["Các sở, ban, ngành, đoàn thể", "UBND các huyện, thành phố"]),
        ("Đề nghị Tỉnh đoàn", ["Tỉnh đoàn"]),
    ],
)
def test_split_agencies(phrase: str, names: list[str]) -> None:
    assert split_agencies(phrase) == names


def test_generic_groups() -> None:
    assert is_generic_group("các cơ quan có liên quan")
    assert is_generic_group("Các sở, ban, ngành, cơ quan, đơn vị")
    assert is_generic_group("các ngành chức năng liên quan")
    assert not is_generic_group("Ủy ban nhân dân các huyện, thị xã, thành phố")
    assert not is_generic_group("Sở Y tế")


# --- Numbers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("97,2", 97.2), ("0,05", 0.05), ("1.234", 1234.0), ("1.234,5", 1234.5), ("12.345.678", 12345678.0),
     ("97.2", 97.2), ("100", 100.0), ("0.050", 0.05)],
)
def test_parse_vn_number(text: str, value: float) -> None:
    assert float(parse_decimal_vi(text)) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1..2", ",5"])
def test_parse_vn_number_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a Vietnamese number"):
        parse_decimal_vi(text)


def test_format_vn_number() -> None:
    values = (97.2, 0.05, 1234.0, 1234.5, 100.0)
    assert [format_number(value, 6, trim=True) for value in values] == ["97,2", "0,05", "1.234", "1.234,5", "100"]
