"""Property tests: no input makes the parser fail in an unplanned way, and layout noise does not change results."""

from __future__ import annotations

import io
import random
import re
import textwrap
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treem.core.formats import format_number, parse_decimal_vi
from treem.plans.parser import PlanParseError, extract_text, parse_plan_text
from treem.plans.parser.normalize import paragraphs_from_text
from treem.plans.parser.structure import build_outline
from treem.plans.parser.text import fold, fold_aligned

from .test_parser_formats import essentials
from .test_parser_seeds import SEED_001, SEED_002

SETTINGS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of real plans, so that random text reaches the deep parts of the parser and not only its first checks.
_FRAGMENTS = [
    "KẾ HOẠCH", "CHƯƠNG TRÌNH", "Số: 234/KH-UBND", "Kiên Giang, ngày 15 tháng 5 năm 2024", "V/v", "I.", "II-",
    "IV. TỔ CHỨC THỰC HIỆN", "III. MỤC TIÊU", "ĐẶC ĐIỂM, TÌNH HÌNH", "1.", "2.1.", "a)", "(1)", "- ", "• ", "+ ",
    "**", "__", "#", "Sở Y tế", "Đề nghị", "Giao", "UBND các huyện, thành phố", "chủ trì, phối hợp với", "Báo",
    "các cơ quan có liên quan", " và ", ", ", "; ", ". ", ": ", "đạt", "trên", "dưới", "giảm còn", "tăng lên", "từ",
    "xuống", "phấn đấu", "trở lên", "không quá", "97,2", "0,05", "1.234", "100", "77/108", "%", "xã", "trẻ em",
    "tuổi", "năm 2030", "đến năm", "trước ngày 10/11", "hằng năm", "trong tháng 11/2024", "Thực hiện", "Căn cứ",
    "Chỉ thị số 28-CT/TW", "ngày 25/12/2023", "của Bộ Chính trị", "Nơi nhận:", "KT. CHỦ TỊCH", "Nguyễn Văn A",
    "\n", "\n\n", "\u00a0", "\u200b", "\t", "./.", "…", "(", ")", "“", "”",
]
plan_like_text = st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=8), max_size=120).map("".join)


# --- Never an unplanned error --------------------------------------------------------------------------------------


@SETTINGS
@given(st.text(max_size=3000))
def test_random_text_never_raises(text: str) -> None:
    plan = parse_plan_text(text)
    plan.to_json()


@SETTINGS
@given(plan_like_text)
def test_plan_like_noise_never_raises(text: str) -> None:
    data = parse_plan_text(text).to_json()
    line_count = len(text.split("\n"))
    for key in ("implements", "targets", "tasks", "deadlines"):
        for item in data[key]:
            first, last = item["source_lines"]
            assert 1 <= first <= last <= line_count  # every item points into the text


def _zip_with_document(xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
        archive.writestr("[Content_Types].xml", b"<Types/>")
    return buffer.getvalue()


@SETTINGS
@given(
    st.binary(max_size=3000)
    | st.binary(max_size=3000).map(lambda data: b"%PDF-1.4\n" + data)
    | st.binary(max_size=2000).map(_zip_with_document)
    | plan_like_text.map(lambda text: text.encode("utf-16")),
    st.sampled_from(["plan.docx", "plan.pdf", "plan.txt", "plan.md", "plan", ""]),
)
def test_random_files_raise_only_plan_parse_error(data: bytes, filename: str) -> None:
    try:
        text = extract_text(data, filename)
    except PlanParseError as error:
        assert error.message_vi and error.message_en
        return
    parse_plan_text(text)


# --- Layout noise does not change what is found ---------------------------------------------------------------------


def _decorate(line: str, rng: random.Random, bold_words: bool) -> str:
    """Bold some words (never a whole line), put NBSP for some spaces, write some lines in NFD."""
    words = line.split(" ")
    for index in range(1, len(words) - 1):
        if bold_words and words[index] and rng.random() < 0.05:
            words[index] = f"**{words[index]}**"
    line = words[0] + "".join(("\u00a0" if rng.random() < 0.2 else " ") + word for word in words[1:])
    return unicodedata.normalize("NFD", line) if rng.random() < 0.3 else line


_SEEDS = {path.name: path.read_text(encoding="utf-8") for path in (SEED_001, SEED_002)}
_EXPECTED = {name: essentials(parse_plan_text(text)) for name, text in _SEEDS.items()}


@SETTINGS
@given(st.sampled_from(sorted(_SEEDS)), st.integers(min_value=25, max_value=140), st.integers(0, 2**32))
def test_rewrapped_and_decorated_seed_gives_the_same_results(name: str, width: int, noise_seed: int) -> None:
    """Paragraphs re-wrapped at a random width, separated by blank lines (a TXT or Markdown file), with bold words,
    bold headings, non-breaking spaces and NFD lines: the same targets and tasks."""
    rng = random.Random(noise_seed)  # one drawn number drives all the noise: Hypothesis shrinks it easily
    _, paragraphs, _ = paragraphs_from_text(_SEEDS[name])
    headings = {block.index for block in build_outline(paragraphs) if block.is_heading}
    chunks = []
    for index, paragraph in enumerate(paragraphs):
        lines = textwrap.wrap(paragraph.text, width, break_on_hyphens=False, break_long_words=False)
        bold_heading = index in headings and rng.random() < 0.5
        lines = [_decorate(line, rng, bold_words=not bold_heading) for line in lines]
        if bold_heading:
            lines = [f"**{line}**" for line in lines]  # a heading printed in bold, line by line
        chunks.append("\n".join(lines))
    assert essentials(parse_plan_text("\n\n".join(chunks))) == _EXPECTED[name]


@SETTINGS
@given(st.sampled_from(sorted(_SEEDS)), st.integers(min_value=25, max_value=140), st.sampled_from(["\n", "\n\n"]))
def test_hard_wrapped_seed_at_any_width(name: str, width: int, separator: str) -> None:
    """Text copied out of a PDF: no paragraph marks at all (or a blank line after every line, like seed 002)."""
    _, paragraphs, _ = paragraphs_from_text(_SEEDS[name])
    lines = [line for p in paragraphs for line in textwrap.wrap(p.text, width, break_on_hyphens=False,
                                                                break_long_words=False)]
    assert essentials(parse_plan_text(separator.join(lines))) == _EXPECTED[name]


# --- Folding and numbers -------------------------------------------------------------------------------------------


@SETTINGS
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@SETTINGS
@given(st.text())
def test_fold_aligned_keeps_length(text: str) -> None:
    assert len(fold_aligned(text)) == len(text)


@SETTINGS
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=999))
def test_number_round_trip(whole: int, thousandths: int) -> None:
    value = round(whole + thousandths / 1000, 3)
    assert float(parse_decimal_vi(format_number(value, 6, trim=True))) == pytest.approx(value, rel=1e-12, abs=1e-9)


_CANONICAL = re.compile(r"^(?:0|[1-9][0-9]{0,2}(?:\.[0-9]{3})*)(?:,[0-9]{0,5}[1-9])?$")  # up to six decimals


@SETTINGS
@given(st.from_regex(_CANONICAL, fullmatch=True).filter(lambda text: len(text) < 16))
def test_number_text_round_trip(text: str) -> None:
    """ "97,2", "0,05", "1.234": written the Vietnamese way, read, written again: the same text."""
    assert format_number(parse_decimal_vi(text), 6, trim=True) == text
