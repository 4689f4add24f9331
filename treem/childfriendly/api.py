"""REST API under /api/v1/child-friendly/: assessments, scoped like the pages (a commune its own, a province its
communes; outside the scope: 404). Each assessment answers with the keys of `treem cfc-assessment --json`."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from treem.core.guards import CheckedLookupMixin

from . import selectors
from .payload import assessment_payload


class CriterionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    points = serializers.IntegerField()
    max_points = serializers.IntegerField()
    met = serializers.BooleanField()
    sources = serializers.ListField(child=serializers.CharField())


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    commune = serializers.CharField()
    year = serializers.IntegerField()
    type = serializers.CharField()
    threshold = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)
    total = serializers.IntegerField()
    recognised_expected = serializers.BooleanField()
    status = serializers.CharField()


def _payload(assessment):
    return {"id": assessment.pk, **assessment_payload(assessment)}


class AssessmentViewSet(CheckedLookupMixin, viewsets.GenericViewSet):
    serializer_class = AssessmentSerializer

    def get_queryset(self):
        return selectors.assessments_visible_to(self.request.user)

    @extend_schema(parameters=[OpenApiParameter("year", int, description="only this year")],
                   responses=AssessmentSerializer(many=True))  # paginated like the rest
    def list(self, request):
        found = selectors.assessments_visible_to(request.user).prefetch_related("values", "corrections")
        year = request.query_params.get("year", "")
        if year:
            if not year.isdigit() or len(year) != 4:
                return Response({"detail": _("The year must have 4 digits.")}, status=400)
            found = found.filter(year=int(year))
        page = self.paginate_queryset(found.order_by("-year", "commune__code"))
        return self.get_paginated_response([_payload(a) for a in page])

    @extend_schema(responses=AssessmentSerializer)
    def retrieve(self, request, pk=None):
        if not str(pk).isdigit() or len(str(pk)) > 12:
            raise NotFound
        return Response(_payload(selectors.assessment_for(request.user, int(pk))))


def register(router) -> None:
    router.register("child-friendly/assessments", AssessmentViewSet, basename="cfc-assessment")
