"""Reads of administrative units. Units are reference data: not sensitive, but scoped lists live in treem.access."""

from dataclasses import dataclass
from datetime import date

from treem.core.collation import unit_order

from .models import REFORM_DATE, Unit, UnitLevel, UnitSystem


def communes_of(province: Unit):
    return Unit.objects.filter(province=province, level=UnitLevel.COMMUNE).order_by(*unit_order())


def unit_by_code(code: str, *, system: str = UnitSystem.CURRENT, level: str | None = None) -> Unit:
    qs = Unit.objects.filter(system=system, code=code)
    if level:
        qs = qs.filter(level=level)
    return qs.get()


@dataclass(frozen=True)
class Conversion:
    legacy: Unit
    targets: list[Unit]

    @property
    def needs_decision(self) -> bool:
        """A legacy commune split across several new ones: records need a rule or a person to choose."""
        return len(self.targets) > 1

    @property
    def target(self) -> Unit | None:
        return self.targets[0] if len(self.targets) == 1 else None


def converted(legacy: Unit) -> Conversion:
    """What a legacy unit became. A district (abolished level) maps to the new units of its communes."""
    if legacy.level == UnitLevel.DISTRICT:
        targets = Unit.objects.filter(conversions_from__legacy__parent=legacy).distinct()
    else:
        targets = Unit.objects.filter(conversions_from__legacy=legacy)
    return Conversion(legacy=legacy, targets=list(targets.order_by("code")))


def convert_code(old_code: str, level: str = UnitLevel.COMMUNE) -> Conversion:
    return converted(unit_by_code(old_code, system=UnitSystem.LEGACY, level=level))


def legacy_sources(current: Unit):
    return Unit.objects.filter(conversions_to__current=current).select_related("parent").order_by("code")


def system_on(day: date) -> str:
    return UnitSystem.CURRENT if day >= REFORM_DATE else UnitSystem.LEGACY


def units_on(day: date, level: str | None = None):
    """The hierarchy in force on a date: the legacy three levels before 01/07/2025, the two current levels after."""
    qs = Unit.objects.valid_on(day).filter(system=system_on(day))
    return qs.filter(level=level) if level else qs


def ancestors(unit: Unit) -> list[Unit]:
    chain = []
    node = unit.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))
