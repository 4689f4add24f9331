"""Agency names: folding, matching against a registry, and reading them out of task sentences.

Agencies are data with validity dates (the focal agency moved from the labour to the health sector in 2025), so
nothing here knows a list of agencies. ``match_agency`` compares a name read from a document with the caller's
candidates; an unknown agency gives ``None`` and the caller proposes a new one to a person.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from rapidfuzz import fuzz

from .text import fold

__all__ = [
    "PREDICATE_WORDS",
    "canonical_name",
    "clean_agency_name",
    "fold",
    "is_agency_start",
    "is_generic_group",
    "match_agency",
    "predicate_start",
    "split_agencies",
    "split_agency_and_predicate",
    "strip_request_prefix",
]

# Abbreviations used for agencies in plans and in "Nơi nhận" lists, in folded form.
_ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "ldtbxh": "lao dong thuong binh xa hoi",
    "ldtbvxh": "lao dong thuong binh xa hoi",
    "gddt": "giao duc dao tao",
    "vhtt": "van hoa the thao",
    "vhttdl": "van hoa the thao du lich",
    "tttt": "thong tin truyen thong",
    "khdt": "ke hoach dau tu",
    "tnmt": "tai nguyen moi truong",
    "nnptnt": "nong nghiep phat trien nong thon",
    "khcn": "khoa hoc cong nghe",
    "gtvt": "giao thong van tai",
    "mttq": "mat tran to quoc",
    "mttqvn": "mat tran to quoc viet nam",
    "ubmttq": "uy ban mat tran to quoc",
    "ubmttqvn": "uy ban mat tran to quoc viet nam",
    "bhxh": "bao hiem xa hoi",
    "ptth": "phat thanh truyen hinh",
    "ldld": "lien doan lao dong",
    "lhpn": "lien hiep phu nu",
    "tncshcm": "thanh nien cong san ho chi minh",
    "ca": "cong an",
}
_DROPPED_WORDS = {"va"}  # "Sở Giáo dục và Đào tạo" == "Sở GD-ĐT"

def _longest_first(*phrases: str) -> tuple[str, ...]:
    return tuple(sorted(phrases, key=len, reverse=True))  # so that "bo" never shadows "bo chi huy"


# First words of an agency name, folded. "Các ..." groups are agencies too ("Các sở, ban, ngành liên quan").
_AGENCY_HEADS = _longest_first(
    "so", "ban", "uy ban", "ubnd", "ubmttq", "hdnd", "hoi dong", "cong an", "bo chi huy", "bo doi bien phong",
    "vien kiem sat", "toa an", "tinh doan", "thanh doan", "huyen doan", "doan thanh nien", "hoi", "lien doan",
    "mat tran", "mttq", "dai", "bao", "cuc", "chi cuc", "bo", "van phong", "thanh tra", "kho bac", "bao hiem",
    "ngan hang", "truong", "benh vien", "trung tam", "phong", "dang doan", "dang uy", "huyen uy", "thi uy",
    "thanh uy", "tinh uy", "quy", "lien minh", "vien", "hoc vien", "cong ty", "tong cong ty", "chi nhanh", "doan",
)
_GROUP_NOUNS = _longest_first(
    "so", "ban", "nganh", "co quan", "don vi", "huyen", "huyen uy", "thi uy", "thanh uy", "dang uy", "dang doan",
    "to chuc", "doan the", "hoi", "dia phuong", "phong", "truong", "co so", "xa", "tinh", "cap", "luc luong",
    "thanh vien", "chi bo",
)
# Agency groups that name nobody in particular: no coordinate task is recorded for them.
_GENERIC_NOUNS = _longest_first(
    "so", "ban", "nganh", "co quan", "don vi", "dia phuong", "to chuc", "doan the", "cap", "luc luong"
)
_GENERIC_ENDINGS = ("lien quan", "chuc nang", "tren dia ban", "phoi hop")

_PREFIXES = re.compile(r"^(?:đề nghị|giao|yêu cầu|riêng|đối với)\s+", re.IGNORECASE)

# Words that start what an agency is asked to do. Lowercase on purpose: inside a name they are capitalised
# ("Ban Chỉ đạo", "Sở Kế hoạch và Đầu tư"), in the middle of a sentence they are not.
PREDICATE_WORDS = (
    "chủ trì", "phối hợp", "lãnh đạo", "chỉ đạo", "tăng cường", "triển khai", "xây dựng", "tổ chức", "thực hiện",
    "tham mưu", "hướng dẫn", "trong phạm vi", "theo chức năng", "căn cứ", "nghiên cứu", "đẩy mạnh", "tiếp tục",
    "kiện toàn", "rà soát", "bố trí", "có trách nhiệm", "chịu trách nhiệm", "là cơ quan", "tham gia", "vận động",
    "phát động", "quan tâm", "thường xuyên", "định kỳ", "kiểm tra", "giám sát", "cân đối", "đảm bảo", "bảo đảm",
    "phổ biến", "tuyên truyền", "ban hành", "tập trung", "phát huy", "chủ động", "quán triệt", "cụ thể hóa",
    "cụ thể hoá", "hỗ trợ", "lồng ghép", "huy động", "duy trì", "nâng cao", "theo dõi", "đôn đốc", "cung cấp",
    "cập nhật", "thẩm định", "phân bổ", "xử lý", "bổ sung", "tổng hợp", "báo cáo", "đề xuất", "hoàn thiện",
    "ưu tiên", "khẩn trương", "kịp thời", "tích cực", "phát triển", "tạo điều kiện", "nắm",
)
_PREDICATE = re.compile(r"(?<!\w)(?:" + "|".join(_longest_first(*PREDICATE_WORDS)) + r")(?!\w)")
# "tổ chức chính trị - xã hội" is an agency kind, not the verb "to organise".
_NOUN_TO_CHUC = re.compile(r"\s*(?:chính trị|xã hội|đảng|đoàn thể|hội|quần chúng|phi chính phủ|quốc tế)(?!\w)")


def _starts_with_phrase(folded: str, phrases: Sequence[str]) -> str | None:
    """The longest of ``phrases`` (longest first, as given) that opens ``folded`` as whole words."""
    for phrase in phrases:
        if folded == phrase or folded.startswith(phrase + " ") or folded.startswith(phrase + ","):
            return phrase
    return None


def strip_request_prefix(text: str) -> str:
    """ "Đề nghị Tỉnh đoàn ..." -> "Tỉnh đoàn ..."; the rest of the text is left as it is."""
    previous = None
    while previous != text:
        previous, text = text, _PREFIXES.sub("", text.lstrip())
    return text


def clean_agency_name(name: str) -> str:
    """Strip "Đề nghị", trailing punctuation and spaces; "các đoàn thể" -> "Các đoàn thể"."""
    name = " ".join(name.split()).strip(" ,.;:-")
    previous = None
    while previous != name:
        previous, name = name, _PREFIXES.sub("", name).strip(" ,.;:-")
    return name[:1].upper() + name[1:] if name else name


def is_agency_start(text: str) -> bool:
    """Does ``text`` open with an agency name? ("Sở Y tế ...", "UBND các huyện", "Các sở, ban, ngành ...")."""
    text = clean_agency_name(text[:120])  # the opening words decide
    folded = fold(text)
    if folded.startswith("cac "):
        return _starts_with_phrase(folded[4:], _GROUP_NOUNS) is not None
    return text[:1].isupper() and _starts_with_phrase(folded, _AGENCY_HEADS) is not None


def is_generic_group(name: str) -> bool:
    """ "các cơ quan có liên quan" names nobody; "UBND các huyện, thị xã, thành phố" does."""
    folded = fold(clean_agency_name(name))
    if folded.endswith(_GENERIC_ENDINGS):
        return True
    return folded.startswith("cac ") and _starts_with_phrase(folded[4:], _GENERIC_NOUNS) is not None


def predicate_start(text: str) -> int | None:
    """Where the first predicate word ("chủ trì", "lãnh đạo", "triển khai", ...) starts, if any."""
    for match in _PREDICATE.finditer(text):
        if match.group() == "tổ chức" and _NOUN_TO_CHUC.match(text, match.end()):
            continue
        if match.group() == "chỉ đạo" and text[: match.start()].rstrip().endswith("Ban"):
            continue  # "Ban chỉ đạo" written in lowercase
        return match.start()
    return None


def split_agency_and_predicate(text: str) -> tuple[str, str]:
    """ "Ban Tuyên giáo Tỉnh uỷ chủ trì, hướng dẫn ..." -> ("Ban Tuyên giáo Tỉnh uỷ", "chủ trì, hướng dẫn ...").

    Returns ("", text) when no agency opens the text.
    """
    start = predicate_start(text)
    if start is None:
        return "", text
    agency = text[:start].strip(" ,:")
    if agency and is_agency_start(agency):
        return agency, text[start:]
    return "", text


_SPLIT_POINT = re.compile(r",\s+|\s+và\s+|\s*;\s+")


def split_agencies(phrase: str) -> list[str]:
    """ "Đài Phát thanh và Truyền hình Kiên Giang, Báo Kiên Giang" -> both; "Sở Lao động - Thương binh và Xã hội"
    stays whole: a split needs the next piece to start like an agency name."""
    names: list[str] = []
    start = 0
    for match in _SPLIT_POINT.finditer(phrase):
        rest = phrase[match.end() :]
        if not is_agency_start(rest):
            continue
        if fold(phrase[start:]).startswith("cac "):
            # Inside "các sở, ban, ngành" commas list kinds of agency; only "và UBND ..." starts another name.
            if "và" not in match.group() or not rest[:1].isupper():
                continue
        elif not (rest[:1].isupper() or fold(rest).startswith("cac ")):
            continue
        names.append(phrase[start : match.start()])
        start = match.end()
    names.append(phrase[start:])
    return [clean_agency_name(name) for name in names if clean_agency_name(name)]


# --- Matching against a registry -----------------------------------------------------------------------------------


def canonical_name(name: str) -> str:
    """Folded, abbreviations expanded, punctuation and "và" dropped: the form names are compared in."""
    folded = fold(clean_agency_name(name)).replace("&", "")
    folded = re.sub(r"(?<=\w)[-.](?=\w)", "", folded)  # "ld-tb&xh" -> "ldtbxh", "gd-dt" -> "gddt"
    words = re.findall(r"[a-z0-9]+", folded)
    expanded = " ".join(_ABBREVIATIONS.get(word, word) for word in words)
    return " ".join(word for word in expanded.split() if word not in _DROPPED_WORDS)


def _trailing_proper_nouns(name: str) -> set[str]:
    """Folded words of the capitalised run that ends a name: the place in "Công an tỉnh Kiên Giang"."""
    words = clean_agency_name(name).split()
    run: list[str] = []
    for word in reversed(words[1:]):
        if not word[:1].isupper():
            break
        run.append(word)
    return set(canonical_name(" ".join(run)).split()) if run else set()


def _score(name: str, candidate: str) -> float:
    a, b = canonical_name(name), canonical_name(candidate)
    if not a or not b:
        return 0.0
    score = fuzz.token_sort_ratio(a, b)
    words_a, words_b = set(a.split()), set(b.split())
    # "Công an tỉnh Kiên Giang" is "Công an tỉnh" with the place spelled out: nearly certain, not exact.
    for shorter, longer, longer_name in ((words_a, words_b, candidate), (words_b, words_a, name)):
        extra = longer - shorter
        if shorter < longer and extra <= _trailing_proper_nouns(longer_name):
            score = max(score, 95.0)
    return float(score)


def match_agency(
    name: str, candidates: Sequence[tuple[Hashable, str]], threshold: float = 85.0
) -> tuple[Hashable | None, float]:
    """The key of the best matching candidate and its score (0-100); ``(None, best_score)`` below ``threshold``."""
    best_key, best_score = None, 0.0
    for key, candidate_name in candidates:
        score = _score(name, candidate_name)
        if score > best_score:
            best_key, best_score = key, score
    return (best_key, best_score) if best_score >= threshold else (None, best_score)
