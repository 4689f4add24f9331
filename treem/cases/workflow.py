"""The stage of a case follows from what has been recorded; nothing sets it by hand."""

from .models import Case, PlanStatus, ReviewOutcome, Stage


def current_plan(case: Case):
    """The latest plan that is not superseded, or None."""
    return case.plans.exclude(status=PlanStatus.SUPERSEDED).order_by("-number").first()


def latest_review(case: Case, after=None):
    reviews = case.reviews.all()
    if after is not None:
        reviews = reviews.filter(created_at__gte=after)
    if case.reopened_at:
        reviews = reviews.filter(created_at__gt=case.reopened_at)
    return reviews.order_by("-created_at").first()


def compute_stage(case: Case) -> str:
    if case.in_error_at:
        return Stage.IN_ERROR
    if case.closed_at:
        return Stage.CLOSED
    initial = case.initial_assessments.order_by("-assessed_at").first()
    if initial is None:
        return Stage.INTAKE
    if initial.emergency_required and not case.emergency_measures.exists():
        return Stage.EMERGENCY
    if not case.detailed_assessments.exists():
        return Stage.ASSESSMENT
    plan = current_plan(case)
    if plan is None or plan.status in {PlanStatus.DRAFT, PlanStatus.RETURNED}:
        return Stage.PLANNING
    if plan.status == PlanStatus.SUBMITTED:
        return Stage.APPROVAL
    review = latest_review(case, after=plan.decided_at)
    if review is None or review.outcome == ReviewOutcome.CONTINUE:
        return Stage.IMPLEMENTATION
    if review.outcome == ReviewOutcome.REPLAN:
        return Stage.PLANNING
    return Stage.REVIEW
