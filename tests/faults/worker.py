"""``python -m tests.faults.worker <celery worker args>``: a real Celery worker
(``celery -A config worker``) with two test-only adjustments:

- beat schedules only the outbox dispatcher (on the interval the test sets),
  so that the hourly report schedule cannot start at a random minute;
- while the file named by ``FAULT_SLOW_BUILD_FLAG`` exists, each progress step
  of a report build pauses ``FAULT_SLOW_BUILD_SECONDS``, so that the test can
  break things mid-build.
"""

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.settings")

import django

django.setup()

from config.celery import app  # noqa: E402
from governance.alignment import services as reports  # noqa: E402

KEEP = {"core-outbox-dispatch"}


@app.on_after_finalize.connect
def _only_the_outbox_dispatcher(sender, **kwargs):
    for name in list(sender.conf.beat_schedule):
        if name not in KEEP:
            del sender.conf.beat_schedule[name]


_set_progress = reports._set_progress


def _slow_progress(report_id, percent, step):
    _set_progress(report_id, percent, step)
    flag = os.environ.get("FAULT_SLOW_BUILD_FLAG")
    if flag and Path(flag).exists():
        time.sleep(float(os.environ.get("FAULT_SLOW_BUILD_SECONDS", "1")))


reports._set_progress = _slow_progress

if __name__ == "__main__":
    app.worker_main(argv=sys.argv[1:])
