"""Evidence API: /api/v1/orgs/<org_slug>/evidence/. The same rules as the
pages: the CIO and the CISO see everything, a contributor their own pieces,
the board only ``summary/`` (counts). Files come back only through
``{id}/download/`` (permission-checked, recorded on the Audit page)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.api.base import OrgScopedViewSet
from core.api.errors import ERROR_RESPONSES
from core.api.parsers import StrictJSONParser
from core.downloads import ExportFile, download
from core.errors import DomainError
from core.roles import Perm

from .. import selectors, services
from ..filters import EvidenceFilterSet
from ..models import Evidence
from ..uploads import ALLOWED
from . import serializers as s

ADD, SUMMARY = Perm.EVIDENCE_ADD, Perm.EVIDENCE_SUMMARY


class EvidenceFilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        kwargs["organization"] = view.organization
        return kwargs


@extend_schema_view(
    list=extend_schema(summary="Evidence I may see (files' metadata and links)"),
    retrieve=extend_schema(
        summary="One piece of evidence", responses={200: s.EvidenceSerializer, **ERROR_RESPONSES}
    ),
    create=extend_schema(
        summary="Add evidence: a file (multipart) or a link",
        request={
            "multipart/form-data": s.EvidenceWriteSerializer,
            "application/json": s.EvidenceWriteSerializer,
        },
        responses={201: s.EvidenceSerializer, **ERROR_RESPONSES},
    ),
    partial_update=extend_schema(
        summary="Change a piece of evidence (send version)",
        request=s.EvidenceWriteSerializer,
        responses={200: s.EvidenceSerializer, **ERROR_RESPONSES},
    ),
    destroy=extend_schema(
        summary="Delete a piece of evidence and its file", responses={204: None, **ERROR_RESPONSES}
    ),
)
class EvidenceViewSet(
    OrgScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """Filters: q, validity (valid, expiring, expired), kind (file, link), control (Annex A code), owner."""

    queryset = Evidence.objects.none()
    serializer_class = s.EvidenceSerializer
    filter_backends = [EvidenceFilterBackend]
    filterset_class = EvidenceFilterSet
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    view_perm = SUMMARY
    action_perms = {
        "list": ADD,
        "retrieve": ADD,
        "create": ADD,
        "partial_update": ADD,
        "destroy": ADD,
        "download": ADD,
        "summary": SUMMARY,
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Evidence.objects.none()
        return selectors.with_links(selectors.evidence_base(self.request.user, self.organization))

    def _payload(self, partial=False) -> dict:
        payload = s.EvidenceWriteSerializer(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def _fresh(self, pk, code=status.HTTP_200_OK):
        evidence = self.get_queryset().get(pk=pk)
        return Response(
            s.EvidenceSerializer(evidence, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        data = self._payload()
        data.pop("version", None)
        upload, url = data.pop("file", None), data.pop("url", "")
        missing = {
            name: ["This field is required."] for name in ("title", "valid_until") if not data.get(name)
        }
        if missing:
            raise ValidationError(missing)
        if bool(upload) == bool(url):
            raise ValidationError({"file": ["Send either a file or a url, not both and not neither."]})
        data.setdefault("owner", request.user)
        common = {"actor": request.user, "organization": self.organization, **data}
        if upload:
            content = upload.read(settings.EVIDENCE_MAX_BYTES + 1)
            evidence = services.evidence_add_file(upload_name=upload.name, data=content, **common)
        else:
            evidence = services.evidence_add_link(url=url, **common)
        return self._fresh(evidence.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        evidence = self.get_object()
        data = self._payload(partial=True)
        if "file" in data:
            raise ValidationError(
                {"file": ["A file cannot be replaced: add a new piece and delete this one."]}
            )
        version = data.pop("version", None)
        services.evidence_update(actor=request.user, evidence=evidence, expected_version=version, **data)
        return self._fresh(evidence.pk)

    def destroy(self, request, *args, **kwargs):
        services.evidence_delete(
            actor=request.user,
            evidence=self.get_object(),
            expected_version=request.query_params.get("version") or None,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download the file (recorded on the Audit page)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get"], url_path="download")
    def download(self, request, *args, **kwargs):
        evidence = self.get_object()
        try:
            handle = services.evidence_open(actor=request.user, evidence=evidence)
        except DomainError:
            raise Http404("The file is not available.") from None
        file = ExportFile(handle, evidence.file_name, ALLOWED[evidence.file_type].content_type)
        return download(request, self.organization, file, what=f"Evidence file “{evidence.title}”")

    @extend_schema(
        summary="How much evidence there is (counts only)", responses={200: s.EvidenceCountsSerializer}
    )
    @action(detail=False, methods=["get"], url_path="summary", pagination_class=None, filter_backends=[])
    def summary(self, request, *args, **kwargs):
        counts = selectors.evidence_counts(self.organization)
        return Response(s.EvidenceCountsSerializer(counts).data)
