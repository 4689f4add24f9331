"""Sub-indicator values treem can compute from its own records, for one commune and year, with the link to the
records behind them. Counts only: no child's name leaves this module."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from treem.cases.models import CaseChild, ConcernType
from treem.registry.models import Child, ChildCircumstance, ChildStatus, YesNoUnknown

from .models import Source

ABUSE = [ConcernType.VIOLENCE, ConcernType.SEXUAL_ABUSE, ConcernType.EXPLOITATION, ConcernType.TRAFFICKING,
         ConcernType.NEGLECT]


@dataclass(frozen=True)
class Computed:
    value: Decimal | None  # None: nothing to compute from (no children on the register)
    numerator: int
    denominator: int | None  # None for a count
    link: str


def _percent(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _registered(commune):
    return Child.objects.filter(commune=commune, status=ChildStatus.ACTIVE)


def _link(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def compute(source: str, commune, year: int) -> Computed:
    if source == Source.PERSONAL_ID:
        children = _registered(commune)
        total = children.count()
        with_id = children.exclude(personal_id="").count()
        return Computed(_percent(with_id, total), with_id, total, _link("registry:list", commune=commune.code))
    if source == Source.BIRTH_REGISTERED:
        children = _registered(commune)
        total = children.count()
        registered = children.filter(birth_registered=YesNoUnknown.YES).count()
        return Computed(_percent(registered, total), registered, total,
                        _link("registry:list", commune=commune.code))
    if source == Source.ABUSED:
        abused = (CaseChild.objects.filter(case__commune=commune, case__received_at__year=year,
                                           case__in_error_at__isnull=True, case__concerns__kind__in=ABUSE)
                  .values("child_id").distinct().count())
        return Computed(Decimal(abused), abused, None, _link("cases:list", commune=commune.code, stage="all"))
    if source == Source.SPECIAL_SUPPORTED:
        first, last = date(year, 1, 1), date(year, 12, 31)
        during = (Q(started_on__isnull=True) | Q(started_on__lte=last)) & (Q(ended_on__isnull=True)
                                                                            | Q(ended_on__gte=first))
        in_force = ChildCircumstance.objects.filter(during, child__commune=commune,
                                                    child__status=ChildStatus.ACTIVE)
        total = in_force.values("child_id").distinct().count()
        supported = in_force.filter(supported=True).values("child_id").distinct().count()
        return Computed(_percent(supported, total), supported, total, _link("registry:list", commune=commune.code))
    raise ValueError(f"unknown source {source!r}")
