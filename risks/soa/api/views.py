"""Statement of applicability API: /api/v1/orgs/<org_slug>/soa/. Reads need
risk.view, line changes risk.edit, the approval signoff.sign (CIO or CISO)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.base import OrgScopedViewSet
from core.api.errors import ERROR_RESPONSES
from core.api.pagination import StandardPagination
from core.concurrency import VERSION_MISSING
from core.downloads import download
from core.errors import DomainError
from core.roles import Perm

from ...models import AnnexAControl
from .. import exports, selectors, services
from ..models import SoaEntry
from . import serializers as s

READ, EDIT = Perm.RISK_VIEW, Perm.RISK_EDIT
FILTER_PARAMETERS = [
    OpenApiParameter(
        "theme", OpenApiTypes.STR, description="organizational, people, physical, technological"
    ),
    OpenApiParameter("applicable", OpenApiTypes.STR, description="yes, no or undecided"),
    OpenApiParameter("status", OpenApiTypes.STR, description="An implementation status"),
    OpenApiParameter("owner", OpenApiTypes.STR, description="it (the CIO), security (the CISO) or joint"),
]


def _statement_data(organization, rows):
    statement = services.statement_for(organization)
    summary = selectors.soa_summary(rows)
    return {
        "version": statement.version,
        "is_approved": statement.is_approved,
        "approved_by": statement.approved_by,
        "approved_at": statement.approved_at,
        "approved_version": statement.approved_version,
        "updated_at": statement.updated_at,
        "applicable": summary.applicable,
        "excluded": summary.excluded,
        "undecided": summary.undecided,
        "implemented": summary.implemented,
    }


class SoaLineViewSet(OrgScopedViewSet):
    """The statement's 93 lines, one per Annex A control (``{code}`` such as A.5.1)."""

    queryset = SoaEntry.objects.none()
    serializer_class = s.SoaLineSerializer
    lookup_field = "code"
    lookup_value_converter = "str"
    filter_backends = []
    view_perm = READ
    action_perms = {
        "list": READ,
        "retrieve": READ,
        "partial_update": EDIT,
        "statement": READ,
        "approve": Perm.SIGN,
        "export": READ,
    }

    def versioned_writes(self) -> bool:
        return False  # a line that does not exist yet has no version; partial_update asks once it does

    def _row(self):
        try:
            return selectors.soa_row(self.request.user, self.organization, self.kwargs["code"])
        except AnnexAControl.DoesNotExist:
            raise Http404("No such Annex A control.") from None

    @extend_schema(
        summary="The statement's lines",
        parameters=FILTER_PARAMETERS,
        responses={200: s.SoaLineSerializer(many=True)},
    )
    def list(self, request, *args, **kwargs):
        params = {k: request.query_params.get(k, "") for k in selectors.FILTERS}
        rows = selectors.soa_rows(request.user, self.organization, params)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(s.SoaLineSerializer(page, many=True).data)

    @extend_schema(summary="One control's line", responses={200: s.SoaLineSerializer, **ERROR_RESPONSES})
    def retrieve(self, request, *args, **kwargs):
        return Response(s.SoaLineSerializer(self._row()).data)

    @extend_schema(
        summary="Change a control's line (send the line's version once it has one)",
        request=s.SoaLineWriteSerializer,
        responses={200: s.SoaLineSerializer, **ERROR_RESPONSES},
    )
    def partial_update(self, request, *args, **kwargs):
        row = self._row()
        payload = s.SoaLineWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version", None)
        if row.entry is not None and version is None:
            raise DomainError(VERSION_MISSING, field="version")
        services.soa_entry_save(
            actor=request.user,
            organization=self.organization,
            control=row.control,
            expected_version=version,
            **data,
        )
        return Response(s.SoaLineSerializer(self._row()).data)

    @extend_schema(
        summary="The statement: version, approval and counts", responses={200: s.SoaStatementSerializer}
    )
    @action(detail=False, methods=["get"], url_path="statement")
    def statement(self, request, *args, **kwargs):
        rows = selectors.soa_rows(request.user, self.organization)
        return Response(s.SoaStatementSerializer(_statement_data(self.organization, rows)).data)

    @extend_schema(
        summary="Approve the statement as it stands",
        request=s.SoaApproveSerializer,
        responses={200: s.SoaStatementSerializer, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["post"], url_path="statement/approve")
    def approve(self, request, *args, **kwargs):
        payload = s.SoaApproveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.soa_approve(
            actor=request.user,
            organization=self.organization,
            expected_version=payload.validated_data.get("version"),
        )
        rows = selectors.soa_rows(request.user, self.organization)
        return Response(
            s.SoaStatementSerializer(_statement_data(self.organization, rows)).data, status=status.HTTP_200_OK
        )

    @extend_schema(
        summary="The auditor's copy (XLSX or PDF)",
        parameters=[OpenApiParameter("type", OpenApiTypes.STR, enum=["xlsx", "pdf"])],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES},
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request, *args, **kwargs):
        fmt = request.query_params.get("type", "xlsx")
        if fmt not in ("xlsx", "pdf"):
            raise ValidationError({"type": ["Use xlsx or pdf."]})
        rows = selectors.soa_rows(request.user, self.organization)
        statement = selectors.soa_statement(self.organization)
        if fmt == "xlsx":
            file = exports.soa_xlsx(self.organization, statement, rows)
        else:
            file = exports.soa_pdf(self.organization, statement, rows, selectors.soa_summary(rows))
        return download(request, self.organization, file, what="Statement of applicability")
