"""Technical admin: reference catalogues are browsable; business records are
read-only here because every change must go through the services (history,
version, sign-off voiding)."""

from django.contrib import admin

from .models import (
    AnnexAControl,
    Assessment,
    CsfCatalogue,
    CsfCategory,
    CsfFunction,
    CsfSubcategory,
    Mitigation,
    Risk,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CsfCatalogue)
class CsfCatalogueAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "source_version"]


@admin.register(CsfFunction)
class CsfFunctionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "catalogue"]


@admin.register(CsfCategory)
class CsfCategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "function", "catalogue"]
    search_fields = ["code", "name"]


@admin.register(CsfSubcategory)
class CsfSubcategoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "statement", "category", "catalogue"]
    list_filter = ["catalogue"]
    search_fields = ["code", "statement"]


@admin.register(AnnexAControl)
class AnnexAControlAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "theme"]
    list_filter = ["theme"]
    search_fields = ["code", "title"]


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "title",
        "organization",
        "status",
        "inherent_score",
        "cio_score",
        "ciso_score",
    ]
    list_filter = ["organization", "status", "origin"]
    search_fields = ["reference", "title"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["risk", "lens", "inherent_likelihood", "inherent_impact", "assessed_by", "assessed_at"]
    list_filter = ["lens"]


@admin.register(Mitigation)
class MitigationAdmin(ReadOnlyAdmin):
    list_display = ["title", "risk", "owner", "status", "due_date", "cost"]
    list_filter = ["status"]
