"""Every read of children goes through here, filtered by the reader's scope (treem.access)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from treem.access import ByUnit, Capability, fetch, restrict, rule_for, scope_for
from treem.audit import registry
from treem.audit.models import AuditEvent
from treem.audit.rendering import present
from treem.core.ages import AGE_BAND_LABELS, age_band_bounds
from treem.core.text import clean, fold
from treem.geo.models import Unit, UnitLevel, UnitSystem

from .models import (
    Carer,
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildRisk,
    ChildSource,
    ChildStatus,
    CircumstanceGroup,
    CircumstanceSubgroup,
    Household,
    ImportBatch,
    Measurement,
)
from .quality.text import normalize_name, normalize_phone


def children_visible_to(user, capability: str = Capability.VIEW_CHILDREN, *, incoming: bool = True):
    """Children of the reader's communes or provinces, plus those recorded as moving into her communes.

    `incoming=False` leaves out the children moving in (a list of active children does not need them, and without
    the OR the commune's (commune, status, name) index answers the query)."""
    scope = scope_for(user)
    if not scope.has(capability):
        return Child.objects.none()
    q = rule_for(Child).q(scope, capability)
    if incoming and not scope.is_national(capability):
        receiving = set(scope.commune_ids(capability))
        if provinces := scope.province_ids(capability):
            # A child moving in from another province shows up in the receiving province too.
            receiving |= set(Unit.objects.filter(province_id__in=provinces, level=UnitLevel.COMMUNE,
                                                 system=UnitSystem.CURRENT).values_list("pk", flat=True))
        if receiving:
            q |= Q(status=ChildStatus.MOVED, moved_to__in=receiving)
    return Child.objects.filter(q)


def child_for(user, pk, capability: str = Capability.VIEW_CHILDREN) -> Child:
    """One child, or Child.DoesNotExist when it does not exist or lies outside the reader's scope (404, not 403)."""
    return children_visible_to(user, capability).select_related("commune", "province", "moved_to").get(pk=pk)


def communes_for(user, capability: str = Capability.VIEW_CHILDREN):
    """Current communes whose register the user may read (or edit): hers, or every commune of her provinces."""
    scope = scope_for(user)
    qs = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE)
    if not scope.has(capability):
        return qs.none()
    if scope.is_national(capability):
        return qs
    return qs.filter(Q(pk__in=scope.commune_ids(capability)) | Q(province_id__in=scope.province_ids(capability)))


# ---------------------------------------------------------------- list filters

AGE_BANDS = AGE_BAND_LABELS  # the one scheme, treem.core.ages
STATUS_FILTERS = ("active", "moved", "over_16", "deceased", "in_error", "all")
QUALITY_FILTERS = ("issues", "no_id", "ok")
SEARCH_LIMIT = 1000  # a search finds a child; with more matches than this, the page asks for more of the name
_DIGITS = re.compile(r"^\d[\d\s.]*$")


@dataclass
class ChildFilters:
    q: str = ""
    commune: str = ""  # commune code, for readers of several communes
    village: str = ""
    age_band: str = ""
    sex: str = ""
    group: str = ""
    status: str = "active"
    quality: str = ""

    @classmethod
    def from_params(cls, params) -> "ChildFilters":
        get = params.get
        status = get("status") or "active"
        return cls(q=(get("q") or "").strip()[:100], commune=(get("commune") or "").strip()[:8],
                   village=(get("village") or "").strip()[:120],
                   age_band=get("age_band") if get("age_band") in AGE_BANDS else "",
                   sex=get("sex") if get("sex") in ("M", "F") else "",
                   group=(get("group") or "").strip()[:4],
                   status=status if status in STATUS_FILTERS else "active",
                   quality=get("quality") if get("quality") in QUALITY_FILTERS else "")

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v and not (k == "status" and v == "active")}


