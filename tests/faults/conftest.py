"""Servers the fault tests own and break: a redis-server and a PostgreSQL
cluster of their own on spare ports (never the shared ones), real Celery
workers, and actions run in processes of their own.

Ports: FAULT_REDIS_PORT (16380) and FAULT_PG_PORT (15440). Without
redis-server or PostgreSQL's server binaries the tests are skipped, loudly."""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port(first: int) -> int:
    """The first port from ``first`` that nothing listens on: each test process
    (and any other run on the machine) gets servers of its own."""
    for port in range(first, first + 100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port from {first}")


_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_PORT = _free_port(int(os.environ.get("FAULT_REDIS_PORT", "16380")) + 10 * _WORKER)
PG_PORT = _free_port(int(os.environ.get("FAULT_PG_PORT", "15440")) + 10 * _WORKER)
AS_ROOT = os.geteuid() == 0  # PostgreSQL refuses to run as root: run it as the postgres user


def _skip(reason: str):
    pytest.skip(
        f"FAULT TESTS SKIPPED — {reason}. They need redis-server and PostgreSQL's server binaries "
        "(initdb, pg_ctl) to break real servers."
    )


def wait_until(check, seconds: float, what: str, log: Path | None = None, interval: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    tail = "" if log is None or not log.exists() else "\n" + log.read_text(errors="replace")[-4000:]
    pytest.fail(f"timed out after {seconds}s waiting for {what}{tail}")


# ------------------------------------------------------------------ Redis ---


class RedisServer:
    def __init__(self, folder: Path):
        self.binary = shutil.which("redis-server")
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{REDIS_PORT}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=REDIS_PORT, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def start(self):
        if self.ping():
            pytest.fail(f"port {REDIS_PORT} is already taken by another Redis: set FAULT_REDIS_PORT")
        log = (self.folder / "redis.log").open("a")
        # No persistence: what Redis held is lost when it stops (the outbox must make up for it).
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self.ping, 20, "redis-server to answer")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        _skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# ------------------------------------------------------------- PostgreSQL ---


def _pg_bindir() -> Path | None:
    candidates = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        candidates.append(found)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


class PgCluster:
    def __init__(self, bindir: Path, folder: Path):
        self.bindir, self.folder = bindir, folder
        self.data, self.log = folder / "data", folder / "postgres.log"

    def _run(self, *args, timeout=120):
        command = [str(self.bindir / args[0]), *args[1:]]
        if AS_ROOT:
            command = ["runuser", "-u", "postgres", "--", *command]
        # cwd=/: the postgres user may not enter the checkout's folder.
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True, cwd="/")

    def init(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        if AS_ROOT:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()

    def start(self):
        options = f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self):
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self):
        """Fast shutdown (every connection is cut), then start again with the same options."""
        self.stop()
        self.start()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{PG_PORT}/{name}"

    def sql(self, statement: str, *, database: str = "postgres", params=()):
        import psycopg2

        connection = psycopg2.connect(
            host="127.0.0.1", port=PG_PORT, user="postgres", dbname=database, connect_timeout=5
        )
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if cursor.description else None
        finally:
            connection.close()


@pytest.fixture(scope="session")
def pg_cluster():
    bindir = _pg_bindir()
    if bindir is None:
        _skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    if not shutil.which("redis-server"):
        _skip("redis-server is not installed")
    # Its own folder under the system temp folder: pytest's is private to this user, and
    # PostgreSQL may have to run as another one.
    folder = Path(tempfile.mkdtemp(prefix="concord-faults-pg-"))
    if AS_ROOT:
        shutil.chown(folder, "postgres", "postgres")
    cluster = PgCluster(bindir, folder / "cluster")
    try:
        cluster.init()
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"could not start a PostgreSQL cluster on port {PG_PORT}: {exc.stderr}")
    try:
        cluster.sql("CREATE DATABASE concord_fault_template")
        env = {**base_env(), "DATABASE_URL": cluster.url("concord_fault_template")}
        migrated = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            timeout=600,
            capture_output=True,
            text=True,
        )
        if migrated.returncode != 0:
            pytest.fail(f"migrate failed on the fault cluster:\n{migrated.stderr[-4000:]}")
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def base_env() -> dict[str, str]:
    unset = (
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_TASK_ALWAYS_EAGER",
        "DJANGO_SETTINGS_MODULE",
        "PYTEST_XDIST_WORKER",
    )
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.settings", CELERY_TASK_ALWAYS_EAGER="false", PYTHONUNBUFFERED="1"
    )
    return env


