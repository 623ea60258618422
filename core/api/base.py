"""Base classes for org-scoped API views under /api/v1/orgs/<org_slug>/."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets

from .permissions import OrgRolePermission

ORG_SLUG_PARAMETER = OpenApiParameter(
    "org_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The organization's short name (slug)."
)


class OrgScopedViewSetMixin:
    """Resolves the organization from the URL, checks the role table, and starts
    every queryset from the model's ``visible_to`` chokepoint.

    Subclasses set ``view_perm`` (needed to see anything) and ``action_perms``
    (action name → permission). ``self.organization`` is set before any handler.
    """

    permission_classes = [OrgRolePermission]
    view_perm = None
    action_perms: dict = {}
    organization = None
    membership = None

    def base_queryset(self):
        model = self.queryset.model if self.queryset is not None else self.model
        return model.objects.visible_to(self.request.user).filter(organization=self.organization)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset.model.objects.none() if self.queryset is not None else self.model.objects.none()
        return self.base_queryset()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["organization"] = self.organization
        return context


class OrgScopedViewSet(OrgScopedViewSetMixin, viewsets.GenericViewSet):
    pass


class OrgScopedModelViewSet(
    OrgScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    pass


class ErrorSerializer(serializers.Serializer):
    """The API's one error shape."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class VersionedSerializerMixin(serializers.Serializer):
    """Adds ``version``: send back the version you read; a stale one answers 409."""

    version = serializers.IntegerField(required=False, min_value=1, help_text=(
        "The version you last read. If someone changed the record since, the update is refused with 409."
    ))


class SignOffSerializer(serializers.Serializer):
    role = serializers.CharField(read_only=True)
    signer = serializers.CharField(source="signer.email", read_only=True)
    decision = serializers.CharField(read_only=True)
    comment = serializers.CharField(read_only=True)
    signed_at = serializers.DateTimeField(read_only=True)
    subject_version = serializers.IntegerField(read_only=True)
    state = serializers.ChoiceField(
        choices=["in_force", "voided", "withdrawn"], read_only=True,
        help_text="in_force; voided (the signed record changed after signing: see voided_at, void_reason); "
                  "withdrawn (by the signer, at voided_at).")
    voided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    void_reason = serializers.CharField(read_only=True)


class SignRequestSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"], default="approve")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


__all__ = [
    "ORG_SLUG_PARAMETER",
    "ErrorSerializer",
    "OrgScopedModelViewSet",
    "OrgScopedViewSet",
    "OrgScopedViewSetMixin",
    "SignOffSerializer",
    "SignRequestSerializer",
    "VersionedSerializerMixin",
    "extend_schema",
]
