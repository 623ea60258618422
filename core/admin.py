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


# ------------------------------------------------------------ notifications --
from .models_notifications import (  # noqa: E402
    ChatChannel,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationProfile,
)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The inbox rows: a record of what each person was told (read-only)."""

    list_display = ["created_at", "recipient", "organization", "event", "title", "mode", "read_at"]
    list_filter = ["category", "mode", "organization"]
    search_fields = ["title", "recipient__email", "event"]
    list_select_related = ["recipient", "organization"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The delivery log (read-only); chat errors shown without the webhook secret."""

    list_display = ["created_at", "organization", "channel", "target", "title", "status", "attempts"]
    list_filter = ["status", "channel", "organization"]
    search_fields = ["target", "title", "key"]
    fields = [
        "organization",
        "channel",
        "key",
        "event",
        "title",
        "target",
        "status",
        "attempts",
        "error",
        "sent_at",
    ]
    readonly_fields = fields
    list_select_related = ["organization", "chat_channel"]

    @admin.display(description="Last error")
    def error(self, obj):
        return obj.shown_error


@admin.register(ChatChannel)
class ChatChannelAdmin(ReadOnlyAdmin):
    """Chat channels, read-only: the webhook URL (a secret) is never shown,
    only its hint; channels are added and edited on the organization's chat
    page (through the services, which check the destination)."""

    list_display = ["name", "organization", "kind", "webhook", "is_active", "disabled_reason"]
    list_filter = ["kind", "is_active", "organization"]
    fields = ["organization", "name", "kind", "webhook", "categories", "is_active", "disabled_reason"]
    readonly_fields = fields

    @admin.display(description="Webhook")
    def webhook(self, obj):
        return obj.url_hint


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Read-only: people set their own on the preferences page (security stays immediate)."""

    list_display = ["organization", "user", "category", "mode"]
    list_filter = ["category", "mode", "organization"]
    search_fields = ["user__email"]


@admin.register(NotificationProfile)
class NotificationProfileAdmin(ReadOnlyAdmin):
    """Read-only; the calendar secret is stored hashed and never shown."""

    list_display = ["user", "timezone", "digest_hour", "weekly_day", "has_calendar_feed"]
    fields = ["user", "timezone", "digest_hour", "weekly_day"]
    readonly_fields = fields
    search_fields = ["user__email"]

    @admin.display(boolean=True, description="Calendar feed on")
    def has_calendar_feed(self, obj):
        return bool(obj.calendar_token_hash)
