"""Upload a plan document -> the parser proposes -> an officer reviews and corrects -> save atomically.

The parser (``treem.plans.parser``) is pure Python and knows no agencies or documents; this module matches what it
read against the database:

* agencies: fuzzy, diacritics-insensitive (``parser.agencies.match_agency``) against the agencies of the unit the
  document was issued for, as they were on its date. A matched agency that has since been continued by a single
  successor (the same department of the merged province) is replaced by it; one that was merged or split is kept
  (it is what the document says) and flagged, with its successors offered. Unknown agencies are proposed as new;
  groups that name nobody ("các sở, ban, ngành liên quan") are left unassigned.
* implemented documents: found by number and symbol, else proposed as placeholders known only from the citation.
* a dispatch with an attached programme (seed 001): targets and tasks read from the attachment are proposed as set
  by the attached document.
* deadlines: one in the same passage as a task becomes the task's deadline; a yearly one elsewhere becomes the
  document's yearly reporting deadline, which tasks without their own deadline follow.
"""

import logging
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext

from treem.access import Capability, require_area
from treem.accounts.models import Agency, AgencyKind
from treem.audit.services import record
from treem.core.text import fold
from treem.geo.models import REFORM_DATE, Unit, UnitLevel, UnitSystem

from .files import PLAN_EXTENSIONS, CheckedFile, check_upload
from .models import Direction, Document, DocumentType, DraftStatus, PlanDraft, ScheduleKind, TaskRole
from .parser import PlanParseError, extract_text, parse_plan_text
from .parser.agencies import clean_agency_name, is_generic_group, match_agency
from .services import (
    document_create,
    document_for_citation,
    document_update,
    find_document,
    genre_from_name,
    genre_from_number,
    target_create,
    task_create,
)
from .succession import continuation, current_successors, is_current

log = logging.getLogger(__name__)
_ATTACHMENT = re.compile(r"kèm theo (?P<genre>[^()]+?) \(từ dòng (?P<line>\d+)\)")

NEW, NONE = "new", "none"
SELF = "self"


# -- upload and parse -----------------------------------------------------------------------------------------------


