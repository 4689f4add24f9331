"""Data-quality findings of the register: what each child's record lacks or contradicts, kept as Finding rows.

`child_findings` looks at one record (pure: no queries); `check_commune` runs it over every child of a commune,
reconciles the result with the open findings (new ones opened, vanished ones resolved, the others kept with their
first detection date) and refreshes the commune's precomputed counts (CommuneSummary).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from treem.core.ages import CHILD_AGE_LIMIT
from treem.geo.models import Unit
from treem.registry.models import Child, ChildStatus, Sex, YesNoUnknown

from .dates import age_on, format_date
from .ethnicity import find_ethnic_group
from .models import CommuneSummary, DuplicatePair, Finding, PairStatus, Severity
from .personal_id import check_personal_id, normalize_personal_id

DEFAULT_STALE_MONTHS = 12
# Records still on a commune's register: the ones a data-quality check looks at.
ON_REGISTER = (ChildStatus.ACTIVE, ChildStatus.MOVED)

MISSING_ID = "missing_id"
MALFORMED_ID = "malformed_id"
ID_CONTRADICTION = "id_contradiction"
BASIC_FACTS = "basic_facts"
STALE = "stale"
OVER_16 = "over_16"
CATEGORIES = (MISSING_ID, MALFORMED_ID, ID_CONTRADICTION, BASIC_FACTS, STALE, OVER_16)
CATEGORY_LABELS = {
    MISSING_ID: gettext_lazy("No personal ID"),
    MALFORMED_ID: gettext_lazy("Malformed personal ID"),
    ID_CONTRADICTION: gettext_lazy("Personal ID contradicts the record"),
    BASIC_FACTS: gettext_lazy("Missing or contradictory basic facts"),
    STALE: gettext_lazy("Not updated for a long time"),
    OVER_16: gettext_lazy("16 or older, still on the register"),
}


@dataclass(frozen=True)
class Kind:
    code: str
    category: str
    severity: str
    field: str
    label: str


def _kinds(*rows: tuple[str, str, str, str, str]) -> dict[str, Kind]:
    return {row[0]: Kind(*row) for row in rows}


KINDS = _kinds(
    ("id_missing", MISSING_ID, Severity.WARNING, "personal_id", gettext_lazy("No personal ID number")),
    ("id_not_digits", MALFORMED_ID, Severity.ERROR, "personal_id",
     gettext_lazy("Personal ID contains characters other than digits")),
    ("id_length", MALFORMED_ID, Severity.ERROR, "personal_id", gettext_lazy("Personal ID does not have 12 digits")),
    ("id_unknown_province", MALFORMED_ID, Severity.ERROR, "personal_id",
     gettext_lazy("Personal ID starts with an unknown province code")),
    ("id_sex_mismatch", ID_CONTRADICTION, Severity.ERROR, "personal_id",
     gettext_lazy("Personal ID contradicts the recorded sex")),
    ("id_year_mismatch", ID_CONTRADICTION, Severity.ERROR, "personal_id",
     gettext_lazy("Personal ID contradicts the recorded birth year")),
    ("id_shared", ID_CONTRADICTION, Severity.ERROR, "personal_id",
     gettext_lazy("Personal ID also recorded for another child")),
    ("name_missing", BASIC_FACTS, Severity.ERROR, "full_name", gettext_lazy("No full name")),
    ("name_incomplete", BASIC_FACTS, Severity.WARNING, "full_name", gettext_lazy("Full name has a single word")),
    ("name_no_diacritics", BASIC_FACTS, Severity.INFO, "full_name",
     gettext_lazy("Name probably typed without diacritics")),
    ("sex_missing", BASIC_FACTS, Severity.ERROR, "sex", gettext_lazy("No sex recorded")),
    ("birth_date_future", BASIC_FACTS, Severity.ERROR, "birth_date", gettext_lazy("Date of birth in the future")),
    ("ethnicity_missing", BASIC_FACTS, Severity.WARNING, "ethnicity", gettext_lazy("No ethnic group")),
    ("ethnicity_unknown", BASIC_FACTS, Severity.WARNING, "ethnicity",
     gettext_lazy("Ethnic group not among Vietnam's 54")),
    ("carer_missing", BASIC_FACTS, Severity.WARNING, "carer", gettext_lazy("No parent or carer recorded")),
    ("birth_registration_contradiction", BASIC_FACTS, Severity.WARNING, "birth_registered",
     gettext_lazy("Has a personal ID but birth registration is recorded as not done")),
    ("stale", STALE, Severity.INFO, "", gettext_lazy("Not updated for a long time")),
    ("over_16_active", OVER_16, Severity.ERROR, "status", gettext_lazy("Turned 16 but still on the register")),
)
CODES_BY_CATEGORY = {c: [k.code for k in KINDS.values() if k.category == c] for c in CATEGORIES}
# What the cleaning round sends to households and the commune police (DOMAIN.md, step 1).
NEEDS_VERIFICATION = {MISSING_ID, MALFORMED_ID, ID_CONTRADICTION, BASIC_FACTS}


def stale_months() -> int:
    return int(getattr(settings, "TREEM_QUALITY_STALE_MONTHS", DEFAULT_STALE_MONTHS))


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the 31st becomes the last day of a shorter month)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")


# What each finding says, filled in from its parameters when shown (in the reader's language): a Finding row stores
# the code and the parameters, never the sentence. Dates are kept ISO and shown dd/mm/yyyy.
FINDING_TEXT = {
    "id_missing": gettext_lazy("No personal ID number is recorded."),
    "id_not_digits": gettext_lazy("The personal ID '%(id)s' contains characters other than digits."),
    "id_length": gettext_lazy("The personal ID '%(id)s' has %(digits)s digits; it needs exactly 12."),
    "id_unknown_province": gettext_lazy(
        "The personal ID '%(id)s': the birth registration province code '%(code)s' does not exist."),
    "id_sex_mismatch": gettext_lazy(
        "The personal ID '%(id)s' encodes the sex %(encoded)s (4th digit %(digit)s) but the record says %(sex)s."),
    "id_year_mismatch": gettext_lazy(
        "The personal ID '%(id)s' encodes the birth year %(encoded)s but the record says %(year)s."),
    "id_shared": gettext_lazy("The personal ID %(id)s is also recorded for another child."),
    "name_missing": gettext_lazy("The full name is empty."),
    "name_incomplete": gettext_lazy("'%(name)s' has no surname or middle name."),
    "name_no_diacritics": gettext_lazy("'%(name)s' has no diacritics; check the spelling on the birth certificate."),
    "sex_missing": gettext_lazy("Sex is not recorded."),
    "birth_date_future": gettext_lazy("Born on %(date)s, a date in the future."),
    "ethnicity_missing": gettext_lazy("The ethnic group is not recorded."),
    "ethnicity_unknown": gettext_lazy("'%(name)s' is not one of Vietnam's 54 ethnic groups."),
    "carer_missing": gettext_lazy("No parent, guardian or carer is linked to the child."),
    "birth_registration_contradiction": gettext_lazy(
        "A personal ID is recorded, so the birth was registered, but the record says it was not."),
    "stale": gettext_lazy("Last updated on %(date)s, more than %(months)s months ago."),
    "over_16_active": gettext_lazy("Born on %(date)s, now %(age)s years old: no longer a child (Law on Children, "
                                   "art. 1)."),
}
# a 9-digit number is an old identity card (CMND), said as such
OLD_CARD_TEXT = gettext_lazy("'%(id)s' has 9 digits, probably an old identity card (CMND) number; a personal ID "
                             "has 12 digits.")


def finding_text(code: str, params: dict | None, legacy_text: str = "") -> str:
    """The finding as a sentence in the active language; an old row that could not be converted shows its text."""
    template = FINDING_TEXT.get(code)
    if template is None or (legacy_text and not params):
        return legacy_text or (str(KINDS[code].label) if code in KINDS else "")
    values = dict(params or {})
    if code == "id_length" and values.get("digits") == 9:
        template = OLD_CARD_TEXT
    if "date" in values:
        with contextlib.suppress(ValueError):
            values["date"] = format_date(date.fromisoformat(values["date"]))
    for key in ("sex", "encoded"):
        if code == "id_sex_mismatch" and key in values:
            values[key] = str(Sex(values[key]).label) if values[key] in Sex.values else values[key]
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return legacy_text or str(KINDS[code].label)


@dataclass(frozen=True)
class Found:
    code: str
    params: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def kind(self) -> Kind:
        return KINDS[self.code]

    @property
    def message(self) -> str:
        return finding_text(self.code, self.params)


@dataclass
class CheckContext:
    today: date
    stale_before: datetime
    stale_months: int
    shared_ids: frozenset[str] = frozenset()


def child_findings(child: Child, *, carers: int, context: CheckContext) -> list[Found]:
    """Every finding of one record. `carers` is the number of carers linked to the child."""
    found: list[Found] = []
    add = found.append
    for finding in check_personal_id(child.personal_id, child.sex or None, child.birth_date):
        if finding.code in KINDS:
            add(Found(finding.code, finding.params))
    pid = normalize_personal_id(child.personal_id)[0]
    if pid and pid in context.shared_ids:
        add(Found("id_shared", {"id": pid}))
    words = (child.full_name or "").split()
    if not words:
        add(Found("name_missing"))
    elif len(words) == 1:
        add(Found("name_incomplete", {"name": child.full_name}))
    elif child.full_name.isascii():
        add(Found("name_no_diacritics", {"name": child.full_name}))
    if not child.sex:
        add(Found("sex_missing"))
    if child.birth_date and child.birth_date > context.today:
        add(Found("birth_date_future", {"date": child.birth_date.isoformat()}))
    if not (child.ethnicity or "").strip():
        add(Found("ethnicity_missing"))
    elif find_ethnic_group(child.ethnicity) is None:
        add(Found("ethnicity_unknown", {"name": child.ethnicity}))
    if carers == 0:
        add(Found("carer_missing"))
    if pid and child.birth_registered == YesNoUnknown.NO:
        add(Found("birth_registration_contradiction"))
    if child.updated_at and child.updated_at < context.stale_before:
        add(Found("stale", {"date": timezone.localtime(child.updated_at).date().isoformat(),
                            "months": context.stale_months}))
    if child.status == ChildStatus.ACTIVE and child.birth_date and \
            age_on(child.birth_date, context.today) >= CHILD_AGE_LIMIT:
        add(Found("over_16_active", {"date": child.birth_date.isoformat(),
                                     "age": age_on(child.birth_date, context.today)}))
    return found


def needs_verification(found: Iterable[Found]) -> list[Found]:
    return [f for f in found if f.kind.category in NEEDS_VERIFICATION and f.kind.severity != Severity.INFO]


# ---------------------------------------------------------------- running over a commune

CHECK_FIELDS = ("id", "full_name", "sex", "birth_date", "ethnicity", "personal_id", "birth_registered", "status",
                "commune_id", "province_id", "updated_at")


def register_children(commune: Unit, only=None):
    qs = Child.objects.filter(commune=commune, status__in=ON_REGISTER)
    if only is not None:
        qs = qs.filter(pk__in=only)
    return qs.annotate(carer_count=Count("carer_links")).only(*CHECK_FIELDS).order_by("pk")


def shared_ids(personal_ids: Iterable[str]) -> frozenset[str]:
    """IDs among these that more than one record on any register carries."""
    ids = sorted({p for p in personal_ids if p})
    shared: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = (Child.objects.filter(personal_id__in=chunk).exclude(status__in=[ChildStatus.MERGED,
                                                                                 ChildStatus.IN_ERROR])
                .values("personal_id").annotate(n=Count("id")).filter(n__gt=1).values_list("personal_id", flat=True))
        shared.update(rows)
    return frozenset(shared)


def make_context(now: datetime | None = None, months: int | None = None) -> CheckContext:
    now = now or timezone.now()
    months = months or stale_months()
    return CheckContext(today=timezone.localdate(now), stale_before=months_before(now, months), stale_months=months)


@dataclass
class CheckResult:
    children: int = 0
    opened: int = 0
    resolved: int = 0
    kept: int = 0

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@transaction.atomic
def check_commune(commune: Unit, *, now: datetime | None = None, months: int | None = None, only=None) -> CheckResult:
    """Compute the findings of every child on a commune's register (or of the children `only` names) and store them.

    A finding is stored as its code and parameters, rendered in the reader's language when shown."""
    now = now or timezone.now()
    context = make_context(now, months)
    children = list(register_children(commune, only))
    context.shared_ids = shared_ids(c.personal_id for c in children)
    found: dict[tuple, tuple[Child, Found]] = {}
    for child in children:
        for f in child_findings(child, carers=child.carer_count, context=context):
            found[(child.pk, f.code)] = (child, f)
    result = CheckResult(children=len(children))
    open_q = Q(commune=commune) | Q(child__in=[c.pk for c in children])
    if only is not None:
        open_q = Q(child__in=list(only))
    existing = Finding.objects.filter(open_q, resolved_at__isnull=True).select_for_update()
    to_resolve, to_update = [], []
    for finding in existing:
        key = (finding.child_id, finding.code)
        if key not in found:
            to_resolve.append(finding.pk)
            continue
        child, f = found.pop(key)
        result.kept += 1
        if (finding.params, finding.legacy_text, finding.commune_id, finding.severity) != (
                f.params, "", child.commune_id, f.kind.severity):
            finding.params, finding.legacy_text = f.params, ""
            finding.commune_id, finding.province_id = child.commune_id, child.province_id
            finding.severity = f.kind.severity
            to_update.append(finding)
    Finding.objects.filter(pk__in=to_resolve).update(resolved_at=now)
    Finding.objects.bulk_update(to_update, ["params", "legacy_text", "commune", "province", "severity"], batch_size=500)
    Finding.objects.bulk_create([
        Finding(child_id=child.pk, commune_id=child.commune_id, province_id=child.province_id, code=f.code,
                severity=f.kind.severity, params=f.params, field=f.kind.field, detected_at=now)
        for child, f in found.values()
    ], batch_size=1000)
    result.opened, result.resolved = len(found), len(to_resolve)
    refresh_summary(commune, months=context.stale_months, checked_at=now if only is None else None)
    return result


