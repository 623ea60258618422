"""API: the dashboard summary and alignment reports (list, detail, generate,
publish, delete a draft, PDF). Drafts are invisible (404) to the board."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response

from core.api.base import ORG_SLUG_PARAMETER, ErrorSerializer, OrgScopedViewSet
from core.api.signoff import SignOffViewSetMixin
from core.permissions import signing_role
from core.roles import Perm
from governance.alignment import services
from governance.alignment.selectors import reports as selectors
from governance.alignment.selectors.dashboard import shared_picture
from governance.models import ASK_PURPOSE, AlignmentReport, BoardAsk, ReportStatus

CURRENT, PREVIOUS = "current", "previous"


class ReportSerializer(serializers.ModelSerializer):
    # Plain text rather than an enum: "status" choice sets of other apps would collide in the schema.
    status = serializers.CharField(read_only=True, help_text="'draft' (CIO and CISO only) or 'published'.")
    generated_by = serializers.CharField(
        source="generated_by.email", read_only=True, default=None, allow_null=True
    )
    published_by = serializers.CharField(
        source="published_by.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AlignmentReport
        fields = [
            "id",
            "period_start",
            "period_end",
            "period_label",
            "status",
            "score",
            "scheduled",
            "generated_by",
            "generated_at",
            "published_by",
            "published_at",
            "build_status",
            "build_progress",
            "build_step",
            "failure_reason",
            "version",
        ]
        read_only_fields = fields


class ReportDetailSerializer(ReportSerializer):
    snapshot = serializers.JSONField(
        read_only=True, help_text="Everything the report shows, frozen when built."
    )

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class GenerateSerializer(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=[CURRENT, PREVIOUS],
        required=False,
        help_text=(
            "'current': the period in progress (to date); 'previous': the last closed period. Ignored when "
            "period_start and period_end are given."
        ),
    )
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)
    period_label = serializers.CharField(required=False, allow_blank=True, max_length=60)

    def validate(self, data):
        if ("period_start" in data) != ("period_end" in data):
            missing = "period_end" if "period_start" in data else "period_start"
            raise serializers.ValidationError({missing: "Give both period_start and period_end, or neither."})
        if "period_start" in data and data["period_start"] > data["period_end"]:
            raise serializers.ValidationError({"period_end": "The period must end on or after its start."})
        return data


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


DASHBOARD_SCHEMA = inline_serializer(
    "DashboardSummary",
    fields={
        "alignment": serializers.JSONField(
            help_text="Score 0–100 (or null), band, and each part's value, weight, inputs and explanation."
        ),
        "trend": serializers.JSONField(help_text="Scores of the latest published reports, oldest first."),
        "risks": serializers.JSONField(
            help_text=(
                "Open risks (identified, assessed, treatment planned, in treatment; accepted risks are counted apart in "
                "'accepted'): 'open', 'levels' {critical, high, medium, low, unassessed}, 'above_appetite_count', "
                "'divergent_count', 'heatmap' {inherent, residual}: rows of counts, impact 5 first, likelihood 1 to 5. "
                "Money ('expected_annual_loss') is text with two decimals. See docs/DEFINITIONS.md."
            )
        ),
        "kpis": serializers.JSONField(
            help_text=(
                "Counts by status (green: target met; amber: missed, inside the warning line; red: beyond it; stale) and "
                "the KPIs worst first with value, target and status; numbers as exact text."
            )
        ),
        "budget": serializers.JSONField(
            help_text=(
                "The latest proposal you may see: money as text with two decimals (e.g. \"1250000.00\"): 'total', "
                "'by_domain' {it, security, joint}, 'security_total', 'linked_total', 'cost_avoidance'; ratios as text "
                "with four decimals: 'security_share', 'portfolio_rosi' (null when undefined)."
            )
        ),
        "raci": serializers.JSONField(),
        "intake": serializers.JSONField(),
        "decisions": serializers.JSONField(
            help_text="Joint decisions waiting for a signature; 'mine' for your role."
        ),
    },
)


class _SingleObjectSchema(AutoSchema):
    """The dashboard's GET on the collection URL answers one object, not a list."""

    def _is_list_view(self, serializer=None):
        return False


class DashboardViewSet(OrgScopedViewSet):
    """The shared CIO–CISO picture, live."""

    schema = _SingleObjectSchema()
    queryset = AlignmentReport.objects.none()
    view_perm = Perm.DASHBOARD_VIEW
    action_perms = {"list": Perm.DASHBOARD_VIEW}
    pagination_class = None

    @extend_schema(
        parameters=[ORG_SLUG_PARAMETER],
        responses={200: DASHBOARD_SCHEMA, 404: ErrorSerializer},
        summary="Dashboard summary",
        operation_id="orgs_dashboard_list",
    )
    def list(self, request, *args, **kwargs):
        role = signing_role(request.user, self.organization)
        picture = shared_picture(organization=self.organization, user=request.user, role=role)
        picture["trend"] = selectors.published_trend(organization=self.organization)
        return Response(picture)


