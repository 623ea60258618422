"""Signs of life of the background processes, for ``/healthz``.

The worker writes ``worker:<hostname>`` from a thread started when it is ready
(so a long task does not silence it); the scheduler (Celery beat, through
``TickRecordingScheduler``) writes ``scheduler`` on each tick. Both go to the
database: it is shared by every process whatever the broker and cache are.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from celery.beat import PersistentScheduler
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)

WORKER_PREFIX = "worker:"
SCHEDULER = "scheduler"


def record(name: str) -> None:
    Heartbeat.objects.update_or_create(name=name[:200], defaults={"beat_at": timezone.now()})


def _drop_stale_connection(*, failed: bool = False) -> None:
    """Long-lived processes: drop a connection the database closed (restart,
    idle timeout) so the next write opens a fresh one. Never inside a
    transaction: that connection is not ours to close."""
    if connection.in_atomic_block:
        return
    if failed:
        connection.close()
    else:
        close_old_connections()


def _age(moment) -> int | None:
    return None if moment is None else int((timezone.now() - moment).total_seconds())


def status() -> dict:
    """``{"worker": {...}, "scheduler": {...}}``: each "ok" or "stale" (or
    "never seen") with the seconds since its last sign of life."""
    stale_after = settings.HEARTBEAT_STALE_SECONDS
    beats = dict(Heartbeat.objects.values_list("name", "beat_at"))
    workers = [moment for name, moment in beats.items() if name.startswith(WORKER_PREFIX)]
    result = {}
    for part, moment in (("worker", max(workers, default=None)), ("scheduler", beats.get(SCHEDULER))):
        age = _age(moment)
        state = "never seen" if age is None else ("ok" if age <= stale_after else "stale")
        result[part] = {"status": state, "last_seen_seconds_ago": age}
    return result


class _WorkerBeat(threading.Thread):
    def __init__(self, hostname: str):
        super().__init__(name="concord-heartbeat", daemon=True)
        self.hostname = hostname
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                _drop_stale_connection()
                record(WORKER_PREFIX + self.hostname)
            except Exception:
                logger.warning("could not record the worker's heartbeat", exc_info=True)
                _drop_stale_connection(failed=True)
            self.stopped.wait(settings.HEARTBEAT_INTERVAL_SECONDS)
        connection.close()


_thread: _WorkerBeat | None = None


@worker_ready.connect
def _start_worker_beat(sender=None, **kwargs):
    global _thread
    _thread = _WorkerBeat(getattr(sender, "hostname", "") or "celery")
    _thread.start()


@worker_shutdown.connect
def _stop_worker_beat(**kwargs):
    if _thread is not None:
        _thread.stopped.set()


class TickRecordingScheduler(PersistentScheduler):
    """Celery beat's file-backed scheduler, recording each tick (at most every
    ``HEARTBEAT_INTERVAL_SECONDS``) so that /healthz can tell a scheduler that
    stopped from one that has nothing to do."""

    _last_recorded = None

    def tick(self, *args, **kwargs):
        now = timezone.now()
        interval = timedelta(seconds=settings.HEARTBEAT_INTERVAL_SECONDS)
        if self._last_recorded is None or now - self._last_recorded >= interval:
            try:
                _drop_stale_connection()
                record(SCHEDULER)
                self._last_recorded = now
            except Exception:
                logger.warning("could not record the scheduler's tick", exc_info=True)
                _drop_stale_connection(failed=True)
        return min(super().tick(*args, **kwargs), settings.HEARTBEAT_INTERVAL_SECONDS)
