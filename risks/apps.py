from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"

    def ready(self):
        from .profile import portfolio  # noqa: F401  (the profile's figure in the portfolio)
