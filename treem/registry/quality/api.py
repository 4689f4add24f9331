"""REST API of the data-quality module under /api/v1/quality/: findings, duplicate pairs (decide "not the same
child"), proposed corrections (accept, reject).

Scoped exactly like the UI: querysets come from quality.selectors (a record outside the caller's scope is a 404);
writes go through quality.services (a role that may not act gets a 403).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from treem.access import Capability, scope_for
from treem.audit.read_log import LoggedReadMixin
from treem.core.guards import CheckedLookupMixin, query_uuid
from treem.geo.models import UnitSystem

from . import selectors, services
from .findings import KINDS
from .models import Correction, CorrectionStatus, DuplicatePair, Finding, PairStatus

VIEW, EDIT = Capability.VIEW_CHILDREN, Capability.EDIT_CHILDREN


class QualityCapability(BasePermission):
    """Reading needs children.view, deciding children.edit; lacking it is a 403 whatever the record."""

    def has_permission(self, request, view):
        needed = VIEW if request.method in ("GET", "HEAD", "OPTIONS") else EDIT
        return scope_for(request.user).has(needed)


def _problem(exc: Exception) -> serializers.ValidationError:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return serializers.ValidationError({"non_field_errors": messages})


class FindingSerializer(serializers.ModelSerializer):
    child = serializers.UUIDField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    commune = serializers.CharField(source="commune.code", read_only=True)
    label = serializers.SerializerMethodField()
    open = serializers.BooleanField(source="is_open", read_only=True)
    message = serializers.CharField(source="text", read_only=True)  # rendered in the request's language

    class Meta:
        model = Finding
        fields = ["id", "child", "child_name", "commune", "code", "label", "severity", "message", "field",
                  "detected_at", "resolved_at", "open"]

    def get_label(self, obj) -> str:
        kind = KINDS.get(obj.code)
        return str(kind.label) if kind else obj.code


class PairChildSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    full_name = serializers.CharField()
    birth_date = serializers.DateField()
    sex = serializers.CharField()
    personal_id = serializers.CharField()
    commune = serializers.CharField(source="commune.code")
    status = serializers.CharField()


class PairSerializer(serializers.ModelSerializer):
    child_a = PairChildSerializer(read_only=True)
    child_b = PairChildSerializer(read_only=True)
    contributions = serializers.SerializerMethodField()

    class Meta:
        model = DuplicatePair
        fields = ["id", "child_a", "child_b", "probability", "match_weight", "explanation", "contributions", "status",
                  "decided_at", "decision_note", "detected_at", "last_seen_at"]

    def get_contributions(self, obj) -> list[dict]:
        return [{"label": label, "match_weight": weight} for label, weight in obj.contributions]


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=250)


class CorrectionSerializer(serializers.ModelSerializer):
    child = serializers.UUIDField(source="child_id", read_only=True)
    child_name = serializers.CharField(source="child.full_name", read_only=True)
    run = serializers.UUIDField(source="run_id", read_only=True)

    class Meta:
        model = Correction
        fields = ["id", "run", "child", "child_name", "field", "current_value", "proposed_value", "method",
                  "probability", "explanation", "status", "decided_at"]


def _commune_filter(qs, request, field: str):
    code = request.query_params.get("commune")
    if code:
        qs = qs.filter(**{f"{field}__code": code, f"{field}__system": UnitSystem.CURRENT})
    return qs


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("commune", str, description="commune code"),
    OpenApiParameter("code", str, description="finding code, e.g. id_missing"),
    OpenApiParameter("open", bool, description="only open findings (default true)")]))
class FindingViewSet(CheckedLookupMixin, LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Data-quality findings of the children the caller may see (each page and each finding read is logged)."""

    list_action = "quality.finding.list"
    serializer_class = FindingSerializer
    permission_classes = [IsAuthenticated, QualityCapability]

    def get_queryset(self):
        qs = _commune_filter(selectors.findings_visible_to(self.request.user), self.request, "commune")
        if self.request.query_params.get("open", "true").lower() not in ("false", "0", "no"):
            qs = qs.filter(resolved_at__isnull=True)
        if code := self.request.query_params.get("code"):
            qs = qs.filter(code=code)
        return qs.select_related("child", "commune").order_by("commune__code", "child__name_folded", "code", "id")


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("commune", str, description="commune code of either child"),
    OpenApiParameter("status", str, enum=PairStatus.values, description="default open")]))
