"""Time-based events: each app's registered sweep runs once or more a day and
emits what became due (each with a key naming its day or threshold, so a
second run the same day adds nothing)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .catalogue import sweeps

logger = logging.getLogger(__name__)


def run_sweeps(*, today=None) -> int:
    today = today or timezone.localdate()
    done = 0
    for sweep in sweeps():
        try:
            with transaction.atomic():
                sweep(today=today)
            done += 1
        except Exception:
            logger.exception("Notification sweep %s failed", getattr(sweep, "__qualname__", sweep))
    return done
