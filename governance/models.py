"""Governance models, split by sub-domain. Each module lists its models in __all__."""

from .intake import *  # noqa: F403
from .raci import *  # noqa: F403
from .reports import *  # noqa: F403
