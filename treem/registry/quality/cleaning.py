"""The cleaning round communes run with the commune police (DOMAIN.md, four steps), and the re-check (phúc tra).

Step 1: the commune officer lists the children without an ID, with a malformed or contradictory ID, or with missing or
contradictory basic facts (`children_to_verify`), as a printable page and a spreadsheet (`write_sheet`) with an empty
"verified value" column beside every fact, a column for the commune police's confirmation and a hidden row key.
Steps 2-3 happen on paper and at the police station: values are corrected, missing IDs supplied, children not yet
registered added at the bottom of the sheet. Step 4: the sheet comes back (`parse_sheet`): every change is shown
(old -> new per fact, per child) and only the ones a person accepts are applied (quality.services.cleaning_apply).

Re-check: a higher level draws a random sample of a commune's records (`draw_sample`, seeded and recorded).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from treem.geo.models import Unit
from treem.registry.models import Child, ChildCarer, ChildStatus
from treem.registry.selectors import likely_duplicates
from treem.registry.services import check_birth_date, normalise_child, personal_id_taken

from . import columns as cols
from .dates import format_date
from .duplicates import primary_carer_name
from .ethnicity import find_ethnic_group
from .export import Column, write_form
from .findings import child_findings, make_context, needs_verification, shared_ids
from .linkage import display
from .personal_id import check_personal_id, normalize_personal_id
from .sex import LABELS, parse_sex
from .tabular import TableError, read_table
from .text import clean_text, fold, normalize_name

FACTS = ("full_name", "birth_date", "sex", "ethnicity", "personal_id", "carer_name")
FACT_LABELS = {f: cols.FIELD_LABELS[f] for f in FACTS}
VERIFIED = "{label} (đã xác minh)"
KEY_HEADER = "Mã dòng (không sửa)"
POLICE_HEADER = "Xác nhận của Công an xã"
PROBLEMS_HEADER = "Nội dung cần xác minh"
VILLAGE_HEADER = cols.FIELD_LABELS[cols.VILLAGE]
# What verifiers write in a "verified value" cell to confirm the printed value rather than replace it.
CONFIRMATIONS = {"dung", "x", "v", "ok", "khop", "da xac minh", "xac minh dung", "dung roi", "chinh xac"}


def verified_header(field: str) -> str:
    return VERIFIED.format(label=FACT_LABELS[field])


# ---------------------------------------------------------------- step 1: who needs verifying


def _with_carers(qs):
    links = ChildCarer.objects.select_related("carer").only("id", "primary", "child_id", "carer__full_name")
    return qs.prefetch_related(Prefetch("carer_links", queryset=links))


def current_facts(child: Child) -> dict[str, str]:
    """The six facts as stored in a round (dates ISO, sex M/F)."""
    return {
        "full_name": child.full_name or "",
        "birth_date": child.birth_date.isoformat() if child.birth_date else "",
        "sex": child.sex or "",
        "ethnicity": child.ethnicity or "",
        "personal_id": child.personal_id or "",
        "carer_name": primary_carer_name(child),
    }


def children_to_verify(commune: Unit) -> list[dict]:
    """Round items: the active children of the commune whose ID or basic facts need checking, with what is wrong."""
    children = list(_with_carers(Child.objects.filter(commune=commune, status=ChildStatus.ACTIVE))
                    .order_by("village", "name_folded", "birth_date", "pk"))
    context = make_context()
    context.shared_ids = shared_ids(c.personal_id for c in children)
    items = []
    for child in children:
        problems = needs_verification(child_findings(child, carers=len(child.carer_links.all()), context=context))
        if not problems:
            continue
        items.append({"child": str(child.pk), "village": child.village, "facts": current_facts(child),
                      "problems": [p.message for p in problems], "codes": [p.code for p in problems]})
    return items


# ---------------------------------------------------------------- the sheet


def sheet_columns() -> list[Column]:
    out = [Column("STT", 5)]
    widths = {"full_name": 22, "birth_date": 12, "sex": 8, "ethnicity": 10, "personal_id": 15, "carer_name": 22}
    for field in FACTS:
        text = field == "personal_id"
        out.append(Column(FACT_LABELS[field], widths[field], text=text, wrap=True))
        out.append(Column(verified_header(field), widths[field], text=text, fill_in=True, wrap=True))
    out += [Column(VILLAGE_HEADER, 14, wrap=True), Column(PROBLEMS_HEADER, 36, wrap=True),
            Column(POLICE_HEADER, 18, fill_in=True, wrap=True), Column(KEY_HEADER, 38, hidden=True)]
    return out


def _shown(field: str, value: str) -> Any:
    if not value:
        return ""
    if field == "birth_date":
        return date.fromisoformat(value)
    if field == "sex":
        return LABELS.get(value, value)
    return value


def sheet_rows(items: Sequence[dict]) -> list[list[Any]]:
    rows = []
    for number, item in enumerate(items, start=1):
        row: list[Any] = [number]
        for field in FACTS:
            row += [_shown(field, item["facts"][field]), ""]
        row += [item["village"], "; ".join(item["problems"]), "", item["child"]]
        rows.append(row)
    return rows


def write_sheet(items: Sequence[dict], stream, *, commune_name: str, code: str, day: date) -> int:
    titles = [
        f"DANH SÁCH TRẺ EM CẦN XÁC MINH THÔNG TIN - {commune_name.upper()}",
        f"Lập ngày {format_date(day)} - mã đợt {code}. Ghi giá trị đúng vào cột \"(đã xác minh)\"; để trống nếu "
        "thông tin đã đúng. Trẻ chưa có trong danh sách: ghi thêm vào cuối bảng, để trống cột mã dòng.",
    ]
    footer = ["Người lập danh sách (ký, ghi rõ họ tên)", "Xác nhận của Công an xã (ký, đóng dấu)"]
    return write_form(sheet_rows(items), sheet_columns(), stream, sheet_name="Cần xác minh", title_rows=titles,
                      footer_rows=footer)


# ---------------------------------------------------------------- step 4: reading it back


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return format_date(value)
    return clean_text(value)


def parse_fact(field: str, raw: Any) -> tuple[str, str]:
    """(value as stored, "") or ("", why it cannot be used). ("", "") for an empty cell."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "", ""
    if field in ("full_name", "carer_name"):
        return normalize_name(raw), ""
    if field == "birth_date":
        born, problem = check_birth_date(raw)
        return (born.isoformat(), "") if born else ("", problem)
    if field == "sex":
        sex = parse_sex(raw)
        return (sex, "") if sex else ("", f"giới tính '{_cell_text(raw)}' không rõ (ghi Nam hoặc Nữ)")
    if field == "ethnicity":
        group = find_ethnic_group(raw)
        return (group.name, "") if group else ("", f"dân tộc '{_cell_text(raw)}' không có trong danh mục 54 dân tộc")
    if field == "personal_id":
        text, _was_number = normalize_personal_id(raw)
        shape = [f for f in check_personal_id(text) if f.code in ("id_not_digits", "id_length", "id_unknown_province")]
        return (text, "") if not shape else ("", shape[0].message)
    raise ValueError(field)


