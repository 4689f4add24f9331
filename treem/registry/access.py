"""Reads of lists of children are logged like reads of one child (audit.services.record_view): who looked, when,
through which filters or search words, and how many children the page showed. One event per page read, with the
commune (or province) it concerns so that the auditors of that unit see it."""

from treem.accounts.scope import Capability, scope_for
from treem.audit.services import record
from treem.geo.models import Unit

from . import selectors


def _unit_read(user, commune_code: str) -> Unit | None:
    if commune_code:
        chosen = selectors.communes_for(user).filter(code=commune_code).first()
        if chosen is not None:
            return chosen
    scope = scope_for(user)
    communes, provinces = scope.commune_ids(Capability.VIEW_CHILDREN), scope.province_ids(Capability.VIEW_CHILDREN)
    if len(communes) == 1 and not provinces:
        return Unit.objects.filter(pk__in=communes).first()
    if len(provinces) == 1 and not communes:
        return Unit.objects.filter(pk__in=provinces).first()
    return None  # several units (or the whole country): filed without a unit, seen by national auditors


def record_list_read(user, *, what: str, filters: dict, shown: int, page: int | str = 1, request=None) -> None:
    """what: the model listed ("child", "household", "carer", "childcircumstance"); filters: the non-empty filters
    and search words of the request."""
    record(user, f"registry.{what}.list", None,
           unit=_unit_read(user, filters.get("commune", "")), request=request,
           summary={"filters": filters, "shown": shown, "page": page,
                    "via": "api" if request is not None and request.path.startswith("/api/") else "web"})
