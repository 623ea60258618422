"""Celery application: tasks are found in each app's tasks.py; each app's
``BEAT_SCHEDULE`` dict is merged into the periodic schedule."""

import importlib
import os
import sys
from pathlib import Path

from celery import Celery

# Development settings by default for the `celery` command only. This module is
# imported by config/__init__.py, i.e. before config/wsgi.py can pick its own
# default (production): a default set here for every process would win there.
if "celery" in Path(sys.argv[0]).parts[-2:]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("concord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _merge_app_schedules(sender, **kwargs):
    from django.apps import apps

    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tasks":
                raise
            continue
        sender.conf.beat_schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
