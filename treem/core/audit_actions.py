"""The audit actions of the shared machinery: jobs and prepared files (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.core.audit_registry import action, register

register(
    action("core.job.start", _("{actor} started a long task"), _("Long task started"), hidden=frozenset({"kind"})),
    action("core.job.retry", _("{actor} ran a failed long task again"), _("Long task run again"),
           hidden=frozenset({"kind", "was", "attempt"})),
    action("core.backup.create", _("{actor} made a backup of the database and the files"), _("Backup made")),
    action("core.backup.restore", _("{actor} restored the database and the files from a backup"),
           _("Backup restored")),
    action("core.file.download", _("{actor} downloaded the file {object}"), _("File downloaded"), read=True),
    action("core.import.upload", _("{actor} uploaded the file {object} to import it"), _("File uploaded for import"),
           hidden=frozenset({"kind", "sha256", "members", "unzipped"})),
    action("core.import.plan", _("{actor} had the file {object} checked before importing"),
           _("Import file checked"), hidden=frozenset({"kind"})),
    action("core.import.commit_queued", _("{actor} asked for the file {object} to be saved"),
           _("Import save queued"), hidden=frozenset({"kind"})),
    action("core.import.commit", _("{actor} saved the file {object}"), _("Import saved"),
           hidden=frozenset({"kind", "sha256"})),
    action("core.import.fail", _("The file {object} could not be imported"), _("Import failed"),
           hidden=frozenset({"kind"})),
    action("core.import.rejected_download", _("{actor} downloaded the rejected rows of the file {object}"),
           _("Rejected rows downloaded"), read=True, hidden=frozenset({"kind"})),
    action("core.file.purge", _("{actor} deleted the expired prepared files"), _("Expired files deleted")),
)
