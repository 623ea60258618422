"""Governance Celery tasks (thin wrappers around services), by sub-domain.
Celery's autodiscovery imports this package; each module adds its periodic
tasks to its own BEAT_SCHEDULE, merged here."""

from ..alignment.tasks import *  # noqa: F403
from ..alignment.tasks import BEAT_SCHEDULE as _REPORTS_SCHEDULE
from ..intake.tasks import *  # noqa: F403
from ..intake.tasks import BEAT_SCHEDULE as _INTAKE_SCHEDULE

BEAT_SCHEDULE = {**_INTAKE_SCHEDULE, **_REPORTS_SCHEDULE}
