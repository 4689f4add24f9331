"""REST API of the cases module under /api/v1/, with the same confidentiality as the pages.

* `case-intakes`: POST records a report (a hotline system calls it with `Authorization: Token ...` as its service
  user, see `treem hotline-token`); GET lists the reports the caller recorded (the report only, not the case file).
* `cases`: cases the caller may see; the file in full, or a summary; `cases/{id}/events/` the timeline (full only).
* `case-referrals`: referrals of the caller's cases, and to the caller's agency (the referred part only);
  `case-referrals/{id}/respond/` for the agency.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from treem.access import Capability, scope_for
from treem.audit.read_log import LoggedListMixin
from treem.core.guards import CheckedLookupMixin
from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import Child, Sex

from . import matching, selectors, services
from .access import full_q, mask_name, shows_names, shows_reporter
from .events import event_text
from .models import (
    Case,
    Channel,
    ConcernType,
    Confidentiality,
    Distribution,
    Referral,
    ReferralStatus,
    RequestType,
    Source,
)

CASE_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


def _django_errors(error: DjangoValidationError):
    return ApiValidationError({"detail": error.messages})


# -- intake --------------------------------------------------------------------------------------------------------


class IntakeChildSerializer(serializers.Serializer):
    """A child the report names: a child of the register (`registry_id`, e.g. one of the `candidates` a 409 answer
    proposed) or a description. A description that may be a child of the register is answered 409 with the
    candidates (nothing is recorded); send again with the chosen `registry_id`, or with `new_child: true`. The same
    personal ID as a child of the commune links her without asking."""

    registry_id = serializers.UUIDField(required=False, help_text="a child of the register: one the caller may see, "
                                        "or a candidate proposed for this commune")
    full_name = serializers.CharField(required=False, max_length=150)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False)
    age = serializers.IntegerField(required=False, min_value=0, max_value=17)
    personal_id = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                        help_text="used to find the child on the register; not stored otherwise")
    carer_name = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                       help_text="parent or carer: helps find the child on the register")
    carer_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    new_child = serializers.BooleanField(required=False, default=False,
                                         help_text="true: not one of the candidates proposed, a new provisional record")


class IntakeCandidateSerializer(serializers.Serializer):
    registry_id = serializers.UUIDField()
    name = serializers.CharField()
    birth_year = serializers.IntegerField()
    village = serializers.CharField()
    reason = serializers.CharField()
    birth_date = serializers.DateField(required=False, help_text="only to readers of the commune's register")
    sex = serializers.CharField(required=False, help_text="only to readers of the commune's register")
    carer = serializers.CharField(required=False, help_text="only to readers of the commune's register")


class IntakeMatchSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="the position of the child in `children`")
    candidates = IntakeCandidateSerializer(many=True)


class IntakeConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    children = IntakeMatchSerializer(many=True)


class IntakeSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField(required=False, help_text="default: now")
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.HOTLINE)
    request_type = serializers.ChoiceField(choices=RequestType.choices, default=RequestType.INTERVENTION)
    commune_code = serializers.CharField(max_length=8, help_text="current commune code where it happened")
    place_detail = serializers.CharField(required=False, allow_blank=True, max_length=250, default="")
    concern_types = serializers.ListField(child=serializers.ChoiceField(choices=ConcernType.choices),
                                         allow_empty=False)
    narrative = serializers.CharField()
    reporter_anonymous = serializers.BooleanField(default=False)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    reporter_relation = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    confidentiality = serializers.ChoiceField(choices=Confidentiality.choices, default=Confidentiality.CONFIDENTIAL)
    distribution = serializers.ChoiceField(choices=Distribution.choices, default=Distribution.PROVINCE)
    children = IntakeChildSerializer(many=True, required=False)
    children_description = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_commune_code(self, value):
        commune = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, code=value).first()
        if commune is None:
            raise serializers.ValidationError("unknown commune code")
        return commune


class IntakeOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    channel = serializers.CharField()
    commune_code = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    concern_types = serializers.SerializerMethodField()
    narrative = serializers.CharField()

    def get_concern_types(self, case) -> list[str]:
        return sorted(c.kind for c in case.concerns.all())


@extend_schema_view(retrieve=extend_schema(parameters=[CASE_ID]))
class IntakeViewSet(CheckedLookupMixin, LoggedListMixin, mixins.CreateModelMixin, mixins.ListModelMixin,
                    mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Reports the caller recorded (not the case file). POST records a report and forwards it to the commune."""

    lookup_field = "pk"
    list_action = "cases.intake.list"  # each page read is logged (the narratives may name children)
    read_capability = Capability.RECEIVE_REPORTS

    def get_queryset(self):
        return selectors.intakes_recorded_by(self.request.user).prefetch_related("concerns")

    def get_serializer_class(self):
        return IntakeSerializer if self.action == "create" else IntakeOutSerializer

    @extend_schema(request=IntakeSerializer, responses={201: IntakeOutSerializer, 409: IntakeConflictSerializer})
    def create(self, request, *args, **kwargs):
        scope = scope_for(request.user)
        if not scope.has(Capability.RECEIVE_REPORTS):
            raise PermissionDenied
        data = IntakeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        commune = values.pop("commune_code")
        on = timezone.localtime(values.get("received_at") or timezone.now()).date()
        children, conflicts = [], []
        for index, entry in enumerate(values.pop("children", [])):
            if entry.get("registry_id"):
                child = Child.objects.filter(pk=entry["registry_id"]).first()
                if child is None or not services.may_link(request.user, commune, child):
                    raise ApiValidationError({"children": ["unknown child"]})
                children.append({"child": child})
                continue
            if not entry.pop("new_child", False):
                found = matching.find(request.user, commune, entry, on=on)
                if found.auto is None and found.proposals:
                    conflicts.append({"index": index, "candidates": matching.as_json(found.proposals, found.level)})
            children.append(entry)
        if conflicts:
            matching.log_shown(request.user, commune, sum(len(c["candidates"]) for c in conflicts),
                               what="intake_match", request=request)
            return Response({"detail": "The register may already know these children: send again with the chosen "
                                       "registry_id, or with new_child: true. Nothing was recorded.",
                             "children": conflicts}, status=status.HTTP_409_CONFLICT)
        try:
            case = services.intake_record(actor=request.user, commune=commune, children=children,
                                          source=Source.API, request=request, **values)
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return Response(IntakeOutSerializer(case).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        case = selectors.intake_for(request.user, kwargs["pk"], request=request)
        return Response(IntakeOutSerializer(case).data)


# -- cases ---------------------------------------------------------------------------------------------------------


class DeadlineSerializer(serializers.Serializer):
    rule = serializers.CharField(source="rule.code")
    label = serializers.CharField(source="rule.label")
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)


class CaseSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    commune_code = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    stage = serializers.CharField()
    access = serializers.SerializerMethodField()

    def get_access(self, case) -> str:
        return self.context.get("access", "summary")


class CaseListSerializer(CaseSummarySerializer):
    children = serializers.SerializerMethodField()

    def get_children(self, case) -> list[str]:
        assigned = getattr(case, "viewer_assigned", False)
        return [link.child.full_name if assigned else mask_name(link.child.full_name)
                for link in case.case_children.all()]

    def get_access(self, case) -> str:
        return "listed"


class CaseFullSerializer(CaseSummarySerializer):
    channel = serializers.CharField()
    request_type = serializers.CharField()
    narrative = serializers.CharField()
    place_detail = serializers.CharField()
    confidentiality = serializers.CharField()
    distribution = serializers.CharField()
    concern_types = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    reporter = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_concern_types(self, case) -> list[str]:
        return sorted(c.kind for c in case.concerns.all())

    def get_children(self, case) -> list[dict]:
        names = self.context.get("names", False)
        # the register record's id would lead to the name through /api/v1/children/: only with the name
        return [{"registry_id": str(link.child_id) if names else None, "name": link.child.full_name if names else
                 mask_name(link.child.full_name), "sex": link.child.sex, "birth_date": link.child.birth_date,
                 "provisional": link.child.provisional}
                for link in case.case_children.select_related("child")]

    def get_reporter(self, case) -> dict | None:
        if case.reporter_anonymous:
            return {"anonymous": True}
        if not self.context.get("reporter"):
            return None
        return {"anonymous": False, "name": case.reporter_name, "phone": case.reporter_phone,
                "relation": case.reporter_relation}

    def get_deadlines(self, case) -> list[dict]:
        return DeadlineSerializer(case.deadlines.select_related("rule"), many=True).data


class CaseSummaryWithDeadlines(CaseSummarySerializer):
    deadlines = serializers.SerializerMethodField()

    def get_deadlines(self, case) -> list[dict]:
        return DeadlineSerializer(case.deadlines.select_related("rule"), many=True).data


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor_label")
    params = serializers.JSONField()
    text = serializers.SerializerMethodField()

    def get_text(self, event) -> str:
        return event_text(event)


