from rest_framework import serializers

from core.converters import ORG_SLUG_PATTERN
from core.currencies import validate_currency
from core.models import Invitation, Membership, Organization, User
from core.org_templates import Template
from core.roles import Role


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]
        read_only_fields = fields


class MyMembershipSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "organization_name", "role", "is_admin"]


class MeSerializer(serializers.ModelSerializer):
    memberships = MyMembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "memberships"]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(required=False, min_value=1)
    mfa_required_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), required=False
    )

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "currency",
            "fiscal_year_start_month",
            "risk_appetite",
            "medium_from",
            "high_from",
            "critical_from",
            "report_schedule",
            "mfa_required_roles",
            "time_zone",
            "archived_at",
            "version",
            "updated_at",
        ]
        read_only_fields = ["slug", "updated_at", "time_zone", "archived_at"]

    def validate_currency(self, value):
        from django.core.exceptions import ValidationError as DjangoValidationError

        try:
            validate_currency(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    def validate(self, attrs):
        org = self.instance
        medium = attrs.get("medium_from", org.medium_from if org else 5)
        high = attrs.get("high_from", org.high_from if org else 10)
        critical = attrs.get("critical_from", org.critical_from if org else 17)
        if not (medium < high < critical):
            raise serializers.ValidationError(
                {"high_from": "Level thresholds must increase: Medium < High < Critical."}
            )
        return attrs


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    role = serializers.ChoiceField(choices=Role.choices)


class HandOverSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[Role.CIO, Role.CISO], help_text="The role handed over.")
    successor = serializers.IntegerField(
        min_value=1, help_text="Membership id of the person taking the role over."
    )
    outgoing_role = serializers.ChoiceField(
        choices=Role.choices,
        required=False,
        allow_null=True,
        default=None,
        help_text="The outgoing holder's new role; null to take them out of the organization.",
    )


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation waiting for the person's answer (the membership exists once they accept)."""

    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    inviter = serializers.EmailField(source="inviter.email", read_only=True, allow_null=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organization",
            "organization_name",
            "email",
            "role",
            "inviter",
            "created_at",
            "expires_at",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        if obj.accepted_at:
            return "accepted"
        if obj.declined_at:
            return "declined"
        if obj.cancelled_at:
            return "cancelled"
        return "pending" if obj.is_pending else "expired"


class OrganizationCreateSerializer(serializers.Serializer):
    """A new organization; ``founder_role`` is the creator's role in it (admin,
    or CIO or CISO while also administering it), ``template`` how it starts."""

    name = serializers.CharField(max_length=120)
    slug = serializers.RegexField(
        rf"^{ORG_SLUG_PATTERN}$",
        max_length=60,
        error_messages={"invalid": "Use lower-case letters, digits and hyphens."},
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}$",
        required=False,
        help_text="Left out: the copied organization's (template 'copy'), else USD.",
        error_messages={"invalid": "Use a three-letter code such as USD or EUR."},
        validators=[validate_currency],
    )
    fiscal_year_start_month = serializers.IntegerField(
        min_value=1, max_value=12, required=False, help_text="Left out: the copied organization's, else 1."
    )
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text="Left out: the copied organization's, else UTC."
    )
    risk_appetite = serializers.IntegerField(
        min_value=1, max_value=25, required=False, help_text="Left out: the copied organization's, else 9."
    )
    founder_role = serializers.ChoiceField(choices=["admin", "cio", "ciso"], default="admin")
    template = serializers.ChoiceField(choices=Template.choices, default=Template.EMPTY)
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="With template 'copy': the short name of an organization you lead.",
    )


class OrganizationLifecycleSerializer(serializers.ModelSerializer):
    """Where an organization stands in its life (archive and deletion)."""

    deletion_requested_by = serializers.EmailField(source="deletion_requested_by.email", default=None)
    deletion_confirmed_by = serializers.EmailField(source="deletion_confirmed_by.email", default=None)

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "archived_at",
            "deletion_requested_at",
            "deletion_requested_by",
            "deletion_confirmed_at",
            "deletion_confirmed_by",
            "deletion_due_at",
        ]
        read_only_fields = fields


class InstanceSettingsSerializer(serializers.Serializer):
    organization_creation = serializers.ChoiceField(
        choices=["anyone", "staff"], help_text="Who may create an organization here."
    )
    can_create_organizations = serializers.BooleanField(help_text="Whether you may.")
    deletion_grace_days = serializers.IntegerField()
