"""treem generate-children --province CODE --count N [--seed S] [--commune CODE ...] [--out FILE.csv|.xlsx]

Synthetic children (quality.synthetic: Vietnamese name distributions, the province's ethnic groups, consistent
personal IDs) for benchmarks and training. With --out, an import-format spreadsheet and nothing in the database;
without, the children go straight into the register of the province's communes (source "synthetic").
"""

import time

from django.core.management.base import BaseCommand, CommandError

from treem.audit.services import record
from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import synthetic_load


class Command(BaseCommand):
    help = "Generate synthetic children for a province (into the database, or into an import-format file)."

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="current province code, e.g. 12 (Lai Châu)")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--commune", action="append", default=[], help="limit to these commune codes")
        parser.add_argument("--out", help="write a .csv or .xlsx file in the import format instead")
        parser.add_argument("--duplicates", type=int, default=0, help="planted noisy duplicates (file only)")

    def handle(self, *args, province, count, seed, commune, out, duplicates, **options):
        if count <= 0:
            raise CommandError("--count must be positive")
        if not Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE, code=province).exists():
            raise CommandError(f"No province with code {province} in the current structure (run `treem load-units`).")
        communes = synthetic_load.current_communes(province)
        if commune:
            communes = [c for c in communes if c.code in set(commune)]
        if not communes:
            raise CommandError("No commune to generate children for.")
        started = time.perf_counter()
        if out:
            n = synthetic_load.write_file(communes, count, seed=seed, path=out, planted_duplicates=duplicates)
            self.stdout.write(f"{n} rows written to {out} in {time.perf_counter() - started:.1f} s")
            return

        def progress(done):
            self.stdout.write(f"  {done} / {count}")

        n = synthetic_load.generate_into_database(communes, count, seed=seed, progress=progress)
        record(SYSTEM, "registry.child.generate", summary={"province": province, "count": n, "seed": seed})
        self.stdout.write(f"{n} synthetic children added to {len(communes)} communes in "
                          f"{time.perf_counter() - started:.1f} s")
