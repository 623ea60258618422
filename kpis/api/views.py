"""KPI API: definitions, measurements (list and bulk upsert) and the scorecard."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.base import ErrorSerializer, OrgScopedModelViewSet, OrgScopedViewSet
from core.api.errors import ERROR_RESPONSES
from core.errors import DomainError
from core.roles import Perm

from .. import selectors, services
from ..filters import KPIFilter, MeasurementFilter
from ..models import KPI, Measurement, Source
from .serializers import (
    KpiBulkItemSerializer,
    KpiBulkResultSerializer,
    KpiMeasurementSerializer,
    KpiScorecardRowSerializer,
    KpiScorecardSummarySerializer,
    KPISerializer,
)

MAX_BULK_ITEMS = 5000

BULK_EXAMPLE = OpenApiExample(
    "A month of values from a monitoring script",
    request_only=True,
    value={
        "items": [
            {"kpi": "edr_coverage", "period": "2026-10-01", "value": "97.4", "note": "From the EDR console"},
            {"kpi": 12, "period": "2026-10-31", "value": 3},
        ]
    },
)
BULK_ERROR_EXAMPLE = OpenApiExample(
    "One bad item: nothing written",
    response_only=True,
    status_codes=["400"],
    value={
        "detail": "1 item(s) are not valid; nothing was saved.",
        "code": "invalid",
        "errors": {"items[3].value": ["A percentage must be between 0 and 100."]},
    },
)


@extend_schema_view(
    list=extend_schema(
        summary="List KPIs",
        description="Filter by domain, unit, direction, frequency, CSF "
        "function, computed or key; search in name, key and description; order by name, domain, "
        "created_at.",
    ),
    retrieve=extend_schema(summary="One KPI", responses={200: KPISerializer, 404: ErrorSerializer}),
    create=extend_schema(
        summary="Create a KPI",
        responses={201: KPISerializer, **ERROR_RESPONSES},
        examples=[
            OpenApiExample(
                "EDR coverage",
                request_only=True,
                value={
                    "name": "EDR coverage",
                    "key": "edr_coverage",
                    "domain": "security",
                    "unit": "percent",
                    "direction": "higher",
                    "target": "98",
                    "warning": "95",
                    "critical": "90",
                    "frequency": "monthly",
                    "csf_function": "DE",
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a KPI",
        description="Send the `version` you read; a stale one answers 409.",
        responses={200: KPISerializer, **ERROR_RESPONSES},
    ),
    update=extend_schema(summary="Replace a KPI", responses={200: KPISerializer, **ERROR_RESPONSES}),
    destroy=extend_schema(summary="Delete a KPI and its values", responses={204: None, 404: ErrorSerializer}),
)
class KPIViewSet(OrgScopedModelViewSet):
    """KPI definitions of an organization (CIO and CISO)."""

    queryset = KPI.objects.all()
    serializer_class = KPISerializer
    view_perm = Perm.KPI_VIEW
    action_perms = {
        "list": Perm.KPI_VIEW,
        "retrieve": Perm.KPI_VIEW,
        "create": Perm.KPI_EDIT,
        "update": Perm.KPI_EDIT,
        "partial_update": Perm.KPI_EDIT,
        "destroy": Perm.KPI_EDIT,
    }
    filterset_class = KPIFilter
    search_fields = ["name", "key", "description"]
    ordering_fields = ["name", "domain", "created_at", "updated_at"]
    ordering = ["domain", "name"]
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return KPI.objects.none()
        return selectors.kpi_list(self.request.user, self.organization)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = services.kpi_create(
            actor=self.request.user, organization=self.organization, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.kpi_update(
            actor=self.request.user, kpi=serializer.instance, expected_version=version, **data
        )

    def perform_destroy(self, instance):
        services.kpi_delete(actor=self.request.user, kpi=instance)


def _bulk_items(data):
    """The list of items: a bare list or {"items": [...]}."""
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise DomainError('Send a non-empty list of items, as {"items": [...]}.', field="items")
    if len(items) > MAX_BULK_ITEMS:
        raise DomainError(f"Send at most {MAX_BULK_ITEMS:,} items per request.", field="items")
    return items


@extend_schema_view(
    list=extend_schema(
        summary="List measurements",
        description="Filter by `kpi` (number), `kpi_key`, "
        "`period_after` / `period_before`, `source`, `domain`; order by period, value, updated_at.",
    ),
    retrieve=extend_schema(summary="One measurement"),
)
class MeasurementViewSet(OrgScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Values of the organization's KPIs, one per KPI per period."""

    queryset = Measurement.objects.all()
    serializer_class = KpiMeasurementSerializer
    view_perm = Perm.KPI_VIEW
    action_perms = {"list": Perm.KPI_VIEW, "retrieve": Perm.KPI_VIEW, "bulk": Perm.KPI_EDIT}
    filterset_class = MeasurementFilter
    search_fields = ["kpi__name", "kpi__key", "note"]
    ordering_fields = ["period", "value", "updated_at", "created_at"]
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Measurement.objects.none()
        return selectors.measurement_list(self.request.user, self.organization)

    @extend_schema(
        summary="Create or update many measurements (idempotent)",
        description=(
            "Send up to 5,000 items `{kpi, period, value, note}`; `kpi` is the KPI's number or key, `period` any "
            "day of the period (filed under its first day). Every item is checked first: if one is invalid, "
            "nothing is written and the answer lists each problem as `items[i].field`. A period that already has "
            "a value is updated; sending the same items again changes nothing. Values arrive with source `api`."
        ),
        request=inline_serializer("MeasurementBulkRequest", {"items": KpiBulkItemSerializer(many=True)}),
        responses={
            200: KpiBulkResultSerializer,
            400: OpenApiResponse(ErrorSerializer, examples=[BULK_ERROR_EXAMPLE]),
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        examples=[BULK_EXAMPLE],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, org_slug=None):
        items = _bulk_items(request.data)
        result = services.measurements_bulk_upsert(
            actor=request.user, organization=self.organization, items=items, source=Source.API
        )
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "source": Source.API,
            },
            status=status.HTTP_200_OK,
        )


class ScorecardViewSet(OrgScopedViewSet):
    """The joint scorecard: every KPI with its status, and counts by status."""

    queryset = KPI.objects.all()
    serializer_class = KpiScorecardRowSerializer
    view_perm = Perm.KPI_VIEW
    action_perms = {"list": Perm.KPI_VIEW, "summary": Perm.KPI_VIEW}
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        summary="The scorecard",
        description="Every KPI with latest value, status, stale flag, trend "
        "and the values of the last 12 periods (null where missing). Fixed cost whatever the data size.",
        responses={200: KpiScorecardRowSerializer(many=True)},
    )
    def list(self, request, org_slug=None):
        groups = selectors.kpi_scorecard(request.user, self.organization)
        rows = [row for group in groups for row in group.rows]
        return Response(KpiScorecardRowSerializer(rows, many=True).data)

    @extend_schema(
        summary="Scorecard summary",
        description="Counts of KPIs by status (green, amber, red, stale) "
        "for each domain (it, security, joint) and for all KPIs. A stale KPI counts as stale.",
        responses={200: KpiScorecardSummarySerializer},
    )
    @action(detail=False, methods=["get"])
    def summary(self, request, org_slug=None):
        return Response(selectors.scorecard_summary(request.user, self.organization))
