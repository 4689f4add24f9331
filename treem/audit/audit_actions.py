"""The audit log's own actions (see treem.audit.registry): reading the log is logged, and the Django admin's writes
are mirrored into it."""

from django.utils.translation import gettext_lazy as _

from .registry import action, register, viewed

register(
    action("audit.auditevent.list", _("{actor} read a page of {count} events of the audit log"),
           _("Audit log read"), read=True),
    viewed("audit.auditevent.view", _("Audit event opened"), _("{actor} opened an event of the audit log")),
    action("admin.add", _("{actor} added {object} in the administration site"), _("Added in the administration site")),
    action("admin.change", _("{actor} changed {object} in the administration site"),
           _("Changed in the administration site")),
    action("admin.delete", _("{actor} deleted {object} in the administration site"),
           _("Deleted in the administration site")),
    action("admin.other", _("{actor} acted on {object} in the administration site"),
           _("Other action in the administration site")),
)
