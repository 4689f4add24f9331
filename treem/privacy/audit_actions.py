"""The audit actions of personal data protection (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register

register(
    action("privacy.accessrequest.create", _("{actor} recorded a request for the data of {object}"),
           _("Data access request recorded")),
    action("privacy.accessrequest.export", _("{actor} prepared the file of the data of {object}"),
           _("Data access file prepared"), hidden=frozenset({"file", "job"}), read=True),
    action("privacy.processingactivity.export", _("{actor} exported the record of processing activities"),
           _("Record of processing exported"), read=True),
    action("privacy.processingactivity.load", _("{actor} loaded the record of processing activities"),
           _("Record of processing loaded")),
    action("privacy.retentionrule.load", _("{actor} loaded the retention rules"), _("Retention rules loaded")),
    action("privacy.retentionrule.update", _("{actor} changed {fields} of the retention rule {object}"),
           _("Retention rule changed")),
    action("privacy.retention.apply", _("{actor} applied the retention rule {object} to {count} records"),
           _("Retention rule applied")),
)
