"""CSF profile API: /api/v1/orgs/<org_slug>/profile/ (the profile, its tiers and
the target's joint sign-off) and /profile/outcomes/ (one per subcategory: list
with filters, update of the target, one's own assessment, linked risks)."""

from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response

from core.api.base import OrgScopedViewSet
from core.api.errors import ERROR_RESPONSES
from core.api.signoff import SignOffViewSetMixin
from core.errors import DomainError
from core.permissions import has_perm
from core.roles import Perm
from core.selectors import signoff_log, signoff_status

from ...evidence.levels import with_counted_level
from ...models import Risk
from .. import selectors, services
from ..models import CsfProfile, OwnerLens, ProfileOutcome
from . import serializers as s

READ, EDIT = Perm.PROFILE_VIEW, Perm.PROFILE_EDIT


class OutcomeFilterSet(django_filters.FilterSet):
    function = django_filters.CharFilter(
        field_name="subcategory__category__function__code", label="Function code (GV…)"
    )
    category = django_filters.CharFilter(
        field_name="subcategory__category__code", label="Category code (GV.OC…)"
    )
    owner_lens = django_filters.ChoiceFilter(choices=OwnerLens.choices)
    in_scope = django_filters.BooleanFilter()
    gap = django_filters.BooleanFilter(
        method="filter_gap", label="Only gaps (true) or only outcomes met (false)"
    )

    class Meta:
        model = ProfileOutcome
        fields = ["function", "category", "owner_lens", "in_scope", "gap"]

    def filter_gap(self, queryset, name, value):
        return queryset.filter(selectors.gaps_q()) if value else queryset.exclude(selectors.gaps_q())


@extend_schema_view(
    list=extend_schema(summary="The organization's profile (one; created on first read)"),
    retrieve=extend_schema(summary="The profile: tiers, progress and the target's sign-offs"),
)
class ProfileViewSet(SignOffViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = CsfProfile.objects.none()
    serializer_class = s.ProfileSerializer
    view_perm = READ
    action_perms = {"list": READ, "retrieve": READ, "tiers": EDIT}
    signoff_purpose = services.TARGET_PURPOSE
    signoff_response = s.ProfileSerializer
    signoff_label = "the target profile"
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CsfProfile.objects.none()
        services.profile_get_or_create(organization=self.organization)
        return super().get_queryset().select_related("catalogue")

    def _answer(self, profile, code=status.HTTP_200_OK):
        profile = CsfProfile.objects.select_related("catalogue").get(pk=profile.pk)
        context = {
            **self.get_serializer_context(),
            "progress": selectors.profile_progress(self.organization),
            "signed": signoff_status(profile, services.TARGET_PURPOSE).approved,
            "signoffs": list(signoff_log(profile, services.TARGET_PURPOSE)[:20]),
        }
        return Response(s.ProfileSerializer(profile, context=context).data, status=code)

    def list(self, request, *args, **kwargs):
        return Response([self._answer(p).data for p in self.get_queryset()])

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    def signoff_answer(self, profile, result):
        return self._answer(profile)

    @extend_schema(
        summary="Set the current and/or target CSF tier per function",
        request=s.TiersSerializer,
        responses={200: s.ProfileSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def tiers(self, request, *args, **kwargs):
        payload = s.TiersSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        profile = services.profile_set_tiers(
            actor=request.user,
            profile=self.get_object(),
            expected_version=data.get("version"),
            current_tiers=data.get("current_tiers"),
            target_tiers=data.get("target_tiers"),
        )
        return self._answer(profile)


@extend_schema_view(
    list=extend_schema(
        summary="Outcomes of the profile (filters: function, category, owner_lens, in_scope, gap)"
    ),
    retrieve=extend_schema(summary="One outcome"),
    partial_update=extend_schema(
        summary="Change scope, owner, target level or notes (a target change voids the target's sign-offs)",
        request=s.OutcomeUpdateSerializer,
        responses={200: s.OutcomeSerializer, **ERROR_RESPONSES},
    ),
)
class OutcomeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, OrgScopedViewSet
):
    queryset = ProfileOutcome.objects.none()
    serializer_class = s.OutcomeSerializer
    view_perm = READ
    action_perms = {"list": READ, "retrieve": READ, "partial_update": EDIT, "assess": EDIT, "risks": EDIT}
    http_method_names = ["get", "patch", "post", "head", "options"]
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_class = OutcomeFilterSet
    search_fields = ["subcategory__code", "subcategory__statement", "notes"]
    ordering_fields = ["subcategory__order", "current_level", "target_level", "updated_at"]
    ordering = ["subcategory__order"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProfileOutcome.objects.none()
        services.profile_get_or_create(organization=self.organization)
        return (
            with_counted_level(super().get_queryset())
            .select_related("subcategory__category__function")
            .prefetch_related("risks")
            .order_by("subcategory__order")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.organization is not None:
            context["can_see_risks"] = has_perm(self.request.user, self.organization, Perm.RISK_VIEW)
        return context

    def _answer(self, outcome):
        fresh = self.get_queryset().get(pk=outcome.pk)
        return Response(s.OutcomeSerializer(fresh, context=self.get_serializer_context()).data)

    def partial_update(self, request, *args, **kwargs):
        payload = s.OutcomeUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        outcome = services.outcome_update(
            actor=request.user, outcome=self.get_object(), expected_version=version, **data
        )
        return self._answer(outcome)

    @extend_schema(
        summary="Record my assessment of the current level (the outcome's owner: CIO, CISO, or both if joint)",
        request=s.AssessSerializer,
        responses={200: s.OutcomeSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def assess(self, request, *args, **kwargs):
        outcome = self.get_object()
        payload = s.AssessSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        outcome = services.outcome_assess(
            actor=request.user, outcome=outcome, level=data["level"], expected_version=data.get("version")
        )
        return self._answer(outcome)

    @extend_schema(
        summary="Set the risks this outcome's gap leaves open (by reference)",
        request=s.RisksSerializer,
        responses={200: s.OutcomeSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def risks(self, request, *args, **kwargs):
        outcome = self.get_object()
        payload = s.RisksSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        references = [r.strip().upper() for r in payload.validated_data["risks"]]
        found = {
            r.reference: r
            for r in Risk.objects.visible_to(request.user).filter(
                organization=self.organization, reference__in=references
            )
        }
        missing = [ref for ref in references if ref not in found]
        if missing:
            raise DomainError(f"No risk {missing[0]} in this organization.", field="risks")
        outcome = services.outcome_set_risks(actor=request.user, outcome=outcome, risks=list(found.values()))
        return self._answer(outcome)
