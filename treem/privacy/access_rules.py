"""Who reaches a subject-access request: by the child's commune (treem.access.rules)."""

from treem.access import ByUnit, register

from .models import AccessRequest

register(AccessRequest, ByUnit("commune"))
