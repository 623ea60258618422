"""Risk register API: /api/v1/orgs/<org_slug>/risks/ and friends. Same rules
as the pages: reads need risk.view, writes risk.edit, and the services decide
the rest (own lens only, joint acceptance, stale versions → 409)."""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from core.api.base import (
    OrgScopedModelViewSet,
    OrgScopedViewSet,
    SignOffSerializer,
)
from core.api.errors import ERROR_RESPONSES
from core.api.signoff import SignOffViewSetMixin
from core.money import money_text
from core.roles import Perm
from core.selectors import signoff_log
from risks import heatmap, selectors, services
from risks.filters import MitigationFilterSet, RiskFilterSet
from risks.models import AnnexAControl, Assessment, CsfCategory, Mitigation, Risk
from risks.pagination import RegisterApiPagination

from . import serializers as s

READ, EDIT = Perm.RISK_VIEW, Perm.RISK_EDIT

RISK_EXAMPLE = OpenApiExample(
    "A new risk",
    request_only=True,
    value={
        "title": "Legacy ERP reaches end of vendor support",
        "impact_statement": "No security patches after December; finance runs on an unsupported platform.",
        "category": "technology_obsolescence",
        "origin": "it",
        "owner": 3,
        "treatment": "mitigate",
        "due_date": "2027-03-31",
        "csf_categories": ["ID.AM", "PR.PS"],
        "annex_a_controls": ["A.8.8"],
        "loss_low": "150000",
        "loss_most_likely": "400000",
        "loss_high": "1200000",
        "events_per_year": "0.3",
    },
)
UPDATE_EXAMPLE = OpenApiExample(
    "Change the owner and due date",
    request_only=True,
    value={"owner": 4, "due_date": "2027-06-30", "version": 3},
)
ASSESS_EXAMPLE = OpenApiExample(
    "The CISO's view",
    request_only=True,
    value={
        "inherent_likelihood": 4,
        "inherent_impact": 5,
        "residual_likelihood": 2,
        "residual_impact": 3,
        "rationale": "Two peer hospitals were hit this year; phishing remains the likely entry.",
        "version": 5,
    },
)
CONFLICT_EXAMPLE = OpenApiExample(
    "Stale version",
    response_only=True,
    status_codes=["409"],
    value={
        "detail": "Someone else changed this record since you opened it. Reload to see their changes, then apply "
        "yours again.",
        "code": "conflict",
        "errors": {"non_field_errors": ["Someone else changed …"]},
    },
)
ACCEPT_EXAMPLE = OpenApiExample(
    "Request a joint acceptance",
    request_only=True,
    value={
        "justification": "Segmentation project is funded and starts in March; we accept the exposure until then.",
        "expires_on": "2027-06-30",
        "version": 7,
    },
)


