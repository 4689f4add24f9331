"""REST API of plans under /api/v1/plans/: documents, targets, tasks, rounds, submissions.

Scoped like the pages (plans.selectors): a record outside the caller's scope answers 404; an action her role may
not take answers 403. An agency reporter sees and edits only her agency's tasks and submission.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from treem.accounts.models import Agency
from treem.core.guards import CheckedLookupMixin, query_uuid

from . import selectors
from .models import Document, ReportingRound, Submission, Target, Task, TaskUpdate
from .rounds import (
    SubmissionExists,
    round_create,
    round_stats,
    submission_accept,
    submission_return,
    submission_save,
    submission_start_and_save,
    submission_submit,
)
from .services import task_update_create


def _bad_request(exc: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)


# -- serializers ----------------------------------------------------------------------------------------------------


class DocumentSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(source="get_doc_type_display", read_only=True)
    province_code = serializers.CharField(source="province.code", read_only=True, default=None, allow_null=True)
    area = serializers.CharField(source="area.name", read_only=True, default=None, allow_null=True)
    implements = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    implemented_by = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "doc_type",
            "type_label",
            "number",
            "issued_on",
            "place",
            "issuer_name",
            "signer",
            "title",
            "province_code",
            "area",
            "implements",
            "implemented_by",
            "is_placeholder",
            "report_month",
            "report_day",
        ]


class TargetValueSerializer(serializers.Serializer):
    year = serializers.IntegerField(allow_null=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    direction = serializers.CharField()


class TargetSerializer(serializers.ModelSerializer):
    values = TargetValueSerializer(many=True, read_only=True)
    agencies = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    area = serializers.CharField(source="area.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "document",
            "text",
            "unit",
            "baseline_value",
            "baseline_year",
            "baseline_source",
            "area",
            "indicator_code",
            "values",
            "agencies",
            "source_lines",
        ]


class TaskAgencySerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    agency_name = serializers.CharField(source="agency.name", default=None, allow_null=True)
    name_as_written = serializers.CharField()
    role = serializers.CharField()


class TaskSerializer(serializers.ModelSerializer):
    agencies = TaskAgencySerializer(source="assignments", many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "document",
            "text",
            "section",
            "source_lines",
            "status",
            "schedule_kind",
            "due_date",
            "due_day",
            "due_month",
            "due_year",
            "schedule_text",
            "agencies",
        ]


class TaskUpdateSerializer(serializers.ModelSerializer):
    agency = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = TaskUpdate
        fields = ["id", "agency", "text", "figures", "status", "period_year", "created_at"]
        read_only_fields = ["id", "agency", "created_at"]


class RoundSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", read_only=True)
    expected = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = ReportingRound
        fields = [
            "id",
            "title",
            "document",
            "province_code",
            "period_year",
            "deadline",
            "focal_agency",
            "reminder_days",
            "timeliness_rule",
            "status",
            "expected",
            "stats",
        ]

    def get_expected(self, round_) -> list[dict]:
        return [{"agency": e.agency_id, "name": e.agency_name} for e in round_.expected.all()]

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_stats(self, round_):
        request = self.context.get("request")
        if request is None or not selectors.sees_all_submissions(request.user, round_):
            return None
        return round_stats(round_).as_dict()


class RoundCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    document = serializers.UUIDField()
    period_year = serializers.IntegerField(min_value=2000, max_value=2100)
    deadline = serializers.DateField()
    agencies = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    focal_agency = serializers.IntegerField(required=False, allow_null=True)
    reminder_days = serializers.CharField(required=False, default="7,3,1")


class FigureSerializer(serializers.Serializer):
    target = serializers.UUIDField()
    value = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubmissionSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    figures = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "round",
            "agency",
            "agency_name",
            "status",
            "text",
            "first_submitted_at",
            "submitted_at",
            "counted_at",
            "on_time",
            "accepted_at",
            "returned_note",
            "version",
            "figures",
            "events",
        ]

    def get_figures(self, submission) -> list[dict]:
        return [{"target": str(f.target_id), "value": str(f.value), "note": f.note} for f in submission.figures.all()]

    def get_events(self, submission) -> list[dict]:
        return [
            {
                "kind": e.kind,
                "at": e.at.isoformat(),
                "by": e.actor_label,
                "on_time": e.on_time,
                "counted": e.counted,
                "text": e.text,
                "note": e.note,
            }
            for e in submission.events.all()
        ]


class SubmissionCreateSerializer(serializers.Serializer):
    round = serializers.UUIDField()
    agency = serializers.IntegerField()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    figures = FigureSerializer(many=True, required=False)


class SubmissionEditSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True)
    figures = FigureSerializer(many=True, required=False)
    version = serializers.IntegerField(required=False)


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField()


# -- viewsets -------------------------------------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter("province", str, description="current province code"), OpenApiParameter("type", str)]
)
class DocumentViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Documents in the caller's scope (national ones and those of her provinces), with the cascade both ways."""

    serializer_class = DocumentSerializer

    def get_queryset(self):
        qs = selectors.documents_visible_to(self.request.user).prefetch_related("implements", "implemented_by")
        params = self.request.query_params
        if province := params.get("province"):
            qs = qs.filter(province__code=province, province__system="current")
        if doc_type := params.get("type"):
            qs = qs.filter(doc_type=doc_type)
        return qs.order_by("issued_on", "number")


@extend_schema(parameters=[OpenApiParameter("document", str)])
class TargetViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TargetSerializer

    def get_queryset(self):
        qs = selectors.targets_visible_to(self.request.user)
        if document := query_uuid(self.request, "document"):
            qs = qs.filter(document_id=document)
        return qs.order_by("document__issued_on", "order")


