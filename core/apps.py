from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Concord core"

    def ready(self):
        # Security events are recorded from Django's and Axes' auth signals.
        from . import audit, cache

        audit.connect_signals()
        # Every change of an organization's data bumps its cache version.
        cache.connect_signals()
        # Each app's export_jobs.py registers the exports the worker prepares (core/exports.py).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("export_jobs")
