"""`treem backup [--output DIR] [--passphrase-file FILE] [--prune]`: the database and MEDIA_ROOT in one archive (see
treem.core.backup). Run it nightly from cron; `--prune` then keeps 7 daily, 4 weekly and 12 monthly archives."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from treem.core import backup
from treem.core.formats import format_number


def read_passphrase(path: str | None) -> str | None:
    if not path:
        return None
    try:
        passphrase = Path(path).read_text("utf-8").strip()
    except OSError as error:
        raise CommandError(_("Cannot read the passphrase file: %(error)s") % {"error": error}) from None
    if len(passphrase) < 12:
        raise CommandError(_("The passphrase must have at least 12 characters."))
    return passphrase


class Command(BaseCommand):
    help = "Back up the database and the uploaded files (MEDIA_ROOT) into one archive with a manifest of checksums."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None,
                            help="folder for the archive (default: the 'backups' folder of TREEM_VAR_DIR)")
        parser.add_argument("--passphrase-file", default=None,
                            help="encrypt the archive (AES-256-GCM) with the passphrase in this file")
        parser.add_argument("--prune", action="store_true",
                            help="then delete the archives of the folder beyond 7 daily, 4 weekly, 12 monthly")
        parser.add_argument("--database", default="default")

    def handle(self, *args, **options):
        output = Path(options["output"] or Path(settings.VAR_DIR) / "backups")
        try:
            made = backup.create(output, passphrase=read_passphrase(options["passphrase_file"]),
                                 using=options["database"])
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(_("Backup written: %(path)s (%(files)d files, %(size)s bytes, SHA-256 %(sha256)s)")
                          % {"path": made["path"], "files": made["files"], "size": format_number(made["size"], 0),
                             "sha256": made["sha256"]})
        if options["prune"]:
            for path in backup.prune(output):
                self.stdout.write(_("Old backup deleted: %(path)s") % {"path": path})
