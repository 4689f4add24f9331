from django.utils.translation import pgettext_lazy

from treem.access import Capability
from treem.core.menu import Module

MODULES = [
    Module(
        "plans:my",
        pgettext_lazy("plans", "What I must report"),
        Capability.REPORT_FOR_AGENCY,
        pgettext_lazy("plans", "Your agency's reports and tasks from every plan, by deadline."),
        short=pgettext_lazy("plans", "My reports"),
    ),
    Module(
        "plans:index",
        pgettext_lazy("plans", "Plans, targets and tasks"),
        Capability.VIEW_PLANS,
        pgettext_lazy(
            "plans", "Directive 28 and the plans that implement it, their targets, tasks and reporting rounds."
        ),
        short=pgettext_lazy("plans", "Plans"),
    ),
]