class DuplicatePairViewSet(CheckedLookupMixin, LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Likely duplicate children, most probable first; only pairs whose two children the caller may see (reads are
    logged)."""

    list_action = "quality.duplicatepair.list"
    read_what = "quality.pair api"  # like the merge screen: a view of each of the two children
    serializer_class = PairSerializer
    permission_classes = [IsAuthenticated, QualityCapability]

    def get_queryset(self):
        qs = selectors.pairs_visible_to(self.request.user)
        if self.action == "list":
            status = self.request.query_params.get("status", PairStatus.OPEN)
            if status in PairStatus.values:
                qs = qs.filter(status=status)
            if code := self.request.query_params.get("commune"):
                from django.db.models import Q

                qs = qs.filter(Q(child_a__commune__code=code) | Q(child_b__commune__code=code))
        return qs.select_related("child_a__commune", "child_b__commune").order_by("-probability", "pk")

    def read_objects(self, pair) -> list:
        return [pair.child_a, pair.child_b]

    @extend_schema(request=DecisionSerializer, responses=PairSerializer)
    @action(detail=True, methods=["post"], url_path="not-same")
    def not_same(self, request, pk=None):
        """Record that the two records are different children: the pair is never proposed again."""
        pair = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            pair = services.pair_not_same(actor=request.user, pair=pair, note=data.validated_data.get("note", ""),
                                          request=request)
        except services.QualityProblem as exc:
            raise _problem(exc) from None
        return Response(PairSerializer(self.get_queryset().get(pk=pair.pk)).data)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("commune", str, description="commune code"),
    OpenApiParameter("status", str, enum=CorrectionStatus.values, description="default proposed"),
    OpenApiParameter("run", str, description="linkage run id")]))
class CorrectionViewSet(CheckedLookupMixin, LoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """Corrections the population database suggests; accept applies the change to the child, reject remembers (reads
    are logged)."""

    list_action = "quality.correction.list"
    serializer_class = CorrectionSerializer
    permission_classes = [IsAuthenticated, QualityCapability]

    def get_queryset(self):
        qs = selectors.corrections_visible_to(self.request.user)
        if self.action == "list":
            qs = _commune_filter(qs, self.request, "commune")
            status = self.request.query_params.get("status", CorrectionStatus.PROPOSED)
            if status in CorrectionStatus.values:
                qs = qs.filter(status=status)
            if run := query_uuid(self.request, "run"):
                qs = qs.filter(run_id=run)
        return qs.select_related("child").order_by("child__name_folded", "child_id", "field", "pk")

    def _decide(self, request, service):
        correction = self.get_object()
        try:
            correction = service(actor=request.user, correction=correction, request=request)
        except (services.QualityProblem, DjangoValidationError) as exc:
            raise _problem(exc) from None
        return Response(CorrectionSerializer(self.get_queryset().get(pk=correction.pk)).data)

    @extend_schema(request=None, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Apply the proposed value to the child (audited)."""
        return self._decide(request, services.correction_accept)

    @extend_schema(request=None, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Keep the register's value; the same value is not proposed again."""
        return self._decide(request, services.correction_reject)


def register(router) -> None:
    router.register("quality/findings", FindingViewSet, basename="quality-finding")
    router.register("quality/duplicates", DuplicatePairViewSet, basename="quality-duplicate")
    router.register("quality/corrections", CorrectionViewSet, basename="quality-correction")
