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


@pytest.fixture
def step_up_on(settings):
    """Step-up enforced (two-factor enforcement off, for clients made with force_login)."""
    settings.STEP_UP_ENFORCED = True
    return settings


@pytest.fixture
def raci_matrix(org):
    """A RACI matrix the CIO and CISO can sign (one activity, accountable and responsible set)."""
    from tests.governance.factories_raci import RaciActivityFactory, cell, standard_parties

    parties = standard_parties(org)
    activity = RaciActivityFactory(organization=org, name="Patch management")
    cell(activity, parties["cio"], "A")
    cell(activity, parties["ops"], "R")
    return activity
