"""Reads of lists of children are logged like reads of one child (audit.services.record_view): who looked, when,
through which filters or search words, and how many children the page showed. One event per page read, with the
commune (or province) it concerns so that the auditors of that unit see it. The mechanism is the audit app's
`record_list` (used for lists of cases, findings, duplicates... as well)."""

from treem.access import Capability
from treem.audit.services import list_unit, record_list


def record_list_read(user, *, what: str, filters: dict, shown: int, page: int | str = 1, request=None) -> None:
    """what: the model listed ("child", "household", "carer", "childcircumstance"); filters: the non-empty filters
    and search words of the request."""
    record_list(user, f"registry.{what}.list", filters=filters, shown=shown, page=page, request=request,
                unit=list_unit(user, Capability.VIEW_CHILDREN, filters.get("commune", "")))
