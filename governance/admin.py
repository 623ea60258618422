"""Technical admin for governance data. Business changes go through the pages
and the API (services); the admin is for support staff, read-mostly."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    IntakeComment,
    IntakeCondition,
    IntakeOption,
    IntakeRequest,
    IntakeSettings,
    RaciActivity,
    RaciAssignment,
    RaciMatrix,
    RaciParty,
)


@admin.register(RaciParty)
class RaciPartyAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "organization", "position")
    list_filter = ("kind", "organization")
    search_fields = ("name",)


@admin.register(RaciActivity)
class RaciActivityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "process_area", "csf_category", "organization")
    list_filter = ("process_area", "csf_category", "organization")
    search_fields = ("name",)


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("activity", "party", "letter", "organization")
    list_filter = ("letter", "organization")


@admin.register(RaciMatrix)
class RaciMatrixAdmin(SimpleHistoryAdmin):
    list_display = ("organization", "version", "template_applied_at", "updated_at")


@admin.register(IntakeSettings)
class IntakeSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("organization", "sla_low_days", "sla_medium_days", "sla_high_days", "at_risk_percent")


class OptionInline(admin.TabularInline):
    model = IntakeOption
    extra = 0
    readonly_fields = ("created_by",)


class ConditionInline(admin.TabularInline):
    model = IntakeCondition
    extra = 0
    readonly_fields = ("created_by",)


@admin.register(IntakeRequest)
class IntakeRequestAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "organization", "tier", "status", "submitted_at", "decided_at")
    list_filter = ("status", "tier", "organization")
    search_fields = ("reference", "title", "requester__email")
    # The workflow (status, decision), the triage answers that set the tier and
    # the stored SLA moments change only through the app, which keeps them
    # consistent with each other, the sign-offs and the queue; here staff can
    # correct the wording.
    readonly_fields = (
        "organization",
        "reference",
        "requester",
        "data_classification",
        "personal_data",
        "internet_facing",
        "third_party",
        "changes_authentication",
        "business_criticality",
        "tier",
        "sla_days",
        "status",
        "proposed_decision",
        "decision_rationale",
        "submitted_at",
        "first_response_at",
        "decided_at",
        "breach_notified_at",
        "sla_due_at",
        "sla_at_risk_at",
        "sla_elapsed_days",
        "version",
    )
    inlines = [OptionInline, ConditionInline]


@admin.register(IntakeComment)
class IntakeCommentAdmin(admin.ModelAdmin):
    list_display = ("request", "author", "kind", "created_at")
    list_filter = ("kind",)
    readonly_fields = ("request", "author", "kind", "body")
