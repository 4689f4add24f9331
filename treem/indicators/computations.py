"""Computed indicators: one SQL GROUP BY pass per source table per province, as of a date.

`compute(province, as_of, communes=None)` returns the figures of every registered computation, per commune and
disaggregation: {(code, commune_id, disaggregation): Figure}. The passes:

- children (registry_child): active children under 16 on the day, by commune x sex x age band x ethnic group, with
  how many have a 12-digit personal identification number -> child_population, personal_id_share;
- circumstances (registry_childcircumstance): children with a circumstance in force on the day, by commune x group
  x sex x age band (and, for the distinct total, by commune x sex x age band), with how many receive support ->
  sc_children, sc_share (over child_population), sc_supported_share;
- cases (cases_case): received and closed in the year of the day, by commune -> cases_opened, cases_closed;
- deadlines (cases_deadline): statutory steps due in the year up to the day, and those met on time, by commune ->
  case_steps_on_time_share;
- concerns (cases_casechild x cases_caseconcern): distinct children of the cases received in the year for each
  type of abuse, by commune x type x sex x age band -> abused_children (a child whose recorded birth date is
  after the day is not counted: a data error for the register's quality checks);
- child-friendly communes (treem.childfriendly's recognitions): 1 for a commune recognised for the year, over every
  commune of the hierarchy on the day -> cfc_recognised_share.

Age bands are those of treem.core.ages, computed in SQL from the birth date and the day. Marginals (the total and
one dimension at a time) are added up in Python from the finest rows, so every breakdown sums to its total.
Cases recorded in error are never counted. Abused children are grouped by their age band on the day (16+ for one
who has turned 16 since).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.utils import timezone

from treem.cases.models import Case as ProtectionCase
from treem.cases.models import CaseChild, ConcernType, Deadline, Stage
from treem.childfriendly.selectors import recognised_share
from treem.core.ages import AGE_BANDS, CHILD_AGE_LIMIT, OVER_LIMIT_BAND, years_before
from treem.registry.models import Child, ChildCircumstance, ChildStatus

from .dimensions import key

ABUSE_TYPES = [c for c in ConcernType.values if c != ConcernType.OTHER]


@dataclass
class Figure:
    numerator: Decimal = Decimal(0)
    denominator: Decimal | None = None
    records: int = 0

    def add(self, numerator, denominator=None, records=0):
        self.numerator += Decimal(numerator)
        if denominator is not None:
            self.denominator = (self.denominator or Decimal(0)) + Decimal(denominator)
        self.records += records


@dataclass
class Result:
    figures: dict = field(default_factory=lambda: defaultdict(Figure))
    communes_with_data: set = field(default_factory=set)

    def add(self, code, commune_id, parts: dict, numerator, denominator=None, records=0):
        """Add to the finest key and to its marginals: the total and each single dimension."""
        keys = {key()} | {key(**{dim: value}) for dim, value in parts.items()}
        for k in keys:
            self.figures[(code, commune_id, k)].add(numerator, denominator, records)


def age_band_sql(birth_field: str, on: date):
    """A CASE expression giving the age band (a label of AGE_BANDS, or 16+) of `birth_field` on `on`."""
    whens = [When(Q(**{f"{birth_field}__gt": years_before(on, high + 1)}), then=Value(label))
             for label, _low, high in AGE_BANDS]
    return Case(*whens, default=Value(OVER_LIMIT_BAND), output_field=CharField())


def _year_bounds(on: date) -> tuple[datetime, datetime]:
    """[1 January of the day's year, the end of the day) as aware datetimes in the local time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(on.year, 1, 1), time.min, tzinfo=tz)
    end = datetime.combine(on, time.max, tzinfo=tz)
    return start, end


def _children(province_id: int, on: date, communes) -> "Child.objects":
    qs = Child.objects.filter(province_id=province_id, status=ChildStatus.ACTIVE, birth_date__lte=on,
                              birth_date__gt=years_before(on, CHILD_AGE_LIMIT))
    return qs.filter(commune_id__in=communes) if communes is not None else qs


def compute_children(result: Result, province_id: int, on: date, communes=None) -> None:
    rows = (_children(province_id, on, communes)
            .annotate(band=age_band_sql("birth_date", on))
            .values("commune_id", "sex", "band", "ethnicity")
            .annotate(n=Count("id"), with_id=Count("id", filter=Q(personal_id__regex=r"^[0-9]{12}$"))))
    for row in rows:
        commune = row["commune_id"]
        result.communes_with_data.add(commune)
        parts = {"sex": row["sex"], "age": row["band"], "ethnicity": row["ethnicity"]}
        result.add("child_population", commune, parts, row["n"], records=row["n"])
        result.add("personal_id_share", commune, {}, row["with_id"], row["n"], records=row["n"])


def compute_circumstances(result: Result, province_id: int, on: date, communes=None) -> None:
    in_force = (ChildCircumstance.objects
                .filter(Q(started_on__isnull=True) | Q(started_on__lte=on),
                        Q(ended_on__isnull=True) | Q(ended_on__gte=on),
                        child__in=_children(province_id, on, communes))
                .annotate(band=age_band_sql("child__birth_date", on)))
    # The distinct children (a child in two groups counts once), and those receiving support.
    for row in (in_force.values("child__commune_id", "child__sex", "band")
                .annotate(n=Count("child_id", distinct=True),
                          supported=Count("child_id", distinct=True, filter=Q(supported=True)))):
        commune = row["child__commune_id"]
        result.communes_with_data.add(commune)
        result.add("sc_children", commune, {"sex": row["child__sex"], "age": row["band"]}, row["n"], records=row["n"])
        result.add("sc_supported_share", commune, {}, row["supported"], row["n"], records=row["n"])
    # By group: a child in two groups counts in each (the groups do not add up to the total).
    for row in (in_force.values("child__commune_id", "group__code")
                .annotate(n=Count("child_id", distinct=True))):
        commune = row["child__commune_id"]
        result.figures[("sc_children", commune, key(group=row["group__code"]))].add(row["n"], records=row["n"])


def compute_cases(result: Result, province_id: int, on: date, communes=None) -> None:
    start, end = _year_bounds(on)
    qs = ProtectionCase.objects.filter(province_id=province_id).exclude(stage=Stage.IN_ERROR)
    if communes is not None:
        qs = qs.filter(commune_id__in=communes)
    opened = Q(received_at__gte=start, received_at__lte=end)
    closed = Q(closed_at__gte=start, closed_at__lte=end)
    for row in (qs.filter(opened | closed).values("commune_id")
                .annotate(opened=Count("id", filter=opened), closed=Count("id", filter=closed))):
        result.communes_with_data.add(row["commune_id"])
        result.add("cases_opened", row["commune_id"], {}, row["opened"], records=row["opened"])
        result.add("cases_closed", row["commune_id"], {}, row["closed"], records=row["closed"])


def compute_deadlines(result: Result, province_id: int, on: date, communes=None) -> None:
    start, end = _year_bounds(on)
    qs = (Deadline.objects.filter(case__province_id=province_id, due_at__gte=start, due_at__lte=end)
          .exclude(case__stage=Stage.IN_ERROR))
    if communes is not None:
        qs = qs.filter(case__commune_id__in=communes)
    for row in (qs.values("case__commune_id")
                .annotate(n=Count("id"), on_time=Count("id", filter=Q(met_at__isnull=False, met_at__lte=F("due_at"))))):
        result.communes_with_data.add(row["case__commune_id"])
        result.add("case_steps_on_time_share", row["case__commune_id"], {}, row["on_time"], row["n"], records=row["n"])


def compute_concerns(result: Result, province_id: int, on: date, communes=None) -> None:
    start, end = _year_bounds(on)
    qs = (CaseChild.objects
          .filter(case__province_id=province_id, case__received_at__gte=start, case__received_at__lte=end,
                  case__concerns__kind__in=ABUSE_TYPES, child__birth_date__lte=on)
          .exclude(case__stage=Stage.IN_ERROR)
          .annotate(band=age_band_sql("child__birth_date", on)))
    if communes is not None:
        qs = qs.filter(case__commune_id__in=communes)
    # Distinct children: the total and by sex and age (a child in two cases or of two types counts once) ...
    for row in qs.values("case__commune_id", "child__sex", "band").annotate(n=Count("child_id", distinct=True)):
        commune = row["case__commune_id"]
        result.communes_with_data.add(commune)
        result.add("abused_children", commune, {"sex": row["child__sex"], "age": row["band"]}, row["n"],
                   records=row["n"])
    # ... and by type (a child abused in two ways counts in each type).
    for row in qs.values("case__commune_id", "case__concerns__kind").annotate(n=Count("child_id", distinct=True)):
        result.figures[("abused_children", row["case__commune_id"], key(abuse=row["case__concerns__kind"]))].add(
            row["n"], records=row["n"])


def compute_child_friendly(result: Result, province_id: int, on: date, communes=None) -> None:
    """Communes recognised child-friendly for the year of the day, over the communes of the hierarchy on the day."""
    for row in recognised_share([province_id], on.year, on):
        if communes is None or row["unit_id"] in communes:
            result.add("cfc_recognised_share", row["unit_id"], {}, row["numerator"], row["denominator"], records=1)


# computation name -> (the pass that feeds it, the indicators it needs first)
PASSES = [compute_children, compute_circumstances, compute_cases, compute_deadlines, compute_concerns,
          compute_child_friendly]
COMPUTATIONS = {
    "child_population": compute_children,
    "personal_id_share": compute_children,
    "sc_children": compute_circumstances,
    "sc_supported_share": compute_circumstances,
    "sc_share": compute_circumstances,
    "cases_opened": compute_cases,
    "cases_closed": compute_cases,
    "case_steps_on_time_share": compute_deadlines,
    "abused_children": compute_concerns,
    "cfc_recognised_share": compute_child_friendly,
}


def compute(province_id: int, on: date, communes=None) -> Result:
    """Every computed figure of a province (or of some of its communes) as of `on`."""
    result = Result()
    for one_pass in PASSES:
        one_pass(result, province_id, on, communes)
    # sc_share: children in special circumstances over all children, per commune (totals only).
    for commune in {c for (code, c, k) in list(result.figures) if code == "child_population" and k == ""}:
        population = result.figures[("child_population", commune, "")]
        sc = result.figures.get(("sc_children", commune, ""))
        result.figures[("sc_share", commune, "")].add(sc.numerator if sc else 0, population.numerator,
                                                       records=population.records)
    # A commune on the register with no case or circumstance this year: its counts are 0, not missing.
    for commune in result.communes_with_data:
        for code in ("sc_children", "cases_opened", "cases_closed", "abused_children"):
            result.figures.setdefault((code, commune, ""), Figure())
    return result
