"""Every read of children goes through here, filtered by the reader's scope (accounts.scope)."""

from django.db.models import Q

from treem.accounts.scope import Capability, scope_for

from .models import Child


def children_visible_to(user, capability: str = Capability.VIEW_CHILDREN):
    """Children of the reader's communes or provinces, plus those recorded as moving into her communes."""
    scope = scope_for(user)
    if not scope.has(capability):
        return Child.objects.none()
    q = scope.unit_q(capability, commune_field="commune", province_field="province")
    if not scope.is_national(capability) and (communes := scope.commune_ids(capability)):
        q |= Q(moved_to__in=communes)
    return Child.objects.filter(q)