def _is_confirmation(raw: Any) -> bool:
    return isinstance(raw, str) and fold(raw).strip(" .!") in CONFIRMATIONS


def _header_index(headers: list[str]) -> dict[str, int]:
    wanted = {KEY_HEADER: "key", POLICE_HEADER: "police", PROBLEMS_HEADER: "problems", VILLAGE_HEADER: "village"}
    for field in FACTS:
        wanted[FACT_LABELS[field]] = field
        wanted[verified_header(field)] = f"verified:{field}"
    index = {}
    for position, header in enumerate(headers):
        name = wanted.get(clean_text(header))
        if name and name not in index:
            index[name] = position
    return index


def _sheet_header_row(grid: list[list]) -> int:
    """The row of our own headers (with the row key column); else the first with a few known ones."""
    for index, row in enumerate(grid[:30]):
        if KEY_HEADER in (clean_text(c) for c in row if isinstance(c, str)):
            return index
    for index, row in enumerate(grid[:30]):
        if len(_header_index([c if isinstance(c, str) else "" for c in row])) >= 3:
            return index
    return -1


def parse_sheet(content: bytes, filename: str, items: Sequence[dict], current: dict[str, dict]) -> list[dict]:
    """The review of a verified sheet: one entry per row that asks for something.

    items: the round's children as printed; current: {child id: facts now} (the register may have changed since).
    Entries: {"kind": "update", row, child, name, police, changes: [{id, field, label, old, new, listed, conflict,
    error}], confirmed: [fields]} / {"kind": "create", row, id, name, data, errors, police} / {"kind": "error", row,
    message}. Raises TableError for a file that is not this round's sheet."""
    table = read_table(content, filename, find_header=_sheet_header_row)
    index = _header_index(table.headers)
    if "key" not in index or "verified:full_name" not in index:
        raise TableError(f"Tệp '{filename}' không phải danh sách xác minh của đợt này (không thấy cột "
                         f"'{KEY_HEADER}' và các cột \"(đã xác minh)\"). Hãy tải lên đúng tệp đã xuất.")
    listed = {item["child"]: item for item in items}
    entries = []
    for row in table.rows:
        cell = row.get
        key = _cell_text(cell(index["key"]))
        police = _cell_text(cell(index["police"])) if "police" in index else ""
        verified = {f: cell(index[f"verified:{f}"]) if f"verified:{f}" in index else None for f in FACTS}
        printed = {f: cell(index[f]) if f in index else None for f in FACTS}
        if key:
            if key not in listed or key not in current:
                entries.append({"kind": "error", "row": row.number,
                                "message": f"Dòng {row.number}: mã dòng '{key[:40]}' không thuộc danh sách của đợt "
                                           "này; dòng bị bỏ qua."})
                continue
            entries.append(_update_entry(row.number, key, listed[key]["facts"], current[key], verified, police))
        elif any(_cell_text(v) for v in (*verified.values(), *printed.values())):
            entries.append(_create_entry(row.number, verified, printed, police))
    return [e for e in entries if e["kind"] != "update" or e["changes"] or e["police"] or e["confirmed"]]


