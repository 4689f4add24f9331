"""REST API of the child register under /api/v1/: children, carers, circumstances (and the reference groups).

Scoped exactly like the UI: the querysets come from registry.selectors, so a record outside the caller's scope is a
404; an action the caller's role may not do is a 403; every write goes through registry.services.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from treem.access import Capability, scope_for
from treem.audit.read_log import LoggedListMixin, LoggedReadMixin
from treem.audit.services import record_list, record_view
from treem.core.guards import CheckedLookupMixin, query_uuid
from treem.core.text import fold
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.extensions import cases_of_child

from . import selectors, services
from .models import (
    Carer,
    CarerRelation,
    Child,
    ChildCarer,
    ChildCircumstance,
    ChildSource,
    CircumstanceGroup,
    CircumstanceSubgroup,
    Household,
    Immunisation,
    PovertyStatus,
    Sex,
    YesNoUnknown,
)
from .quality.dates import parse_date
from .quality.text import normalize_phone
from .selectors import AGE_BANDS, QUALITY_FILTERS, STATUS_FILTERS, ChildFilters

VIEW, EDIT = Capability.VIEW_CHILDREN, Capability.EDIT_CHILDREN


class ChildCapability(BasePermission):
    """Reading needs children.view, writing children.edit; lacking it is a 403 whatever the record."""

    def has_permission(self, request, view):
        scope = scope_for(request.user)
        needed = VIEW if request.method in ("GET", "HEAD", "OPTIONS") else EDIT
        return scope.has(needed)


def _drf(exc: DjangoValidationError):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return serializers.ValidationError(detail)


class VersionConflictError(serializers.ValidationError):
    status_code = status.HTTP_409_CONFLICT


# ---------------------------------------------------------------- serializers


class SubgroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = CircumstanceSubgroup
        fields = ["code", "name", "legal_basis", "verified", "valid_from", "valid_to"]


class GroupSerializer(serializers.ModelSerializer):
    subgroups = SubgroupSerializer(many=True, read_only=True)

    class Meta:
        model = CircumstanceGroup
        fields = ["code", "name", "legal_basis", "valid_from", "valid_to", "subgroups"]


class CircumstanceSerializer(serializers.ModelSerializer):
    child = serializers.UUIDField(source="child_id", read_only=True)
    group = serializers.CharField(source="group.code", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)
    subgroup = serializers.CharField(source="subgroup.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ChildCircumstance
        fields = ["id", "child", "group", "group_name", "subgroup", "started_on", "ended_on", "source", "supported",
                  "end_reason"]


class CircumstanceCreateSerializer(serializers.Serializer):
    child = serializers.UUIDField(required=False, help_text="the child (not needed under /children/{id}/)")
    group = serializers.CharField(help_text="letter of Law on Children art. 10.1: a, b, c, d, đ, e ... o")
    subgroup = serializers.CharField(required=False, allow_blank=True)
    started_on = serializers.CharField(required=False, allow_blank=True, help_text="dd/mm/yyyy or yyyy-mm-dd")
    source = serializers.CharField(required=False, allow_blank=True)
    supported = serializers.BooleanField(required=False, default=False)


class EndSerializer(serializers.Serializer):
    ended_on = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class CarerLinkSerializer(serializers.ModelSerializer):
    child = serializers.UUIDField(source="child_id", read_only=True)

    class Meta:
        model = ChildCarer
        fields = ["child", "relation", "primary"]


class CarerSerializer(serializers.ModelSerializer):
    children = CarerLinkSerializer(source="child_links", many=True, read_only=True)

    class Meta:
        model = Carer
        fields = ["id", "full_name", "phone", "personal_id", "children"]


class CarerCreateSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    relation = serializers.ChoiceField(choices=CarerRelation.choices, default=CarerRelation.UNKNOWN)
    phone = serializers.CharField(required=False, allow_blank=True)
    personal_id = serializers.CharField(required=False, allow_blank=True)
    primary = serializers.BooleanField(required=False, default=False)


class ChildSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.code", read_only=True)
    commune_name = serializers.CharField(source="commune.name", read_only=True)
    moved_to = serializers.CharField(source="moved_to.code", read_only=True, default=None, allow_null=True)
    circumstances = serializers.SerializerMethodField()
    household = serializers.UUIDField(source="household_id", read_only=True, allow_null=True,
                                      help_text="the child's household (/api/v1/households/{id}/), or null")
    source = serializers.SerializerMethodField(help_text="how the record came in: manual, import, case intake, "
                                               "linkage, demo, synthetic")

    class Meta:
        model = Child
        fields = ["id", "full_name", "sex", "birth_date", "ethnicity", "personal_id", "birth_registered", "village",
                  "address", "school", "grade", "attends_school", "immunisation", "disability", "notes", "status",
                  "status_on", "status_reason", "commune", "commune_name", "moved_to", "moved_on", "source",
                  "has_quality_issues", "quality_flags", "circumstances", "household", "version", "created_at",
                  "updated_at"]

    def get_source(self, child) -> str:
        case_visible = False
        if child.source == ChildSource.CASE_INTAKE and (request := self.context.get("request")) is not None:
            case_visible = cases_of_child(request.user, child).exists()
        return selectors.source_shown(child, case_visible=case_visible)

    def get_circumstances(self, child) -> list[str]:
        """Letters of the special-circumstance groups in force for the child."""
        items = getattr(child, "open_circumstances", None)
        if items is None:
            items = [c for c in child.circumstances.all() if c.ended_on is None]
        return [c.group.code for c in items]


class ChildWriteSerializer(serializers.Serializer):
    """What a client sends; registry.services normalises it (name casing, dates in dd/mm/yyyy or ISO, ...)."""

    commune = serializers.CharField(required=False, help_text="commune code (current structure); create only")
    full_name = serializers.CharField(max_length=200)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = serializers.CharField(help_text="dd/mm/yyyy or yyyy-mm-dd")
    ethnicity = serializers.CharField(required=False, allow_blank=True)
    personal_id = serializers.CharField(required=False, allow_blank=True)
    birth_registered = serializers.ChoiceField(choices=YesNoUnknown.choices, required=False)
    village = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    school = serializers.CharField(required=False, allow_blank=True)
    grade = serializers.CharField(required=False, allow_blank=True)
    attends_school = serializers.ChoiceField(choices=YesNoUnknown.choices, required=False)
    immunisation = serializers.ChoiceField(choices=Immunisation.choices, required=False)
    disability = serializers.ChoiceField(choices=YesNoUnknown.choices, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, help_text="the version you read; required to update")
    join_household_of_carer = serializers.UUIDField(
        required=False, help_text="create only: the id of a carer of a child of the same commune (GET "
        "/api/v1/carers/?commune=...&q=name or phone). That carer record becomes the new child's primary carer and "
        "the child joins the carer's household (as an import groups siblings with the same carer's name and phone)")
    carer_relation = serializers.ChoiceField(choices=CarerRelation.choices, required=False,
                                             help_text="with join_household_of_carer: her relation to the child")


class MoveSerializer(serializers.Serializer):
    to_commune = serializers.CharField(help_text="code of the receiving commune (current structure)")
    moved_on = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    version = serializers.IntegerField(required=False)


class AcceptSerializer(serializers.Serializer):
    village = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)


# ---------------------------------------------------------------- views


def _commune(code: str | None) -> Unit:
    unit = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=code or "").first()
    if unit is None:
        raise serializers.ValidationError({"commune": ["unknown commune code"]})
    return unit


def _date(value):
    if not value:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise serializers.ValidationError({"date": [str(exc)]}) from None


CURSOR_PAGE_MAX = 500  # children per page when a client reads the whole scope (paging=cursor)

CHILD_FILTERS = [
    OpenApiParameter("q", str, description="name with or without diacritics, or the start of a personal ID"),
    OpenApiParameter("commune", str, description="commune code"),
    OpenApiParameter("village", str),
    OpenApiParameter("age_band", str, enum=list(AGE_BANDS)),
    OpenApiParameter("sex", str, enum=["M", "F"]),
    OpenApiParameter("group", str, description="special-circumstance group letter"),
    OpenApiParameter("status", str, enum=list(STATUS_FILTERS), description="default: active"),
    OpenApiParameter("quality", str, enum=list(QUALITY_FILTERS)),
    OpenApiParameter("paging", str, enum=["cursor"], description=(
        "`cursor` to read the whole filtered scope: pages in record order, each as fast as the first, linked by "
        "`next` (no `count`); an edit during the walk neither skips nor repeats a child. Not with `q`.")),
    OpenApiParameter("page_size", int,
                     description=f"with paging=cursor: children per page (default 50, at most {CURSOR_PAGE_MAX})"),
]


class ChildCursorPagination(CursorPagination):
    """For a client that reads a whole province: the position is the last record's id (unique and unchanging), so
    page 2,000 costs what page 1 does (numbered pages make the database count and skip every child before them)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = CURSOR_PAGE_MAX
    ordering = "id"


