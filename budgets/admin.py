"""Technical admin for the budget: read-only, because every change must go
through the services (which version the proposal and void its sign-offs)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BudgetItem, ItemOption, ItemRiskLink, Proposal


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ItemInline(admin.TabularInline):
    model = BudgetItem
    fields = ["title", "domain", "category", "kind", "amount", "priority"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyHistoryAdmin):
    list_display = ["fiscal_year", "title", "organization", "status", "version", "updated_at"]
    list_filter = ["status", "organization"]
    search_fields = ["title"]
    inlines = [ItemInline]


@admin.register(BudgetItem)
class BudgetItemAdmin(ReadOnlyHistoryAdmin):
    list_display = ["title", "proposal", "domain", "category", "kind", "amount", "priority"]
    list_filter = ["domain", "category", "kind", "priority", "organization"]
    search_fields = ["title", "justification"]
    list_select_related = ["proposal"]


@admin.register(ItemOption)
class ItemOptionAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "item", "cost", "timeline_weeks", "security_score", "is_chosen"]
    list_select_related = ["item"]


@admin.register(ItemRiskLink)
class ItemRiskLinkAdmin(ReadOnlyHistoryAdmin):
    list_display = ["item", "risk", "loss_before", "loss_after"]
    list_select_related = ["item", "risk"]
