from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Concord core"

    def ready(self):
        # Security events are recorded from Django's and Axes' auth signals.
        from . import audit, cache

        audit.connect_signals()
        # Every change of an organization's data bumps its cache version.
        cache.connect_signals()
        # Each app's joint_decisions.py registers its joint decisions (core.joint).
        autodiscover_modules("joint_decisions")
        # Background work: outbox bookkeeping and heartbeats (Celery signals),
        # and a clear message at start when var/ cannot be written.
        from . import checks, heartbeat, outbox  # noqa: F401

        checks.report_at_start()
        # Each app's export_jobs.py registers the exports the worker prepares (core/exports.py).
        autodiscover_modules("export_jobs")
        # Notifications: core's own events, then each app's notification_events.py.
        from .notifications import catalogue  # noqa: F401

        autodiscover_modules("notification_events")
        # Each app's org_templates.py says how a new organization starts its library (core.org_templates).
        autodiscover_modules("org_templates")
