"""Governance Celery tasks (thin wrappers around services), by sub-domain.
Celery's autodiscovery imports this package; each module adds its periodic
tasks to its own BEAT_SCHEDULE, merged here."""

from .intake import *  # noqa: F403
from .intake import BEAT_SCHEDULE as _INTAKE_SCHEDULE
from .reports import *  # noqa: F403
from .reports import BEAT_SCHEDULE as _REPORTS_SCHEDULE

BEAT_SCHEDULE = {**_INTAKE_SCHEDULE, **_REPORTS_SCHEDULE}