def search_children(qs, text: str):
    """Diacritics-insensitive: "nguyen van duc", "Đức" and "duc nguyen" find "Nguyễn Văn Đức"; digits search the start
    of personal IDs. Every word typed must begin a word of the name ("anh" finds Anh, not Thanh; "ng" finds Nguyễn
    and Ngọc), so a middle name can be left out and a word can be cut short."""
    text = clean(text)  # a zero-width character pasted with the name must not make the search miss
    if not text:
        return qs
    if _DIGITS.match(text):
        digits = re.sub(r"\D", "", text)
        return qs.filter(personal_id__startswith=digits)
    words = list(dict.fromkeys(fold(text).split()))
    if not words:
        return qs.none()
    return qs.filter(name_folded__words=words)


def filter_children(qs, filters: ChildFilters, today: date | None = None):
    today = today or timezone.localdate()
    if filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.commune:
        qs = qs.filter(commune__code=filters.commune, commune__system=UnitSystem.CURRENT)
    if filters.village:
        qs = qs.filter(village=filters.village)
    if filters.sex:
        qs = qs.filter(sex=filters.sex)
    if filters.age_band and (bounds := age_band_bounds(filters.age_band, today)):
        qs = qs.filter(birth_date__gte=bounds[0], birth_date__lte=bounds[1])
    if filters.group:
        qs = qs.filter(Exists(ChildCircumstance.objects.filter(
            child=OuterRef("pk"), group__code=filters.group, ended_on__isnull=True)))
    if filters.quality == "issues":
        qs = qs.filter(has_quality_issues=True)
    elif filters.quality == "no_id":
        qs = qs.filter(personal_id="")
    elif filters.quality == "ok":
        qs = qs.filter(has_quality_issues=False)
    return search_children(qs, filters.q)


def child_list(user, filters: ChildFilters, capability: str = Capability.VIEW_CHILDREN):
    """The scoped, filtered list, ready for a page, in name order: a queryset, or for a name search SearchResults."""
    visible = children_visible_to(user, capability, incoming=filters.status in ("moved", "all"))
    found = filter_children(visible, filters)
    if filters.q:
        return SearchResults(found)
    return _for_page(found).order_by("name_folded", "birth_date", "id")


def children_to_export(user, filters: ChildFilters, capability: str = Capability.VIEW_CHILDREN):
    """Every child of the filtered list (a search is not cut at SEARCH_LIMIT here), in name order, with carers."""
    visible = children_visible_to(user, capability, incoming=filters.status in ("moved", "all"))
    return (_for_page(filter_children(visible, filters)).prefetch_related("carer_links__carer")
            .order_by("name_folded", "birth_date", "id"))


_OPEN_CIRCUMSTANCES = ChildCircumstance.objects.filter(ended_on__isnull=True).select_related("group")


def _for_page(qs):
    # Prefetched rather than joined: the main query stays on one table and its indexes.
    return qs.prefetch_related("commune", "moved_to",
                               Prefetch("circumstances", queryset=_OPEN_CIRCUMSTANCES, to_attr="open_circumstances"))


