"""API: the portfolio and the KPI comparison of the signed-in person."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.permissions import TokenScopePermission
from core.roles import Role
from governance.alignment.selectors import portfolio as selectors


class PortfolioRowSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    has_figures = serializers.BooleanField(help_text="False when your role there has no dashboard.")
    score = serializers.IntegerField(allow_null=True)
    band = serializers.CharField()
    change = serializers.IntegerField(allow_null=True)
    risks_above = serializers.IntegerField(allow_null=True)
    decisions_mine = serializers.IntegerField(allow_null=True)
    intake_breached = serializers.IntegerField(allow_null=True)
    kpis_red = serializers.IntegerField(allow_null=True)
    budget = serializers.DictField(allow_null=True)
    next_report = serializers.DateField()
    links = serializers.DictField()
    extras = serializers.ListField(child=serializers.DictField())


class PortfolioView(APIView):
    """One row per organization you belong to (archived ones aside): the same
    figures as each organization's dashboard."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    @extend_schema(
        parameters=[
            OpenApiParameter("sort", enum=list(selectors.SORTS)),
            OpenApiParameter("dir", enum=["asc", "desc"]),
            OpenApiParameter("q", str, description="Organization name contains"),
            OpenApiParameter("attention", enum=["yes"], description="Only where something needs you"),
            OpenApiParameter("role", enum=Role.values),
        ],
        responses={200: PortfolioRowSerializer(many=True)},
    )
    def get(self, request):
        params = request.query_params
        sort = params.get("sort", "name")
        if sort not in selectors.SORTS:
            raise serializers.ValidationError({"sort": [f"Sort by one of: {', '.join(selectors.SORTS)}."]})
        direction = params.get("dir", "")
        if direction not in ("", "asc", "desc"):
            raise serializers.ValidationError({"dir": ["Use asc or desc."]})
        role = params.get("role", "")
        if role and role not in Role.values:
            raise serializers.ValidationError({"role": [f"Use one of: {', '.join(Role.values)}."]})
        rows = selectors.portfolio(
            user=request.user,
            sort=sort,
            descending=None if not direction else direction == "desc",
            q=params.get("q", ""),
            attention=params.get("attention") == "yes",
            role=role,
        )
        return Response(PortfolioRowSerializer(rows, many=True).data)


class ComparisonSerializer(serializers.Serializer):
    organizations = serializers.ListField(child=serializers.DictField())
    rows = serializers.ListField(child=serializers.DictField())
    shared_only = serializers.BooleanField()


class CompareView(APIView):
    """The same KPI keys side by side across the organizations you lead (CIO or CISO)."""

    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    @extend_schema(
        parameters=[OpenApiParameter("all", enum=["yes"], description="Every key, not only shared ones")],
        responses={200: ComparisonSerializer},
    )
    def get(self, request):
        data = selectors.kpi_comparison(
            user=request.user, shared_only=request.query_params.get("all") != "yes"
        )
        for row in data["rows"]:
            row.pop("by_org", None)
        return Response(data)
