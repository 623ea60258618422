"""The background worker really consumes tasks, the way `make run` starts it
(Procfile.dev: ``celery -A config worker --beat``): on the file-system broker
under var/celery when REDIS_URL is unset, and on Redis when it is set (CI)."""

import importlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.worker

SEND = """
import sys
from config.celery import app
result = app.send_task("celery.accumulate", args=(sys.argv[1],), queue=sys.argv[2])
print(result.id)
"""


def _env(redis_url: str | None) -> dict[str, str]:
    """The environment of `make run`: no settings module named (the celery
    command defaults to the development settings), no eager tasks."""
    unset = ("REDIS_URL", "CELERY_TASK_ALWAYS_EAGER", "DJANGO_SETTINGS_MODULE")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def _wait_for(log: Path, text: str, process: subprocess.Popen, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        content = log.read_text(errors="replace")
        if text in content:
            return content
        if process.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(f"worker log never showed {text!r}:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(params=["file", "redis"])
def broker(request):
    if request.param == "redis":
        url = os.environ.get("REDIS_URL")
        if not url:
            pytest.skip("REDIS_URL is not set: the Redis broker is checked in CI")
        return url
    return None


def _app_schedules() -> dict:
    """Every ``BEAT_SCHEDULE`` declared in an app's tasks module."""
    from django.apps import apps

    schedules = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError:
            continue
        schedules.update(getattr(module, "BEAT_SCHEDULE", {}))
    return schedules


def test_worker_with_beat_consumes_a_task(broker, tmp_path):
    queue = f"platform-check-{uuid.uuid4().hex[:10]}"
    env = _env(broker)
    log = tmp_path / "worker.log"
    schedule = tmp_path / "celerybeat-schedule"
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "--beat",
        "--pool=solo",
        "--loglevel=DEBUG",
        f"--schedule={schedule}",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
        "--without-mingle",
        "--without-gossip",
    ]
    with log.open("w") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        banner = _wait_for(log, "ready.", worker, 180)
        assert "beat: Starting" in banner
        schedule_log = _wait_for(log, "beat: Ticking", worker, 60)
        for name in _app_schedules():
            assert f"<ScheduleEntry: {name} " in schedule_log, f"beat does not schedule {name}"
        assert ("filesystem://" if broker is None else "redis://") in banner
        token = uuid.uuid4().hex
        sender_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
        sent = subprocess.run(
            [sys.executable, "-c", SEND, token, queue],
            cwd=ROOT,
            env=sender_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        task_id = sent.stdout.strip().splitlines()[-1]
        done = _wait_for(log, f"celery.accumulate[{task_id}] succeeded", worker, 90)
        assert token in done
        assert list(tmp_path.glob("celerybeat-schedule*")), "beat keeps its schedule in the given file"
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def test_every_app_schedule_is_merged_into_beat():
    from config.celery import app

    app.finalize(auto=True)
    expected = _app_schedules()
    assert set(expected) <= set(app.conf.beat_schedule)
    for name, entry in expected.items():
        assert app.conf.beat_schedule[name]["task"] == entry["task"]
