from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Concord core"

    def ready(self):
        # Security events are recorded from Django's and Axes' auth signals.
        from . import audit

        audit.connect_signals()
