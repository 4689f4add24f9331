"""Retention rules at work: which records a rule reaches today (the dry run) and what it does to them (the purge).

Dates: a rule acts `years` after its trigger day. Adding years to 29 February lands on 1 March of a common year (the
later day: keeping a record one day longer is the safe mistake). The database is asked with the reverse,
`latest_trigger(today, years)`: the last trigger day whose due day is today or earlier (tests/privacy prove the two
agree for every day, 29 February included).

The purge keeps what statistics need: an anonymised child keeps sex, ethnicity, commune, province, status, birth
year, circumstances and measurements, so the counts per commune, sex, age band and group stay the same.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from treem.audit.models import AuditEvent
from treem.audit.services import record
from treem.cases.access import mask_name
from treem.cases.models import OPEN_STAGES, Case, CaseChild, Stage
from treem.core.ages import CHILD_AGE_LIMIT
from treem.core.formats import format_date
from treem.core.models import PreparedFile
from treem.core.text import fold
from treem.registry.models import Carer, Child, ChildCarer, ChildCircumstance, ChildRisk, Household
from treem.registry.quality.models import DuplicatePair, Finding

from .models import AccessRequest, Action, Anonymised, RetentionRule, Subject, Trigger

ANONYMOUS = "Đã ẩn danh"  # the name an anonymised child or carer keeps (a name is required)
SAMPLE = 5
CHUNK = 500

# The rules the code knows how to apply: (records, counted from, action).
SUPPORTED = {
    (Subject.CHILD, Trigger.TURNED_16, Action.ANONYMISE),
    (Subject.CASE, Trigger.CASE_CLOSED, Action.DELETE_PERSONAL),
    (Subject.PREPARED_FILE, Trigger.EXPIRED, Action.DELETE),
    (Subject.ACCESS_REQUEST, Trigger.RECORDED, Action.DELETE_PERSONAL),
    (Subject.AUDIT_EVENT, Trigger.RECORDED, Action.DELETE),
}
CASE_PERSONAL = ["reporter_name", "reporter_phone", "reporter_relation", "children_description", "place_detail"]


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February of a common year is 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def latest_trigger(today: date, years: int) -> date:
    """The last day d with add_years(d, years) <= today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February, that year is common: 28 February (29 Feb would give 1 March)
        return date(today.year - years, 2, 28)


def due_on(rule: RetentionRule, trigger_day: date) -> date:
    """The day the rule acts on a record whose trigger (for a child: the birth date) fell on `trigger_day`."""
    if rule.trigger == Trigger.TURNED_16:
        trigger_day = add_years(trigger_day, CHILD_AGE_LIMIT)
    return add_years(trigger_day, rule.years)


def cutoff(rule: RetentionRule, today: date) -> date:
    """The last trigger day (birth date for a child) the rule reaches today."""
    day = latest_trigger(today, rule.years)
    return latest_trigger(day, CHILD_AGE_LIMIT) if rule.trigger == Trigger.TURNED_16 else day


def affected(rule: RetentionRule, today: date | None = None):
    """The records the rule reaches today and has not treated yet (a second run finds nothing)."""
    today = today or timezone.localdate()
    if (rule.subject, rule.trigger, rule.action) not in SUPPORTED:
        raise ValueError(f"unsupported retention rule {rule.code}")
    last = cutoff(rule, today)
    if rule.subject == Subject.CHILD:
        in_open_case = CaseChild.objects.filter(child=OuterRef("pk"), case__stage__in=OPEN_STAGES)
        done = Anonymised.objects.filter(child=OuterRef("pk"))
        return (Child.objects.filter(birth_date__lte=last).exclude(Exists(in_open_case)).exclude(Exists(done))
                .select_related("commune").order_by("birth_date", "id"))
    if rule.subject == Subject.CASE:
        blank = Q(**dict.fromkeys(CASE_PERSONAL, ""))
        return (Case.objects.filter(stage=Stage.CLOSED, closed_at__date__lte=last).exclude(blank)
                .select_related("commune").order_by("closed_at"))
    if rule.subject == Subject.PREPARED_FILE:
        return PreparedFile.objects.filter(expires_at__lte=timezone.now(), expires_at__date__lte=last).order_by(
            "expires_at")
    if rule.subject == Subject.ACCESS_REQUEST:
        return AccessRequest.objects.filter(created_at__date__lte=last).exclude(requester_name="", note="").order_by(
            "created_at")
    # The purge's own events stay: they are the proof of what retention removed.
    return AuditEvent.objects.filter(at__date__lte=last).exclude(action__startswith="privacy.retention").order_by(
        "at", "id")