def resolve_for(child_ids: Iterable, now: datetime | None = None) -> int:
    """Close the open findings of records that left the register (merged, in error)."""
    return Finding.objects.filter(child__in=list(child_ids), resolved_at__isnull=True).update(
        resolved_at=now or timezone.now())


def refresh_summary(commune: Unit, *, months: int | None = None, checked_at: datetime | None = None) -> CommuneSummary:
    """Recount a commune's open findings and duplicate pairs into its summary row (a handful of grouped queries)."""
    counts = Counter(dict(Finding.objects.filter(commune=commune, resolved_at__isnull=True)
                          .values("code").annotate(n=Count("id")).values_list("code", "n")))
    by_category = Counter()
    for code, n in counts.items():
        if code in KINDS:
            by_category[KINDS[code].category] += n
    summary, _created = CommuneSummary.objects.get_or_create(commune=commune,
                                                             defaults={"province_id": commune.province_id})
    summary.province_id = commune.province_id
    summary.children = Child.objects.filter(commune=commune, status__in=ON_REGISTER).count()
    summary.children_with_findings = (Finding.objects.filter(commune=commune, resolved_at__isnull=True)
                                      .values("child").distinct().count())
    summary.open_findings = sum(counts.values())
    for category in CATEGORIES:
        setattr(summary, category, by_category.get(category, 0))
    summary.duplicate_pairs = DuplicatePair.objects.filter(
        Q(commune=commune) | Q(other_commune=commune), status=PairStatus.OPEN).count()
    summary.counts = dict(sorted(counts.items()))
    if months:
        summary.stale_months = months
    if checked_at:
        summary.checked_at = checked_at
    summary.save()
    return summary


def refresh_pair_counts(commune_ids: Iterable[int]) -> None:
    """Only the duplicate-pair column, after a duplicates run or a decision."""
    for commune in Unit.objects.filter(pk__in=set(commune_ids)):
        n = DuplicatePair.objects.filter(Q(commune=commune) | Q(other_commune=commune), status=PairStatus.OPEN).count()
        updated = CommuneSummary.objects.filter(commune=commune).update(duplicate_pairs=n)
        if not updated:
            refresh_summary(commune)
