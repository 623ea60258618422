"""API of project intake: requests (people who only file see their own), their
workflow actions, options, conditions, comments, and the SLA settings.
Serializers validate shape; every write goes through governance.intake.services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import (
    ErrorSerializer,
    OrgScopedViewSet,
    SignOffSerializer,
    SignRequestSerializer,
    VersionedSerializerMixin,
)
from core.roles import Perm
from core.selectors import signoff_log

from .. import rules as intake_rules
from .. import selectors, services
from ..models import (
    BusinessCriticality,
    DataClassification,
    IntakeComment,
    IntakeCondition,
    IntakeOption,
    IntakeRequest,
    IntakeSettings,
    PersonalData,
)

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
FILE, REVIEW = Perm.INTAKE_FILE, Perm.INTAKE_REVIEW


class ClockSerializer(serializers.Serializer):
    elapsed_days = serializers.FloatField(
        help_text="Business days counted towards the SLA (pauses excluded)."
    )
    sla_days = serializers.IntegerField()
    sla_status = serializers.ChoiceField(choices=list(intake_rules.SLA_LABELS.items()))
    paused = serializers.BooleanField(help_text="Waiting for the requester's answer.")
    age_days = serializers.IntegerField(help_text="Calendar days since submission (or until the decision).")
    first_response_days = serializers.FloatField(allow_null=True)
    decision_days = serializers.FloatField(allow_null=True)


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeOption
        fields = [
            "id",
            "title",
            "cost",
            "timeline",
            "security_score",
            "pros",
            "cons",
            "recommended",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class ConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeCondition
        fields = ["id", "text", "due_date", "met", "created_at"]
        read_only_fields = ["id", "met", "created_at"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.email", read_only=True)

    class Meta:
        model = IntakeComment
        fields = ["id", "author", "kind", "body", "created_at"]
        read_only_fields = ["id", "author", "kind", "created_at"]


class RequestSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    requester = serializers.CharField(source="requester.email", read_only=True)
    data_classification = serializers.ChoiceField(choices=DataClassification.choices)
    personal_data = serializers.ChoiceField(choices=PersonalData.choices)
    business_criticality = serializers.ChoiceField(choices=BusinessCriticality.choices)
    internet_facing = serializers.BooleanField()
    third_party = serializers.BooleanField()
    changes_authentication = serializers.BooleanField()
    target_date = serializers.DateField(required=False, allow_null=True)
    estimated_cost = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    clock = serializers.SerializerMethodField()
    # Plain strings in the schema (the values are listed here) so their enum names
    # do not collide with other apps' "status" and "decision" fields.
    status = serializers.CharField(
        read_only=True,
        help_text="submitted, in_review, needs_info, approved, approved_with_conditions or rejected.",
    )
    proposed_decision = serializers.CharField(
        read_only=True, help_text="approved, approved_with_conditions, rejected, or empty before a proposal."
    )

    class Meta:
        model = IntakeRequest
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "business_value",
            "sponsor",
            "target_date",
            "estimated_cost",
            "requester",
            "data_classification",
            "personal_data",
            "internet_facing",
            "third_party",
            "changes_authentication",
            "business_criticality",
            "tier",
            "sla_days",
            "status",
            "proposed_decision",
            "decision_rationale",
            "submitted_at",
            "first_response_at",
            "decided_at",
            "clock",
            "version",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "reference",
            "requester",
            "tier",
            "sla_days",
            "status",
            "proposed_decision",
            "decision_rationale",
            "submitted_at",
            "first_response_at",
            "decided_at",
            "updated_at",
        ]

    def get_clock(self, obj) -> ClockSerializer:
        clock = selectors.request_clock(obj, self.context["intake_settings"])
        return ClockSerializer(clock).data


class RequestDetailSerializer(RequestSerializer):
    options = OptionSerializer(many=True, read_only=True)
    conditions = ConditionSerializer(many=True, read_only=True)
    signoffs = serializers.SerializerMethodField(
        help_text="Every sign-off on the decision, newest first, each with its state (in force, voided or withdrawn)."
    )

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "options", "conditions", "signoffs"]

    @extend_schema_field(SignOffSerializer(many=True))
    def get_signoffs(self, obj) -> list[dict]:
        return SignOffSerializer(signoff_log(obj, services.DECISION_PURPOSE), many=True).data


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=4000)


class ProposalSerializer(serializers.Serializer):
    decision = serializers.CharField(
        max_length=30, help_text="approved, approved_with_conditions or rejected."
    )
    rationale = serializers.CharField(max_length=10000)
    version = serializers.IntegerField(required=False, min_value=1)


class IntakeSettingsSerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = IntakeSettings
        fields = [
            "sla_low_days",
            "sla_medium_days",
            "sla_high_days",
            "at_risk_percent",
            "version",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


@extend_schema_view(
    list=extend_schema(summary="Requests you may see (reviewers: all; others: your own), with their clocks"),
    retrieve=extend_schema(
        summary="One request with options and conditions", responses={200: RequestDetailSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="File a request; the tier follows from the triage answers",
        responses={201: RequestDetailSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an open request (send the version you read)",
        responses={200: RequestDetailSerializer, **ERRORS},
    ),
)
class IntakeRequestViewSet(
    OrgScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Project intake requests. Filters: status, tier; search on title and reference; ordering."""

    queryset = IntakeRequest.objects.none()
    serializer_class = RequestSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    view_perm = FILE
    action_perms = {
        "list": FILE,
        "retrieve": FILE,
        "create": FILE,
        "partial_update": FILE,
        "comments": FILE,
        "add_comment": FILE,
        "start_review": REVIEW,
        "request_information": REVIEW,
        "add_option": REVIEW,
        "add_condition": REVIEW,
        "propose": REVIEW,
        "sign": Perm.SIGN,
        "withdraw": Perm.SIGN,
    }
    filterset_fields = ["status", "tier"]
    search_fields = ["title", "reference"]
    ordering_fields = ["submitted_at", "reference", "title", "tier", "status"]
    ordering = ["-submitted_at"]

    def get_queryset(self):
        return super().get_queryset().select_related("requester")

    def get_serializer_class(self):
        return RequestSerializer if self.action == "list" else RequestDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.organization is not None:
            context["intake_settings"] = services.intake_settings_get(organization=self.organization)
        return context

    def _fresh(self, pk, code=status.HTTP_200_OK):
        obj = self.get_queryset().prefetch_related("options", "conditions").get(pk=pk)
        return Response(RequestDetailSerializer(obj, context=self.get_serializer_context()).data, status=code)

    def _payload(self, serializer_class, partial=False):
        payload = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def create(self, request, *args, **kwargs):
        data = self._payload(RequestSerializer)
        data.pop("version", None)
        obj = services.intake_request_create(actor=request.user, organization=self.organization, **data)
        return self._fresh(obj.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self._payload(RequestSerializer, partial=True)
        version = data.pop("version", None)
        values = {name: getattr(obj, name) for name in services.REQUEST_FIELDS}
        values.update(data)
        services.intake_request_update(actor=request.user, request=obj, expected_version=version, **values)
        return self._fresh(obj.pk)

    @extend_schema(
        summary="The conversation: comments, information requests, answers, status changes",
        responses={200: CommentSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="comments")
    def comments(self, request, *args, **kwargs):
        obj = self.get_object()
        rows = obj.comments.select_related("author").order_by("created_at", "pk")
        return Response(CommentSerializer(rows, many=True).data)

    @extend_schema(
        summary="Comment, or answer an information request (the requester's reply restarts the clock)",
        request=CommentSerializer,
        responses={201: CommentSerializer, **ERRORS},
    )
    @comments.mapping.post
    def add_comment(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self._payload(CommentSerializer)
        comment = services.intake_comment_add(actor=request.user, request=obj, body=data["body"])
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a submitted request into review",
        request=None,
        responses={200: RequestDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, *args, **kwargs):
        services.intake_start_review(actor=request.user, request=self.get_object())
        return self._fresh(kwargs["pk"])

    @extend_schema(
        summary="Ask the requester for information (pauses the clock)",
        request=QuestionSerializer,
        responses={200: RequestDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-information")
    def request_information(self, request, *args, **kwargs):
        data = self._payload(QuestionSerializer)
        services.intake_request_information(actor=request.user, request=self.get_object(), **data)
        return self._fresh(kwargs["pk"])

    @extend_schema(
        summary="Attach an option (cost, timeline, security score, pros, cons)",
        request=OptionSerializer,
        responses={201: OptionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="options")
    def add_option(self, request, *args, **kwargs):
        data = self._payload(OptionSerializer)
        option = services.intake_option_add(actor=request.user, request=self.get_object(), **data)
        return Response(OptionSerializer(option).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Attach a condition (voids sign-offs on the earlier version)",
        request=ConditionSerializer,
        responses={201: ConditionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="conditions")
    def add_condition(self, request, *args, **kwargs):
        data = self._payload(ConditionSerializer)
        condition = services.intake_condition_add(actor=request.user, request=self.get_object(), **data)
        return Response(ConditionSerializer(condition).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Propose the decision the CIO and the CISO sign",
        request=ProposalSerializer,
        responses={200: RequestDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="propose")
    def propose(self, request, *args, **kwargs):
        data = self._payload(ProposalSerializer)
        services.intake_propose_decision(
            actor=request.user,
            request=self.get_object(),
            decision=data["decision"],
            rationale=data["rationale"],
            expected_version=data.get("version"),
        )
        return self._fresh(kwargs["pk"])

    @extend_schema(
        summary="Sign the proposed decision in my own capacity; both approvals decide it",
        request=SignRequestSerializer,
        responses={200: RequestDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="sign")
    def sign(self, request, *args, **kwargs):
        data = self._payload(SignRequestSerializer)
        services.intake_sign(actor=request.user, request=self.get_object(), **data)
        return self._fresh(kwargs["pk"])

    @extend_schema(
        summary="Withdraw my sign-off", request=None, responses={200: RequestDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="withdraw")
    def withdraw(self, request, *args, **kwargs):
        services.intake_withdraw_signoff(actor=request.user, request=self.get_object())
        return self._fresh(kwargs["pk"])


class IntakeSettingsViewSet(OrgScopedViewSet):
    """Decision SLAs per tier, in business days (CIO and CISO)."""

    queryset = IntakeSettings.objects.none()
    view_perm = REVIEW
    action_perms = {"current": REVIEW, "change": REVIEW}

    @extend_schema(summary="The organization's intake SLAs", responses={200: IntakeSettingsSerializer})
    @action(detail=False, methods=["get"], url_path="current")
    def current(self, request, *args, **kwargs):
        return Response(
            IntakeSettingsSerializer(services.intake_settings_get(organization=self.organization)).data
        )

    @extend_schema(
        summary="Change the SLAs (send the version you read)",
        request=IntakeSettingsSerializer,
        responses={200: IntakeSettingsSerializer, **ERRORS},
    )
    @current.mapping.patch
    def change(self, request, *args, **kwargs):
        payload = IntakeSettingsSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        obj = services.intake_settings_update(
            actor=request.user, organization=self.organization, expected_version=version, **data
        )
        return Response(IntakeSettingsSerializer(obj).data)
