"""Periodic work of the cases module (queued through django.tasks; `treem check-case-deadlines` runs the same)."""

from django.tasks import task

from .deadlines import check_deadlines


@task
def check_case_deadlines_task() -> dict:
    return check_deadlines()
