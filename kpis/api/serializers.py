"""API shapes. Serializers check shape only; services enforce the rules."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.base import VersionedSerializerMixin
from core.members import MemberEmailField

from ..models import KPI, Measurement
from ..selectors import STATUSES


class KPISerializer(VersionedSerializerMixin, serializers.ModelSerializer):
    owner = MemberEmailField(
        required=False, allow_null=True, help_text="E-mail of a member of the organization."
    )
    computed = serializers.BooleanField(read_only=True)

    class Meta:
        model = KPI
        fields = [
            "id",
            "name",
            "key",
            "description",
            "domain",
            "unit",
            "direction",
            "target",
            "warning",
            "critical",
            "frequency",
            "owner",
            "csf_function",
            "computed",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "computed", "created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False}}
        # The service checks uniqueness with a clear message; skip DRF's generic validators.
        validators: list = []


class KpiMeasurementSerializer(serializers.ModelSerializer):
    kpi_key = serializers.CharField(source="kpi.key", read_only=True)
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "kpi",
            "kpi_key",
            "kpi_name",
            "period",
            "value",
            "source",
            "note",
            "recorded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_field(
    {"oneOf": [{"type": "integer"}, {"type": "string"}], "description": "The KPI's number or its key."}
)
class KpiRefField(serializers.JSONField):
    pass


class KpiBulkItemSerializer(serializers.Serializer):
    """Documentation of one item; items are validated together by the service."""

    kpi = KpiRefField()
    period = serializers.DateField(help_text="Any day of the period; filed under the period's first day.")
    value = serializers.DecimalField(max_digits=18, decimal_places=4)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class KpiBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    source = serializers.CharField()


class KpiStatusCountsSerializer(serializers.Serializer):
    green = serializers.IntegerField()
    amber = serializers.IntegerField()
    red = serializers.IntegerField()
    stale = serializers.IntegerField()
    total = serializers.IntegerField()


class KpiScorecardSummarySerializer(serializers.Serializer):
    it = KpiStatusCountsSerializer()
    security = KpiStatusCountsSerializer()
    joint = KpiStatusCountsSerializer()
    all = KpiStatusCountsSerializer()


class KpiScorecardRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="kpi.pk")
    key = serializers.CharField(source="kpi.key")
    name = serializers.CharField(source="kpi.name")
    domain = serializers.CharField(source="kpi.domain")
    unit = serializers.CharField(source="kpi.unit")
    direction = serializers.CharField(source="kpi.direction")
    target = serializers.DecimalField(max_digits=18, decimal_places=4)
    latest_value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    latest_period = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=["green", "amber", "red"], allow_null=True)
    display_status = serializers.ChoiceField(choices=list(STATUSES))
    stale = serializers.BooleanField()
    trend = serializers.ChoiceField(choices=["improving", "worsening", "flat"], allow_null=True)
    sparkline = serializers.ListField(
        child=serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    )
