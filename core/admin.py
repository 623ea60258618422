"""Technical admin site. History and sign-offs are shown read-only: they cannot
be edited or deleted here either."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, Invitation, Membership, Organization, SecurityEvent, SignOff, User


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """A password set here revokes the person's API tokens, as on the password pages."""
        from django.contrib.admin.utils import unquote

        from .services import api_tokens_revoke_all

        response = super().user_change_password(request, id, form_url)
        changed = request.method == "POST" and response.status_code == 302
        if changed and response["Location"] != request.get_full_path():
            api_tokens_revoke_all(
                user=self.get_object(request, unquote(id)),
                reason="the password was changed in the admin site.",
            )
        return response


class MembershipInline(admin.TabularInline):
    """People can be added here to set up an organization; roles change only on
    the People page (hand over, voided sign-offs, revoked tokens, audit, e-mail)."""

    model = Membership
    extra = 0

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "currency", "report_schedule"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["organization", "purpose", "role", "signer", "decision", "signed_at", "voided_at"]
    list_filter = ["purpose", "role", "decision"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    """Append-only: visible to staff, never editable or deletable."""

    list_display = ["created_at", "kind", "actor_email", "subject_email", "organization", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["actor_email", "subject_email", "detail"]
    date_hierarchy = "created_at"


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Answered by the invited person, cancelled on the People page: read-only here."""

    list_display = [
        "organization",
        "email",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "declined_at",
        "cancelled_at",
    ]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