class RiskFilterBackend(DjangoFilterBackend):
    """django-filter with the organization passed to the register's filter set."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["organization"] = view.organization
        return kwargs


def _risk_queryset(user, organization, *, with_assessments=True):
    queryset = (
        selectors.risk_base(user, organization)
        .select_related("owner")
        .prefetch_related("csf_categories", "annex_a_controls")
    )
    if with_assessments:
        queryset = queryset.prefetch_related(
            Prefetch("assessments", queryset=Assessment.objects.select_related("assessed_by", "confirmed_by"))
        )
    return queryset


@extend_schema_view(
    list=extend_schema(
        summary="The register, filtered and sorted", responses={200: s.RiskSerializer(many=True)}
    ),
    retrieve=extend_schema(
        summary="One risk with its assessments", responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES}
    ),
    create=extend_schema(
        summary="Add a risk",
        request=s.RiskWriteSerializer,
        examples=[RISK_EXAMPLE],
        responses={201: s.RiskDetailSerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(
        summary="Replace a risk's fields",
        request=s.RiskWriteSerializer,
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a risk",
        request=s.RiskWriteSerializer,
        examples=[UPDATE_EXAMPLE, CONFLICT_EXAMPLE],
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    ),
    destroy=extend_schema(
        summary="Delete a risk (its reference is never reused)", responses={204: None, **ERROR_RESPONSES}
    ),
)
class RiskViewSet(SignOffViewSetMixin, OrgScopedModelViewSet):
    """Risks of the organization. Filters: q/search, level, status (or 'open'), origin, owner, csf (function
    code), divergent (yes/no), appetite (above/within), matrix + cell (heat-map cell '4-5'); sort/ordering."""

    queryset = Risk.objects.none()
    serializer_class = s.RiskSerializer
    signoff_purpose = services.ACCEPTANCE  # sign/ and withdraw/ of the joint acceptance
    signoff_response = s.RiskDetailSerializer
    signoff_label = "the pending acceptance"
    pagination_class = RegisterApiPagination
    filter_backends = [RiskFilterBackend]
    filterset_class = RiskFilterSet
    view_perm = READ
    action_perms = {
        "list": READ,
        "retrieve": READ,
        "heatmap": READ,
        "summary": READ,
        "signoffs": READ,
        "create": EDIT,
        "update": EDIT,
        "partial_update": EDIT,
        "destroy": EDIT,
        "assess": EDIT,
        "agreement": EDIT,
        "agreement_confirm": EDIT,
        "agreement_decline": EDIT,
        "acceptance": EDIT,
        "acceptance_end": EDIT,
    }
    token_scopes = {
        "acceptance_end": "sign",
        "agreement": "sign",
        "agreement_confirm": "sign",
    }  # an agreed assessment is a joint decision

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Risk.objects.none()
        return _risk_queryset(self.request.user, self.organization, with_assessments=self.action != "list")

    def get_serializer_class(self):
        return s.RiskDetailSerializer if self.action != "list" else s.RiskSerializer

    def _fresh(self, pk, code=status.HTTP_200_OK):
        risk = _risk_queryset(self.request.user, self.organization).get(pk=pk)
        return Response(s.RiskDetailSerializer(risk, context=self.get_serializer_context()).data, status=code)

    def signoff_answer(self, risk, result):
        return self._fresh(risk.pk)

    def _payload(self, serializer_class, partial=False):
        payload = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def create(self, request, *args, **kwargs):
        data = self._payload(s.RiskWriteSerializer)
        data.pop("version", None)
        risk = services.risk_create(actor=request.user, organization=self.organization, **data)
        return self._fresh(risk.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        risk = self.get_object()
        data = self._payload(s.RiskWriteSerializer, partial=kwargs.get("partial", False))
        version = data.pop("version", None)
        services.risk_update(actor=request.user, risk=risk, expected_version=version, **data)
        return self._fresh(risk.pk)

    def destroy(self, request, *args, **kwargs):
        services.risk_delete(
            actor=request.user,
            risk=self.get_object(),
            expected_version=request.query_params.get("version") or None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Record my lens (CIO or CISO)",
        request=s.AssessmentWriteSerializer,
        examples=[ASSESS_EXAMPLE, CONFLICT_EXAMPLE],
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="assessment")
    def assess(self, request, *args, **kwargs):
        risk = self.get_object()
        data = self._payload(s.AssessmentWriteSerializer)
        services.assessment_record(
            actor=request.user,
            risk=risk,
            expected_version=data.pop("version", None),
            lens=data.pop("lens", None),
            rationale=data.pop("rationale"),
            **data,
        )
        return self._fresh(risk.pk)

    @extend_schema(
        summary="Propose the agreed assessment (the other lens confirms)",
        request=s.RatingsSerializer,
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="agreement")
    def agreement(self, request, *args, **kwargs):
        risk = self.get_object()
        data = self._payload(s.RatingsSerializer)
        services.agreement_propose(actor=request.user, risk=risk, rationale=data.pop("rationale"), **data)
        return self._fresh(risk.pk)

    @extend_schema(
        summary="Confirm the other lens's proposal",
        request=None,
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="agreement/confirm")
    def agreement_confirm(self, request, *args, **kwargs):
        risk = self.get_object()
        services.agreement_confirm(actor=request.user, risk=risk)
        return self._fresh(risk.pk)

    @extend_schema(
        summary="Decline (with a reason) or withdraw a proposal",
        request=s.DeclineSerializer,
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="agreement/decline")
    def agreement_decline(self, request, *args, **kwargs):
        risk = self.get_object()
        services.agreement_decline(
            actor=request.user, risk=risk, reason=self._payload(s.DeclineSerializer)["reason"]
        )
        return self._fresh(risk.pk)

    @extend_schema(
        summary="Request a joint acceptance (risk above appetite)",
        request=s.AcceptanceRequestSerializer,
        examples=[ACCEPT_EXAMPLE],
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="acceptance")
    def acceptance(self, request, *args, **kwargs):
        risk = self.get_object()
        data = self._payload(s.AcceptanceRequestSerializer)
        services.acceptance_request(
            actor=request.user,
            risk=risk,
            justification=data["justification"],
            expires_on=data["expires_on"],
            expected_version=data.get("version"),
        )
        return self._fresh(risk.pk)

    @extend_schema(
        summary="Withdraw the request or end an acceptance early",
        request=s.VersionSerializer,
        responses={200: s.RiskDetailSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="acceptance/end")
    def acceptance_end(self, request, *args, **kwargs):
        risk = self.get_object()
        services.acceptance_cancel(
            actor=request.user, risk=risk, expected_version=self._payload(s.VersionSerializer).get("version")
        )
        return self._fresh(risk.pk)

    @extend_schema(
        summary="Every acceptance sign-off on the risk, voided ones included",
        responses={200: SignOffSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def signoffs(self, request, *args, **kwargs):
        rows = signoff_log(self.get_object(), services.ACCEPTANCE)
        return Response(SignOffSerializer(rows, many=True).data)

    @extend_schema(
        summary="5×5 heat map counts (closed risks excluded)",
        parameters=[
            OpenApiParameter(
                "matrix",
                OpenApiTypes.STR,
                enum=["inherent", "residual"],
                description="Inherent (default) or target residual.",
            )
        ],
        responses={200: s.HeatmapSerializer},
        examples=[
            OpenApiExample(
                "Heat map",
                response_only=True,
                value={
                    "matrix": "inherent",
                    "total": 3,
                    "cells": [
                        {"likelihood": 4, "impact": 5, "score": 20, "level": "critical", "count": 2},
                        {"likelihood": 2, "impact": 2, "score": 4, "level": "low", "count": 1},
                    ],
                },
            )
        ],
    )
    @action(detail=False, methods=["get"])
    def heatmap(self, request, *args, **kwargs):
        residual = request.query_params.get("matrix") == "residual"
        drawn = selectors.heatmap_picture(request.user, self.organization, residual=residual)
        cells = [
            {key: c[key] for key in ("likelihood", "impact", "score", "level", "count")}
            for row in heatmap.rows(drawn, self.organization.level_thresholds)
            for c in row["cells"]
        ]
        return Response(
            {"matrix": "residual" if residual else "inherent", "total": heatmap.total(drawn), "cells": cells}
        )

    @extend_schema(
        summary="Headline counts: by level, above appetite, divergent, accepted",
        description="``open``: identified, assessed, treatment planned or in treatment (accepted risks "
        "are not open; see ``accepted``). ``by_level`` counts open risks; ``open_above_appetite`` and "
        "``divergent`` are open risks too (docs/DEFINITIONS.md). ``expected_annual_loss`` (open risks) "
        "is money as text with two decimals.",
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, *args, **kwargs):
        data = dict(selectors.register_summary(self.organization))
        data["divergent_share"] = float(round(data["divergent_share"], 4))
        data["expected_annual_loss"] = money_text(data["expected_annual_loss"])
        return Response(data)


@extend_schema_view(
    list=extend_schema(summary="Assessments (filter with ?risk=<id>, ?lens=)"),
    retrieve=extend_schema(summary="One assessment"),
)
class AssessmentViewSet(OrgScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Every lens on every risk, read-only (write through /risks/<id>/assessment/)."""

    queryset = Assessment.objects.none()
    serializer_class = s.AssessmentSerializer
    filterset_fields = ["risk", "lens"]
    ordering_fields = ["assessed_at", "risk"]
    search_fields = ["rationale"]
    view_perm = READ
    action_perms = {"list": READ, "retrieve": READ}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        return (
            Assessment.objects.visible_to(self.request.user)
            .filter(organization=self.organization)
            .select_related("assessed_by", "confirmed_by")
            .order_by("risk_id", "lens")
        )


