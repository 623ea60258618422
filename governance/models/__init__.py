"""Governance models, split by sub-domain. Each module lists its models in __all__."""
from .intake import *  # noqa: F401,F403
from .raci import *  # noqa: F401,F403
from .reports import *  # noqa: F401,F403
