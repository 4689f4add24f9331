"""Who reaches child-friendly assessments (treem.access.rules): by the commune and its province. A commune's worker
sees her commune's assessments; a provincial officer every commune of her province; national roles all."""

from treem.access import ByUnit, register

from .models import Assessment, EvidenceFile, RecognitionDecision, ScoreChange, Value

register(Assessment, ByUnit("commune", "province"))
register(Value, ByUnit("assessment__commune", "assessment__province"))
register(EvidenceFile, ByUnit("assessment__commune", "assessment__province"))
register(ScoreChange, ByUnit("assessment__commune", "assessment__province"))
register(RecognitionDecision, ByUnit(None, "province"))