def describe(rule: RetentionRule, item) -> str:
    """One line of the sample shown to an administrator: never a full name."""
    if rule.subject == Subject.CHILD:
        return f"{mask_name(item.full_name)}, {item.commune.name}, sinh năm {item.birth_date.year}"
    if rule.subject == Subject.CASE:
        return f"{item.reference}, {item.commune.name}, đóng ngày {format_date(timezone.localdate(item.closed_at))}"
    if rule.subject == Subject.PREPARED_FILE:
        return f"{item.filename}, hết hạn {format_date(item.expires_at)}"
    if rule.subject == Subject.ACCESS_REQUEST:
        return f"Yêu cầu ngày {format_date(item.requested_on)}"
    return f"Sự kiện nhật ký lúc {format_date(item.at)}"  # no action code on a page


@dataclass
class Effect:
    rule: RetentionRule
    cutoff: date
    count: int
    sample: list[str] = field(default_factory=list)
    applied: bool = False


def dry_run(today: date | None = None, rules=None) -> list[Effect]:
    """What every rule in use would do today; changes nothing."""
    today = today or timezone.localdate()
    effects = []
    for rule in rules if rules is not None else RetentionRule.objects.filter(active=True):
        qs = affected(rule, today)
        effects.append(Effect(rule, cutoff(rule, today), qs.count(), [describe(rule, i) for i in qs[:SAMPLE]]))
    return effects


def _anonymise_children(children: list[Child], rule: RetentionRule) -> Counter:
    per_commune = Counter(child.commune.code for child in children)
    ids = [child.pk for child in children]
    for child in children:
        child.full_name, child.name_folded = ANONYMOUS, fold(ANONYMOUS)
        child.personal_id = child.village = child.address = child.school = child.grade = ""
        child.notes = child.status_reason = ""
        child.birth_date = date(child.birth_date.year, 1, 1)
        child.household = None
        child.version = F("version") + 1
    Child.objects.bulk_update(children, ["full_name", "name_folded", "personal_id", "village", "address", "school",
                                         "grade", "notes", "status_reason", "birth_date", "household", "version"])
    carer_ids = set(ChildCarer.objects.filter(child__in=ids).values_list("carer_id", flat=True))
    household_ids = {c.household_id for c in children if c.household_id}
    ChildCarer.objects.filter(child__in=ids).delete()
    # A carer or household left with no child is a person with no purpose here any more.
    Carer.objects.filter(pk__in=carer_ids, child_links__isnull=True).update(
        full_name=ANONYMOUS, name_folded=fold(ANONYMOUS), phone="", personal_id="", household=None)
    Household.objects.filter(pk__in=household_ids, children__isnull=True).update(head_name="", address="",
                                                                                 search_folded="")
    ChildCircumstance.objects.filter(child__in=ids).update(source="", end_reason="")
    ChildRisk.objects.filter(child__in=ids).update(note="")
    Finding.objects.filter(child__in=ids).delete()
    DuplicatePair.objects.filter(Q(child_a__in=ids) | Q(child_b__in=ids)).update(explanation="", contributions=[],
                                                                                decision_note="")
    Anonymised.objects.bulk_create([Anonymised(child_id=pk, rule=rule) for pk in ids])
    return per_commune


@transaction.atomic
def apply_rule(rule: RetentionRule, *, actor, today: date | None = None) -> Effect:
    """Apply one confirmed rule in use; one audit event with the counts (per commune for children)."""
    today = today or timezone.localdate()
    if not (rule.active and rule.confirmed):
        raise ValueError(f"retention rule {rule.code} is not in use or not confirmed")
    qs = affected(rule, today)
    summary = {"rule": rule.code, "subject": rule.subject, "action": rule.action, "years": rule.years,
               "cutoff": cutoff(rule, today).isoformat()}
    if rule.subject == Subject.CHILD:
        per_commune: Counter = Counter()
        ids = list(qs.values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            chunk = list(Child.objects.filter(pk__in=ids[start:start + CHUNK]).select_related("commune"))
            per_commune += _anonymise_children(chunk, rule)
        count = len(ids)
        summary["per_commune"] = dict(sorted(per_commune.items()))
    elif rule.subject == Subject.CASE:
        count = qs.update(**dict.fromkeys(CASE_PERSONAL, ""))
    elif rule.subject == Subject.ACCESS_REQUEST:
        count = qs.update(requester_name="", note="")
    elif rule.subject == Subject.PREPARED_FILE:
        files = list(qs)
        for prepared in files:
            if prepared.file.name:
                prepared.file.storage.delete(prepared.file.name)
            prepared.delete()
        count = len(files)
    else:
        count, _ = qs.delete()
    summary["count"] = count
    record(actor, "privacy.retention.apply", rule, summary=summary)
    return Effect(rule, cutoff(rule, today), count, applied=True)


def apply_all(*, actor, today: date | None = None) -> list[Effect]:
    """Apply every confirmed rule in use, each in its own transaction; unconfirmed rules are only counted."""
    effects = []
    for rule in RetentionRule.objects.filter(active=True):
        if rule.confirmed:
            effects.append(apply_rule(rule, actor=actor, today=today))
        else:
            effects.extend(dry_run(today, [rule]))
    return effects
