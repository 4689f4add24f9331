"""The audit actions of the child register (see treem.audit.registry)."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register, viewed

CIRCUMSTANCE = {"group": "registry.circumstancegroup:code", "subgroup": "registry.circumstancesubgroup:code",
                "started_on": "registry.childcircumstance.started_on",
                "ended_on": "registry.childcircumstance.ended_on",
                "source": "registry.childcircumstance.source", "supported": "registry.childcircumstance.supported",
                "reason": "registry.childcircumstance.end_reason"}
RISK = {"risk": "registry.riskflag:code", "started_on": "registry.childrisk.started_on",
        "ended_on": "registry.childrisk.ended_on", "note": "registry.childrisk.note"}
CARER = {"name": _("carer"), "relation": "registry.childcarer.relation", "primary": "registry.childcarer.primary"}
MEMBER = {"name": _("name"), "household": "registry.child.household"}

register(
    # a child's record
    action("registry.child.create", _("{actor} added {object} to the register"), _("Added to the register")),
    action("registry.child.update", _("{actor} changed {fields} of {object}"), _("Facts changed"),
           fields={"carer": _("carer"), "carer_phone": _("carer's phone number")}),  # an import's changes
    action("registry.child.move", _("{actor} recorded {object} as moved away"), _("Recorded as moved away"),
           fields={"to": _("moving to")}),
    action("registry.child.accept_move", _("{actor} received {object} from another commune"),
           _("Received from another commune"), fields={"from": _("coming from")}),
    action("registry.child.cancel_move", _("{actor} cancelled the move of {object}"), _("Move cancelled")),
    action("registry.child.deceased", _("{actor} recorded {object} as deceased"), _("Recorded as deceased")),
    action("registry.child.in_error", _("{actor} marked the record of {object} as made in error"),
           _("Recorded in error")),
    action("registry.child.over_16", _("{actor} recorded that {object} turned 16"), _("Turned 16")),
    action("registry.child.circumstance_add", _("{actor} added a special circumstance to {object}"),
           _("Special circumstance added"), fields=CIRCUMSTANCE),
    action("registry.child.circumstance_end", _("{actor} ended a special circumstance of {object}"),
           _("Special circumstance ended"), fields=CIRCUMSTANCE),
    action("registry.child.risk_add", _("{actor} added a risk to {object}"), _("Risk added"), fields=RISK),
    action("registry.child.risk_end", _("{actor} ended a risk of {object}"), _("Risk ended"), fields=RISK),
    action("registry.child.carer_link", _("{actor} added a carer to {object}"), _("Carer added"), fields=CARER,
           hidden=frozenset({"carer"})),
    action("registry.child.carer_unlink", _("{actor} removed a carer from {object}"), _("Carer removed"),
           fields=CARER, hidden=frozenset({"carer"})),
    action("registry.child.measurement_add", _("{actor} recorded the height and weight of {object}"),
           _("Height and weight recorded"), fields={"measured_on": "registry.measurement.measured_on",
                                                    "height_cm": "registry.measurement.height_cm",
                                                    "weight_kg": "registry.measurement.weight_kg"}),
    action("registry.child.household_join", _("{actor} put {object} into a household"), _("Joined a household")),
    action("registry.child.household_leave", _("{actor} took {object} out of her household"),
           _("Left the household")),
    viewed("registry.child.view", _("Child's record opened"), _("{actor} opened the record of {object}")),
    action("registry.child.list", _("{actor} was shown a list of {count} children"),
           _("List of children shown"), read=True),
    action("registry.child.export", _("{actor} exported a list of {count} children"),
           _("Children exported"), read=True),
    action("registry.child.generate", _("{actor} generated {count} synthetic children"),
           _("Synthetic children generated")),
    # households
    action("registry.household.create", _("{actor} created the household of {object}"), _("Household created"),
           hidden=frozenset({"child"})),
    action("registry.household.update", _("{actor} changed {fields} of the household of {object}"),
           _("Household changed")),
    action("registry.household.child_join", _("{actor} added a child to the household of {object}"),
           _("Child joined the household"), fields=MEMBER, hidden=frozenset({"child"})),
    action("registry.household.child_leave", _("{actor} took a child out of the household of {object}"),
           _("Child left the household"), fields=MEMBER, hidden=frozenset({"child"})),
    action("registry.household.carer_join", _("{actor} added a carer to the household of {object}"),
           _("Carer joined the household"), fields=MEMBER, hidden=frozenset({"carer"})),
    action("registry.household.carer_leave", _("{actor} took a carer out of the household of {object}"),
           _("Carer left the household"), fields=MEMBER, hidden=frozenset({"carer"})),
    viewed("registry.household.view", _("Household opened"), _("{actor} opened the household of {object}")),
    action("registry.household.list", _("{actor} was shown a list of {count} households"),
           _("List of households shown"), read=True),
    # carers and circumstances read through the API
    viewed("registry.carer.view", _("Carer's record opened"), _("{actor} opened the record of carer {object}")),
    action("registry.carer.list", _("{actor} was shown a list of {count} carers"),
           _("List of carers shown"), read=True),
    viewed("registry.childcircumstance.view", _("Special circumstance opened"),
           _("{actor} opened a special circumstance of a child")),
    action("registry.childcircumstance.list", _("{actor} was shown a list of {count} special circumstances"),
           _("List of special circumstances shown"), read=True),
    # imports and reference data
    action("registry.import.commit", _("{actor} imported the file {object} into the register"),
           _("Imported from a spreadsheet"), fields={"households": _("households created")}),
    action("registry.import.rejected_download", _("{actor} downloaded the rejected rows of the file {object}"),
           _("Rejected rows downloaded"), read=True),
    viewed("registry.importbatch.view", _("Import report opened"), _("{actor} opened the import report of {object}")),
    action("registry.reference.load", _("{actor} loaded the lists of special circumstances and risks"),
           _("Reference lists loaded")),
    action("demo.registry.load", _("{actor} loaded the register's demo data"), _("Register demo data loaded")),
)
