from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        # Each app's computed_kpis.py registers its functions with kpis.registry.
        autodiscover_modules("computed_kpis")
