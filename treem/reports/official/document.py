"""An official document as data: its header, type and subject, body blocks (headings, paragraphs, bullets, tables),
signature and recipients; to and from a dict (stored with a consolidated report)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from .numbering import format_date_vi_long

# -- the document -------------------------------------------------------------------------------------------------


@dataclass
class Heading:
    """A heading, numbered by the author: level 1 "I. KẾT QUẢ", level 2 "1. Công tác ...", level 3 "a) ..."."""

    text: str
    level: int = 1


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Bullet:
    """A "- ..." item; the dash is added when the text lacks it."""

    text: str


@dataclass
class Table:
    """Cells are text: format numbers with format_decimal_vi / format_percent_vi first."""

    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def __post_init__(self):
        for row in self.rows:
            if len(row) != len(self.header):
                raise ValueError(f"table row {row!r} has {len(row)} cells, the header has {len(self.header)}")


Block = Heading | Paragraph | Bullet | Table
_BLOCK_TYPES: dict[str, type] = {"heading": Heading, "paragraph": Paragraph, "bullet": Bullet, "table": Table}


@dataclass
class Signature:
    """authority: "TM. ỦY BAN NHÂN DÂN", "KT. GIÁM ĐỐC" (may be several lines, "\\n"-separated; empty when the head
    signs in their own name); title: "PHÓ GIÁM ĐỐC"; name: "Nguyễn Văn A"."""

    authority: str = ""
    title: str = ""
    name: str = ""


@dataclass
class OfficialDocument:
    issuing_body: str  # "SỞ Y TẾ"; put "\n" where a long name should break
    number: str  # "05/BC-SYT", shown as "Số: 05/BC-SYT"
    place: str  # "An Giang"
    date: date
    doc_type: str  # "BÁO CÁO", "KẾ HOẠCH"; empty for a dispatch (công văn), whose subject goes under the number
    title: str = ""  # trích yếu
    body: list[Block] = field(default_factory=list)
    signature: Signature = field(default_factory=Signature)
    recipients: list[str] = field(default_factory=list)  # "- Như trên;", "- Lưu: VT."
    issuing_body_parent: str = ""  # "UBND TỈNH AN GIANG"

    def __post_init__(self):
        if isinstance(self.signature, Mapping):
            self.signature = Signature(**self.signature)

    @property
    def is_dispatch(self) -> bool:
        """A công văn has no type name; its subject is written "V/v ..." under the number."""
        return not self.doc_type.strip()

    @property
    def place_and_date(self) -> str:
        return f"{self.place}, {format_date_vi_long(self.date)}"

    @classmethod
    def from_dict(cls, data: Mapping) -> OfficialDocument:
        """From JSON-like data: date as ISO text, blocks as {"type": "heading"|"paragraph"|"bullet"|"table", ...}."""
        values = dict(data)
        if isinstance(values["date"], str):
            values["date"] = date.fromisoformat(values["date"])
        values["body"] = [block_from_dict(b) for b in values.get("body", [])]
        values["signature"] = Signature(**values.get("signature", {}))
        return cls(**values)

    def to_dict(self) -> dict:
        return {
            "issuing_body_parent": self.issuing_body_parent,
            "issuing_body": self.issuing_body,
            "number": self.number,
            "place": self.place,
            "date": self.date.isoformat(),
            "doc_type": self.doc_type,
            "title": self.title,
            "body": [block_to_dict(b) for b in self.body],
            "signature": vars(self.signature).copy(),
            "recipients": list(self.recipients),
        }


def block_from_dict(data: Mapping) -> Block:
    values = dict(data)
    kind = values.pop("type")
    if kind not in _BLOCK_TYPES:
        raise ValueError(f"unknown block type {kind!r}; expected one of {sorted(_BLOCK_TYPES)}")
    return _BLOCK_TYPES[kind](**values)


def block_to_dict(block: Block) -> dict:
    kind = next(name for name, cls in _BLOCK_TYPES.items() if isinstance(block, cls))
    return {"type": kind, **vars(block)}


