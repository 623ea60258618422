"""/livez touches nothing; /healthz reports the database, broker, worker and
scheduler heartbeats and var/, without sessions, sign-in or redirects; an
unwritable var/ is named clearly at start."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app
from core import heartbeat
from core.heartbeat import TickRecordingScheduler
from core.models import Heartbeat, OutboxJob

ROOT = Path(__file__).resolve().parents[2]


def test_livez_touches_nothing(client):
    response = client.get("/livez")  # no database access is allowed in this test: any query would raise
    assert response.status_code == 200 and response.json() == {"status": "alive"}
    assert not response.cookies


@pytest.mark.django_db
def test_healthz_never_touches_the_session(client):
    client.cookies["sessionid"] = "not-a-session"
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz", HTTP_HOST="unknown-host.example")  # no host check, no redirect
    assert response.status_code == 200
    assert not response.cookies
    assert not [q["sql"] for q in queries if "session" in q["sql"].lower() or "core_user" in q["sql"].lower()]


@pytest.mark.django_db
def test_healthz_reports_each_part(client, settings):
    settings.HEARTBEAT_STALE_SECONDS = 180
    body = client.get("/healthz").json()
    assert body["database"] == "ok" and body["broker"].startswith("ok")
    assert body["worker"] == {"status": "never seen", "last_seen_seconds_ago": None}
    assert body["status"] == "degraded"
    heartbeat.record("worker:w1@host")
    heartbeat.record(heartbeat.SCHEDULER)
    OutboxJob.objects.create(task="core.send_email", created_at=timezone.now() - timedelta(seconds=90))
    body = client.get("/healthz").json()
    assert body["worker"]["status"] == body["scheduler"]["status"] == "ok"
    assert body["outbox"]["waiting"] == 1 and body["outbox"]["oldest_waiting_seconds"] >= 90
    assert body["storage"] == "ok" and body["status"] == "ok"
    Heartbeat.objects.filter(name=heartbeat.SCHEDULER).update(beat_at=timezone.now() - timedelta(minutes=10))
    body = client.get("/healthz").json()
    assert body["scheduler"]["status"] == "stale" and body["scheduler"]["last_seen_seconds_ago"] >= 600
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_healthz_names_an_unwritable_var_folder(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.VAR_DIR = blocker / "var"
    body = client.get("/healthz").json()
    assert body["storage"].startswith("error: cannot write to ") and str(blocker / "var") in body["storage"]
    assert body["status"] == "degraded"


@pytest.mark.django_db
def test_the_scheduler_records_its_ticks(tmp_path):
    scheduler = TickRecordingScheduler(app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    scheduler.setup_schedule()
    scheduler.tick()
    assert heartbeat.status()["scheduler"]["status"] == "ok"


def test_retries_survive_a_lost_worker():
    from django.conf import settings

    app.finalize(auto=True)
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert settings.CELERY_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT
    if settings.REDIS_URL:
        assert app.conf.broker_transport_options["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    assert "core.outbox_dispatch" in {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "governance.retry_stalled_reports" in {entry["task"] for entry in app.conf.beat_schedule.values()}


def test_an_unwritable_var_folder_is_reported_at_start_not_a_crash(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VAR_DIR=str(blocker / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output
    assert f"Concord cannot write to {blocker / 'var'}" in output
    assert "concord.E001" in output


def test_the_containers_health_check_follows_the_scheduler_heartbeat(db, settings):
    """Compose's beat service is healthy while its ticks are recorded."""
    from django.core.management import CommandError, call_command

    settings.HEARTBEAT_STALE_SECONDS = 180
    with pytest.raises(CommandError, match="never seen"):
        call_command("heartbeat_check", "scheduler")
    heartbeat.record(heartbeat.SCHEDULER)
    call_command("heartbeat_check", "scheduler")
    Heartbeat.objects.filter(name=heartbeat.SCHEDULER).update(beat_at=timezone.now() - timedelta(minutes=10))
    with pytest.raises(CommandError, match="stale"):
        call_command("heartbeat_check", "scheduler")