@extend_schema_view(retrieve=extend_schema(parameters=[CASE_ID]), events=extend_schema(parameters=[CASE_ID]))
class CaseViewSet(CheckedLookupMixin, LoggedListMixin, viewsets.ReadOnlyModelViewSet):
    """Cases the caller may see (404 for any other). The file in full only for the case team; otherwise a summary."""

    serializer_class = CaseListSerializer
    list_action = "cases.case.list"  # each page read is logged
    read_capability = Capability.VIEW_CASES

    def get_queryset(self):
        qs = selectors.cases_visible_to(self.request.user).prefetch_related("case_children__child")
        if stage := self.request.query_params.get("stage"):
            qs = selectors.filter_cases(qs, stage=stage)
        return qs.order_by("-received_at")

    @extend_schema(responses={200: CaseFullSerializer})
    def retrieve(self, request, *args, **kwargs):
        case, access = selectors.case_for(request.user, kwargs["pk"], request=request, what="api")
        if not access.full:
            return Response(CaseSummaryWithDeadlines(case, context={"access": access.level}).data)
        context = {"access": access.level, "names": shows_names(access, case, in_list=False),
                   "reporter": shows_reporter(access, case, request.user)}
        return Response(CaseFullSerializer(case, context=context).data)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)
    def events(self, request, pk=None):
        case, access = selectors.case_for(request.user, pk, request=request, what="api events")
        if not access.full:
            raise PermissionDenied
        return Response(EventSerializer(case.events.all(), many=True).data)


# -- referrals ------------------------------------------------------------------------------------------------------


class ReferralSerializer(serializers.Serializer):
    """The referred part: what an agency sees."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    status = serializers.CharField()
    commune_name = serializers.CharField(source="case.commune.name")
    created_at = serializers.DateTimeField()
    shared_information = serializers.CharField()
    service = serializers.SerializerMethodField()
    children = serializers.SerializerMethodField()
    response_note = serializers.CharField()

    def get_service(self, referral) -> dict | None:
        item = referral.item
        if item is None:
            return None
        return {"kind": item.kind, "description": item.description, "starts_on": item.starts_on,
                "ends_on": item.ends_on}

    def get_children(self, referral) -> list[str]:
        return selectors.referral_children(self.context["request"].user, referral,
                                           in_list=self.context.get("in_list", True))


class ReferralFullSerializer(ReferralSerializer):
    case_id = serializers.UUIDField()
    case_reference = serializers.CharField(source="case.reference")
    consent_by = serializers.CharField()
    consent_on = serializers.DateField(allow_null=True)
    override_reason = serializers.CharField()


class ReferralAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[ReferralStatus.ACCEPTED, ReferralStatus.DECLINED,
                                              ReferralStatus.COMPLETED])
    note = serializers.CharField(required=False, allow_blank=True, default="")


REFERRAL_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema_view(retrieve=extend_schema(parameters=[REFERRAL_ID]), respond=extend_schema(parameters=[REFERRAL_ID]))
class ReferralViewSet(CheckedLookupMixin, LoggedListMixin, viewsets.ReadOnlyModelViewSet):
    """Referrals of the caller's cases, and referrals to the caller's agency (the referred part only)."""

    serializer_class = ReferralSerializer
    list_action = "cases.referral.list"  # each page read is logged (it names the children)
    read_capability = Capability.VIEW_CASES

    def get_queryset(self):
        user = self.request.user
        mine = selectors.referrals_to_my_agency(user).values("pk")
        team = Referral.objects.filter(case__in=Case.objects.filter(full_q(user)).values("pk")).values("pk")
        return (Referral.objects.filter(Q(pk__in=mine) | Q(pk__in=team))
                .select_related("agency", "item", "case__commune").order_by("-created_at"))

    def retrieve(self, request, *args, **kwargs):
        referral, part = selectors.referral_for(request.user, int(kwargs["pk"]), request=request)
        serializer = ReferralFullSerializer if part == "full" else ReferralSerializer
        return Response(serializer(referral, context={"request": request, "in_list": False}).data)

    @extend_schema(request=ReferralAnswerSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        referral, _part = selectors.referral_for(request.user, int(pk), request=None)
        if not services.may_answer_referral(request.user, referral):
            raise PermissionDenied
        data = ReferralAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            referral = services.referral_respond(actor=request.user, referral=referral, request=request,
                                                 **data.validated_data)
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        return Response(ReferralSerializer(referral, context={"request": request, "in_list": False}).data)


def register(router) -> None:
    router.register("case-intakes", IntakeViewSet, basename="case-intake")
    router.register("cases", CaseViewSet, basename="case")
    router.register("case-referrals", ReferralViewSet, basename="case-referral")