def _update_entry(number: int, key: str, listed: dict, now: dict, verified: dict, police: str) -> dict:
    entry = {"kind": "update", "row": number, "child": key, "name": now["full_name"], "police": police,
             "changes": [], "confirmed": []}
    after = dict(now)  # the facts once the row's readable values are applied (the ID is checked against them)
    for field in FACTS:
        raw = verified[field]
        if raw is None or _cell_text(raw) == "":
            continue
        if _is_confirmation(raw):
            entry["confirmed"].append(field)
            continue
        value, error = parse_fact(field, raw)
        if not error and value == now[field]:
            entry["confirmed"].append(field)
            continue
        if not error:
            after[field] = value
        entry["changes"].append({
            "id": f"{number}-{field}", "field": field, "label": FACT_LABELS[field], "old": now[field],
            "new": value, "typed": _cell_text(raw), "listed": listed.get(field, ""),
            "old_display": display_fact(field, now[field]), "new_display": display_fact(field, value),
            "conflict": now[field] != listed.get(field, ""), "error": error,
            "warnings": id_warnings(value, after["sex"], after["birth_date"]) if field == "personal_id" and not error
            else [],
        })
    return entry


def id_warnings(personal_id: str, sex: str, birth_date: str) -> list[str]:
    """What the check every write runs finds on a well-formed ID: the sex and birth year it encodes against the
    child's (dates ISO, sex M/F). Shape and province code are errors of parse_fact."""
    born = date.fromisoformat(birth_date) if birth_date else None
    return [f.message for f in check_personal_id(personal_id, sex or None, born)
            if f.code in ("id_sex_mismatch", "id_year_mismatch")]


def _create_entry(number: int, verified: dict, printed: dict, police: str) -> dict:
    data, errors = {}, []
    for field in FACTS:
        raw = verified[field] if _cell_text(verified[field]) and not _is_confirmation(verified[field]) \
            else printed[field]
        value, error = parse_fact(field, raw)
        if error:
            errors.append(f"{FACT_LABELS[field]}: {error}")
        data[field] = value
    clean = normalise_child({k: v for k, v in data.items() if k != "carer_name"}, partial=True)
    for field in ("full_name", "sex", "birth_date"):
        if not data[field] and not any(e.startswith(FACT_LABELS[field]) for e in errors):
            errors.append(f"{FACT_LABELS[field]}: thiếu")
    errors += [f"{FACT_LABELS.get(k, k)}: {v}" for k, v in clean.errors.items()
               if not any(e.startswith(FACT_LABELS.get(k, k)) for e in errors)]
    warnings = id_warnings(data["personal_id"], data["sex"], data["birth_date"]) if data["personal_id"] else []
    return {"kind": "create", "row": number, "id": f"{number}-new", "name": data["full_name"], "data": data,
            "display": [(FACT_LABELS[f], display_fact(f, data[f])) for f in FACTS], "errors": errors,
            "warnings": [f"{FACT_LABELS['personal_id']}: {w}" for w in warnings], "police": police}


