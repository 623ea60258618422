"""Governance models, split by sub-domain. Each module lists its models in __all__."""

from ..alignment.models import *  # noqa: F403
from ..intake.models import *  # noqa: F403
from ..raci.models import *  # noqa: F403
