"""End to end with a real Celery worker on the real broker (Redis) and the real
test database (PostgreSQL in CI): a report is queued through the broker, built
by the worker process and read back from the database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from config.celery import app
from governance.alignment import services
from governance.alignment.tasks import build_alignment_report
from governance.models import AlignmentReport, BuildStatus

from .factories_reports import populate

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: runs in CI against real Redis"
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database another process can open (PostgreSQL)")
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A real `celery -A config worker` on its own queue, always terminated."""
    queue = f"reports-{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        CELERY_TASK_ALWAYS_EAGER="false",
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )
    log = tmp_path / "worker.log"
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-mingle",
        "--without-gossip",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield queue, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def not_eager():
    """Test settings run tasks eagerly; here they must go through the broker."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


def test_worker_builds_a_report_end_to_end(transactional_db, org, people, worker, not_eager):
    queue, log = worker
    populate(org, people)
    report = services.report_request(actor=people["cio"], organization=org, enqueue=False)
    assert report.build_status == BuildStatus.QUEUED
    build_alignment_report.apply_async(args=[report.pk], queue=queue)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.build_status in (BuildStatus.READY, BuildStatus.FAILED):
            break
        time.sleep(0.5)
    assert report.build_status == BuildStatus.READY, (
        report.failure_reason,
        log.read_text(errors="replace")[-3000:],
    )
    # A finished build resets the attempt count (services.report_build); one build ran.
    assert report.build_progress == 100 and report.build_attempts == 0
    assert report.history.filter(history_change_reason="Snapshot built").count() == 1
    snapshot = report.snapshot
    assert snapshot["alignment"]["score"] == report.score is not None
    assert snapshot["risks"]["top"][0]["title"] == "Ransomware on clinical systems 0"
    assert snapshot["organization"]["slug"] == org.slug
    assert AlignmentReport.objects.filter(organization=org).count() == 1
    assert "governance.build_alignment_report" in log.read_text(errors="replace")
