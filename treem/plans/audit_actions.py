"""The audit actions of plans, targets and reporting rounds (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register

register(
    # documents, targets, tasks
    action("plans.draft.create", _("{actor} uploaded the document {object} to read it"), _("Document uploaded")),
    action("plans.draft.save", _("{actor} saved the document {object} from its reading"), _("Document saved")),
    action("plans.draft.discard", _("{actor} discarded the reading of {object}"), _("Reading discarded")),
    action("plans.document.create", _("{actor} recorded the document {object}"), _("Document recorded")),
    action("plans.document.update", _("{actor} changed {fields} of the document {object}"), _("Document changed")),
    action("plans.document.placeholder", _("{actor} recorded the document {object} as awaited"),
           _("Awaited document recorded")),
    action("plans.target.create", _("{actor} added a target to {object}"), _("Target added")),
    action("plans.target.update", _("{actor} changed {fields} of the target {object}"), _("Target changed")),
    action("plans.task.create", _("{actor} added a task: {object}"), _("Task added")),
    action("plans.task.schedule", _("{actor} scheduled the task {object}"), _("Task scheduled")),
    action("plans.task.progress", _("{actor} reported progress on the task {object}"), _("Task progress reported")),
    action("plans.reminders.send", _("{actor} sent the reminders of tasks and reports due"), _("Reminders sent")),
    # reporting rounds
    action("plans.round.create", _("{actor} opened the reporting round {object}"), _("Reporting round opened")),
    action("plans.round.update", _("{actor} changed {fields} of the reporting round {object}"),
           _("Reporting round changed")),
    action("plans.round.consolidate", _("{actor} consolidated the reports of {object}"), _("Reports consolidated")),
    action("plans.submission.create", _("{actor} started the report {object}"), _("Report started")),
    action("plans.submission.refused", _("{actor} was refused a second report {object}"),
           _("Second report refused")),
    action("plans.submission.save", _("{actor} saved the report {object}"), _("Report saved")),
    action("plans.submission.submit", _("{actor} submitted the report {object}"), _("Report submitted")),
    action("plans.submission.return", _("{actor} returned the report {object} for changes"), _("Report returned")),
    action("plans.submission.accept", _("{actor} accepted the report {object}"), _("Report accepted")),
    action("demo.plans.load", _("{actor} loaded the plans demo data"), _("Plans demo data loaded")),
)
