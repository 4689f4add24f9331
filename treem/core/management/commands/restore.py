"""`treem restore ARCHIVE [--force] [--passphrase-file FILE]`: check every file of a backup against its manifest, then
restore the database and MEDIA_ROOT (see treem.core.backup). Stop the web processes and workers first."""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from treem.core import backup
from treem.core.formats import format_date, format_number

from .backup import read_passphrase


class Command(BaseCommand):
    help = "Restore a backup made by `treem backup` (database and uploaded files), after checking all of it."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="replace the content of a database that is not empty")
        parser.add_argument("--passphrase-file", default=None, help="the passphrase of an encrypted archive")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        try:
            done = backup.restore(options["archive"], force=options["force"], using=options["database"],
                                  passphrase=read_passphrase(options["passphrase_file"]))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Restored %(archive)s (made %(created_at)s): %(rows)s rows in %(tables)d tables, "
                            "%(files)d files (%(written)d written).")
                          % {"archive": done["archive"],
                             "created_at": format_date(datetime.fromisoformat(done["created_at"])),
                             "rows": format_number(done["rows"], 0),
                             "tables": done["tables"], "files": done["files"], "written": done["files_written"]})
        if options["verbosity"] > 1:
            for label, count in sorted(done["row_counts"].items()):
                self.stdout.write(f"  {label}: {count}")
        if done["files_not_in_backup"]:
            self.stdout.write(_("%(count)d files under MEDIA_ROOT are not in the backup: left in place.")
                              % {"count": done["files_not_in_backup"]})
        if done["pending_migrations"]:
            self.stdout.write(_("The backup is from an older version: run `treem migrate` (%(count)d migrations).")
                              % {"count": done["pending_migrations"]})
