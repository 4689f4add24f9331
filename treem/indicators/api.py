"""REST API of indicators under /api/v1/: the catalogue, values (scoped: a commune worker her commune's, a leader her
province's), bound targets with their status, and reported values posted with a token (same service and checks as
the form: treem.indicators.services.reported_values_save)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from treem.access import Capability, restrict
from treem.core.guards import CheckedLookupMixin, query_int
from treem.plans import selectors as plan_selectors

from . import services
from .models import Indicator, TargetBinding, Value, ValueStatus


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "code", "name_vi", "name_en", "definition_vi", "numerator_vi", "denominator_vi", "group",
                  "measure", "better", "period_type", "disaggregations", "method", "lead_agency_vi",
                  "legal_reference", "valid_from", "valid_to", "catalogue_version"]


class ValueSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True, default=None, allow_null=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Value
        fields = ["id", "indicator", "unit", "unit_code", "unit_name", "year", "sub_period", "disaggregation",
                  "numerator", "denominator", "value", "source", "status", "comment"]


class ValuePostSerializer(serializers.Serializer):
    submission = serializers.UUIDField()
    indicator = serializers.CharField(max_length=40)
    value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    numerator = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    denominator = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class TargetStatusSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    target_text = serializers.CharField(source="target.text", read_only=True)
    document = serializers.UUIDField(source="target.document_id", read_only=True)
    baseline_value = serializers.DecimalField(source="target.baseline_value", max_digits=16, decimal_places=4,
                                              read_only=True, allow_null=True)
    baseline_unit = serializers.CharField(source="baseline_unit.name", read_only=True, default=None,
                                          allow_null=True)

    class Meta:
        model = TargetBinding
        fields = ["id", "target", "target_text", "document", "indicator", "unit", "unit_code", "baseline_value",
                  "baseline_year", "baseline_unit", "target_year", "status", "latest_value", "latest_year",
                  "forecast_value", "status_at"]


class IndicatorViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """The catalogue (no data of any unit)."""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.all()


@extend_schema(parameters=[OpenApiParameter("indicator", str, description="indicator code"),
                           OpenApiParameter("unit", int, description="unit id"), OpenApiParameter("year", int),
                           OpenApiParameter("disaggregation", str, description='"" = total'),
                           OpenApiParameter("status", str, description="default: accepted")])
class ValueViewSet(CheckedLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Values in the caller's scope. POST: a reported value of the caller's agency's submission (a draft, submitted
    and accepted with the submission)."""

    serializer_class = ValueSerializer

    def get_queryset(self):
        qs = restrict(Value.objects.select_related("indicator", "unit"), self.request.user,
                      Capability.VIEW_INDICATORS)
        params = self.request.query_params
        if self.action == "list":
            qs = qs.filter(status=params.get("status") or ValueStatus.ACCEPTED)
            if code := params.get("indicator"):
                qs = qs.filter(indicator__code=code)
            if (unit := query_int(self.request, "unit")) is not None:
                qs = qs.filter(unit_id=unit)
            if (year := query_int(self.request, "year")) is not None:
                qs = qs.filter(year=year)
            if "disaggregation" in params:
                qs = qs.filter(disaggregation=params["disaggregation"])
        return qs.order_by("indicator__code", "unit_id", "year", "sub_period", "disaggregation", "pk")

    @extend_schema(request=ValuePostSerializer, responses={201: ValueSerializer})
    def create(self, request, *args, **kwargs):
        data = ValuePostSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        submission = plan_selectors.submissions_visible_to(request.user).filter(pk=v["submission"]).first()
        if submission is None:
            raise NotFound
        entry = services.Entry(v.get("value"), v.get("numerator"), v.get("denominator"), v.get("comment") or "")
        try:
            saved = services.reported_values_save(request.user, submission, {v["indicator"]: entry},
                                                  request=request)
        except DjangoValidationError as exc:
            messages = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") \
                else exc.messages
            return Response({"detail": " ".join(messages)}, status=status.HTTP_400_BAD_REQUEST)
        if not saved:
            return Response({"detail": "Chưa có giá trị nào được lưu."}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ValueSerializer(saved[0]).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[OpenApiParameter("indicator", str), OpenApiParameter("status", str)])
class TargetStatusViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Bound targets with their status (on track, at risk, off track, met, no data), in the caller's scope."""

    serializer_class = TargetStatusSerializer

    def get_queryset(self):
        qs = restrict(TargetBinding.objects.select_related("indicator", "unit", "target", "baseline_unit"),
                      self.request.user, Capability.VIEW_INDICATORS)
        params = self.request.query_params
        if code := params.get("indicator"):
            qs = qs.filter(indicator__code=code)
        if state := params.get("status"):
            qs = qs.filter(status=state)
        return qs.order_by("unit_id", "indicator__code", "pk")


def register(router) -> None:
    # the longer prefixes first: "indicators/<pk>/" would otherwise take "values" for an id
    router.register("indicators/values", ValueViewSet, basename="indicator-value")
    router.register("indicators/targets", TargetStatusViewSet, basename="indicator-target")
    router.register("indicators", IndicatorViewSet, basename="indicator")
