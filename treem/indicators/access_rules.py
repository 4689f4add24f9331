"""Who reaches indicator values and roll-ups (treem.access.rules).

A value is keyed to the unit it was measured on: a commune, a province, a legacy unit, or none (the country).
A commune grant reaches its commune and the legacy units that became it; a province grant reaches the province, its
communes, and the legacy units (provinces and their communes) that became them; a national grant reaches everything,
including the country's figures. A commune worker therefore sees her commune's values only; a leader her province's.
"""

from dataclasses import dataclass

from django.db.models import Model, Q

from treem.access import register
from treem.access.rules import NOTHING, Scope
from treem.geo.models import Unit

from .models import Rollup, TargetBinding, Value


def _legacy_ids(scope: Scope, capability: str) -> frozenset[int]:
    key = ("indicator_legacy", capability)
    if key not in scope._cache:
        current = scope.commune_ids(capability) | scope.province_ids(capability)
        legacy = set(Unit.objects.filter(conversions_to__current_id__in=current).values_list("pk", flat=True))
        provinces = scope.province_ids(capability)
        legacy |= set(Unit.objects.filter(province__conversions_to__current_id__in=provinces)
                      .values_list("pk", flat=True))
        scope._cache[key] = frozenset(legacy)
    return scope._cache[key]


@dataclass(frozen=True)
class ByMeasuredUnit:
    unit: str = "unit"

    def q(self, scope: Scope, capability: str) -> Q:
        if not scope.has(capability):
            return NOTHING
        if scope.is_national(capability):
            return Q()
        # the province's own values (a department reports for the province) as well as its communes'
        units = scope.commune_ids(capability) | _legacy_ids(scope, capability) | scope.province_ids(capability)
        return (Q(**{f"{self.unit}__in": units})
                | Q(**{f"{self.unit}__province__in": scope.province_ids(capability)}))

    def allows(self, scope: Scope, capability: str, obj: Model) -> bool:
        if not scope.has(capability):
            return False
        if scope.is_national(capability):
            return True
        unit = getattr(obj, self.unit)
        if unit is None:
            return False
        return (unit.pk in scope.commune_ids(capability) | _legacy_ids(scope, capability)
                | scope.province_ids(capability) or unit.province_id in scope.province_ids(capability))


register(Value, ByMeasuredUnit())
register(Rollup, ByMeasuredUnit())
register(TargetBinding, ByMeasuredUnit())
