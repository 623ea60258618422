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
        # Background work: outbox bookkeeping and heartbeats (Celery signals),
        # and a clear message at start when var/ cannot be written.
        from . import checks, heartbeat, outbox  # noqa: F401

        checks.report_at_start()
