"""Per-token and per-person rate limits for the API (429 with Retry-After).

Rates are settings (``API_RATE_TOKEN`` for each API token, ``API_RATE_USER`` for
each person calling with a browser session), e.g. ``120/min``; the counters
live in the cache (Redis in production, shared by every web process)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.models import ApiToken


class _SettingsRateThrottle(SimpleRateThrottle):
    """Reads its rate from Django settings at each request, so an operator's
    change (or a test's) applies without reloading DRF's settings."""

    def get_rate(self):
        if not getattr(settings, "API_THROTTLE_ENABLED", True):
            return None
        return getattr(settings, "API_RATE_LIMITS", {}).get(self.scope)


class TokenRateThrottle(_SettingsRateThrottle):
    """Each API token has its own budget, whatever address it calls from."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class UserRateThrottle(_SettingsRateThrottle):
    """Each person calling the API with a browser session."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken) or not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