# ---------------------------------------------------------------- the site ---


class Site:
    """One test's database (a copy of the migrated template), Redis, workers and actions."""

    def __init__(self, cluster: PgCluster, redis: RedisServer, folder: Path, name: str):
        self.cluster, self.redis, self.folder, self.name = cluster, redis, folder, name
        self.mail = folder / "mail"
        self.mail.mkdir()
        self.slow_flag = folder / "slow-builds"
        self.workers: list[subprocess.Popen] = []
        self.env = {
            **base_env(),
            "DATABASE_URL": cluster.url(name),
            "REDIS_URL": redis.url,
            "EMAIL_FILE_PATH": str(self.mail),
            "OUTBOX_DISPATCH_INTERVAL_SECONDS": "2",
            "OUTBOX_REDISPATCH_AFTER_SECONDS": "30",
            "HEARTBEAT_INTERVAL_SECONDS": "2",
            "CELERY_VISIBILITY_TIMEOUT": "12",
            "FAULT_SLOW_BUILD_FLAG": str(self.slow_flag),
            "FAULT_SLOW_BUILD_SECONDS": "1.5",
            "DB_CONN_MAX_AGE": "600",
        }

    def act(self, action: str, *args: str, timeout: float = 120) -> dict:
        result = subprocess.run(
            [sys.executable, "-m", "tests.faults.act", action, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            pytest.fail(f"{action} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def act_async(self, action: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.faults.act", action, *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def sql(self, statement: str, params=()):
        return self.cluster.sql(statement, database=self.name, params=params)

    def start_worker(self, label: str, *, beat: bool = True) -> tuple[subprocess.Popen, Path]:
        log = self.folder / f"worker-{label}.log"
        command = [
            sys.executable,
            "-m",
            "tests.faults.worker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-n",
            f"{label}@%h",
            "--without-mingle",
            "--without-gossip",
        ]
        if beat:
            command += ["--beat", f"--schedule={self.folder / f'beat-{label}'}"]
        with log.open("w") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.workers.append(process)
        wait_until(
            lambda: "ready." in log.read_text(errors="replace") or process.poll() is not None,
            120,
            f"worker {label} to start",
            log,
        )
        if process.poll() is not None:
            pytest.fail(f"worker {label} exited:\n{log.read_text(errors='replace')[-4000:]}")
        return process, log

    def report(self, report_id: int) -> dict:
        rows = self.sql(
            "SELECT build_status, build_attempts, status, failure_reason, build_progress "
            "FROM governance_alignmentreport WHERE id = %s",
            (report_id,),
        )
        status, attempts, state, reason, progress = rows[0]
        return {
            "build_status": status,
            "build_attempts": attempts,
            "status": state,
            "failure_reason": reason,
            "build_progress": progress,
        }

    def stop(self):
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def site(pg_cluster, redis_server, tmp_path, request):
    name = "concord_fault_" + request.node.name.lower().replace("test_", "")[:40]
    pg_cluster.sql(f'DROP DATABASE IF EXISTS "{name}"')
    pg_cluster.sql(f'CREATE DATABASE "{name}" TEMPLATE concord_fault_template')
    site = Site(pg_cluster, redis_server, tmp_path, name)
    yield site
    site.stop()
    if redis_server.process is None:
        redis_server.start()
    pg_cluster.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
