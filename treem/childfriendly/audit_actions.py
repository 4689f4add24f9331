"""The audit actions of the child-friendly module (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register, viewed

register(
    action("childfriendly.standard.load", _("{actor} loaded the child-friendly standard"),
           _("Child-friendly standard loaded")),
    action("childfriendly.assessment.create", _("{actor} started the child-friendly self-assessment {object}"),
           _("Self-assessment started")),
    action("childfriendly.values.save", _("{actor} saved values of the self-assessment {object}"),
           _("Self-assessment values saved")),
    action("childfriendly.file.add", _("{actor} attached a file to the self-assessment {object}"),
           _("Self-assessment file attached")),
    action("childfriendly.assessment.submit", _("{actor} submitted the self-assessment {object}"),
           _("Self-assessment submitted")),
    action("childfriendly.assessment.return", _("{actor} returned the self-assessment {object} for changes"),
           _("Self-assessment returned")),
    action("childfriendly.score.correct", _("{actor} corrected a score of the self-assessment {object}"),
           _("Score corrected")),
    action("childfriendly.assessment.appraise", _("{actor} appraised the self-assessment {object}"),
           _("Self-assessment appraised")),
    action("childfriendly.decision.create", _("{actor} recognised child-friendly communes by decision {object}"),
           _("Communes recognised")),
    action("childfriendly.alerts.send", _("{actor} sent the alerts before the child-friendly window closes"),
           _("Child-friendly alerts sent")),
    viewed("childfriendly.file.download", _("Self-assessment file downloaded"),
           _("{actor} downloaded a file of the self-assessment {object}")),
    viewed("childfriendly.document.download", _("Recognition document downloaded"),
           _("{actor} downloaded the recognition document {object}")),
    action("demo.childfriendly.load", _("{actor} loaded the child-friendly demo data"),
           _("Child-friendly demo data loaded")),
)
