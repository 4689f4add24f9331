"""treem find-duplicates FILE [--json] [--sheet S] [--threshold P] [--commune CODE] [--today YYYY-MM-DD]

Runs the duplicate matcher on a spreadsheet in the import format, outside the database: the same code as
`python -m treem.registry.quality find-duplicates`, whose arguments it passes on unchanged.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from treem.registry.quality.__main__ import main


class Command(BaseCommand):
    help = "Likely duplicate children in a spreadsheet in the import format (row numbers and match probability)."

    def run_from_argv(self, argv):
        # The quality command line parses its own arguments (argparse with --json, --sheet ...).
        code = main(["find-duplicates", *argv[2:]])
        sys.stdout.flush()
        if code:
            sys.exit(code)

    def add_arguments(self, parser):
        # The same options as the quality command line, for call_command("find_duplicates", FILE, "--json").
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true")
        for option in ("--sheet", "--threshold", "--commune", "--today"):
            parser.add_argument(option)

    def handle(self, *args, file, **options):
        argv = ["find-duplicates", file]
        if options["json"]:
            argv.append("--json")
        for option in ("sheet", "threshold", "commune", "today"):
            if options.get(option) is not None:
                argv += [f"--{option}", str(options[option])]
        code = main(argv)
        if code:
            raise CommandError(f"find-duplicates exited with {code}", returncode=code)
