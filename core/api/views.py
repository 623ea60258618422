"""API for the current user, organizations and memberships."""
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.response import Response

from core import selectors, services
from core.models import Membership, Organization
from core.permissions import has_perm, membership_or_404
from core.roles import Perm

from .base import OrgScopedViewSet, check_text_input, check_version_input
from .serializers import (
    InviteSerializer,
    MembershipSerializer,
    MeSerializer,
    OrganizationSerializer,
)


class MeView(generics.RetrieveAPIView):
    """The signed-in person and their role in each organization."""

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user


class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                          viewsets.GenericViewSet):
    """Organizations you belong to. Settings can be changed by admins, CIO and CISO."""

    serializer_class = OrganizationSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "slug"
    lookup_url_kwarg = "org_slug"
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        return selectors.organizations_of(self.request.user)

    def get_object(self):
        return membership_or_404(self.request.user, self.kwargs["org_slug"]).organization

    def perform_update(self, serializer):
        org = serializer.instance
        if not has_perm(self.request.user, org, Perm.ORG_SETTINGS):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("Your role does not allow changing organization settings.")
        check_version_input(self.request, versioned=True)
        check_text_input(self.request, model=Organization)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        serializer.instance = services.organization_update(
            actor=self.request.user, organization=org, expected_version=version, **data
        )


class MembershipViewSet(OrgScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """People in an organization and their roles (organization admins)."""

    serializer_class = MembershipSerializer
    queryset = Membership.objects.none()
    view_perm = Perm.MEMBERS_MANAGE
    action_perms = {
        "list": Perm.MEMBERS_MANAGE,
        "retrieve": Perm.MEMBERS_MANAGE,
        "create": Perm.MEMBERS_MANAGE,
        "partial_update": Perm.MEMBERS_MANAGE,
        "destroy": Perm.MEMBERS_MANAGE,
    }
    filterset_fields = ["role"]
    search_fields = ["user__email", "user__full_name"]
    ordering_fields = ["role", "created_at", "user__email"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.membership_list(organization=self.organization)

    @extend_schema(request=InviteSerializer, responses={201: MembershipSerializer})
    def create(self, request, *args, **kwargs):
        """Invite a person by e-mail with a role."""
        payload = InviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_invite(actor=request.user, organization=self.organization,
                                                **payload.validated_data)
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        """Change a member's role."""
        membership = self.get_object()
        serializer = MembershipSerializer(membership, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "role" in serializer.validated_data:
            membership = services.membership_change_role(
                actor=request.user, membership=membership, role=serializer.validated_data["role"]
            )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request, *args, **kwargs):
        """Remove a member from the organization (never the last admin)."""
        services.membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