def check_review(review: list[dict], *, actor, commune: Unit) -> list[dict]:
    """Check a review against the register, as the actor sees it: a verified ID another child already carries is an
    error (that change cannot be applied); a new row that may be a child already on the register is a warning (the
    officer decides)."""
    for entry in review:
        if entry["kind"] == "update":
            for change in entry["changes"]:
                if change["field"] == "personal_id" and change["new"] and not change["error"]:
                    change["error"] = personal_id_taken(actor, change["new"], exclude_pk=entry["child"])
        elif entry["kind"] == "create":
            data = entry["data"]
            if data["personal_id"] and (problem := personal_id_taken(actor, data["personal_id"])):
                entry["errors"].append(f"{FACT_LABELS['personal_id']}: {problem}")
            if data["full_name"] and data["birth_date"]:
                for hint in likely_duplicates(actor, commune=commune, full_name=data["full_name"],
                                              birth_date=date.fromisoformat(data["birth_date"]),
                                              personal_id=data["personal_id"]):
                    entry["warnings"].append(
                        _("May already be on the register: %(name)s, born %(date)s (%(reason)s).")
                        % {"name": hint.child.full_name, "date": format_date(hint.child.birth_date),
                           "reason": hint.reason})
    return review


def display_fact(field: str, value: str) -> str:
    return display(field, value) if field in ("birth_date", "sex") else (value or "—")


# ---------------------------------------------------------------- the re-check (phúc tra)


def recheck_population(commune: Unit) -> list[str]:
    """The records a re-check samples from: the commune's active register, as sorted ids (a stable order)."""
    ids = Child.objects.filter(commune=commune, status=ChildStatus.ACTIVE).values_list("pk", flat=True)
    return sorted(str(i) for i in ids)


def population_hash(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()


def sample_size(population: int, size: int | None = None, percent: float | None = None) -> int:
    if size:
        wanted = int(size)
    elif percent:
        wanted = math.ceil(population * float(percent) / 100)
    else:
        raise ValueError("size or percent")
    return max(0, min(population, wanted))


def draw_sample(ids: Sequence[str], size: int, seed: int) -> list[str]:
    """The sample: the same ids, size and seed always give the same records in the same order."""
    return random.Random(seed).sample(list(ids), size)  # noqa: S311 - reproducible sampling, not security


RECHECK_FACTS = ("full_name", "birth_date", "sex", "ethnicity", "personal_id", "carer_name", "village")
RECHECK_RESULT = "Kết quả (Đúng/Sai)"
RECHECK_WHAT = "Sai ở đâu"


def write_recheck_sheet(rows: Sequence[dict], stream, *, commune_name: str, seed: int, day: date) -> int:
    columns = [Column("STT", 5), Column(FACT_LABELS["full_name"], 22, wrap=True),
               Column(FACT_LABELS["birth_date"], 12), Column(FACT_LABELS["sex"], 8),
               Column(FACT_LABELS["ethnicity"], 10), Column(FACT_LABELS["personal_id"], 15, text=True),
               Column(FACT_LABELS["carer_name"], 22, wrap=True), Column(VILLAGE_HEADER, 14, wrap=True),
               Column(RECHECK_RESULT, 10, fill_in=True), Column(RECHECK_WHAT, 30, fill_in=True, wrap=True),
               Column(KEY_HEADER, 38, hidden=True)]
    body = [[n, r["full_name"], _shown("birth_date", r["birth_date"]), _shown("sex", r["sex"]), r["ethnicity"],
             r["personal_id"], r["carer_name"], r["village"], "", "", r["child"]] for n, r in enumerate(rows, 1)]
    titles = [f"PHIẾU PHÚC TRA HỒ SƠ TRẺ EM - {commune_name.upper()}",
              f"Mẫu ngẫu nhiên {len(rows)} hồ sơ, lập ngày {format_date(day)}, hạt giống (seed) {seed}."]
    return write_form(body, columns, stream, sheet_name="Phúc tra", title_rows=titles,
                      footer_rows=["Người phúc tra (ký, ghi rõ họ tên)"])
