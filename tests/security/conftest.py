"""Security tests run with the protections the rest of the suite switches off
(two-factor enforcement and Axes lockout; see config/settings/test.py)."""
import pytest
from django.core.cache import cache


@pytest.fixture
def secure(settings):
    settings.MFA_ENFORCED = True
    settings.AXES_ENABLED = True
    cache.clear()
    return settings


@pytest.fixture
def axes_on(settings):
    """Lockout on, two-factor enforcement off (for clients made with force_login)."""
    settings.AXES_ENABLED = True
    return settings
