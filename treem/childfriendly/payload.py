"""The machine-readable form of an assessment (the API and `treem cfc-assessment --json`): exactly the issue's keys."""

from . import scoring


def assessment_payload(assessment) -> dict:
    score = scoring.assessment_score(assessment)
    return {
        "commune": assessment.commune.code,
        "year": assessment.year,
        "type": score.commune_type,
        "threshold": score.threshold,
        "criteria": [{"number": c.criterion.number, "points": c.points, "max_points": c.criterion.max_points,
                      "met": c.met, "sources": c.sources} for c in score.criteria],
        "total": score.total,
        "recognised_expected": score.verdict.recognised,
        "status": assessment.status,
    }
