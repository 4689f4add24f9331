"""Quantified targets (chỉ tiêu) and the baselines stated for them.

A target is a value with a unit and a direction word right before it ("đạt 97,2%", "giảm còn dưới 6%",
"tăng lên 95%") or a value that opens its clause ("Phấn đấu 100% trẻ em dưới 6 tuổi được cấp thẻ BHYT").
A bare number is never a target: "trẻ em dưới 5 tuổi" has no unit from the list below, "77/108" is a ratio.

Targets are read from the objectives section ("MỤC TIÊU", "CHỈ TIÊU"). Baselines are read from the situation
section ("ĐẶC ĐIỂM, TÌNH HÌNH", "THỰC TRẠNG", "KẾT QUẢ") and matched to targets by the words that name the
indicator; a target states its own baseline when it says "giảm từ 9,8% (năm 2023) xuống còn 6%".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from treem.core.formats import parse_decimal_vi

from .deadlines import sentence_spans
from .models import Baseline, Target
from .normalize import Paragraph
from .structure import BODY, Block
from .text import NUMBER_PATTERN, fold, fold_aligned

_UNITS = (
    "%", "‰", "phần trăm", "phần nghìn", "trẻ em", "trẻ", "học sinh", "lượt người", "lượt", "người", "hộ gia đình",
    "hộ", "gia đình", "xã", "phường", "thị trấn", "huyện", "thôn", "ấp", "bản", "tổ dân phố", "trường học", "trường",
    "lớp học", "lớp", "điểm vui chơi", "điểm", "cơ sở", "mô hình", "câu lạc bộ", "nhóm", "cuộc", "buổi", "tỷ đồng",
    "triệu đồng", "nghìn đồng", "đồng", "vụ", "ca", "cán bộ", "đơn vị", "cơ quan", "sản phẩm", "tin bài", "bài",
    "khu vui chơi", "nhà văn hóa", "thiết chế", "cộng tác viên", "tình nguyện viên", "nhân viên", "giáo viên",
    "lượt trẻ em", "lượt trẻ", "gia đình trẻ em", "phụ huynh", "hồ sơ", "cuộc gọi", "văn bản", "lớp tập huấn",
)
_FOLDED_UNITS = sorted({fold(unit) for unit in _UNITS}, key=len, reverse=True)
_VALUE = re.compile(
    r"(?<![\w/.,\-])(?P<num>" + NUMBER_PATTERN + r")(?![\w/]|[.,]\d|\s*-\s*[a-z])"
    r"\s*(?P<unit>" + "|".join(re.escape(unit) for unit in _FOLDED_UNITS) + r")(?![\w%])"
)
_UNIT_NAMES = {"phan tram": "%", "phan nghin": "‰"}

# Words just before a value, longest first. "không dưới" is a floor, "dưới" a ceiling.
_BOUNDS = {
    "khong duoi": "at_least", "khong thap hon": "at_least", "it nhat": "at_least", "toi thieu": "at_least",
    "cao hon": "at_least", "tren": "at_least", "hon": "at_least",
    "khong vuot qua": "below", "khong qua": "below", "toi da": "below", "thap hon": "below", "nho hon": "below",
    "duoi": "below",
    "khoang": "equal", "xap xi": "equal",
    "tu": "from",
}
_VERBS = {
    "giam xuong con": "reduce_to", "giam xuong": "reduce_to", "giam con": "reduce_to", "xuong con": "reduce_to",
    "ha xuong": "reduce_to", "giam": "reduce_to", "xuong": "reduce_to", "con": "reduce_to",
    "tang len": "increase_to", "nang len": "increase_to", "len": "increase_to", "tang": "increase_to",
    "dat": "at_least", "chiem": "at_least",
    "duy tri o muc": "equal", "duy tri": "equal", "giu vung": "equal", "giu on dinh": "equal", "bang": "equal",
    "o muc": "equal", "la": "equal", "co": "equal",
}
# What may stand before a value that opens its clause: "Phấn đấu đến năm 2030, 100% trẻ em ...".
# (Alternatives never overlap, so a long run of punctuation cannot make the regex backtrack.)
_LEAD_IN = re.compile(
    r"^(?:phan dau|bao dam|dam bao|den nam \d{4}|den \d{4}|nam \d{4}|co|va|dong thoi|trong do|[\s,:\-])*$"
)
_YEAR_TARGET = re.compile(r"(?<!\w)(?:den|toi|vao|trong|cuoi|het)\s+(?:nam\s+)?((?:19|20)\d\d)(?!\d)")
_YEAR_ANY = re.compile(r"(?<!\w)nam\s+((?:19|20)\d\d)(?!\d)|giai doan\s+(?:19|20)\d\d\s*-\s*((?:19|20)\d\d)")
_YEAR_AFTER_VALUE = re.compile(r"^\s*\(?\s*(?:vao\s+|tinh den\s+|den\s+)?(?:cuoi\s+)?nam\s+((?:19|20)\d\d)")
_YEAR_LEAD = re.compile(r"^\s*(?:tinh\s+)?(?:den\s+)?(?:cuoi\s+|het\s+)?nam\s+((?:19|20)\d\d)")
_STOPWORDS = {
    "ty", "le", "so", "va", "cac", "nhung", "cua", "toan", "tinh", "den", "nay", "hien", "nam", "phan", "dau", "dat",
    "giam", "con", "tang", "len", "xuong", "duoi", "tren", "muc", "khoang", "o", "la", "co", "chiem", "bang", "tro",
    "it", "nhat", "toi", "thieu", "da", "hon", "tu", "trong", "do", "bao", "dam", "duoc", "voi",
}
_SUBJECT_START = ("ty le", "so ", "tong so", "100%")
_CONTINUATION_START = ("va ", "con ", "dong thoi ")


@dataclass
class FoundValue:
    start: int  # where the direction phrase (or the number) starts, in the paragraph text
    number_start: int
    end: int  # after the unit and any "trở lên"
    value: float
    unit: str
    direction: str  # at_least | below | reduce_to | increase_to | equal | from


@dataclass
class Segment:
    """One value with the words that name what it measures."""

    paragraph: Paragraph
    start: int
    end: int
    found: FoundValue
    tokens: list[str]
    year: int | None = None
    from_value: FoundValue | None = None  # "giảm từ 9,8% xuống còn 6%": the 9,8%
    from_year: int | None = None

    @property
    def text(self) -> str:
        return _tidy(self.paragraph.text[self.start : self.end])

    @property
    def lines(self) -> tuple[int, int]:
        return self.paragraph.lines_of(self.start, self.end)


def _tidy(text: str) -> str:
    text = text.strip(" ,;:.")
    for lead in ("và ", "đồng thời ", "- "):
        if text.lower().startswith(lead):
            text = text[len(lead) :]
    return text.strip(" ,;:")


def _longest_suffix(words: list[str], phrases: dict[str, str]) -> tuple[str, int]:
    for size in (3, 2, 1):
        if len(words) >= size and " ".join(words[-size:]) in phrases:
            return " ".join(words[-size:]), size
    return "", 0


def _direction(folded_before: str) -> tuple[str | None, int]:
    """Direction from the words just before a number, and how many characters those words take."""
    tail = re.split(r"[,;:()\[\]\"“”]", folded_before[-60:])[-1]
    words = re.findall(r"[a-z]+", tail)
    bound, bound_size = _longest_suffix(words, _BOUNDS)
    verb, _ = _longest_suffix(words[: len(words) - bound_size], _VERBS)
    phrase = " ".join(filter(None, [verb, bound]))
    length = len(phrase) + 1 if phrase else 0
    if bound:
        return _BOUNDS[bound], length
    if verb:
        return _VERBS[verb], length
    return None, 0


def find_values(text: str, folded: str, start: int = 0, end: int | None = None) -> list[FoundValue]:
    """Every value-with-unit in ``text[start:end]`` that has a direction (or opens its clause)."""
    end = len(text) if end is None else end
    values: list[FoundValue] = []
    for match in _VALUE.finditer(folded, start, end):
        try:
            number = float(parse_decimal_vi(match.group("num")))
        except ValueError:
            continue
        unit_folded = match.group("unit")
        unit = _UNIT_NAMES.get(unit_folded, text[match.start("unit") : match.end("unit")].lower())
        value_end = match.end()
        suffix = re.match(r"\s+tro\s+(len|xuong)(?!\w)", folded[value_end:end])
        before = folded[start : match.start()]
        direction, phrase_length = _direction(before)
        if suffix:
            direction, value_end = ("at_least" if suffix.group(1) == "len" else "below"), value_end + suffix.end()
        elif direction is None and _LEAD_IN.match(before):
            direction = "equal" if number == 100 and unit == "%" else "at_least"
        if direction is None:
            continue
        if direction == "at_least" and number == 100 and unit == "%":
            direction = "equal"
        phrase_start = max(start, match.start() - phrase_length)
        values.append(FoundValue(phrase_start, match.start(), value_end, number, unit, direction))
    return values


def _clauses(paragraph: Paragraph) -> list[tuple[int, int]]:
    clauses = []
    for sentence_start, sentence_end in sentence_spans(paragraph.text):
        position = max(sentence_start, paragraph.body_offset)
        for part in re.finditer(r"[^;]+", paragraph.text[position:sentence_end]):
            clauses.append((position + part.start(), position + part.end()))
    return clauses


def _indicator_tokens(folded: str, found: FoundValue, start: int) -> list[str]:
    """The words naming the indicator: the segment without the value phrase, anchors and stopwords."""
    text = folded[start : found.start] + " " + folded[found.end :]
    text = re.sub(r"\d+(?:[.,/]\d+)*", " ", text)
    return [word for word in re.findall(r"[a-z]+", text) if word not in _STOPWORDS]


def _resolve_ellipsis(tokens: list[str], previous: list[str]) -> list[str]:
    """ "... thể cân nặng theo tuổi giảm còn 9,8% và thể chiều cao theo tuổi ..." borrows the shared subject."""
    if not tokens or not previous or tokens[0] not in previous:
        return tokens
    return previous[: previous.index(tokens[0])] + tokens


def _year_in(folded: str, pattern: re.Pattern[str] = _YEAR_TARGET) -> int | None:
    years = [int(next(group for group in match.groups() if group)) for match in pattern.finditer(folded)]
    return years[-1] if years else None


def segments_of(block: Block, clause_end_extends: bool) -> list[Segment]:
    """Split each clause of the paragraph at its values; each piece names and measures one indicator."""
    paragraph = block.paragraph
    folded = fold_aligned(paragraph.text)
    segments: list[Segment] = []
    for clause_start, clause_end in _clauses(paragraph):
        previous_tokens: list[str] = []
        pending_from: FoundValue | None = None
        cursor = clause_start
        values = find_values(paragraph.text, folded, clause_start, clause_end)
        for position, found in enumerate(values):
            if found.direction == "from":
                pending_from = found
                continue
            leading = _LEAD_IN.match(folded[cursor : found.number_start]) is not None
            if position + 1 == len(values):
                end = clause_end  # the last value keeps its trailing words: "... cộng tác viên được tập huấn"
            elif leading and clause_end_extends:
                end = values[position + 1].start  # "100% trẻ em ... được cấp thẻ": the indicator follows the value
            else:
                end = found.end
            tokens = _indicator_tokens(folded[:end], found, cursor)
            lead = folded[cursor : found.start].strip(" ,")
            opener = next((word for word in _CONTINUATION_START if lead.startswith(word)), None)
            if opener and not lead[len(opener) :].lstrip().startswith(_SUBJECT_START):
                tokens = _resolve_ellipsis(tokens, previous_tokens)
            segment = Segment(paragraph, cursor, end, found, tokens)
            own_words = folded[cursor:end] if pending_from is None else folded[found.start : end]
            segment.year = _year_in(own_words) or _year_in(own_words, _YEAR_ANY)
            if pending_from is not None:
                segment.from_value = pending_from
                segment.from_year = _year_in(folded[pending_from.end : found.start], _YEAR_ANY)
            segments.append(segment)
            previous_tokens, pending_from, cursor = tokens, None, end
    return segments


def _heading_year(block: Block) -> int | None:
    for heading in reversed(block.headings):
        year = _year_in(fold(heading.body)) or _year_in(fold(heading.body), _YEAR_ANY)
        if year:
            return year
    return None


# --- Baselines -----------------------------------------------------------------------------------------------------


@dataclass
class Measurement:
    segment: Segment
    year: int | None
    used: bool = field(default=False)


def _measurement_year(block: Block, segment: Segment) -> int | None:
    folded = fold_aligned(block.paragraph.text)
    after = _YEAR_AFTER_VALUE.match(folded[segment.found.end :])
    if after:
        return int(after.group(1))
    lead = _YEAR_LEAD.match(folded[block.paragraph.body_offset :])
    return int(lead.group(1)) if lead else None


def find_measurements(blocks: list[Block]) -> list[Measurement]:
    status = [block for block in blocks if block.zone == BODY and "status" in block.roles and not block.is_heading]
    if not status:  # no situation section: take sentences anchored in time ("Đến nay", "Năm 2023, ...")
        anchors = ("den nay", "hien nay", "nam 20", "den cuoi nam", "tinh den")
        status = [
            block
            for block in blocks
            if block.zone == BODY
            and not block.roles & {"targets", "organisation"}
            and fold(block.paragraph.body).startswith(anchors)
        ]
    measurements = []
    for block in status:
        for segment in segments_of(block, clause_end_extends=False):
            measurements.append(Measurement(segment, _measurement_year(block, segment)))
    return measurements


def _similarity(target: list[str], measured: list[str]) -> float:
    """Share of the target's words found in the measurement, less a little for the measurement's extra words."""
    target_words, measured_words = set(target), set(measured)
    if not target_words or not measured_words:
        return 0.0
    coverage = len(target_words & measured_words) / len(target_words)
    if coverage < 0.75:
        return 0.0
    return coverage - 0.15 * len(measured_words - target_words) / len(measured_words)


def _match_baselines(targets: list[tuple[Target, Segment]], measurements: list[Measurement]) -> None:
    pairs = []
    for target_index, (target, segment) in enumerate(targets):
        if target.baseline is not None:
            continue
        for measurement_index, measurement in enumerate(measurements):
            if measurement.segment.found.unit != target.unit:
                continue
            score = _similarity(segment.tokens, measurement.segment.tokens)
            if score > 0:
                pairs.append((score, target_index, measurement_index))
    taken_targets: set[int] = set()
    for _score, target_index, measurement_index in sorted(pairs, key=lambda pair: -pair[0]):
        measurement = measurements[measurement_index]
        if target_index in taken_targets or measurement.used:
            continue
        taken_targets.add(target_index)
        measurement.used = True
        target = targets[target_index][0]
        found = measurement.segment
        target.baseline = Baseline(found.found.value, measurement.year, found.text, found.lines)


# --- Targets -------------------------------------------------------------------------------------------------------


def _target_blocks(blocks: list[Block], fallback: bool) -> list[Block]:
    body = [block for block in blocks if block.zone == BODY and not block.is_heading]
    in_section = [block for block in body if "targets" in block.roles]
    if in_section or not fallback:
        return in_section
    # No objectives section: only sentences that announce a target ("phấn đấu", "chỉ tiêu", "đến năm 2030").
    cues = ("phan dau", "chi tieu", "muc tieu", "den nam")
    return [
        block
        for block in body
        if not block.roles & {"status", "organisation", "reporting"} and any(cue in fold(block.text) for cue in cues)
    ]


def find_targets(blocks: list[Block], fallback: bool = True) -> list[Target]:
    found: list[tuple[Target, Segment]] = []
    for block in _target_blocks(blocks, fallback):
        heading_year = _heading_year(block)
        paragraph_year = _year_in(fold(block.paragraph.text))
        for segment in segments_of(block, clause_end_extends=True):
            baseline = None
            if segment.from_value is not None:
                baseline = Baseline(segment.from_value.value, segment.from_year, segment.text, segment.lines)
            target = Target(
                text=segment.text,
                value=segment.found.value,
                unit=segment.found.unit,
                direction=segment.found.direction,
                year=segment.year or paragraph_year or heading_year,
                baseline=baseline,
                source_lines=segment.lines,
            )
            found.append((target, segment))
    _match_baselines(found, find_measurements(blocks))
    return [target for target, _ in found]