@extend_schema(parameters=[OpenApiParameter("document", str), OpenApiParameter("agency", int)])
class TaskViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Tasks in scope; an agency reporter gets only her agency's. POST .../updates/ reports progress."""

    serializer_class = TaskSerializer

    def get_queryset(self):
        qs = selectors.tasks_visible_to(self.request.user)
        params = self.request.query_params
        if document := query_uuid(self.request, "document"):
            qs = qs.filter(document_id=document)
        if (agency := params.get("agency", "")).isdigit():
            qs = qs.filter(assignments__agency_id=int(agency)).distinct()
        return qs.order_by("document__issued_on", "document_id", "order")

    @extend_schema(methods=["GET"], responses=TaskUpdateSerializer(many=True))
    @extend_schema(methods=["POST"], request=TaskUpdateSerializer, responses={201: TaskUpdateSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def updates(self, request, pk=None):
        task = self.get_object()
        if request.method == "GET":
            return Response(TaskUpdateSerializer(task.updates.all(), many=True).data)
        data = TaskUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            update = task_update_create(
                actor=request.user,
                task=task,
                text=data.validated_data["text"],
                status=data.validated_data["status"],
                figures=data.validated_data.get("figures") or [],
                period_year=data.validated_data.get("period_year"),
                request=request,
            )
        except DjangoValidationError as exc:
            return _bad_request(exc)
        return Response(TaskUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class RoundViewSet(CheckedLookupMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Reporting rounds: a focal officer opens them for her province; agencies see the rounds they are expected in."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        return selectors.rounds_visible_to(self.request.user).prefetch_related("expected")

    @extend_schema(request=RoundCreateSerializer, responses={201: RoundSerializer})
    def create(self, request, *args, **kwargs):
        data = RoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        document = selectors.documents_visible_to(request.user).filter(pk=v["document"]).first()
        if document is None:
            raise NotFound
        province = document.province
        if province is None:
            return Response({"detail": "Đợt báo cáo phải thuộc một tỉnh."}, status=status.HTTP_400_BAD_REQUEST)
        agencies = list(Agency.objects.filter(pk__in=v["agencies"], province=province))
        if len(agencies) != len(set(v["agencies"])):
            return Response({"detail": "Có cơ quan không thuộc tỉnh của văn bản."}, status=status.HTTP_400_BAD_REQUEST)
        focal = (
            Agency.objects.filter(pk=v.get("focal_agency"), province=province).first()
            if v.get("focal_agency")
            else None
        )
        try:
            round_ = round_create(
                actor=request.user,
                document=document,
                province=province,
                title=v["title"],
                period_year=v["period_year"],
                deadline=v["deadline"],
                agencies=agencies,
                focal_agency=focal,
                reminder_days=v["reminder_days"],
            )
        except DjangoValidationError as exc:
            return _bad_request(exc)
        return Response(RoundSerializer(round_, context={"request": request}).data, status=status.HTTP_201_CREATED)


class SubmissionViewSet(CheckedLookupMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """One submission per agency per round: a second POST answers 409 with the existing one's id."""

    serializer_class = SubmissionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = selectors.submissions_visible_to(self.request.user).prefetch_related("figures", "events")
        if round_id := query_uuid(self.request, "round"):
            qs = qs.filter(round_id=round_id)
        return qs.order_by("round__deadline", "agency__name")

    def _figures(self, items) -> dict:
        return {item["target"]: (item["value"], item.get("note", "")) for item in items or []}

    @extend_schema(request=SubmissionCreateSerializer, responses={201: SubmissionSerializer})
    def create(self, request, *args, **kwargs):
        data = SubmissionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        round_ = selectors.rounds_visible_to(request.user).filter(pk=v["round"]).first()
        agency = Agency.objects.filter(pk=v["agency"]).first()
        if round_ is None or agency is None:
            raise NotFound
        try:
            submission = submission_start_and_save(
                actor=request.user,
                round_=round_,
                agency=agency,
                text=v.get("text"),
                figures=self._figures(v.get("figures")),
            )
        except SubmissionExists as exc:
            return Response(
                {"detail": exc.messages[0], "existing": str(exc.existing.pk)}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as exc:
            return _bad_request(exc)
        return Response(SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubmissionEditSerializer, responses=SubmissionSerializer)
    def partial_update(self, request, *args, **kwargs):
        submission = self.get_object()
        data = SubmissionEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            submission = submission_save(
                actor=request.user,
                submission=submission,
                text=v.get("text"),
                figures=self._figures(v["figures"]) if "figures" in v else None,
                expected_version=v.get("version"),
            )
        except DjangoValidationError as exc:
            return _bad_request(exc)
        return Response(SubmissionSerializer(submission).data)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    def _act(self, function, **kwargs):
        submission = self.get_object()
        try:
            submission = function(actor=self.request.user, submission=submission, **kwargs)
        except DjangoValidationError as exc:
            return _bad_request(exc)
        return Response(SubmissionSerializer(Submission.objects.get(pk=submission.pk)).data)

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._act(submission_submit)

    @extend_schema(request=ReturnSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(submission_return, note=data.validated_data["note"])

    @extend_schema(request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._act(submission_accept)


def register(router) -> None:
    router.register("plans/documents", DocumentViewSet, basename="plan-document")
    router.register("plans/targets", TargetViewSet, basename="plan-target")
    router.register("plans/tasks", TaskViewSet, basename="plan-task")
    router.register("plans/rounds", RoundViewSet, basename="plan-round")
    router.register("plans/submissions", SubmissionViewSet, basename="plan-submission")