class ChildPagination(PageNumberPagination):
    """Numbered pages of 50 with `count` and `truncated` (true when a name search found more than it lists: type more
    of the name); with paging=cursor, ChildCursorPagination."""

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor = None
        if request.query_params.get("paging") == "cursor":
            if not isinstance(queryset, QuerySet):  # a name search: at most SEARCH_LIMIT, in name order
                raise serializers.ValidationError({"paging": [
                    "paging=cursor reads the whole filtered scope and does not combine with a name search (q)"]})
            self.cursor = ChildCursorPagination()
            return self.cursor.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.cursor is not None:
            return self.cursor.get_paginated_response(data)
        response = super().get_paginated_response(data)
        response.data["truncated"] = bool(getattr(self.page.paginator.object_list, "truncated", False))
        return response

    def get_paginated_response_schema(self, schema):
        # One schema for both modes: `count` and `truncated` come with numbered pages only, not with paging=cursor.
        schema = super().get_paginated_response_schema(schema)
        schema["required"] = ["results"]
        schema["properties"]["count"]["description"] = "numbered pages only (not with paging=cursor)"
        schema["properties"]["truncated"] = {
            "type": "boolean", "description": f"numbered pages only: a name search found more than "
                                              f"{selectors.SEARCH_LIMIT} children and lists the first found; type "
                                              "more of the name"}
        return schema

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), {
            "name": "cursor", "required": False, "in": "query", "schema": {"type": "string"},
            "description": "with paging=cursor: the position, as given in the `next` or `previous` link"}]


