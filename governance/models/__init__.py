"""Governance models, split by sub-domain. Each module lists its models in __all__."""

from .board_asks import *  # noqa: F403
from .intake import *  # noqa: F403
from .raci import *  # noqa: F403
from .reports import *  # noqa: F403
