"""Text out of DOCX, PDF (with a text layer), TXT and Markdown files.

The file type is decided from the content (magic bytes, ZIP members, text decoding); the file name only sharpens
the error message ("a .docx that is not a Word file"). Every failure is a ``PlanParseError`` with a Vietnamese
message a user can act on.

The text returned marks paragraph boundaries with blank lines (DOCX paragraphs, PDF paragraphs recognised by their
first-line indent or the space above them), so that the parser can tell a new paragraph from a wrapped line.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import statistics
import zipfile
from collections import Counter
from pathlib import Path

from lxml import etree

from treem.core import uploads

from .errors import PlanParseError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGICS = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_MIN_PDF_CHARACTERS_PER_PAGE = 20
# A 200-page plan's document.xml is a few MB; python-docx holds the whole tree in memory (about 25 times the XML).
DOCX_XML_MAX_BYTES = 10 * 1024 * 1024  # default of the PLANS_PARSE_XML_MAX_BYTES setting


def _xml_limit() -> int:
    from django.conf import settings

    return int(getattr(settings, "PLANS_PARSE_XML_MAX_BYTES", DOCX_XML_MAX_BYTES)) if settings.configured else (
        DOCX_XML_MAX_BYTES)


def _error(message_vi: str, message_en: str) -> PlanParseError:
    return PlanParseError(message_vi, message_en)


# --- Reading and sniffing ------------------------------------------------------------------------------------------


def _read(path_or_bytes: str | os.PathLike[str] | bytes | bytearray, filename: str | None) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(path_or_bytes), filename or ""
    path = Path(path_or_bytes)
    try:
        return path.read_bytes(), filename or path.name
    except OSError as error:
        reason = {
            FileNotFoundError: "tệp không tồn tại",
            PermissionError: "không có quyền đọc tệp",
            IsADirectoryError: "đây là một thư mục",
        }.get(type(error), "lỗi hệ thống tệp")
        raise _error(f"Không đọc được tệp {path.name}: {reason}.", f"Cannot read {path}: {error}.") from error


def _extension(name: str) -> str:
    return Path(name).suffix.lower().lstrip(".")


def _sniff(data: bytes, name: str) -> str:
    """One of: pdf, docx, text. Raises for everything else."""
    if data.lstrip(b" \t\r\n\x00").startswith(b"%PDF-"):
        return "pdf"
    if b"%PDF-" in data[:1024] and _decode_text(data, strict=False) is None:
        return "pdf"  # a PDF may carry up to 1 KB of junk before its header
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(data, name)
    if data.startswith(_OLE_MAGIC):
        raise _error(
            "Tệp Word 97-2003 (.doc) hoặc tệp Office có mật khẩu: chưa hỗ trợ. "
            "Hãy mở tệp và lưu lại thành .docx (không đặt mật khẩu) rồi tải lên.",
            "Legacy .doc or password-protected Office file: not supported; save as .docx.",
        )
    if data.startswith(b"{\\rtf"):
        raise _error("Tệp RTF chưa được hỗ trợ; hãy lưu lại thành .docx.", "RTF is not supported; save as .docx.")
    if data.startswith(_IMAGE_MAGICS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise _error(
            "Tệp ảnh không có văn bản để đọc; cần nhận dạng ký tự (OCR) hoặc tải bản DOCX/PDF có văn bản.",
            "An image has no text layer; OCR it or upload a DOCX/PDF with text.",
        )
    if _decode_text(data, strict=False) is not None:
        return "text"
    extension = _extension(name)
    printable = sum(32 <= byte < 127 or byte in (9, 10, 13) for byte in data[:4000]) / min(len(data), 4000)
    if printable > 0.7 and extension not in ("docx", "pdf"):
        _decode_text(data)  # mostly ASCII but not UTF-8: a legacy Vietnamese encoding; raises a message saying so
    if extension == "docx":
        raise _corrupt_docx()
    if extension == "pdf":
        raise _corrupt_pdf()
    raise _error(
        "Không nhận dạng được định dạng tệp. Chỉ hỗ trợ DOCX, PDF có lớp văn bản, TXT và Markdown (UTF-8 hoặc UTF-16).",
        "Unknown file type. Supported: DOCX, PDF with a text layer, TXT and Markdown (UTF-8 or UTF-16).",
    )


def _sniff_zip(data: bytes, name: str) -> str:
    """The upload gate decides the kind from the members and checks the ZIP limits (declared sizes, ratio, member
    count, each XML part under the parser's own bound) before python-docx opens anything."""
    try:
        kind = uploads.zip_kind(data)
        if kind is not None:
            uploads.inspect_zip(data, uploads.zip_limits(uploads.DOCX, xml_member=_xml_limit()), verify=True)
    except uploads.UploadRefused as error:
        if error.code == "zip_damaged" and _extension(name) == "docx":
            raise _corrupt_docx() from error
        raise _error(error.messages[0], f"Refused by the upload gate: {error.code}.") from error
    if kind is None:
        if _extension(name) == "docx":
            raise _corrupt_docx()
        raise _error("Tệp nén (ZIP) bị hỏng.", "Corrupt ZIP archive.")
    if kind == uploads.DOCX:
        return "docx"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # opened by the gate already: its member count is bounded
        opendocument = "content.xml" in archive.namelist()
    if opendocument:
        raise _error(
            "Tệp OpenDocument (.odt) chưa được hỗ trợ; hãy lưu lại thành .docx.", "ODT is not supported; save as .docx."
        )
    if _extension(name) == "docx":
        raise _corrupt_docx()
    raise _error(
        "Tệp nén này không phải văn bản Word (.docx) (có thể là bảng tính hoặc trình chiếu).",
        "This ZIP file is not a Word document (maybe a spreadsheet or a presentation).",
    )


def _corrupt_docx() -> PlanParseError:
    return _error(
        "Tệp DOCX bị hỏng hoặc không phải tệp Word (.docx) hợp lệ; hãy mở bằng Word và lưu lại.",
        "Corrupt or invalid DOCX file.",
    )


def _corrupt_pdf() -> PlanParseError:
    return _error("Tệp PDF bị hỏng hoặc không đọc được.", "Corrupt or unreadable PDF file.")


# --- Plain text ----------------------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a byte order mark: every other byte is zero for Latin text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / len(sample[0::2])
    odd_zero = sample[1::2].count(0) / len(sample[1::2])
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


def _decode_text(data: bytes, strict: bool = True) -> str | None:
    """UTF-8 (with or without BOM) or UTF-16 (with BOM, or detected). None when the bytes are not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8"] + [encoding for encoding in [_looks_like_utf16(data)] if encoding]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary data sometimes decodes; real text has (almost) no control characters.
        if len(_CONTROL.findall(text)) <= max(2, len(text) // 200):
            return _CONTROL.sub(" ", text)
    if strict:
        raise _error(
            "Không giải mã được tệp văn bản: hãy lưu tệp với bảng mã Unicode (UTF-8). "
            "Các bảng mã cũ như TCVN3 (ABC) hay VNI không được hỗ trợ.",
            "Cannot decode the text file; save it as UTF-8 (legacy TCVN3/VNI encodings are not supported).",
        )
    return None


# --- DOCX ----------------------------------------------------------------------------------------------------------


def _roman(number: int) -> str:
    values = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
              (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    result = ""
    for value, letters in values:
        while number >= value:
            result, number = result + letters, number - value
    return result


def _format_number(number: int, number_format: str) -> str:
    if number_format == "lowerLetter":
        return chr(ord("a") + (number - 1) % 26)
    if number_format == "upperLetter":
        return chr(ord("A") + (number - 1) % 26)
    if number_format == "lowerRoman":
        return _roman(number).lower()
    if number_format == "upperRoman":
        return _roman(number)
    return str(number)


class _ListNumbering:
    """Word's automatic list numbers ("1.", "a)", bullets) are not in the text; rebuild them as markers."""

    def __init__(self, document: object) -> None:
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        self.styles: dict[str | None, list[object]] = {}
        try:
            numbering = document.part.numbering_part.element  # type: ignore[attr-defined]
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstracts = {item.get(qn("w:abstractNumId")): item for item in numbering.findall(qn("w:abstractNum"))}
        for num in numbering.findall(qn("w:num")):
            abstract_ref = num.find(qn("w:abstractNumId"))
            abstract = abstracts.get(abstract_ref.get(qn("w:val")) if abstract_ref is not None else None)
            if abstract is None:
                continue
            for level in abstract.findall(qn("w:lvl")):
                self.levels[(num.get(qn("w:numId")), int(level.get(qn("w:ilvl")) or 0))] = (
                    self._value(level, "w:numFmt", "decimal"),
                    self._value(level, "w:lvlText", "%1."),
                    int(self._value(level, "w:start", "1") or 1),
                )

    def _value(self, element: object, tag: str, default: str) -> str:
        child = element.find(self.qn(tag))  # type: ignore[attr-defined]
        return child.get(self.qn("w:val")) if child is not None and child.get(self.qn("w:val")) is not None else default

    def _style_chain(self, paragraph: object) -> list[object]:
        """The paragraph properties of its style and the styles it is based on (list numbering often comes from the
        paragraph style, "List Number"). Cached per style: python-docx looks a style up by scanning every style, which
        made a long document quadratic."""
        style_id = paragraph._p.style  # type: ignore[attr-defined]
        if style_id not in self.styles:
            chain, style = [], getattr(paragraph, "style", None)
            while style is not None:
                chain.append(style.element.pPr)
                style = style.base_style
            self.styles[style_id] = chain
        return self.styles[style_id]

    def _number_properties(self, paragraph: object) -> tuple[str, int] | None:
        qn = self.qn
        candidates = [paragraph._p.pPr, *self._style_chain(paragraph)]  # type: ignore[attr-defined]
        for properties in candidates:
            num_pr = properties.find(qn("w:numPr")) if properties is not None else None
            if num_pr is None:
                continue
            num_id = num_pr.find(qn("w:numId"))
            level = num_pr.find(qn("w:ilvl"))
            if num_id is None or num_id.get(qn("w:val")) in (None, "0"):
                return None
            return num_id.get(qn("w:val")), int(level.get(qn("w:val")) if level is not None else 0)
        return None

    def marker(self, paragraph: object) -> str:
        properties = self._number_properties(paragraph)
        if properties is None:
            return ""
        num_id, level = properties
        number_format, level_text, start = self.levels.get((num_id, level), ("decimal", f"%{level + 1}.", 1))
        if number_format == "bullet":
            return "- "
        if number_format == "none":
            return ""
        counters = self.counters.setdefault(num_id, [])
        while len(counters) <= level:
            counters.append(0)
        del counters[level + 1 :]
        counters[level] = (counters[level] or start - 1) + 1
        starts = {lvl: self.levels.get((num_id, lvl), ("decimal", "", 1))[2] for lvl in range(len(counters))}

        def number(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            value = counters[index] if index < len(counters) and counters[index] else starts.get(index, 1)
            fmt = self.levels.get((num_id, index), (number_format,))[0]
            return _format_number(value, fmt)

        return re.sub(r"%([1-9])", number, level_text).strip() + " "


_NAMESPACES = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# The VML fallback of a text box repeats the same text: skip it.
_TEXT_BOXES = etree.XPath(".//w:txbxContent//w:p[not(ancestor::mc:Fallback)]", namespaces=_NAMESPACES)
_TEXTS = etree.XPath(".//w:t/text()", namespaces=_NAMESPACES)


def _text_box_paragraphs(paragraph: object) -> list[str]:
    """Text boxes anchored in a paragraph (letterheads and "Nơi nhận" lists are often drawn in them)."""
    texts = ["".join(_TEXTS(inner)) for inner in _TEXT_BOXES(paragraph._p)]  # type: ignore[attr-defined]
    return [text for text in texts if text.strip()]


def _in_time(deadline: uploads.Deadline) -> None:
    try:
        deadline.check()
    except uploads.UploadRefused as error:
        raise _error(error.messages[0], "Parsing took too long.") from error


def _docx_text(data: bytes, deadline: uploads.Deadline) -> str:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds of errors on broken packages
        raise _corrupt_docx() from error
    numbering = _ListNumbering(document)
    chunks: list[str] = []

    def add_paragraph(paragraph: Paragraph) -> None:
        _in_time(deadline)
        text = paragraph.text
        if text.strip():
            chunks.append(numbering.marker(paragraph) + text.strip("\n"))
        chunks.extend(_text_box_paragraphs(paragraph))

    def add_container(container: object) -> None:
        for item in container.iter_inner_content():  # type: ignore[attr-defined]
            if isinstance(item, Paragraph):
                add_paragraph(item)
            elif isinstance(item, Table):
                add_table(item)

    def add_table(table: Table) -> None:
        for row in table.rows:
            seen = set()
            for cell in row.cells:  # a merged cell appears once per grid column it spans
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                add_container(cell)

    try:
        add_container(document)
    except PlanParseError:
        raise
    except Exception as error:
        raise _corrupt_docx() from error
    # Paragraphs are separated by a blank line; a line break inside a paragraph stays a single newline.
    return "\n\n".join(chunks)


# --- PDF -----------------------------------------------------------------------------------------------------------


def _pdf_lines(page: object) -> list[tuple[str, float, float]] | None:
    """The page's text lines with the position where each starts, or None when positions are unusable."""
    chunks: list[tuple[str, float, float]] = []

    def visitor(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        chunks.append((text, x, y))

    text = page.extract_text(visitor_text=visitor)  # type: ignore[attr-defined]
    if "".join(chunk for chunk, _, _ in chunks) != text:
        return None
    lines: list[tuple[str, float, float]] = []
    current, position = "", None
    for chunk, x, y in chunks:
        pieces = chunk.split("\n")
        for index, piece in enumerate(pieces):
            if piece.strip() and position is None:
                position = (x, y)
            current += piece
            if index < len(pieces) - 1:
                lines.append((current, *(position or (x, y))))
                current, position = "", None
    if current:
        lines.append((current, *(position or (0.0, 0.0))))
    return lines


_PAGE_NUMBER = re.compile(r"\s*-?\s*\d{1,3}\s*-?\s*")


def _drop_page_numbers(lines: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """A lone number as the first or last line of a page is a page number, not text."""
    nonblank = [index for index, (text, _, _) in enumerate(lines) if text.strip()]
    edges = nonblank[:1] + nonblank[-1:]
    drop = {index for index in edges if _PAGE_NUMBER.fullmatch(lines[index][0])}
    return [line for index, line in enumerate(lines) if index not in drop]


def _mark_paragraphs(lines: list[tuple[str, float, float]]) -> list[str]:
    """Put a blank line before each line that starts a paragraph: first-line indent or extra space above."""
    body = [(round(x), text) for text, x, _ in lines if len(text.strip()) > 30]
    if not body:
        return [text for text, _, _ in lines]
    margin = Counter(x for x, _ in body).most_common(1)[0][0]
    indents = Counter(round(x) for text, x, _ in lines if text.strip() and x > margin + 5)
    indent = indents.most_common(1)[0][0] if indents else None
    gaps = [previous[2] - current[2] for previous, current in itertools.pairwise(lines)]
    positive = [gap for gap in gaps if gap > 1]
    spacing = statistics.median(positive) if positive else 0.0
    output: list[str] = []
    for index, (text, x, _y) in enumerate(lines):
        if index > 0 and text.strip():
            previous_x = lines[index - 1][1]
            gap = gaps[index - 1]
            starts = (
                (spacing and gap > spacing * 1.3)
                or (indent is not None and abs(x - indent) <= 2)
                or (x > margin + 5 and abs(previous_x - margin) <= 2)
            )
            if starts:
                output.append("")
        output.append(text)
    return output


def _pdf_text(data: bytes, deadline: uploads.Deadline) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _error(
                "Tệp PDF được bảo vệ bằng mật khẩu; hãy tải lên bản không có mật khẩu.",
                "The PDF is password-protected.",
            )
        pages = list(reader.pages)
    except PlanParseError:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on broken files
        raise _corrupt_pdf() from error
    if not pages:
        raise _corrupt_pdf()
    page_texts: list[str] = []
    pages_without_text = 0
    for page in pages:
        _in_time(deadline)
        try:
            lines = _pdf_lines(page)
            if lines is None:
                page_lines = page.extract_text().split("\n")
            else:
                page_lines = _mark_paragraphs(_drop_page_numbers(lines))
        except Exception as error:
            raise _corrupt_pdf() from error
        pages_without_text += sum(len(line.strip()) for line in page_lines) < _MIN_PDF_CHARACTERS_PER_PAGE
        page_texts.append("\n".join(page_lines))
    # A typed cover page in front of scanned pages must not pass for a readable plan.
    if pages_without_text * 2 > len(pages) or pages_without_text == len(pages):
        share = "" if pages_without_text == len(pages) else f" ở {pages_without_text}/{len(pages)} trang"
        raise _error(
            f"Tệp PDF không có lớp văn bản{share} (có thể là bản quét). Hãy tải lên bản PDF xuất từ Word, tệp DOCX, "
            "hoặc nhận dạng ký tự (OCR) trước khi tải lên.",
            "The PDF has no text layer on most pages (probably a scan). Upload a PDF exported from Word, a DOCX, "
            "or OCR it first.",
        )
    return "\n".join(page_texts)


# --- Entry point ---------------------------------------------------------------------------------------------------


def extract_text(path_or_bytes: str | os.PathLike[str] | bytes, filename: str | None = None) -> str:
    """The text of a DOCX, PDF (with a text layer), TXT or Markdown file, with ``\\n`` line ends.

    ``path_or_bytes`` is a path or the file's content; ``filename`` (optional) only improves error messages.
    Raises ``PlanParseError`` for an empty, corrupt, scanned or unsupported file.
    """
    data, name = _read(path_or_bytes, filename)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise _error(f"Tệp {name or ''} rỗng, không có nội dung.".replace("  ", " "), "The file is empty.")
    kind = _sniff(data, name)
    deadline = uploads.Deadline()  # UPLOAD_PARSE_SECONDS: a file made to be slow to read is stopped
    if kind == "pdf":
        text = _pdf_text(data, deadline)
    elif kind == "docx":
        text = _docx_text(data, deadline)
    else:
        text = _decode_text(data) or ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise _error(f"Tệp {name or ''} không có nội dung văn bản.".replace("  ", " "), "The file contains no text.")
    return text
