"""Who reaches child-friendly assessments (treem.access.rules): by the commune and its province. A commune's worker
sees her commune's assessments; a provincial officer every commune of her province; national roles all. Values,
files and changes are read only through their assessment, fetched within this rule first."""

from treem.access import ByUnit, register

from .models import Assessment, RecognitionDecision

register(Assessment, ByUnit("commune", "province"))
register(RecognitionDecision, ByUnit(None, "province"))
