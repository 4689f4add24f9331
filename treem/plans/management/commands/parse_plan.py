"""`treem parse-plan FILE --json`: what the plan parser reads from a document, as JSON (the parser's contract)."""

import json as json_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from treem.plans.parser import PlanParseError, parse_plan_file


class Command(BaseCommand):
    help = "Parse a plan document (DOCX, PDF with text, TXT, Markdown) and print what it contains."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the document to read")
        parser.add_argument("--json", action="store_true", help="print the parser's JSON object")
        parser.add_argument("--indent", type=int, default=None, help="indent the JSON for reading")

    def handle(self, *args, file, json: bool = False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp: {file}")
        try:
            plan = parse_plan_file(path)
        except PlanParseError as exc:
            raise CommandError(str(exc)) from exc
        data = plan.to_json()
        if json:
            self.stdout.write(json_module.dumps(data, ensure_ascii=False, indent=options.get("indent")))
            return
        document = data["document"]
        self.stdout.write(" ".join(filter(None, [document["type"], document["number"], document["date"]])))
        if document["title"]:
            self.stdout.write(document["title"])
        self.stdout.write(f"Văn bản thực hiện: {', '.join(i['number'] for i in data['implements']) or '—'}")
        self.stdout.write(
            f"Chỉ tiêu: {len(data['targets'])} · Nhiệm vụ: {len(data['tasks'])} · Thời hạn: {len(data['deadlines'])}"
        )
        for warning in data["warnings"]:
            self.stdout.write(f"! {warning}")
