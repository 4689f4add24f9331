"""The audit actions of protection cases (see treem.audit.registry). A case is named by its reference, never by a
child's name."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register, viewed

register(
    # intake and the case's record
    action("cases.case.intake", _("{actor} recorded the report of case {object}"), _("Report received")),
    action("cases.provisional_child.create", _("{actor} added {object} to the register from a protection report"),
           _("Recorded from a protection report"), reads_as="registry.child.create"),
    action("cases.public_report.spam", _("A report from the public form was refused as spam"),
           _("Public report refused as spam")),
    action("cases.case.update", _("{actor} changed {fields} of case {object}"), _("Case changed")),
    action("cases.case.assign", _("{actor} assigned a worker to case {object}"), _("Worker assigned")),
    action("cases.case.unassign", _("{actor} took a worker off case {object}"), _("Worker taken off the case")),
    action("cases.case.child_link", _("{actor} linked a child's record to case {object}"),
           _("Child linked to the case")),
    action("cases.case.child_match", _("The report of case {object} named a child found on the register by her "
                                       "personal identification number"),
           _("Child found on the register"), hidden=frozenset({"child"})),
    action("cases.case.child_identify", _("{actor} found the provisional child of case {object} on the register and "
                                          "merged the two records"),
           _("Provisional child found on the register"), hidden=frozenset({"provisional", "kept"})),
    action("cases.case.transfer", _("{actor} transferred case {object} to another commune"), _("Case transferred")),
    action("cases.case.close", _("{actor} closed case {object}"), _("Case closed")),
    action("cases.case.reopen", _("{actor} reopened case {object}"), _("Case reopened")),
    action("cases.case.in_error", _("{actor} marked case {object} as opened in error"),
           _("Case marked as opened in error")),
    viewed("cases.case.view", _("Case opened"), _("{actor} opened the file of case {object}")),
    action("cases.case.list", _("{actor} was shown a list of {count} cases"), _("List of cases shown"), read=True),
    action("cases.case.export", _("{actor} exported a list of {count} cases"), _("Cases exported"), read=True),
    action("cases.intake.list", _("{actor} was shown a list of {count} reports"),
           _("List of reports shown"), read=True),
    # assessments, emergency and separation
    action("cases.initial_assessment.create", _("{actor} recorded the initial assessment of case {object}"),
           _("Initial assessment recorded")),
    action("cases.emergency.create", _("{actor} recorded emergency measures for case {object}"),
           _("Emergency measures recorded")),
    action("cases.separation.create", _("{actor} recorded a temporary separation in case {object}"),
           _("Temporary separation recorded")),
    action("cases.separation.extend", _("{actor} extended the temporary separation in case {object}"),
           _("Temporary separation extended")),
    action("cases.separation.end", _("{actor} ended the temporary separation in case {object}"),
           _("Temporary separation ended")),
    action("cases.detailed_assessment.create", _("{actor} recorded the detailed assessment of case {object}"),
           _("Detailed assessment recorded")),
    # the support plan and its services
    action("cases.plan.create", _("{actor} drew up a support plan for case {object}"), _("Support plan drawn up")),
    action("cases.plan_item.create", _("{actor} added a service to the support plan of case {object}"),
           _("Service added to the plan"), hidden=frozenset({"case", "item"})),
    action("cases.plan.submit", _("{actor} submitted the support plan of case {object}"),
           _("Support plan submitted"), hidden=frozenset({"case"})),
    action("cases.plan.approve", _("{actor} approved the support plan of case {object}"), _("Support plan approved"),
           hidden=frozenset({"case"})),
    action("cases.plan.return", _("{actor} returned the support plan of case {object} for changes"),
           _("Support plan returned"), hidden=frozenset({"case"})),
    action("cases.service.record", _("{actor} recorded a service delivered in case {object}"),
           _("Service delivered"), hidden=frozenset({"item"})),
    action("cases.plan_item.cancel", _("{actor} cancelled a service of the plan of case {object}"),
           _("Service cancelled"), hidden=frozenset({"item"})),
    # referrals
    action("cases.referral.create", _("{actor} referred case {object} to another agency"), _("Case referred"),
           hidden=frozenset({"case"})),
    action("cases.referral.consent_override", _("{actor} referred case {object} without the family's consent"),
           _("Referral without consent")),
    action("cases.referral.respond", _("{actor} answered the referral {object}"), _("Referral answered")),
    viewed("cases.referral.view", _("Referral opened"), _("{actor} opened the referral {object}")),
    action("cases.referral.list", _("{actor} was shown a list of {count} referrals"),
           _("List of referrals shown"), read=True),
    # reviews, documents, forms
    action("cases.review.create", _("{actor} recorded a review of case {object}"), _("Case reviewed")),
    action("cases.document.attach", _("{actor} attached a document to case {object}"), _("Document attached")),
    action("cases.document.download", _("{actor} downloaded a document of case {object}"),
           _("Document downloaded"), read=True),
    action("cases.form.print", _("{actor} printed a form of case {object}"), _("Form printed"), read=True),
    # set-up
    action("cases.deadlinerule.load", _("{actor} loaded the case deadline rules"), _("Deadline rules loaded")),
    action("cases.hotline_token.create", _("{actor} created the hotline's access key"), _("Hotline key created"),
           hidden=frozenset({"username"})),
    action("cases.demo.load", _("{actor} loaded the cases demo data"), _("Cases demo data loaded")),
)
