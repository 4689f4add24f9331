from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from treem.access import scope_for
from treem.accounts.selectors import agencies_visible_to, search_units, units_visible_to
from treem.core.collation import ViOrder, unit_order
from treem.core.guards import CheckedLookupMixin

from .serializers import AgencySerializer, MeSerializer, UnitDetailSerializer, UnitSerializer


@extend_schema(parameters=[
    OpenApiParameter("system", str, enum=["current", "legacy"]),
    OpenApiParameter("level", str, enum=["province", "district", "commune"]),
    OpenApiParameter("province", str, description="province code"),
    OpenApiParameter("q", str, description="name, with or without diacritics"),
])
class UnitViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Administrative units in the caller's scope. Units outside it answer 404."""

    lookup_field = "id"

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer

    def get_queryset(self):
        qs = units_visible_to(self.request.user).select_related("parent", "province")
        params = self.request.query_params
        if system := params.get("system"):
            qs = qs.filter(system=system)
        if level := params.get("level"):
            qs = qs.filter(level=level)
        if province := params.get("province"):
            qs = qs.filter(province__code=province)
        return search_units(qs, params.get("q", "")).order_by("system", "level", "code")


@extend_schema(parameters=[
    OpenApiParameter("kind", str), OpenApiParameter("all", bool, description="include agencies no longer in force"),
])
class AgencyViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Agencies the caller may see: those of her provinces, and her own agency."""

    serializer_class = AgencySerializer

    def get_queryset(self):
        params = self.request.query_params
        on = None if params.get("all") in {"1", "true"} else timezone.localdate()
        qs = agencies_visible_to(self.request.user, on=on).prefetch_related("succeeded_by__successor")
        if kind := params.get("kind"):
            qs = qs.filter(kind=kind)
        return qs.order_by(*unit_order("province__"), "kind", ViOrder("name"))


class MeView(APIView):
    """Who the caller is, her grants in force and what they allow."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        scope = scope_for(request.user)
        return Response(MeSerializer({
            "username": request.user.username,
            "full_name": request.user.full_name,
            "grants": [g.__dict__ for g in scope.grants],
            "capabilities": sorted(scope.capabilities()),
        }).data)


@csrf_exempt  # a POST to a path that matches nothing is a 404 whatever its cookies, not a CSRF page
def not_found(request, *args, **kwargs):
    """A JSON 404 for an /api/v1/ path that matches no endpoint."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
