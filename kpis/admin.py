from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import KPI, Measurement


@admin.register(KPI)
class KPIAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organization", "domain", "unit", "direction", "target", "frequency", "computed"]
    list_filter = ["domain", "frequency", "computed", "organization"]
    search_fields = ["name", "key"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["kpi", "period", "value", "source", "organization", "updated_at"]
    list_filter = ["source", "organization"]
    search_fields = ["kpi__name", "note"]
    list_select_related = ["kpi", "organization"]
    readonly_fields = ["version", "created_at", "updated_at"]
