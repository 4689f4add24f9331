"""treem check-quality [--commune CODE ...] [--province CODE ...] [--duplicates] [--stale-months N]

The nightly data-quality check: findings (and optionally a duplicates run) for communes or whole provinces, run in
this process (no worker needed). Without --commune or --province every commune with children is checked.
"""

from django.core.management.base import BaseCommand, CommandError

from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import Child
from treem.registry.quality import duplicates, findings


class Command(BaseCommand):
    help = "Compute data-quality findings (and duplicates) of the child register."

    def add_arguments(self, parser):
        parser.add_argument("--commune", action="append", default=[], help="commune code (repeatable)")
        parser.add_argument("--province", action="append", default=[], help="province code (repeatable)")
        parser.add_argument("--duplicates", action="store_true", dest="with_duplicates",
                            help="also look for duplicates (per province)")
        parser.add_argument("--stale-months", type=int, default=None, help="months without update = stale")

    def handle(self, *args, commune, province, with_duplicates: bool, stale_months, **options):
        current = Unit.objects.filter(system=UnitSystem.CURRENT)
        communes = list(current.filter(level=UnitLevel.COMMUNE, code__in=commune))
        provinces = list(current.filter(level=UnitLevel.PROVINCE, code__in=province))
        if len(communes) != len(set(commune)) or len(provinces) != len(set(province)):
            raise CommandError("unknown commune or province code")
        communes += list(current.filter(level=UnitLevel.COMMUNE, province__in=provinces))
        if not commune and not province:
            with_children = Child.objects.values_list("commune_id", flat=True).distinct()
            communes = list(current.filter(level=UnitLevel.COMMUNE, pk__in=with_children))
        for unit in sorted(set(communes), key=lambda u: u.code):
            result = findings.check_commune(unit, months=stale_months)
            record(SYSTEM, "quality.check.run", None, unit=unit, summary=result.as_dict())
            self.stdout.write(f"{unit.code} {unit.name}: {result.children} children, {result.opened} new findings, "
                              f"{result.resolved} resolved")
        if with_duplicates:
            by_province: dict[int, list[Unit]] = {}
            for unit in set(communes):
                by_province.setdefault(unit.province_id, []).append(unit)
            for province_id, units in by_province.items():
                result = duplicates.run_duplicates(units)
                self.stdout.write(f"province {province_id}: {result['records']} records, {result['pairs']} pairs "
                                  f"({result['new']} new, {result['remembered']} already decided)")
