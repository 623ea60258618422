"""API for the current user, organizations and memberships."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core import invitations, organizations, selectors, services
from core.errors import DomainError
from core.models import Invitation, Membership, Organization
from core.permissions import (
    forget_memberships,
    has_perm,
    may_create_organization,
    membership_or_404,
    memberships_of,
)
from core.roles import Perm

from .base import OrgScopedViewSet, check_text_input, check_version_input
from .permissions import TokenScopePermission
from .serializers import (
    HandOverSerializer,
    InstanceSettingsSerializer,
    InvitationSerializer,
    InviteSerializer,
    MembershipSerializer,
    MeSerializer,
    MyMembershipSerializer,
    OrganizationCreateSerializer,
    OrganizationLifecycleSerializer,
    OrganizationSerializer,
)


class MeView(generics.RetrieveAPIView):
    """The signed-in person and their role in each organization."""

    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def get_object(self):
        return self.request.user


class InstanceView(generics.GenericAPIView):
    """This Concord's settings that concern you: who may create organizations, and whether you may."""

    serializer_class = InstanceSettingsSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def get(self, request):
        from django.conf import settings

        return Response(
            InstanceSettingsSerializer(
                {
                    "organization_creation": settings.CONCORD_ORG_CREATION,
                    "can_create_organizations": may_create_organization(request.user),
                    "deletion_grace_days": settings.CONCORD_ORG_DELETION_GRACE_DAYS,
                }
            ).data
        )


class OrganizationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Organizations you belong to. Settings can be changed by admins, CIO and CISO.
    Anyone (or only staff: ``GET /api/v1/instance/``) creates one; its admin
    archives, restores and asks for its deletion, which the CIO or CISO confirms."""

    serializer_class = OrganizationSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]
    security_fields = ("mfa_required_roles",)  # who must use two-factor: needs the 'security' scope
    # Giving oneself a role, archiving and deleting are security changes.
    token_scopes = {
        "create": "security",
        "archive": "security",
        "restore": "security",
        "request_deletion": "security",
        "confirm_deletion": "security",
        "cancel_deletion": "security",
    }
    lookup_field = "slug"
    lookup_value_converter = "org"  # core.converters
    lookup_url_kwarg = "org_slug"
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(request=OrganizationCreateSerializer, responses={201: OrganizationSerializer})
    def create(self, request, *args, **kwargs):
        """Create an organization: you become its admin (or its CIO or CISO who
        also administers it: ``founder_role``), then invite the others."""
        check_text_input(request, model=Organization)
        payload = OrganizationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        source_slug = data.pop("source", "")
        source = memberships_of(request.user).get(source_slug) if source_slug else None
        organization = organizations.organization_create(
            actor=request.user,
            source=source.organization if source else None,
            request=request,
            **data,
        )
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)

    def _lifecycle(self, request, service):
        organization = service(actor=request.user, organization=self.get_object(), request=request)
        forget_memberships(request.user)
        return Response(OrganizationLifecycleSerializer(organization).data)

    @extend_schema(request=None, responses={200: OrganizationLifecycleSerializer})
    @action(detail=True, methods=["post"])
    def archive(self, request, *args, **kwargs):
        """Archive: read-only for everyone and hidden from the switcher (admins)."""
        return self._lifecycle(request, organizations.organization_archive)

    @extend_schema(request=None, responses={200: OrganizationLifecycleSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        """Restore an archived organization (admins)."""
        return self._lifecycle(request, organizations.organization_restore)

    @extend_schema(request=None, responses={200: OrganizationLifecycleSerializer})
    @action(detail=True, methods=["post"], url_path="deletion/request")
    def request_deletion(self, request, *args, **kwargs):
        """Ask for the organization's deletion (admins; fetch the export first:
        ``manage.py export_org`` or the page's download). It is archived at once."""
        return self._lifecycle(request, organizations.organization_deletion_request)

    @extend_schema(request=None, responses={200: OrganizationLifecycleSerializer})
    @action(detail=True, methods=["post"], url_path="deletion/confirm")
    def confirm_deletion(self, request, *args, **kwargs):
        """Confirm the deletion (the CIO or the CISO, not whoever asked); it is
        carried out after the grace period."""
        return self._lifecycle(request, organizations.organization_deletion_confirm)

    @extend_schema(request=None, responses={200: OrganizationLifecycleSerializer})
    @action(detail=True, methods=["post"], url_path="deletion/cancel")
    def cancel_deletion(self, request, *args, **kwargs):
        """Stop a deletion under way (admins, the CIO or the CISO)."""
        return self._lifecycle(request, organizations.organization_deletion_cancel)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        return selectors.organizations_of(self.request.user)

    def get_object(self):
        return membership_or_404(self.request.user, self.kwargs["org_slug"]).organization

    def update(self, request, *args, **kwargs):
        # Refuse a role without the right before reading the input: it learns nothing from validation.
        if not has_perm(request.user, self.get_object(), Perm.ORG_SETTINGS):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied("Your role does not allow changing organization settings.")
        check_version_input(request, versioned=True)
        check_text_input(request, model=Organization)
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        org = serializer.instance
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
        "hand_over": Perm.MEMBERS_MANAGE,
    }
    token_scopes = {
        "create": "security",
        "partial_update": "security",
        "destroy": "security",
        "hand_over": "security",
    }
    filterset_fields = ["role"]
    search_fields = ["user__email", "user__full_name"]
    ordering_fields = ["role", "created_at", "user__email"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return selectors.membership_list(organization=self.organization)

    @extend_schema(request=InviteSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        """Invite a person by e-mail with a role: the same answer whether or not the address
        has an account. The membership exists once the person accepts."""
        return _invite(request, self.organization)

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

    @extend_schema(request=HandOverSerializer, responses={200: MembershipSerializer})
    @action(detail=False, methods=["post"], url_path="hand-over")
    def hand_over(self, request, *args, **kwargs):
        """Hand the CIO or CISO role over to a successor in one step (the outgoing
        holder takes ``outgoing_role``, or leaves). Answers with the successor's membership."""
        payload = HandOverSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        successor = (
            selectors.membership_list(organization=self.organization).filter(pk=data["successor"]).first()
        )
        if successor is None:
            raise DomainError("Choose a member of this organization as the successor.", field="successor")
        membership = services.membership_hand_over(
            actor=request.user,
            organization=self.organization,
            role=data["role"],
            successor=successor,
            outgoing_role=data["outgoing_role"],
        )
        return Response(MembershipSerializer(membership).data)


def _invite(request, organization):
    payload = InviteSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    invitation = services.membership_invite(
        actor=request.user, organization=organization, **payload.validated_data
    )
    return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class InvitationViewSet(OrgScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Invitations of an organization waiting for an answer (organization admins)."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()
    view_perm = Perm.MEMBERS_MANAGE
    action_perms = {
        "list": Perm.MEMBERS_MANAGE,
        "retrieve": Perm.MEMBERS_MANAGE,
        "create": Perm.MEMBERS_MANAGE,
        "destroy": Perm.MEMBERS_MANAGE,
    }
    token_scopes = {"create": "security", "destroy": "security"}
    search_fields = ["email"]
    ordering_fields = ["created_at", "email"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return (
            Invitation.objects.pending()
            .filter(organization=self.organization)
            .select_related("organization", "inviter")
        )

    @extend_schema(request=InviteSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        """Invite a person by e-mail with a role (same as POST memberships/)."""
        return _invite(request, self.organization)

    def destroy(self, request, *args, **kwargs):
        """Cancel an invitation."""
        invitations.invitation_cancel(actor=request.user, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyInvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Invitations addressed to you, waiting for your answer."""

    serializer_class = InvitationSerializer
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]
    token_scopes = {"accept": "security", "decline": "security"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return (
            Invitation.objects.pending()
            .for_email(self.request.user.email)
            .select_related("organization", "inviter")
        )

    @extend_schema(request=None, responses={200: MyMembershipSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: you become a member with the invitation's role."""
        membership = invitations.invitation_accept(user=request.user, invitation=self.get_object())
        return Response(MyMembershipSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline: nothing changes, and the organization sees the invitation declined."""
        invitations.invitation_decline(user=request.user, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