@extend_schema(parameters=[ORG_SLUG_PARAMETER])
class ReportViewSet(OrgScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Alignment reports. The board sees published ones; CIO and CISO also see drafts."""

    queryset = AlignmentReport.objects.none()
    serializer_class = ReportSerializer
    view_perm = Perm.REPORT_VIEW_PUBLISHED
    action_perms = {
        "list": Perm.REPORT_VIEW_PUBLISHED,
        "retrieve": Perm.REPORT_VIEW_PUBLISHED,
        "pdf": Perm.REPORT_VIEW_PUBLISHED,
        "generate": Perm.REPORT_MANAGE,
        "publish": Perm.REPORT_MANAGE,
        "destroy": Perm.REPORT_MANAGE,
    }
    filterset_fields = ["status", "build_status"]
    ordering_fields = ["period_end", "score", "published_at"]
    ordering = ["-period_end"]
    search_fields = ["period_label"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AlignmentReport.objects.none()
        qs = AlignmentReport.objects.visible_to(self.request.user).filter(organization=self.organization)
        qs = qs.select_related("generated_by", "published_by")
        return qs if self.action == "retrieve" or self.action == "pdf" else qs.defer("snapshot")

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    @extend_schema(
        summary="Generate (or rebuild) a draft report",
        request=GenerateSerializer,
        responses={202: ReportSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=False, methods=["post"])
    def generate(self, request, *args, **kwargs):
        """Queue the build of the report for a period. Idempotent: a draft of the same
        period is rebuilt; a published one is refused (400). Poll the report for progress."""
        payload = GenerateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "period_start" in data:
            start, end, label = data["period_start"], data["period_end"], data.get("period_label", "")
        else:
            from django.utils import timezone

            choose = (
                services.last_closed_period if data.get("period") == PREVIOUS else services.current_period
            )
            start, end, label = choose(self.organization.report_schedule, timezone.localdate())
        report = services.report_request(
            actor=request.user,
            organization=self.organization,
            period_start=start,
            period_end=end,
            period_label=label,
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Publish a ready draft to the board",
        request=None,
        responses={200: ReportSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Publish: the report becomes immutable and board members get an e-mail with a link."""
        report = services.report_publish(actor=request.user, report=self.get_object())
        return Response(ReportSerializer(report).data)

    @extend_schema(summary="Delete a draft report", responses={204: None, 400: ErrorSerializer})
    def destroy(self, request, *args, **kwargs):
        """Delete a draft. Published reports cannot be deleted (400)."""
        services.report_delete(actor=request.user, report=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download the report as PDF",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY), 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], renderer_classes=[PdfRenderer])
    def pdf(self, request, *args, **kwargs):
        """The PDF, rendered from the frozen snapshot (identical to what was published)."""
        from core.downloads import download
        from core.errors import DomainError
        from core.pdf import pdf_file
        from governance.alignment.views.reports import pdf_context

        report = self.get_object()
        if not report.is_ready or not report.snapshot:
            raise DomainError("The PDF is available once the report has been built.", code="not_ready")
        name = f"alignment-report-{self.organization.slug}-{report.pk}.pdf"
        file = pdf_file("governance/alignment/pdf.html", pdf_context(report), name)
        return download(request, self.organization, file, what=f"Alignment report {report.period_label}")


__all__ = ["DashboardViewSet", "ReportStatus", "ReportViewSet"]


class BoardAskSerializer(serializers.ModelSerializer):
    proposed_by = serializers.SerializerMethodField()
    risk = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_proposed_by(self, ask) -> str | None:
        return str(ask.proposed_by) if ask.proposed_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_risk(self, ask) -> str | None:
        return str(ask.risk) if ask.risk else None

    class Meta:
        model = BoardAsk
        fields = [
            "id",
            "report",
            "kind",
            "title",
            "recommendation",
            "amount",
            "deadline",
            "risk",
            "proposed_by",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class BoardAskViewSet(
    SignOffViewSetMixin, OrgScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin
):
    """Decisions asked of the board on draft reports (CIO and CISO). ``sign/`` confirms
    (or rejects, with a reason) one's part; ``withdraw/`` takes it back. Filter: report."""

    queryset = BoardAsk.objects.none()
    serializer_class = BoardAskSerializer
    signoff_purpose = ASK_PURPOSE
    signoff_response = BoardAskSerializer
    signoff_label = "a decision asked of the board"
    view_perm = Perm.REPORT_VIEW_DRAFT
    action_perms = {"list": Perm.REPORT_VIEW_DRAFT, "retrieve": Perm.REPORT_VIEW_DRAFT}
    filterset_fields = ["report"]
    ordering = ["deadline", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("proposed_by", "risk")

    def signoff_answer(self, subject, result):
        return Response(BoardAskSerializer(self.get_queryset().get(pk=subject.pk)).data)
