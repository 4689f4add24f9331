"""The audit actions of data quality (see treem.audit.registry), including those it writes on children's records."""

from django.utils.translation import gettext_lazy as _

from treem.audit.registry import action, register, viewed

register(
    # on children's records
    action("registry.child.merge", _("{actor} merged a duplicate record into {object}"),
           _("Merged with a duplicate record"), fields={"merged_name": _("record merged into this one")},
           hidden=frozenset({"changed", "merged", "probability"})),
    action("registry.child.merged_into", _("{actor} merged the record of {object} into another one"),
           _("Merged into another record"), fields={"survivor_name": _("record kept")},
           hidden=frozenset({"merged_into"})),
    action("registry.child.carer_update", _("{actor} corrected the name of a carer of {object}"),
           _("Carer's name corrected"), fields={"full_name": _("parent or carer")}, hidden=frozenset({"carer"})),
    # checks and findings
    action("quality.check.run", _("{actor} checked the quality of the register of {unit}"), _("Quality check run")),
    action("quality.duplicates.run", _("{actor} looked for duplicate records in {unit}"),
           _("Duplicate search run")),
    action("quality.finding.list", _("{actor} was shown a list of {count} data problems"),
           _("List of data problems shown"), read=True),
    viewed("quality.finding.view", _("Data problem opened")),
    action("quality.duplicatepair.list", _("{actor} was shown a list of {count} likely duplicates"),
           _("List of likely duplicates shown"), read=True),
    viewed("quality.duplicatepair.view", _("Likely duplicate opened"),
           _("{actor} opened a pair of likely duplicate records")),
    action("quality.duplicatepair.not_same", _("{actor} marked two records as different children"),
           _("Records marked as different children")),
    # linkage with the population database
    action("quality.linkagerun.create", _("{actor} compared the register of {unit} with the population database"),
           _("Population database comparison started")),
    action("quality.linkagerun.done", _("The comparison of {unit} with the population database finished"),
           _("Population database comparison finished")),
    action("quality.correction.list", _("{actor} was shown a list of {count} proposed corrections"),
           _("List of proposed corrections shown"), read=True),
    viewed("quality.correction.view", _("Proposed correction opened"),
           _("{actor} opened a proposed correction")),
    action("quality.correction.accept", _("{actor} accepted a correction of {object}"), _("Correction accepted")),
    action("quality.correction.reject", _("{actor} rejected a correction of {object}"), _("Correction rejected")),
    # cleaning rounds and re-checks
    action("quality.cleaninground.create", _("{actor} started a cleaning round in {unit}"),
           _("Cleaning round started")),
    action("quality.cleaninground.upload", _("{actor} uploaded the corrected cleaning sheet of {unit}"),
           _("Cleaning sheet uploaded")),
    action("quality.cleaninground.apply", _("{actor} applied the corrections of the cleaning round of {unit}"),
           _("Cleaning corrections applied")),
    viewed("quality.cleaninground.view", _("Cleaning round opened"),
           _("{actor} opened the cleaning round of {unit}")),
    action("quality.cleaninground.export", _("{actor} downloaded the cleaning sheet of {unit} ({count} rows)"),
           _("Cleaning sheet downloaded"), read=True),
    action("quality.recheck.create", _("{actor} drew a re-check sample in {unit}"), _("Re-check sample drawn")),
    action("quality.recheck.record", _("{actor} recorded a re-check result in {unit}"),
           _("Re-check result recorded")),
    viewed("quality.recheck.view", _("Re-check sample opened"), _("{actor} opened the re-check sample of {unit}")),
    action("quality.recheck.export", _("{actor} downloaded the re-check sheet of {unit} ({count} rows)"),
           _("Re-check sheet downloaded"), read=True),
    action("demo.quality.load", _("{actor} loaded the data quality demo data"), _("Data quality demo data loaded")),
)
