"""The document's own identity: genre, number and symbol, date and place, issuer, title and signer.

These follow the layout fixed by Decree 30/2020/NĐ-CP: issuing body top left, "Số: 234/KH-UBND" under it, the
national motto top right, "Kiên Giang, ngày 15 tháng 5 năm 2024" under it, then the genre in capitals and the title
(or "V/v ..." for a dispatch), and at the end the signature block and the signer's name.
"""

from __future__ import annotations

import datetime as dt
import re

from .models import DocumentInfo
from .normalize import Paragraph, is_all_caps
from .structure import BODY, GENRES, HEADER, TAIL, Block, genre_of_line, genre_remainder
from .text import fold_aligned

_MOTTOS = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "dang cong san viet nam")

# "Số: 234/KH-UBND", "Số: 3452 /UBND-VX", Party style "Số 61-CTr/TU" (no colon, so a symbol is required).
_NUMBER = re.compile(
    r"(?:^|(?<=\s))Số\s*(?P<colon>:)?\s*(?P<num>\d{1,6}[a-zA-Z]?)?"
    r"\s*(?P<sym>[/\-]\s*[0-9A-Za-zĐđ][0-9A-Za-zĐđ&.\-/]*)?"
)
_DATE = re.compile(
    r"ngày\s*(?P<d>\d{1,2})\s*(?:tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})"
    r"|[/.\-]\s*(?P<m2>\d{1,2})\s*[/.\-]\s*(?P<y2>\d{4}))",
    re.IGNORECASE,
)
_VV = re.compile(r"(?:^|(?<=\s))V/v\s*:?\s*", re.IGNORECASE)
_ISSUED_BY = re.compile(
    r"^(?P<issuer>[^,.;:]{3,100}?)\s+ban hành\s+(?:" + "|".join(g.lower() for g in GENRES.values()) + r")",
    re.IGNORECASE,
)
_SIGNATURE_TITLE = re.compile(
    r"^(?:KT\.|TM\.|T/M|TL\.|TUQ\.|Q\.)|CHỦ TỊCH|GIÁM ĐỐC|BÍ THƯ|TRƯỞNG BAN|THỦ TRƯỞNG|BỘ TRƯỞNG"
)
_SIGNED_NOTE = re.compile(r"\(?\s*(?:đã ký|đã ký và đóng dấu|ký tên|chữ ký)\s*\)?", re.IGNORECASE)

# Genre codes in document symbols (Decree 30/2020/NĐ-CP, appendix III; Party regulation 66-HD/VPTW).
_SYMBOL_GENRES = {
    "KH": "Kế hoạch", "CTR": "Chương trình", "QĐ": "Quyết định", "CT": "Chỉ thị", "NQ": "Nghị quyết",
    "NĐ": "Nghị định", "TT": "Thông tư", "BC": "Báo cáo", "TB": "Thông báo", "HD": "Hướng dẫn",
    "ĐA": "Đề án", "PA": "Phương án", "TTR": "Tờ trình", "KL": "Kết luận", "CĐ": "Công điện",
    "QC": "Quy chế", "QYĐ": "Quy định", "CV": "Công văn",
}


def genre_of_symbol(number: str) -> str | None:
    """ "234/KH-UBND" -> Kế hoạch; "61-CTr/TU" -> Chương trình; "3452/UBND-VX" -> None (a dispatch)."""
    party = re.match(r"^\d+[a-zA-Z]?-(?P<code>[A-Za-zĐđ]+)/", number)
    state = re.match(r"^\d*/(?:\d{4}/)?(?P<code>[A-Za-zĐđ]+)(?:-|$)", number)
    match = party or state
    return _SYMBOL_GENRES.get(match.group("code").upper()) if match else None


def valid_date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_date(match: re.Match[str]) -> dt.date | None:
    """The date of a ``_DATE`` match ("ngày 23 tháng 10 năm 2024" or "ngày 23/10/2024"), None if impossible."""
    month = match.group("m") or match.group("m2")
    return valid_date(match.group("d"), month, match.group("y") or match.group("y2"))


def _without_mottos(text: str) -> str:
    folded = fold_aligned(text)
    for motto in _MOTTOS:
        position = folded.find(motto)
        while position >= 0:
            text = text[:position] + " " * len(motto) + text[position + len(motto) :]
            folded = folded[:position] + " " * len(motto) + folded[position + len(motto) :]
            position = folded.find(motto)
    return " ".join(text.split())


def _place_before(text: str) -> str | None:
    """ "Sóc Trăng" from "... Hạnh phúc Sóc Trăng, ": the capitalised words just before the comma."""
    words = text.rstrip(" ,").split()
    place: list[str] = []
    for word in reversed(words[-6:]):
        if not word[:1].isupper() or any(char.isdigit() for char in word):
            break
        place.insert(0, word)
    return " ".join(place) or None