class SearchResults(Sequence):
    """The children a search found, in name order, fetched a page at a time (a Paginator takes it like a queryset).

    The index finds matches in no useful order, and walking the name index instead would read most of a province for
    names far down the alphabet ("thach", "vo"). So the keys of the first SEARCH_LIMIT matches are fetched in one
    query, sorted here, and a page loads only its own rows. With more matches than that, `truncated` is set and the
    page asks for more of the name."""

    def __init__(self, found):
        rows = list(found.order_by().values_list("pk", "name_folded", "birth_date")[:SEARCH_LIMIT + 1])
        self.truncated = len(rows) > SEARCH_LIMIT
        rows = sorted(rows[:SEARCH_LIMIT], key=lambda row: (row[1], row[2] or date.min, row[0]))
        self.keys = [row[0] for row in rows]

    def __len__(self) -> int:
        return len(self.keys)

    def count(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            position = range(len(self))[index]  # IndexError as for a list
            return self[position:position + 1][0]
        keys = self.keys[index]
        # A page is a handful of rows fetched by key: joining their communes costs less than a query more.
        children = (Child.objects.select_related("commune", "moved_to")
                    .prefetch_related(Prefetch("circumstances", queryset=_OPEN_CIRCUMSTANCES,
                                               to_attr="open_circumstances"))
                    .in_bulk(keys))
        return [children[key] for key in keys if key in children]

    def __iter__(self):
        for start in range(0, len(self), 500):
            yield from self[start:start + 500]


def villages_of(user, commune_ids=None) -> list[str]:
    qs = children_visible_to(user, incoming=False).exclude(village="")
    if commune_ids is not None:
        qs = qs.filter(commune__in=commune_ids)
    return list(qs.order_by("village").values_list("village", flat=True).distinct()[:300])


def incoming_children(user, capability: str = Capability.VIEW_CHILDREN):
    """Children another commune recorded as moving into one of the reader's communes, waiting to be accepted."""
    scope = scope_for(user)
    if not scope.has(capability):
        return Child.objects.none()
    q = ByUnit("moved_to", "moved_to__province").q(scope, capability)  # by where the child is going
    return (Child.objects.filter(q, status=ChildStatus.MOVED, moved_to__isnull=False)
            .select_related("commune", "commune__province", "moved_to").order_by("moved_on", "name_folded"))


# ---------------------------------------------------------------- one child


def child_detail(user, pk) -> Child:
    open_first = ("ended_on", "-started_on")
    return (
        children_visible_to(user)
        .select_related("commune", "commune__province", "province", "moved_to", "moved_to__province",
                        "import_batch", "household")
        .prefetch_related(
            Prefetch("circumstances", queryset=ChildCircumstance.objects.select_related("group", "subgroup")
                     .order_by(*open_first)),
            Prefetch("risks", queryset=ChildRisk.objects.select_related("flag").order_by(*open_first)),
            Prefetch("carer_links", queryset=ChildCarer.objects.select_related("carer").order_by("-primary", "id")),
            Prefetch("measurements", queryset=Measurement.objects.order_by("-measured_on")),
        )
        .get(pk=pk)
    )


def source_shown(child: Child, *, case_visible: bool) -> str:
    """The source a reader may see. A record created from a protection report reads as entered by staff to anyone who
    may not see that case by name (`cases.selectors.cases_for_child_visible_to`): the register must not tell that a
    case exists."""
    if child.source == ChildSource.CASE_INTAKE and not case_visible:
        return ChildSource.MANUAL
    return child.source


def child_history(user, child: Child, limit: int = 200, *, case_visible: bool = False):
    """Audit events about the child, newest first (the reader already passed child_detail's scope check), each with
    `label` (what happened) and `lines` ([(field, "old → new" or value)]) in words, by the audit action registry
    (treem.audit.rendering). The events of the cases module (a provisional record made from a report) show no details
    and read as an ordinary addition without `case_visible`. Reads of the record are not part of its history."""
    from django.utils.translation import gettext as _

    about_child = Q(object_type="registry.child", object_id=str(child.pk))
    if child.import_batch_id:  # created or updated by an import: the import's own event
        about_child |= Q(object_type="registry.importbatch", object_id=str(child.import_batch_id))
    reads = [a.code for a in registry.all_actions() if a.read]
    events = list(AuditEvent.objects.filter(about_child).exclude(action__in=reads).select_related("actor", "unit")
                  .order_by("-at", "-id")[:limit])
    for event in present(events, reader=user, case_visible=case_visible):
        event.label, event.lines = event.title, event.details
        if event.object_type != "registry.child":  # the import of the whole file: only its name concerns the child
            event.lines = [(_("file"), (event.summary or {}).get("file", ""))]
    return events


@dataclass
class DuplicateHint:
    child: Child
    score: int
    reason: str
    carer: str = ""  # the primary carer's name, filled in for the proposals shown to a person (`with_carers`)


OFF_REGISTER = [ChildStatus.MERGED, ChildStatus.IN_ERROR]


def likely_duplicates(user, *, commune: Unit, full_name: str, birth_date: date | None, personal_id: str = "",
                      exclude_pk=None, limit: int = 5) -> list[DuplicateHint]:
    """Children of the same commune who may be the one being typed: same personal ID, or a similar folded name
    (rapidfuzz) with a birth date within a year. Cheap enough to run on every keystroke pause."""
    visible = children_visible_to(user).filter(commune=commune).exclude(status__in=OFF_REGISTER)
    if exclude_pk:
        visible = visible.exclude(pk=exclude_pk)
    # Without a birth date the form warns on the personal ID only (a name alone is too common while typing).
    return match_children(visible, full_name=full_name if birth_date else "", birth_date=birth_date,
                          personal_id=personal_id, limit=limit)


def _born_between(birth_date: date | None, age: int | None, on: date | None) -> tuple[date, date] | None:
    if birth_date:
        return birth_date - timedelta(days=366), birth_date + timedelta(days=366)
    if age is not None:
        on = on or timezone.localdate()
        # A reported age is approximate: a year either side of the years it allows.
        return date(on.year - int(age) - 2, 1, 1), date(on.year - int(age), 12, 31)
    return None


def carers_of(child_ids) -> dict:
    """{child id: [(folded name, phone, full name, primary)]}, primary carer first."""
    out: dict = {}
    rows = (ChildCarer.objects.filter(child_id__in=list(child_ids)).order_by("-primary", "id")
            .values_list("child_id", "carer__name_folded", "carer__phone", "carer__full_name", "primary"))
    for child_id, folded, phone, name, primary in rows:
        out.setdefault(child_id, []).append((folded, phone, name, primary))
    return out


def match_children(candidates, *, full_name: str = "", birth_date: date | None = None, age: int | None = None,
                   on: date | None = None, sex: str = "", personal_id: str = "", carer_name: str = "",
                   carer_phone: str = "", limit: int = 5, with_carers: bool = False) -> list[DuplicateHint]:
    """The register's interactive matcher (the create form's duplicate warning, a report naming a child, a case's
    "add a child" search): among `candidates`, the children who may be the one described.

    Same personal ID: certain. Otherwise a similar folded name (rapidfuzz; a dropped middle name counts) with a birth
    date within a year (or an age), of the same sex when given; the same carer (folded name or phone) lets a looser
    name through (a nickname) and ranks higher. With neither a birth date nor an age, only a near-identical name."""
    from django.utils.translation import gettext as _
    from rapidfuzz import fuzz

    hints: dict = {}
    if personal_id and len(personal_id) >= 9:
        for child in candidates.filter(personal_id=personal_id)[:limit]:
            hints[child.pk] = DuplicateHint(child, 100, _("same personal identification number"))
    folded = fold(full_name)
    window = _born_between(birth_date, age, on)
    if folded:
        pool = candidates
        if window:
            pool = pool.filter(birth_date__gte=window[0], birth_date__lte=window[1])
        else:
            pool = search_children(pool, full_name)  # no date: the name's words must all be there
        pool = list(pool.only("id", "full_name", "name_folded", "birth_date", "village", "sex", "personal_id",
                              "commune_id")[:2000])
        carer_folded, phone = fold(carer_name), "".join(ch for ch in carer_phone or "" if ch.isdigit())
        carers = carers_of(c.pk for c in pool) if (carer_folded or phone) else {}
        words = folded.split()
        for child in pool:
            if child.pk in hints or (sex and child.sex != sex):
                continue
            other = child.name_folded.split()
            score, given_only = fuzz.token_sort_ratio(folded, child.name_folded), False
            # A dropped middle name: same surname and given name, the rest a subset.
            if words and other and words[0] == other[0] and words[-1] == other[-1] and (
                    set(words) <= set(other) or set(other) <= set(words)):
                score = max(score, 92)
            elif words and other and words[-1] == other[-1] and set(words) < set(other):
                score, given_only = max(score, 80), True  # the given name alone, as a report may give it
            same_carer = any((carer_folded and fuzz.ratio(carer_folded, c_folded) >= 90)
                             or (phone and c_phone and phone.lstrip("0") == c_phone.lstrip("0"))
                             for c_folded, c_phone, _name, _primary in carers.get(child.pk, ()))
            same_day = birth_date is not None and child.birth_date == birth_date
            if score < (75 if same_carer or (same_day and given_only) else 85):
                continue
            if birth_date and not same_day and score < 92 and not same_carer:
                continue
            if not birth_date and score < 92 and not same_carer:
                continue  # an age or no date at all: only a near-identical name, or the same carer
            if same_carer:
                reason = _("similar name, same carer")
            elif same_day:
                reason = _("similar name, same date of birth")
            elif birth_date:
                reason = _("similar name, born within a year")
            elif window:
                reason = _("similar name, age as reported")
            else:
                reason = _("similar name")
            hints[child.pk] = DuplicateHint(child, int(score) + (5 if same_day else 0) + (5 if same_carer else 0),
                                            reason)
    found = sorted(hints.values(), key=lambda h: (-h.score, h.child.name_folded))[:limit]
    if with_carers and found:
        carers = carers_of(h.child.pk for h in found)
        for hint in found:
            hint.carer = next(iter(carers.get(hint.child.pk, ())), ("", "", "", False))[2]
    return found


def groups_in_force():
    """The special-circumstance groups in force today, each with its sub-groups in force."""
    today = timezone.localdate()
    return CircumstanceGroup.objects.valid_on(today).prefetch_related(
        Prefetch("subgroups", queryset=CircumstanceSubgroup.objects.valid_on(today)))


def import_batches_visible_to(user):
    scope = scope_for(user)
    cap = Capability.EDIT_CHILDREN
    if not scope.has(cap):
        return ImportBatch.objects.none()
    return restrict(ImportBatch, scope, cap)


# ---------------------------------------------------------------- households


def households_visible_to(user, capability: str = Capability.VIEW_CHILDREN):
    """Households of the reader's communes, or of every commune of her provinces (scoped like the children)."""
    scope = scope_for(user)
    if not scope.has(capability):
        return Household.objects.none()
    return restrict(Household, scope, capability)


def search_households(qs, text: str):
    """Diacritics-insensitive, like search_children: every word typed begins a word of the head's name or of the
    village ("giang ban 3" finds Giàng A Páo's household in Bản 3)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Concat

    words = list(dict.fromkeys(fold(text or "").split()))
    if not words:
        return qs
    qs = qs.annotate(_words=Concat(Value(" "), "search_folded", output_field=CharField()))
    for word in words:
        qs = qs.filter(_words__contains=f" {word}")
    return qs


def household_list(user, *, commune: str = "", q: str = "", village: str = "", poverty_status: str = "",
                   capability: str = Capability.VIEW_CHILDREN):
    """The scoped households, filtered (commune code, head's name or village, exact village, poverty status), in the
    order of villages and heads' names."""
    qs = households_visible_to(user, capability)
    if commune:
        qs = qs.filter(commune__code=commune, commune__system=UnitSystem.CURRENT)
    if village:
        qs = qs.filter(village=village)
    if poverty_status:
        qs = qs.filter(poverty_status=poverty_status)
    return search_households(qs, q).select_related("commune").order_by("village", "search_folded", "id")


def household_villages(user, commune_id: int) -> list[str]:
    """The villages of a commune's households that the reader may see (for the households page's filter)."""
    return list(households_visible_to(user).filter(commune_id=commune_id).exclude(village="")
                .order_by("village").values_list("village", flat=True).distinct()[:300])


def children_per_household(user, household_ids) -> dict:
    """How many children on the register (active, and visible to the reader) each of these households has."""
    rows = (children_visible_to(user, incoming=False).filter(household_id__in=list(household_ids),
                                                             status=ChildStatus.ACTIVE)
            .order_by().values("household_id").annotate(n=Count("id")))
    return {row["household_id"]: row["n"] for row in rows}


def household_choices_for(user, child: Child, text: str = "", limit: int = 20) -> list[Household]:
    """Households of the child's commune that she could join (for the picker on her page): those matching `text`,
    or with nothing typed those of her village. The reader must be able to edit the commune's register."""
    qs = households_visible_to(user, Capability.EDIT_CHILDREN).filter(commune_id=child.commune_id)
    if child.household_id:
        qs = qs.exclude(pk=child.household_id)
    if fold(text):
        qs = search_households(qs, text)
    elif child.village:
        qs = qs.filter(village=child.village)
    else:
        return []
    return list(qs.annotate(n_children=Count("children", filter=Q(children__status=ChildStatus.ACTIVE)))
                .order_by("search_folded", "id")[:limit])


def household_detail(user, pk, capability: str = Capability.VIEW_CHILDREN) -> Household:
    """One household with `members` (its children the reader may see, not merged or in error, eldest first) and
    `carer_list`; 404 outside the reader's scope."""
    household = fetch(Household.objects.select_related("commune", "commune__province"), user, capability, pk=pk)
    household.members = list(
        children_visible_to(user).filter(household=household)
        .exclude(status__in=[ChildStatus.MERGED, ChildStatus.IN_ERROR])
        .only("id", "full_name", "sex", "birth_date", "status", "village", "household_id", "commune_id")
        .order_by("birth_date", "name_folded", "id"))
    household.carer_list = list(household.carers.order_by("name_folded", "id"))
    return household


def household_of_child(user, child: Child) -> Household | None:
    """The child's household for her page, with the other children (`siblings`) and the carers; None if she has none
    (the reader already passed child_detail's scope check)."""
    if not child.household_id:
        return None
    try:
        household = household_detail(user, child.household_id)
    except Http404:  # a household outside the reader's scope (a child moving in)
        return None
    household.siblings = [c for c in household.members if c.pk != child.pk]
    return household


def carers_to_add(household: Household) -> list:
    """Carers of the household's children who are not (yet) in it: (carer, child) pairs for the household page."""
    members = [c.pk for c in household.members]
    links = (ChildCarer.objects.filter(child_id__in=members).exclude(carer__household=household)
             .select_related("carer", "child").order_by("carer__name_folded", "carer_id"))
    seen, out = set(), []
    for link in links:
        if link.carer_id not in seen:
            seen.add(link.carer_id)
            out.append(link)
    return out


@dataclass
class HouseholdOffer:
    """The household a child being added by hand could join: her carer is already on the commune's register."""

    household: Household
    carer: Carer
    children: int


def household_offer(user, *, commune: Unit, carer_name: str, carer_phone: str) -> HouseholdOffer | None:
    """The import's rule for siblings (importing.Families), for one child typed by hand: a carer of a child of this
    commune with the same folded name and the same phone, whose household (hers, or that of the children she cares
    for) the new child may join. None without both a name and a valid phone, or when the reader may not edit the
    commune's register."""
    name = normalize_name(carer_name or "")
    phone, problem = normalize_phone(carer_phone or "")
    if not name or not phone or problem:
        return None
    editable = children_visible_to(user, Capability.EDIT_CHILDREN, incoming=False).filter(commune=commune).exclude(
        status__in=OFF_REGISTER)
    links = (ChildCarer.objects.filter(child__in=editable, carer__name_folded=fold(name), carer__phone=phone)
             .select_related("carer__household", "child__household").order_by("-primary", "id"))
    for link in links:
        household = link.carer.household or link.child.household
        if household is not None and household.commune_id == commune.pk:
            count = children_per_household(user, [household.pk]).get(household.pk, 0)
            return HouseholdOffer(household=household, carer=link.carer, children=count)
    return None
