"""Governance models, one module per sub-domain (raci/, intake/, alignment/models.py).
Each lists its models in __all__; importing them here registers them with Django."""

from .alignment.models import *  # noqa: F403
from .intake.models import *  # noqa: F403
from .raci.models import *  # noqa: F403
