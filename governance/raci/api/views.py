"""API of the ownership (RACI) matrix: parties, activities with their cells and
check, and the matrix itself (summary, template, joint approval).
Serializers validate shape; every write goes through governance.raci.services."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import (
    ErrorSerializer,
    OrgScopedModelViewSet,
    OrgScopedViewSet,
    SignOffSerializer,
    SignRequestSerializer,
    VersionedSerializerMixin,
)
from core.members import MemberField
from core.roles import Perm
from core.selectors import signoff_log

from .. import rules as raci_rules
from .. import selectors, services
from ..models import CSF_CATEGORIES, PartyKind, ProcessArea, RaciActivity, RaciAssignment, RaciParty

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
READ, EDIT = Perm.RACI_VIEW, Perm.RACI_EDIT


class PartySerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PartyKind.choices, default=PartyKind.OTHER)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    members = MemberField(many=True, required=False, help_text="User ids of members of the organization.")

    class Meta:
        model = RaciParty
        fields = ["id", "name", "kind", "description", "members", "position", "version", "updated_at"]
        read_only_fields = ["id", "position", "updated_at"]


class ActivitySerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    process_area = serializers.ChoiceField(choices=ProcessArea.choices)
    csf_category = serializers.ChoiceField(
        choices=CSF_CATEGORIES, help_text="NIST CSF 2.0 category, e.g. GV.RR."
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    assignments = serializers.SerializerMethodField(help_text="Party id → letter, for the filled cells.")
    problems = serializers.SerializerMethodField(
        help_text="Rule violations: gap, overlap, no_responsible, "
        "cio_ciso_both_accountable, cio_ciso_both_absent."
    )

    class Meta:
        model = RaciActivity
        fields = [
            "id",
            "name",
            "description",
            "process_area",
            "csf_category",
            "position",
            "assignments",
            "problems",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "position", "updated_at"]

    def get_assignments(self, obj) -> dict[str, str]:
        return {str(a.party_id): a.letter for a in obj.assignments.all()}

    def get_problems(self, obj) -> list[str]:
        kinds = self.context.get("party_kinds", {})
        return list(
            raci_rules.check_activity(
                (kinds.get(a.party_id, ""), a.letter) for a in obj.assignments.all()
            ).problems
        )


class CellSerializer(serializers.Serializer):
    party = serializers.IntegerField(help_text="The party (column) id.")
    letter = serializers.ChoiceField(
        choices=["R", "A", "C", "I", ""],
        allow_blank=True,
        help_text="R, A, C, I, or empty to clear the cell.",
    )


@extend_schema_view(
    list=extend_schema(summary="Parties (columns of the matrix)"),
    retrieve=extend_schema(summary="One party", responses={200: PartySerializer, **ERRORS}),
    create=extend_schema(summary="Add a party", responses={201: PartySerializer, **ERRORS}),
    partial_update=extend_schema(
        summary="Change a party (send the version you read)", responses={200: PartySerializer, **ERRORS}
    ),
    update=extend_schema(
        summary="Replace a party (send the version you read)", responses={200: PartySerializer, **ERRORS}
    ),
    destroy=extend_schema(
        summary="Delete a party and its column of letters", responses={204: None, **ERRORS}
    ),
)
class RaciPartyViewSet(OrgScopedModelViewSet):
    """Parties of the ownership matrix. Any change voids the matrix's joint approval."""

    queryset = RaciParty.objects.none()
    serializer_class = PartySerializer
    view_perm = READ
    action_perms = {
        "list": READ,
        "retrieve": READ,
        "create": EDIT,
        "update": EDIT,
        "partial_update": EDIT,
        "destroy": EDIT,
    }
    filterset_fields = ["kind"]
    search_fields = ["name", "description"]
    ordering_fields = ["position", "name"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("members").order_by("position", "name")

    def _data(self, partial=False):
        serializer = self.get_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request, *args, **kwargs):
        data = self._data()
        data.pop("version", None)
        party = services.raci_party_create(actor=request.user, organization=self.organization, **data)
        return Response(self.get_serializer(party).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        party = self.get_object()
        data = self._data(partial=kwargs.get("partial", False))
        values = {
            "name": party.name,
            "kind": party.kind,
            "description": party.description,
            "members": list(party.members.all()),
            **data,
        }
        version = values.pop("version", None)
        party = services.raci_party_update(
            actor=request.user, party=party, expected_version=version, **values
        )
        return Response(self.get_serializer(party).data)

    def destroy(self, request, *args, **kwargs):
        services.raci_party_delete(actor=request.user, party=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Activities (rows) with their letters and problems"),
    retrieve=extend_schema(summary="One activity", responses={200: ActivitySerializer, **ERRORS}),
    create=extend_schema(summary="Add an activity", responses={201: ActivitySerializer, **ERRORS}),
    partial_update=extend_schema(
        summary="Change an activity (send the version you read)",
        responses={200: ActivitySerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Replace an activity (send the version you read)",
        responses={200: ActivitySerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete an activity and its row of letters", responses={204: None, **ERRORS}
    ),
)
class RaciActivityViewSet(OrgScopedModelViewSet):
    """Activities of the ownership matrix. Filter by process_area and csf_category."""

    queryset = RaciActivity.objects.none()
    serializer_class = ActivitySerializer
    view_perm = READ
    action_perms = {
        "list": READ,
        "retrieve": READ,
        "create": EDIT,
        "update": EDIT,
        "partial_update": EDIT,
        "destroy": EDIT,
        "cell": EDIT,
    }
    filterset_fields = ["process_area", "csf_category"]
    search_fields = ["name", "description"]
    ordering_fields = ["position", "name", "process_area", "csf_category"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=RaciAssignment.objects.only("id", "activity_id", "party_id", "letter"),
                )
            )
            .order_by("position", "name")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.organization is not None:
            context["party_kinds"] = dict(
                RaciParty.objects.filter(organization=self.organization).values_list("pk", "kind")
            )
        return context

    def _data(self, partial=False):
        serializer = self.get_serializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _fresh(self, pk, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._data()
        data.pop("version", None)
        activity = services.raci_activity_create(actor=request.user, organization=self.organization, **data)
        return self._fresh(activity.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        activity = self.get_object()
        data = self._data(partial=kwargs.get("partial", False))
        values = {
            "name": activity.name,
            "description": activity.description,
            "process_area": activity.process_area,
            "csf_category": activity.csf_category,
            **data,
        }
        version = values.pop("version", None)
        services.raci_activity_update(
            actor=request.user, activity=activity, expected_version=version, **values
        )
        return self._fresh(activity.pk)

    def destroy(self, request, *args, **kwargs):
        services.raci_activity_delete(actor=request.user, activity=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Set one cell of the row (R, A, C, I or empty)",
        request=CellSerializer,
        responses={200: ActivitySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="cell")
    def cell(self, request, *args, **kwargs):
        activity = self.get_object()
        payload = CellSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        party = RaciParty.objects.filter(
            organization=self.organization, pk=payload.validated_data["party"]
        ).first()
        if party is None:
            raise serializers.ValidationError({"party": ["No such party in this organization."]})
        services.raci_cell_set(
            actor=request.user, activity=activity, party=party, letter=payload.validated_data["letter"]
        )
        return self._fresh(activity.pk)


MatrixSerializer = inline_serializer(
    "RaciMatrixSummary",
    fields={
        "activities": serializers.IntegerField(),
        "ok": serializers.IntegerField(),
        "gaps": serializers.IntegerField(),
        "overlaps": serializers.IntegerField(),
        "no_responsible": serializers.IntegerField(),
        "cio_ciso_conflicts": serializers.IntegerField(),
        "problems": serializers.IntegerField(),
        "coverage": serializers.FloatField(allow_null=True),
        "approved": serializers.BooleanField(),
        "matrix_version": serializers.IntegerField(allow_null=True),
        "signoffs": SignOffSerializer(many=True),
    },
)


class RaciMatrixViewSet(OrgScopedViewSet):
    """The matrix as a whole: its health, the template, and the joint approval."""

    queryset = RaciActivity.objects.none()
    view_perm = READ
    action_perms = {"summary": READ, "apply_template": EDIT, "sign": Perm.SIGN, "withdraw": Perm.SIGN}

    def _summary(self):
        data = selectors.raci_summary(self.organization)
        matrix = selectors.raci_matrix(organization=self.organization)
        logs = list(signoff_log(matrix, services.APPROVAL_PURPOSE)) if matrix else []
        data["signoffs"] = SignOffSerializer(logs, many=True).data
        return Response(data)

    @extend_schema(
        summary="Matrix health: gaps, overlaps, CIO/CISO flags, approval", responses={200: MatrixSerializer}
    )
    @action(detail=False, methods=["get"], url_path="summary")
    def summary(self, request, *args, **kwargs):
        return self._summary()

    @extend_schema(
        summary="Add the template library's standard parties and activities",
        request=None,
        responses={200: MatrixSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="apply-template")
    def apply_template(self, request, *args, **kwargs):
        services.raci_apply_template(actor=request.user, organization=self.organization)
        return self._summary()

    @extend_schema(
        summary="Approve or reject the matrix in my own capacity (CIO or CISO)",
        request=SignRequestSerializer,
        responses={200: MatrixSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="sign")
    def sign(self, request, *args, **kwargs):
        payload = SignRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.raci_sign(actor=request.user, organization=self.organization, **payload.validated_data)
        return self._summary()

    @extend_schema(
        summary="Withdraw my sign-off on the matrix",
        request=None,
        responses={200: MatrixSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="withdraw")
    def withdraw(self, request, *args, **kwargs):
        services.raci_withdraw(actor=request.user, organization=self.organization)
        return self._summary()