@extend_schema_view(
    list=extend_schema(summary="Mitigations (filter with ?risk=<id>, ?status=)"),
    create=extend_schema(
        summary="Add a mitigation",
        examples=[
            OpenApiExample(
                "EDR rollout",
                request_only=True,
                value={
                    "risk": 1,
                    "title": "EDR on every clinical workstation",
                    "owner": 4,
                    "status": "planned",
                    "due_date": "2027-02-28",
                    "cost": "120000",
                },
            )
        ],
        responses={201: s.MitigationSerializer, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change a mitigation (send version)",
        examples=[CONFLICT_EXAMPLE],
        responses={200: s.MitigationSerializer, **ERROR_RESPONSES},
    ),
)
class MitigationViewSet(OrgScopedModelViewSet):
    queryset = Mitigation.objects.none()
    serializer_class = s.MitigationSerializer
    filterset_class = MitigationFilterSet
    ordering_fields = ["due_date", "cost", "status"]
    search_fields = ["title", "description"]
    view_perm = READ
    action_perms = {
        "list": READ,
        "retrieve": READ,
        "create": EDIT,
        "update": EDIT,
        "partial_update": EDIT,
        "destroy": EDIT,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Mitigation.objects.none()
        return (
            Mitigation.objects.visible_to(self.request.user)
            .filter(organization=self.organization)
            .select_related("owner")
            .order_by("due_date", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.mitigation_create(
            actor=self.request.user, risk=data.pop("risk"), **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        data.pop("risk", None)
        serializer.instance = services.mitigation_update(
            actor=self.request.user, mitigation=serializer.instance, expected_version=version, **data
        )

    def perform_destroy(self, instance):
        services.mitigation_delete(
            actor=self.request.user,
            mitigation=instance,
            expected_version=self.request.query_params.get("version") or None,
        )


class _CatalogueViewSet(OrgScopedViewSet, mixins.ListModelMixin):
    """Reference data, the same for every organization; readable by those who see the register."""

    filter_backends = [SearchFilter]
    pagination_class = None
    view_perm = READ
    action_perms = {"list": READ}


@extend_schema_view(list=extend_schema(summary="NIST CSF 2.0 categories (?search=)"))
class CsfCategoryViewSet(_CatalogueViewSet):
    queryset = CsfCategory.objects.none()
    serializer_class = s.CsfCategorySerializer
    search_fields = ["code", "name", "function__name"]

    def get_queryset(self):
        return CsfCategory.objects.select_related("function")


@extend_schema_view(list=extend_schema(summary="ISO/IEC 27001:2022 Annex A controls (?search=)"))
class AnnexAControlViewSet(_CatalogueViewSet):
    queryset = AnnexAControl.objects.none()
    serializer_class = s.AnnexAControlSerializer
    search_fields = ["code", "title", "theme"]

    def get_queryset(self):
        return AnnexAControl.objects.all()