@extend_schema_view(
    list=extend_schema(parameters=CHILD_FILTERS, summary="Children in the caller's scope, filtered and paginated"),
    retrieve=extend_schema(summary="One child (the read is logged)"),
    create=extend_schema(request=ChildWriteSerializer, responses={201: ChildSerializer}),
    update=extend_schema(request=ChildWriteSerializer, responses={200: ChildSerializer, 409: OpenApiResponse(
        description="the record changed since the given version; nothing was saved")}),
    partial_update=extend_schema(request=ChildWriteSerializer, responses={200: ChildSerializer, 409: OpenApiResponse(
        description="the record changed since the given version; nothing was saved")}),
)
class ChildViewSet(CheckedLookupMixin, LoggedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Children of the caller's communes or provinces. Outside the scope: 404. Without the capability: 403."""

    list_action = "registry.child.list"
    serializer_class = ChildSerializer
    permission_classes = [IsAuthenticated, ChildCapability]
    pagination_class = ChildPagination

    def _child_data(self, child) -> dict:
        return ChildSerializer(child, context=self.get_serializer_context()).data

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            return selectors.child_list(user, ChildFilters.from_params(self.request.query_params))
        return (selectors.children_visible_to(user).select_related("commune", "moved_to")
                .prefetch_related("circumstances__group").order_by("name_folded", "id"))

    def retrieve(self, request, *args, **kwargs):
        child = self.get_object()
        record_view(request.user, child, unit=child.commune, request=request, what="api")
        return Response(self._child_data(child))

    def create(self, request, *args, **kwargs):
        data = ChildWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        commune = _commune(values.pop("commune", None))
        values.pop("version", None)
        carer_id, relation = values.pop("join_household_of_carer", None), values.pop("carer_relation", "unknown")
        carer = None
        if carer_id is not None:
            editable = selectors.children_visible_to(request.user, Capability.EDIT_CHILDREN).filter(commune=commune)
            carer = Carer.objects.filter(pk=carer_id, child_links__child__in=editable).distinct().first()
            if carer is None:
                raise serializers.ValidationError({"join_household_of_carer": ["no such carer in this commune"]})
        try:
            with transaction.atomic():
                child = services.child_create(actor=request.user, commune=commune, data=values, request=request)
                if carer is not None:
                    services.child_join_carer_household(actor=request.user, child=child, carer=carer,
                                                        relation=relation, request=request)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        child.refresh_from_db()
        return Response(self._child_data(child), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        child = self.get_object()
        data = ChildWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        values.pop("join_household_of_carer", None), values.pop("carer_relation", None)  # create only
        if version is None:
            raise serializers.ValidationError({"version": ["send the version you read"]})
        if values.pop("commune", None) not in (None, child.commune.code):
            raise serializers.ValidationError({"commune": ["a child changes commune through /move/"]})
        try:
            child = services.child_update(actor=request.user, child=child, data=values, version=version,
                                          request=request)
        except services.VersionConflict as exc:
            raise VersionConflictError({"version": [str(exc)]}) from None
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        child = self.get_queryset().get(pk=child.pk)
        return Response(self._child_data(child))

    @extend_schema(request=MoveSerializer, responses={200: ChildSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Record that the child moved to another commune; that commune sees her as incoming."""
        child = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            child = services.child_record_move(actor=request.user, child=child, to_commune=_commune(d["to_commune"]),
                                               moved_on=_date(d.get("moved_on")), note=d.get("note", ""),
                                               version=d.get("version"), request=request)
        except services.VersionConflict as exc:
            raise VersionConflictError({"version": [str(exc)]}) from None
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(self._child_data(self.get_queryset().get(pk=child.pk)))

    @extend_schema(request=AcceptSerializer, responses={200: ChildSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The receiving commune takes a moving child onto her register."""
        child = self.get_object()
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            child = services.child_accept_move(actor=request.user, child=child, request=request,
                                               **data.validated_data)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(self._child_data(self.get_queryset().get(pk=child.pk)))

    @extend_schema(responses={200: ChildSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def incoming(self, request):
        """Children moving into the caller's communes, waiting to be accepted."""
        waiting = selectors.incoming_children(request.user).prefetch_related("circumstances__group")
        page = self.paginate_queryset(waiting)
        response = self.get_paginated_response(
            ChildSerializer(page, many=True, context=self.get_serializer_context()).data)
        self.log_list(request, response.data, list="incoming")
        return response

    @extend_schema(methods=["GET"], responses={200: CircumstanceSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CircumstanceCreateSerializer, responses={201: CircumstanceSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def circumstances(self, request, pk=None):
        child = self.get_object()
        if request.method == "GET":
            items = CircumstanceSerializer(child.circumstances.select_related("group", "subgroup"), many=True).data
            record_list(request.user, "registry.childcircumstance.list", filters={"child": str(child.pk)},
                        shown=len(items), unit=child.commune, request=request)
            return Response(items)
        return _add_circumstance(request, child)

    @extend_schema(methods=["GET"], responses={200: CarerSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CarerCreateSerializer, responses={201: CarerSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def carers(self, request, pk=None):
        child = self.get_object()
        if request.method == "GET":
            carers = _with_visible_links(Carer.objects.filter(child_links__child=child), request.user)
            rows = CarerSerializer(carers.order_by("name_folded", "id"), many=True).data
            record_list(request.user, "registry.carer.list", filters={"child": str(child.pk)}, shown=len(rows),
                        unit=child.commune, request=request)
            return Response(rows)
        data = CarerCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            link = services.carer_link(actor=request.user, child=child, request=request, **data.validated_data)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        carer = _with_visible_links(Carer.objects.filter(pk=link.carer_id), request.user).get()
        return Response(CarerSerializer(carer).data, status=status.HTTP_201_CREATED)


def _add_circumstance(request, child):
    data = CircumstanceCreateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    d = data.validated_data
    try:
        item = services.circumstance_add(actor=request.user, child=child, group=d["group"],
                                         subgroup=d.get("subgroup") or None, started_on=d.get("started_on"),
                                         source=d.get("source", ""), supported=d.get("supported", False),
                                         request=request)
    except DjangoValidationError as exc:
        raise _drf(exc) from None
    return Response(CircumstanceSerializer(item).data, status=status.HTTP_201_CREATED)


def _with_visible_links(carers, user):
    """Carers with their links to the children the user may see, and only those (a carer may also care for a
    child of another commune)."""
    links = ChildCarer.objects.filter(child__in=selectors.children_visible_to(user)).order_by("child_id")
    return carers.prefetch_related(Prefetch("child_links", queryset=links))


CARER_FILTERS = [
    OpenApiParameter("q", str, description="the carer's name with or without diacritics, or (part of) a phone"),
    OpenApiParameter("commune", str, description="commune code: carers of a child of this commune"),
    OpenApiParameter("child", str, description="a child's id"),
]


@extend_schema_view(list=extend_schema(parameters=CARER_FILTERS))
class CarerViewSet(CheckedLookupMixin, LoggedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Carers of the children in the caller's scope; each lists only the children the caller may see."""

    list_action = "registry.carer.list"
    serializer_class = CarerSerializer
    permission_classes = [IsAuthenticated, ChildCapability]

    def get_queryset(self):
        params = self.request.query_params
        links = ChildCarer.objects.filter(child__in=selectors.children_visible_to(self.request.user))
        if child := query_uuid(self.request, "child"):
            links = links.filter(child_id=child)
        if commune := params.get("commune"):
            links = links.filter(child__commune__code=commune)
        carers = Carer.objects.filter(pk__in=links.values("carer_id"))
        if text := params.get("q", "").strip():
            carers = carers.filter(_carer_search(text))
        return _with_visible_links(carers, self.request.user).order_by("name_folded", "id")

    def read_unit(self, carer):
        link = next(iter(carer.child_links.all()), None)  # the children the reader may see (prefetched)
        return link.child.commune if link is not None else None


def _carer_search(text: str) -> Q:
    """Every word of the name (folded, so diacritics do not matter), or a phone number or part of one."""
    query = Q()
    for word in fold(text).split():
        query &= Q(name_folded__contains=word)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and not re.search(r"[^\d\s.+()-]", text):
        phone, problem = normalize_phone(text)
        query |= Q(phone__contains=digits if problem or not phone else phone)
    return query


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("child", str), OpenApiParameter("group", str),
                                   OpenApiParameter("open", bool, description="only those not ended")]),
    create=extend_schema(request=CircumstanceCreateSerializer, responses={201: CircumstanceSerializer}),
)
class CircumstanceViewSet(CheckedLookupMixin, LoggedReadMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Special circumstances (Law on Children art. 10) of the children in the caller's scope."""

    list_action = "registry.childcircumstance.list"
    serializer_class = CircumstanceSerializer
    permission_classes = [IsAuthenticated, ChildCapability]

    def get_queryset(self):
        qs = ChildCircumstance.objects.filter(child__in=selectors.children_visible_to(self.request.user))
        params = self.request.query_params
        if child := query_uuid(self.request, "child"):
            qs = qs.filter(child_id=child)
        if group := params.get("group"):
            qs = qs.filter(group__code=group)
        if params.get("open") in ("1", "true"):
            qs = qs.filter(ended_on__isnull=True)
        return qs.select_related("group", "subgroup", "child__commune").order_by("child_id", "group__order", "id")

    def read_unit(self, circumstance):
        return circumstance.child.commune

    def create(self, request, *args, **kwargs):
        child_id = request.data.get("child")
        if not child_id:
            raise serializers.ValidationError({"child": ["required"]})
        try:
            child = selectors.child_for(request.user, child_id)
        except (Child.DoesNotExist, DjangoValidationError, ValueError):
            from rest_framework.exceptions import NotFound

            raise NotFound from None
        return _add_circumstance(request, child)

    @extend_schema(request=EndSerializer, responses={200: CircumstanceSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        item = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = services.circumstance_end(actor=request.user, circumstance=item, request=request,
                                             ended_on=data.validated_data.get("ended_on"),
                                             reason=data.validated_data.get("reason", ""))
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(CircumstanceSerializer(item).data)


class CircumstanceGroupViewSet(CheckedLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data: the 14 groups of Law on Children art. 10.1 and their Decree 56/2017 sub-groups."""

    serializer_class = GroupSerializer
    lookup_field = "code"
    queryset = CircumstanceGroup.objects.prefetch_related("subgroups").order_by("order")


# ---------------------------------------------------------------- households


class HouseholdSerializer(serializers.ModelSerializer):
    commune = serializers.CharField(source="commune.code", read_only=True)
    commune_name = serializers.CharField(source="commune.name", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "commune", "commune_name", "village", "address", "head_name", "poverty_status", "version",
                  "created_at", "updated_at"]


class HouseholdChildSerializer(serializers.ModelSerializer):
    class Meta:
        model = Child
        fields = ["id", "full_name", "sex", "birth_date", "status"]


class HouseholdCarerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carer
        fields = ["id", "full_name", "phone"]


class HouseholdDetailSerializer(HouseholdSerializer):
    children = HouseholdChildSerializer(source="members", many=True, read_only=True,
                                        help_text="the household's children the caller may see")
    carers = HouseholdCarerSerializer(source="carer_list", many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "children", "carers"]


class HouseholdWriteSerializer(serializers.Serializer):
    """Create: from a child (`child`: prefilled from her and her primary carer, she joins it) or in a commune
    (`commune`). Update: any of the other fields, with the version you read."""

    child = serializers.UUIDField(required=False, help_text="create only: the child the household is started from")
    commune = serializers.CharField(required=False, help_text="create only, without a child: commune code")
    head_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    village = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    poverty_status = serializers.ChoiceField(choices=PovertyStatus.choices, required=False)
    version = serializers.IntegerField(required=False, help_text="the version you read; required to update")


class HouseholdMemberSerializer(serializers.Serializer):
    child = serializers.UUIDField()


class HouseholdCarerMemberSerializer(serializers.Serializer):
    carer = serializers.UUIDField()
    child = serializers.UUIDField(required=False, help_text="to add: the child (of the household) she cares for")


HOUSEHOLD_FILTERS = [
    OpenApiParameter("q", str, description="the head's name or the village, with or without diacritics"),
    OpenApiParameter("commune", str, description="commune code"),
    OpenApiParameter("village", str),
    OpenApiParameter("poverty_status", str, enum=list(PovertyStatus.values)),
]


def _not_found():
    from rest_framework.exceptions import NotFound

    return NotFound()


@extend_schema_view(
    list=extend_schema(parameters=HOUSEHOLD_FILTERS, summary="Households in the caller's scope"),
    retrieve=extend_schema(summary="One household with its children (those the caller may see) and carers",
                           responses={200: HouseholdDetailSerializer}),
    create=extend_schema(request=HouseholdWriteSerializer, responses={201: HouseholdDetailSerializer}),
    update=extend_schema(request=HouseholdWriteSerializer, responses={200: HouseholdDetailSerializer}),
    partial_update=extend_schema(request=HouseholdWriteSerializer, responses={200: HouseholdDetailSerializer}),
)
class HouseholdViewSet(CheckedLookupMixin, LoggedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                       mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Households of the caller's communes or provinces (scoped like the children). Outside the scope: 404. Without
    the capability: 403. Writes go through registry.services (scope check, audit event)."""

    list_action = "registry.household.list"
    serializer_class = HouseholdSerializer
    permission_classes = [IsAuthenticated, ChildCapability]

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            params = self.request.query_params
            status_filter = params.get("poverty_status", "")
            return selectors.household_list(
                user, commune=params.get("commune", "").strip()[:8], q=params.get("q", "").strip()[:100],
                village=params.get("village", "").strip()[:120],
                poverty_status=status_filter if status_filter in PovertyStatus.values else "")
        return selectors.households_visible_to(user).select_related("commune").order_by("id")

    def _detail(self, pk) -> Household:
        try:
            return selectors.household_detail(self.request.user, pk)
        except (Household.DoesNotExist, DjangoValidationError, ValueError):
            raise _not_found() from None

    def _child(self, child_id) -> Child:
        try:
            return selectors.child_for(self.request.user, child_id)
        except (Child.DoesNotExist, DjangoValidationError, ValueError):
            raise _not_found() from None

    def retrieve(self, request, *args, **kwargs):
        household = self._detail(self.get_object().pk)
        record_view(request.user, household, unit=household.commune, request=request, what="api")
        return Response(HouseholdDetailSerializer(household).data)

    def create(self, request, *args, **kwargs):
        data = HouseholdWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        child_id, code = values.pop("child", None), values.pop("commune", None)
        child = self._child(child_id) if child_id else None
        commune = None if child else _commune(code)
        try:
            household = services.household_create(actor=request.user, child=child, commune=commune, data=values,
                                                  request=request)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(HouseholdDetailSerializer(self._detail(household.pk)).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        household = self.get_object()
        data = HouseholdWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version", None)
        if version is None:
            raise serializers.ValidationError({"version": ["send the version you read"]})
        child_id, code = values.pop("child", None), values.pop("commune", None)
        if child_id or code not in (None, household.commune.code):
            raise serializers.ValidationError({"non_field_errors": [
                "a household keeps its commune; children join through /add-child/"]})
        try:
            services.household_update(actor=request.user, household=household, data=values, version=version,
                                      request=request)
        except services.VersionConflict as exc:
            raise VersionConflictError({"version": [str(exc)]}) from None
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(HouseholdDetailSerializer(self._detail(household.pk)).data)

    @extend_schema(request=HouseholdMemberSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="add-child")
    def add_child(self, request, pk=None):
        """A child of the household's commune joins it (and leaves her previous household)."""
        household = self.get_object()
        data = HouseholdMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = self._child(data.validated_data["child"])
        try:
            services.child_set_household(actor=request.user, child=child, household=household, request=request)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(HouseholdDetailSerializer(self._detail(household.pk)).data)

    @extend_schema(request=HouseholdMemberSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="remove-child")
    def remove_child(self, request, pk=None):
        """A child leaves the household."""
        household = self.get_object()
        data = HouseholdMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child = self._child(data.validated_data["child"])
        if child.household_id != household.pk:
            raise serializers.ValidationError({"child": ["this child is not in the household"]})
        try:
            services.child_leave_household(actor=request.user, child=child, request=request)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(HouseholdDetailSerializer(self._detail(household.pk)).data)

    @extend_schema(request=HouseholdCarerMemberSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="add-carer")
    def add_carer(self, request, pk=None):
        """A carer of one of the household's children joins the household."""
        household = self.get_object()
        data = HouseholdCarerMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        child_id = data.validated_data.get("child")
        if child_id is None:
            raise serializers.ValidationError({"child": ["required"]})
        child = self._child(child_id)
        if child.household_id != household.pk:
            raise serializers.ValidationError({"child": ["this child is not in the household"]})
        carer = Carer.objects.filter(pk=data.validated_data["carer"], child_links__child=child).first()
        if carer is None:
            raise _not_found()
        try:
            services.carer_set_household(actor=request.user, child=child, carer=carer, request=request)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(HouseholdDetailSerializer(self._detail(household.pk)).data)

    @extend_schema(request=HouseholdCarerMemberSerializer, responses={200: HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="remove-carer")
    def remove_carer(self, request, pk=None):
        """A carer no longer lives in the household."""
        household = self.get_object()
        data = HouseholdCarerMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        carer = Carer.objects.filter(pk=data.validated_data["carer"], household=household).first()
        if carer is None:
            raise _not_found()
        try:
            services.carer_leave_household(actor=request.user, household=household, carer=carer, request=request)
        except DjangoValidationError as exc:
            raise _drf(exc) from None
        return Response(HouseholdDetailSerializer(self._detail(household.pk)).data)


def register(router) -> None:
    router.register("children", ChildViewSet, basename="child")
    router.register("carers", CarerViewSet, basename="carer")
    router.register("households", HouseholdViewSet, basename="household")
    router.register("circumstances", CircumstanceViewSet, basename="circumstance")
    router.register("circumstance-groups", CircumstanceGroupViewSet, basename="circumstance-group")

