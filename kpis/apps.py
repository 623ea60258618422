from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        # Each app's computed_kpis.py registers its functions with kpis.registry.
        autodiscover_modules("computed_kpis")
        # An imported organization (manage.py import_org) obeys the same rules as the services.
        from core.portability import register_row_check

        from .validation import kpi_import_problems, measurement_import_problems

        register_row_check("kpis.kpi", kpi_import_problems)
        register_row_check("kpis.measurement", measurement_import_problems)
        # The board pack's headline KPIs are chosen on core's settings page.
        from core.headline import register_kpi_choices

        from .models import KPI

        register_kpi_choices(
            lambda organization: list(
                KPI.objects.filter(organization=organization).order_by("name").values_list("pk", "name")
            )
        )
