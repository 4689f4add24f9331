"""treem import-children FILE --commune CODE [--commit] [--sheet NAME] [--map HEADER=FIELD] [--json]

Checks every row of a commune's spreadsheet and prints what it would do (create, update, unchanged, reject) with the
errors and warnings of each row, numbered as in the spreadsheet, and what each update changes (--json: "changes",
{field: [old, new]}, and "child", the name on the register). Nothing is written without --commit; with it, the
valid rows are saved in one transaction, as the system user, with audit events.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from treem.core.actors import SYSTEM
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry import importing
from treem.registry.quality import columns as cols


class Command(BaseCommand):
    help = "Check (and with --commit, import) a spreadsheet of children for one commune."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=".xlsx, .ods or .csv")
        parser.add_argument("--commune", required=True, help="code of the commune (current structure, e.g. 03390)")
        parser.add_argument("--commit", action="store_true", help="save the valid rows (default: only check)")
        parser.add_argument("--sheet", help="sheet name (default: the first sheet with data)")
        parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD",
                            help=f"say what an unknown column holds; FIELD is one of {', '.join(cols.FIELD_LABELS)} "
                                 "or 'ignore'")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        translation.activate(settings.LANGUAGE_CODE)
        as_json = options["json"]
        try:
            result = self._run(options)
        except (importing.ImportProblem, CommandError) as exc:
            if not as_json:
                raise CommandError(str(exc)) from exc
            payload = {"error": str(exc)}
            if isinstance(exc, importing.MappingNeeded):
                payload.update(headers=exc.headers, unknown_headers=exc.unknown, missing_fields=exc.missing)
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            raise SystemExit(2) from exc
        if as_json:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        for message in result["summary"].get("file_warnings", []):
            self.stdout.write(message)
        for row in result["rows"]:
            if row["action"] == importing.REJECT or row["warnings"] or row["changes"]:
                child = f" ({row['child']})" if row["child"] else ""
                self.stdout.write(f"Dòng {row['row']}: {row['action']}{child}")
                for message in row["errors"] + row["warnings"] + importing.change_lines(row["changes"]):
                    self.stdout.write(f"  - {message}")
        s = result["summary"]
        verb = "đã lưu" if result["committed"] else "chưa lưu (thêm --commit để lưu)"
        self.stdout.write(f"{s['total']} dòng: {s['create']} thêm mới, {s['update']} cập nhật, {s['unchanged']} không "
                          f"đổi, {s['reject']} bị từ chối — {verb}.")

    def _run(self, options) -> dict:
        path: Path = options["file"]
        commune = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE,
                                      code=options["commune"]).first()
        if commune is None:
            raise CommandError(f"Không có xã/phường mã '{options['commune']}' trong cơ cấu hiện hành.")
        overrides = {}
        for item in options["map"]:
            header, _sep, field = item.partition("=")
            if field not in cols.FIELD_LABELS and field != "ignore":
                raise CommandError(f"--map {item}: trường '{field}' không có; dùng một trong "
                                   f"{', '.join(cols.FIELD_LABELS)} hoặc 'ignore'.")
            overrides[header] = None if field == "ignore" else field
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Không mở được tệp '{path}': {exc.strerror or exc}") from exc
        plan, summary = importing.import_file(content, path.name, commune=commune, actor=SYSTEM,
                                              sheet=options["sheet"], overrides=overrides, commit=options["commit"])
        return {
            "file": path.name, "commune": {"code": commune.code, "name": commune.name},
            "sheet": plan.sheet, "committed": bool(options["commit"]),
            "columns": {plan.headers[i]: field for i, field in plan.mapping.items()},
            "unknown_headers": plan.unknown,
            "rows": [row.as_json() for row in plan.rows],
            "summary": summary,
        }