class _HeaderReader:
    def __init__(self, blocks: list[Block]) -> None:
        main = [block for block in blocks if block.part == 0]
        self.header = [block for block in main if block.zone == HEADER]
        # A header glued to the first paragraphs (PDF columns) is still searched, but only a little way in.
        self.near_header = self.header + [block for block in main if block.zone == BODY][:3]
        self.body = [block for block in main if block.zone == BODY]
        self.tail = [block for block in main if block.zone == TAIL]
        self.info = DocumentInfo()
        self.symbol_only: str | None = None

    def _record(self, name: str, value: object, paragraph: Paragraph, start: int = 0, end: int | None = None) -> None:
        setattr(self.info, name, value)
        self.info.source_lines[name] = paragraph.lines_of(start, len(paragraph.text) if end is None else end)

    def read(self) -> DocumentInfo:
        self._read_number()
        self._read_date_and_place()
        self._read_genre_and_title()
        self._read_issuer()
        self._read_signer()
        return self.info

    def _read_number(self) -> None:
        for block in self.near_header:
            for match in _NUMBER.finditer(block.text):
                symbol = re.sub(r"\s+", "", match.group("sym") or "").rstrip(".-/")
                number = match.group("num")
                if not match.group("colon") and not (number and re.search(r"[A-Za-zĐđ]", symbol)):
                    continue
                if number:
                    self._record("number", number + symbol, block.paragraph, match.start(), match.end())
                    return
                if symbol:
                    self.symbol_only = symbol

    def _read_date_and_place(self) -> None:
        for block in self.near_header:
            text = block.text
            for match in _DATE.finditer(text):
                before = text[: match.start()]
                place = _place_before(_without_mottos(before)) if before.rstrip().endswith(",") else None
                if place is None and before.strip():
                    continue  # a date inside the title ("Kế hoạch số 211-KH/TU ngày 25/4/2024") is not the issue date
                date = parse_date(match)
                if date is None:
                    continue
                self._record("date", date, block.paragraph, match.start(), match.end())
                if place:
                    start = before.rfind(place)
                    self._record("place", place, block.paragraph, max(start, 0), match.start())
                return

    def _read_genre_and_title(self) -> None:
        for position, block in enumerate(self.header):
            genre = genre_of_line(block.text)
            if not genre:
                continue
            self._record("type", genre, block.paragraph, 0, len(block.text))
            remainder = genre_remainder(block.text)
            if remainder:
                self._record("title", remainder, block.paragraph)
            elif position + 1 < len(self.header):
                title_block = self.header[position + 1]
                self._record("title", title_block.text, title_block.paragraph)
            return
        for block in self.header:
            match = _VV.search(block.text)
            if match:
                title = _without_mottos(block.text[match.end() :])
                date = _DATE.search(title)
                if date and title[: date.start()].rstrip().endswith(","):
                    title = title[: date.start()].rstrip(" ,")
                    title = title[: len(title) - len(_place_before(title) or "")].rstrip(" ,")
                self._record("title", title.strip(), block.paragraph, match.end())
                break
        symbol = self.info.number or self.symbol_only
        genre = genre_of_symbol(symbol) if symbol else None
        if genre is None and (symbol or "title" in self.info.source_lines):
            genre = "Công văn"  # numbered without a genre code, or "V/v": an administrative dispatch
        if genre:
            self.info.type = genre
            lines = self.info.source_lines.get("number") or self.info.source_lines.get("title")
            if lines:
                self.info.source_lines["type"] = lines

    def _read_issuer(self) -> None:
        names: list[Block] = []
        for block in self.header:
            text = _without_mottos(block.text)
            number = _NUMBER.search(text)
            if number and number.start() > 0:
                text = text[: number.start()]
            elif number:
                break
            text = text.strip(" *-_=")
            if genre_of_line(text) or _DATE.search(text) or _VV.search(text):
                break
            if is_all_caps(text):
                names.append(block)
                self.info.issuer = " ".join(filter(None, [self.info.issuer, text]))
            elif names:
                break
        if names:
            first, last = names[0].paragraph, names[-1].paragraph
            self.info.source_lines["issuer"] = (first.first_line, last.last_line)
            return
        for block in self.body[:4]:
            match = _ISSUED_BY.match(block.text)
            if match:
                self._record("issuer", match.group("issuer").strip(), block.paragraph, 0, match.end("issuer"))
                return

    def _read_signer(self) -> None:
        seen_title = False
        fallback: Block | None = None
        for block in self.tail:
            if block.paragraph.marker is not None:
                continue
            if _SIGNATURE_TITLE.search(block.text):
                seen_title = True
                continue
            name = _person_name(block.text)
            if name and seen_title:
                self._record("signer", name, block.paragraph)
                return
            if name:
                fallback = block
        if fallback is not None:
            self._record("signer", _person_name(fallback.text), fallback.paragraph)


def _person_name(text: str) -> str | None:
    """ "Nguyễn Lưu Trung" -> itself; "PCT NVK", "cmh", "Lưu: VT" -> None."""
    text = _SIGNED_NOTE.sub(" ", text).strip(" .,")
    words = text.split()
    if not 2 <= len(words) <= 6:
        return None
    for word in words:
        capitalised = word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())
        if not capitalised:
            return None
    return " ".join(words)


def read_document_info(blocks: list[Block]) -> DocumentInfo:
    return _HeaderReader(blocks).read()


def document_warnings(info: DocumentInfo) -> list[str]:
    missing = [
        ("type", "Không xác định được loại văn bản (kế hoạch, chương trình, công văn, ...)."),
        ("number", "Không tìm thấy số, ký hiệu của văn bản."),
        ("date", "Không tìm thấy ngày ban hành văn bản."),
        ("place", "Không tìm thấy địa danh ban hành văn bản."),
        ("issuer", "Không tìm thấy cơ quan ban hành văn bản."),
        ("title", "Không tìm thấy tên (trích yếu) của văn bản."),
        ("signer", "Không tìm thấy người ký văn bản."),
    ]
    return [message for name, message in missing if getattr(info, name) in (None, "")]