def parse_checked(checked: CheckedFile) -> tuple[str, dict]:
    """Run the parser on a checked file: (extracted text, the parser's JSON). PlanParseError -> ValidationError with
    the parser's Vietnamese message."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{checked.extension}"
        path.write_bytes(checked.content)
        try:
            text = extract_text(path, checked.name)
            parsed = parse_plan_text(text).to_json()
        except PlanParseError as exc:
            raise ValidationError(str(exc), code="unreadable") from exc
        except Exception as exc:  # a bug in reading a strange file must not lose the officer's work
            log.exception("parser failed on %s", checked.name)
            raise ValidationError(
                pgettext("plans", "The file could not be read (%(error)s).") % {"error": type(exc).__name__},
                code="unreadable",
            ) from exc
    return text, parsed


@transaction.atomic
def draft_create(*, actor, upload, province: Unit) -> PlanDraft:
    """Check and parse an uploaded plan; keep it as a draft to review. Bad files raise ValidationError and leave
    nothing behind. (The web upload goes through the import pipeline: plans.upload.)"""
    require_area(actor, Capability.EDIT_PLANS, province)
    checked = check_upload(upload, PLAN_EXTENSIONS, sniff=False)  # the parser checks the content
    text, parsed = parse_checked(checked)
    read = parsed.get("document", {})
    issued = date.fromisoformat(read["date"]) if read.get("date") else None
    _refuse_twin(read.get("number"), issued, province, read.get("issuer"))  # when the file is read, not after review
    return draft_from(checked, text, parsed, province=province, actor=actor)


def draft_from(checked: CheckedFile, text: str, parsed: dict, *, province: Unit, actor) -> PlanDraft:
    """Keep a read plan as a draft to review (inside the caller's transaction), audited."""
    draft = PlanDraft(
        province=province,
        file_name=checked.name,
        file_sha256=checked.sha256,
        source_text=text,
        parsed=parsed,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    draft.file.save(checked.name, ContentFile(checked.content), save=False)
    draft.save()
    record(
        actor,
        "plans.draft.create",
        draft,
        unit=province,
        summary={
            "file": checked.name,
            "targets": len(parsed["targets"]),
            "tasks": len(parsed["tasks"]),
            "warnings": len(parsed["warnings"]),
        },
    )
    return draft


@transaction.atomic
def draft_discard(*, actor, draft: PlanDraft) -> None:
    require_area(actor, Capability.EDIT_PLANS, draft.province)
    draft.status = DraftStatus.DISCARDED
    draft.save(update_fields=["status", "updated_at"])
    record(actor, "plans.draft.discard", draft, unit=draft.province)


# -- the proposal ---------------------------------------------------------------------------------------------------


def _refuse_twin(number: str | None, issued_on: date | None, province: Unit, issuer: str | None) -> None:
    """A document of the same issuing body with this number is already registered (in this province or nationally:
    never another province's, which is neither a duplicate nor this uploader's to know of)."""
    twin = find_document(number, issued_on, province=province, issuer=issuer) if number else None
    if twin is not None and not twin.is_placeholder:
        raise ValidationError(
            pgettext("plans", "Document %(n)s is already registered; open it instead of importing it again.")
            % {"n": twin.number}
        )


def issuer_elsewhere(issuer: str | None, province: Unit) -> Unit | None:
    """The province (current or legacy) that the issuing body's name names, when it is not the uploader's province
    nor one merged into it: 'ỦY BAN NHÂN DÂN TỈNH AN GIANG' uploaded in Lai Châu."""
    folded = f" {fold(issuer)} "
    if not folded.strip():
        return None
    own = {province.pk, *(u.pk for u in legacy_provinces(province))}
    named = [u for u in Unit.objects.filter(level=UnitLevel.PROVINCE).only("pk", "name", "sort_name", "system")
             if u.sort_name and f" {fold(u.sort_name)} " in folded]
    if not named or any(u.pk in own for u in named):
        return None
    return max(named, key=lambda u: len(u.sort_name))


def legacy_provinces(province: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(system=UnitSystem.LEGACY, level=UnitLevel.PROVINCE, conversions_to__current=province)
        .distinct()
        .order_by("code")
    )


def _place_name(unit: Unit) -> str:
    return fold(re.sub(r"^(Tỉnh|Thành phố)\s+", "", unit.name))


def guess_area(province: Unit, document: dict) -> Unit:
    """The unit a document was issued for: a legacy province named in its issuer, place or title when it predates
    the 2025 reform (or has no date), else the current province."""
    issued = document.get("date")
    if issued and date.fromisoformat(issued) >= REFORM_DATE:
        return province
    haystack = fold(" ".join(filter(None, [document.get("issuer"), document.get("place"), document.get("title")])))
    for legacy in legacy_provinces(province):
        name = _place_name(legacy)
        if name == _place_name(province):
            continue  # an unchanged province (Lai Châu): the current unit serves
        if name and re.search(rf"(?<![a-z]){re.escape(name)}(?![a-z])", haystack):
            return legacy
    return province


def agency_candidates(area: Unit, province: Unit, issued: date | None) -> list[Agency]:
    """Agencies of the area as they were on the document's date, then today's agencies of the current province."""
    qs = Agency.objects.exclude(kind=AgencyKind.COMMUNE_COMMITTEE).select_related("province")
    area_agencies = qs.filter(province=area)
    if issued:
        area_agencies = area_agencies.valid_on(issued)
    result = list(area_agencies)
    if area.pk != province.pk:
        result += list(qs.filter(province=province).valid_on(timezone.localdate()))
    return result


@dataclass
class AgencyProposal:
    name: str
    matched: Agency | None = None
    score: float = 0.0
    proposed: Agency | None = None  # what the task will be linked to by default
    continued: bool = False  # matched agency no longer exists; a single successor continues it
    gone: bool = False  # matched agency no longer exists and was merged or split
    successors: list = field(default_factory=list)  # [(Agency, functions)]
    generic: bool = False
    default: str = NEW  # "agency:<id>", NEW or NONE
    kind: str = AgencyKind.OTHER


def guess_kind(name: str) -> str:
    folded = fold(name)
    if re.match(r"(cac )?(huyen uy|thi uy|thanh uy|tinh uy|dang|ban tuyen giao|ban can su|ban dan van)", folded):
        return AgencyKind.PARTY
    if re.match(r"(bao|dai phat thanh|dai pt)", folded):
        return AgencyKind.PRESS
    if re.match(r"(hoi|tinh doan|doan thanh nien|uy ban mat tran|mat tran|lien doan)", folded):
        return AgencyKind.MASS_ORGANISATION
    if folded.startswith("so "):
        return AgencyKind.DEPARTMENT
    if re.match(r"(cong an|ban |bo chi huy)", folded):
        return AgencyKind.SECTOR
    return AgencyKind.OTHER


def propose_agency(name: str, candidates: list[Agency], today: date) -> AgencyProposal:
    proposal = AgencyProposal(name=name, kind=guess_kind(name))
    if is_generic_group(name):
        proposal.generic, proposal.default = True, NONE
        return proposal
    key, score = match_agency(name, [(a.pk, a.name) for a in candidates])
    proposal.score = score
    if key is None:
        return proposal
    matched = next(a for a in candidates if a.pk == key)
    proposal.matched = matched
    target = matched
    if not is_current(matched, today):
        followed = continuation(matched, today)
        if is_current(followed, today):
            target, proposal.continued = followed, True
        else:
            proposal.gone = True
            proposal.successors = current_successors(matched, today)
    proposal.proposed = target
    proposal.default = f"agency:{target.pk}"
    return proposal


_ROMAN_HEADING = re.compile(r"^[#*\s]*(?P<h>[IVXL]+\s*[.\-]\s+\S.*)$")
_ARABIC_HEADING = re.compile(r"^[#*\s]*(?P<h>\d{1,2}\s*\.\s+\S.*)$")


def section_of(lines: list[str], first_line: int | None) -> str:
    """The headings a passage sits under, read upwards from its first line: 'IV. TỔ CHỨC THỰC HIỆN › 1. Sở Y tế'."""
    if not first_line:
        return ""
    roman = arabic = None
    for number in range(min(first_line, len(lines)), 0, -1):
        text = lines[number - 1].strip().replace("**", "").strip()
        if arabic is None and roman is None and number < first_line and (m := _ARABIC_HEADING.match(text)):
            arabic = m.group("h")
        elif m := _ROMAN_HEADING.match(text):
            roman = m.group("h")
            break
    parts = [p.strip()[:120] for p in (roman, arabic) if p]
    return " › ".join(parts)


def issuer_agency(issuer: str | None, area: Unit, province: Unit, issued: date | None) -> Agency | None:
    """The issuing body as an agency of the table when it is one ('ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG')."""
    if not issuer:
        return None
    candidates = list(Agency.objects.filter(province__in={area, province}).exclude(kind=AgencyKind.COMMUNE_COMMITTEE))
    if issued:
        candidates = [
            a
            for a in candidates
            if (a.valid_from is None or a.valid_from <= issued) and (a.valid_to is None or a.valid_to >= issued)
        ] or candidates
    key, _score = match_agency(" ".join(issuer.split()).title(), [(a.pk, a.name) for a in candidates], threshold=90)
    return next((a for a in candidates if a.pk == key), None)


def _overlaps(a, b) -> bool:
    return bool(a and b) and a[0] <= b[1] and b[0] <= a[1]


def _attachment(parsed: dict) -> tuple[str, int] | None:
    for warning in parsed.get("warnings", []):
        if match := _ATTACHMENT.search(warning):
            return match.group("genre").strip(), int(match.group("line"))
    return None


def build_proposal(draft: PlanDraft, today: date | None = None) -> dict:
    """Everything the review form shows, with defaults an officer can accept as they are."""
    today = today or timezone.localdate()
    parsed = draft.parsed
    doc = parsed.get("document", {})
    province = draft.province
    area = guess_area(province, doc)
    issued = date.fromisoformat(doc["date"]) if doc.get("date") else None
    candidates = agency_candidates(area, province, issued)

    implements = []
    for item in parsed.get("implements", []):
        issued_item = date.fromisoformat(item["date"]) if item.get("date") else None
        existing = find_document(item["number"], issued_item, province=province, issuer=item.get("issuer"))
        implements.append(
            {
                "number": item["number"],
                "date": issued_item,
                "issuer": item.get("issuer") or "",
                "existing": existing,
                "genre": genre_from_number(item["number"]),
                "source_lines": item.get("source_lines"),
            }
        )

    set_by_default = SELF
    attachment = _attachment(parsed)
    if attachment:
        genre = genre_from_name(attachment[0])
        for index, item in enumerate(implements):
            if item["genre"] == genre:
                set_by_default = f"impl-{index}"
                break

    def set_by(lines) -> str:
        if attachment and lines and set_by_default != SELF and lines[0] >= attachment[1]:
            return set_by_default
        return SELF

    targets = []
    for item in parsed.get("targets", []):
        baseline = item.get("baseline") or {}
        targets.append(
            {
                "text": item["text"],
                "value": item["value"],
                "unit": item.get("unit") or "",
                "direction": item["direction"] if item["direction"] in Direction.values else Direction.EQUAL,
                "year": item.get("year"),
                "baseline_value": baseline.get("value"),
                "baseline_year": baseline.get("year"),
                "baseline_source": baseline.get("text", ""),
                "source_lines": item.get("source_lines"),
                "set_by": set_by(item.get("source_lines")),
            }
        )

    deadlines = parsed.get("deadlines", [])
    report = next((d for d in deadlines if d.get("recurrence") == "yearly" and d.get("day")), None)

    grouped: dict = {}
    for item in parsed.get("tasks", []):
        key = (item["text"], tuple(item.get("source_lines") or ()))
        grouped.setdefault(key, []).append((clean_agency_name(item["agency"]), item["role"]))
    names: dict[str, AgencyProposal] = {}
    source_lines = draft.source_text.split("\n")
    tasks = []
    for (text, lines), agencies in grouped.items():
        for name, _role in agencies:
            if fold(name) not in names:
                names[fold(name)] = propose_agency(name, candidates, today)
        own = next((i for i, d in enumerate(deadlines) if _overlaps(d.get("source_lines"), list(lines))), None)
        if own is not None:
            schedule = f"dl-{own}"
        elif report is not None:
            schedule = "report"
        else:
            schedule = "none"
        tasks.append(
            {
                "text": text,
                "source_lines": list(lines),
                "agencies": agencies,
                "schedule": schedule,
                "set_by": set_by(list(lines)),
                "section": section_of(source_lines, lines[0] if lines else None),
            }
        )
    return {
        "document": {
            "doc_type": genre_from_name(doc.get("type")) if doc.get("type") else DocumentType.OTHER,
            "number": doc.get("number") or "",
            "issued_on": issued,
            "place": doc.get("place") or "",
            "issuer_name": doc.get("issuer") or "",
            "issuer_agency": issuer_agency(doc.get("issuer"), area, province, issued),
            "signer": doc.get("signer") or "",
            "title": doc.get("title") or "",
            "area": area,
            "report_month": report["month"] if report else None,
            "report_day": report["day"] if report else None,
            "report_text": report["text"] if report else "",
        },
        "implements": implements,
        "targets": targets,
        "tasks": tasks,
        "agencies": list(names.values()),
        "deadlines": deadlines,
        "warnings": parsed.get("warnings", []),
        "issuer_elsewhere": issuer_elsewhere(doc.get("issuer"), province),
        "attachment": attachment,
        "province": province,
        "areas": [province, *legacy_provinces(province)],
    }


def review_defaults(proposal: dict, corrections: dict | None = None) -> dict:
    """The review an officer makes by accepting every proposal (used by the demo loader and the tests);
    `corrections` overrides document fields, e.g. {"number": "234/KH-UBND"}."""
    document = {
        k: proposal["document"].get(k)
        for k in (
            "issuer_agency",
            "doc_type",
            "number",
            "issued_on",
            "place",
            "issuer_name",
            "signer",
            "title",
            "area",
            "report_month",
            "report_day",
            "report_text",
        )
    }
    document.update(corrections or {})
    return {
        "document": document,
        "implements": [
            {
                "action": "link" if i["existing"] else "create",
                "number": i["number"],
                "date": i["date"],
                "issuer": i["issuer"],
            }
            for i in proposal["implements"]
        ],
        "targets": [{**t, "include": True, "indicator_code": ""} for t in proposal["targets"]],
        "agencies": [
            {"name": a.name, "decision": a.default, "new_name": a.name, "kind": a.kind} for a in proposal["agencies"]
        ],
        "tasks": [{**t, "include": True} for t in proposal["tasks"]],
        "deadlines": proposal["deadlines"],
    }


# -- save -----------------------------------------------------------------------------------------------------------


def _schedule_for(choice: str, deadlines: list[dict], document: dict) -> dict:
    if choice == "report" and document.get("report_month"):
        return {
            "kind": ScheduleKind.YEARLY,
            "month": document["report_month"],
            "day": document.get("report_day"),
            "text": document.get("report_text", ""),
        }
    if choice.startswith("dl-"):
        d = deadlines[int(choice[3:])]
        text = d.get("text", "")
        if d.get("recurrence") == "yearly":
            return {"kind": ScheduleKind.YEARLY, "month": d["month"], "day": d.get("day"), "text": text}
        if d.get("year") and d.get("day"):
            return {"kind": ScheduleKind.DATE, "due_date": date(d["year"], d["month"], d["day"]), "text": text}
        if d.get("year"):
            return {"kind": ScheduleKind.MONTH, "month": d["month"], "year": d["year"], "text": text}
        return {"kind": ScheduleKind.YEARLY, "month": d["month"], "day": d.get("day"), "text": text}
    return {"kind": ScheduleKind.NONE}


def _new_agency(actor, name: str, kind: str, area: Unit) -> Agency:
    agency = Agency(
        name=name.strip()[:200],
        name_folded=fold(name)[:200],
        kind=kind or AgencyKind.OTHER,
        province=area if area.level == UnitLevel.PROVINCE else area.province,
    )
    existing = Agency.objects.filter(province=agency.province, name_folded=agency.name_folded).first()
    if existing:
        return existing
    agency.full_clean()
    agency.save()
    record(
        actor,
        "accounts.agency.create",
        agency,
        unit=agency.province,
        summary={"name": agency.name, "kind": agency.kind, "via": "plan import"},
    )
    return agency


@transaction.atomic
def draft_save(*, actor, draft: PlanDraft, review: dict) -> Document:
    """Save a reviewed draft in one transaction: the document, its links, targets and tasks, and any agency the
    officer accepted as new. `review` is the cleaned review form (see forms.ReviewForm.cleaned_review)."""
    draft = PlanDraft.objects.select_for_update().get(pk=draft.pk)
    require_area(actor, Capability.EDIT_PLANS, draft.province)
    if draft.status != DraftStatus.PENDING:
        raise ValidationError(pgettext("plans", "This upload has already been saved or discarded."))
    data = review["document"]
    area = data.get("area") or draft.province
    _refuse_twin(data.get("number"), data.get("issued_on"), draft.province, data.get("issuer_name"))

    linked: dict[int, Document] = {}
    created = []
    for index, item in enumerate(review["implements"]):
        if item["action"] == "ignore":
            continue
        cited, is_new = document_for_citation(
            actor=actor,
            number=item["number"],
            issued_on=item.get("date"),
            issuer=item.get("issuer"),
            province=draft.province,
        )
        linked[index] = cited
        if is_new:
            created.append(cited)
    # A provincial document cited together with a national one (the provincial party's programme and Directive 28)
    # is taken to implement it; the officer can change the links on the document's page.
    national = [d for d in linked.values() if d.province_id is None]
    for placeholder in created:
        if placeholder.province_id is not None and national:
            placeholder.implements.set(national)
            placeholder.area = area
            placeholder.save(update_fields=["area", "updated_at"])

    checked = CheckedFile(
        name=draft.file_name,
        extension=Path(draft.file_name).suffix.lower(),
        content=draft.file.open("rb").read(),
        sha256=draft.file_sha256,
        content_type="",
    )
    twin = (find_document(data["number"], data.get("issued_on"), province=draft.province,
                          issuer=data.get("issuer_name")) if data.get("number") else None)
    doc_data = {**{k: v for k, v in data.items() if k != "area"}, "province": draft.province, "area": area}
    if twin is not None:  # a placeholder created from an earlier citation: complete it

        document = document_update(
            actor=actor,
            document=twin,
            data=doc_data,
            implements=list({d.pk: d for d in [*twin.implements.all(), *linked.values()]}.values()),
        )
        document.file_name, document.file_sha256 = checked.name, checked.sha256
        document.file.save(checked.name, ContentFile(checked.content), save=False)
        document.source_text, document.parsed, document.is_placeholder = draft.source_text, draft.parsed, False
        document.save()
    else:
        document = document_create(
            actor=actor,
            data=doc_data,
            implements=list(linked.values()),
            file=checked,
            source_text=draft.source_text,
            parsed=draft.parsed,
        )

    def owner(set_by: str) -> Document:
        if set_by.startswith("impl-") and int(set_by[5:]) in linked:
            attached = linked[int(set_by[5:])]
            if attached.is_placeholder:
                _complete_attachment(actor, attached, document, area)
            return attached
        return document

    agencies: dict[str, Agency | None] = {}
    for decision in review["agencies"]:
        choice = decision["decision"]
        if choice == NEW:
            agencies[fold(decision["name"])] = _new_agency(
                actor, decision.get("new_name") or decision["name"], decision.get("kind"), area
            )
        elif choice.startswith("agency:"):
            agencies[fold(decision["name"])] = Agency.objects.get(pk=int(choice[7:]))
        else:
            agencies[fold(decision["name"])] = None

    targets = tasks = 0
    for order, item in enumerate(review["targets"]):
        if not item["include"]:
            continue
        target_create(
            actor=actor,
            document=owner(item["set_by"]),
            order=order,
            data={
                "text": item["text"],
                "unit": item["unit"],
                "baseline_value": item.get("baseline_value"),
                "baseline_year": item.get("baseline_year"),
                "baseline_source": item.get("baseline_source", ""),
                "area": area,
                "indicator_code": item.get("indicator_code", ""),
                "source_lines": item.get("source_lines"),
            },
            values=[{"year": item.get("year"), "value": item["value"], "direction": item["direction"]}],
        )
        targets += 1
    for order, item in enumerate(review["tasks"]):
        if not item["include"]:
            continue
        links = [
            (agencies.get(fold(name)), role if role in TaskRole.values else TaskRole.LEAD, name)
            for name, role in item["agencies"]
        ]
        task_create(
            actor=actor,
            document=owner(item["set_by"]),
            order=order,
            text=item["text"],
            agencies=links,
            section=item.get("section", ""),
            source_lines=item.get("source_lines"),
            schedule=_schedule_for(item["schedule"], review["deadlines"], data),
        )
        tasks += 1
    draft.status, draft.document = DraftStatus.SAVED, document
    draft.save(update_fields=["status", "document", "updated_at"])
    record(
        actor,
        "plans.draft.save",
        document,
        unit=draft.province,
        summary={
            "draft": str(draft.pk),
            "targets": targets,
            "tasks": tasks,
            "implements": [d.number for d in linked.values()],
        },
    )
    return document


def _complete_attachment(actor, attached: Document, main: Document, area: Unit) -> None:
    """A placeholder whose text came attached to the uploaded document: it gets the file, the area, and the national
    documents the main one cites (an attached programme implements the same directive)."""
    attached.province = attached.province or main.province
    attached.area = attached.area or area
    attached.file_name, attached.file_sha256 = main.file_name, main.file_sha256
    attached.file = main.file
    attached.source_text = main.source_text
    attached.is_placeholder = False
    attached.save()
    national = [d for d in main.implements.all() if d.province_id is None and d.pk != attached.pk]
    if national and not attached.implements.exists():
        attached.implements.set(national)
    record(actor, "plans.document.update", attached, unit=attached.province, summary={"completed_from": str(main.pk)})
