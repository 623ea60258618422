"""The machinery around the measurements: the load tool, the databases and
their seed marker, gunicorn, worker memory and the machine's description."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ------------------------------------------------------------- load tool ----


def ensure_wrk() -> str:
    """wrk from Debian's archive, installed on first use."""
    found = shutil.which("wrk")
    if found:
        return found
    log("installing wrk (apt-get install -y wrk)")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    install = [*prefix, "apt-get", "install", "-y", "--no-install-recommends", "wrk"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:  # noqa: S603
        subprocess.run([*prefix, "apt-get", "update"], env=env, capture_output=True)  # noqa: S603
        subprocess.run(install, env=env, check=True)  # noqa: S603
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed; install it (apt-get install wrk) and rerun.")
    return found


def run_wrk(url: str, *, cookies: list[str], threads: int, connections: int, duration: int) -> dict:
    """One bounded wrk run; latencies in ms, throughput in requests/s."""
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        f"--timeout={max(duration, 10)}s",
        "-s",
        str(ROOT / "bench" / "wrk.lua"),
        url,
    ]
    env = {**os.environ, "BENCH_COOKIES": "|".join(cookies)}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 60)  # noqa: S603
    return parse_wrk(proc.stdout, proc.stderr, duration)


def parse_wrk(stdout: str, stderr: str, duration: int) -> dict:
    """The figures of bench/wrk.lua's JSON line: latencies in ms, throughput in requests/s."""
    line = next((x for x in stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        return {"missing": f"wrk failed: {(stderr or stdout).strip()[:200]}"}
    raw = json.loads(line.split(" ", 1)[1])
    if not raw["requests"]:
        return {"missing": f"no request completed within {duration} s", "requests": 0}
    seconds = raw["duration_us"] / 1e6
    errors = sum(raw[k] for k in raw if k.startswith("errors_"))
    return {
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "mean_ms": raw["mean_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "requests": raw["requests"],
        "errors": errors,
        "non_2xx": raw["errors_status"],
    }


# ------------------------------------------------------------- databases ----


def _admin_connection():
    import psycopg2

    conn = psycopg2.connect(f"{PG_ADMIN_URL}/postgres")
    conn.autocommit = True
    return conn


def database_url(name: str) -> str:
    return f"{PG_ADMIN_URL}/{name}"


def read_marker(name: str) -> str | None:
    """The seed marker, kept as the database's comment; None when the database is absent."""
    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        )
        row = cur.fetchone()
    return None if row is None else (row[0] or "")


def write_marker(name: str, marker: str) -> None:
    from psycopg2 import sql

    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(marker)))


def recreate_database(name: str) -> None:
    from psycopg2 import sql

    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed_fingerprint() -> str:
    """Changes when the schema (any migration) or the scale-data code changes,
    so a database seeded by older code is rebuilt rather than measured."""
    digest = hashlib.sha256()
    files = sorted(ROOT.glob("*/migrations/*.py")) + sorted((ROOT / "bench" / "scale").glob("*.py"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def static_is_stale() -> bool:
    """Whether collectstatic must run: no manifest yet, or a project static file
    missing from it (pages would fail). A file that only changed is served in
    its collected version, which does not change what is measured, and saves
    the minutes compressing takes."""
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return True
    known = json.loads(manifest.read_text()).get("paths", {})
    for folder in (ROOT / "static", *ROOT.glob("*/static")):
        for path in folder.rglob("*") if folder.is_dir() else ():
            if path.is_file() and path.relative_to(folder).as_posix() not in known:
                return True
    return False


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# ---------------------------------------------------------- subprocesses ----


def manage(env: dict, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        timeout=timeout,
        text=True,
        capture_output=True,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{tail}")
    return proc


def probe(env: dict, *args: str, timeout: int = 900) -> dict:
    proc = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench.probe", *args],
        cwd=ROOT,
        env=env,
        timeout=timeout,
        text=True,
        capture_output=True,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("PROBE_JSON ")), None)
    if line is None:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": "probe failed: " + " | ".join(tail)}
    return json.loads(line.split(" ", 1)[1])


@contextlib.contextmanager
def gunicorn(env: dict, port: int):
    """Gunicorn on 127.0.0.1:<port>, stopped (and its workers with it) on exit."""
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "-c",
        str(ROOT / "bench" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", proc)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _wait_until_up(url: str, proc: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {proc.returncode}; see its messages above.")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (local URL)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {limit:.0f} s")


def wait_until_idle(port: int, limit: float = 120) -> float:
    """Wait for requests still queued from the previous page to drain (wrk
    stops, gunicorn's backlog does not), so they do not slow the next page:
    idle once two health checks in a row answer within 50 ms."""
    started = deadline = time.monotonic()
    deadline += limit
    quick = 0
    while quick < 2 and time.monotonic() < deadline:
        t = time.monotonic()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=limit):
                pass
        except OSError:
            time.sleep(0.2)
        quick = quick + 1 if time.monotonic() - t < 0.05 else 0
    return time.monotonic() - started


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of the master's worker processes, in MB (from /proc)."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != master_pid:
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        kb = next((int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")), 0)
        sizes.append(round(kb / 1024, 1))
    return sorted(sizes)


def preflight() -> None:
    """Stop early, with a plain message, when PostgreSQL or Redis is not there."""
    import psycopg2
    import redis

    try:
        _admin_connection().close()
    except psycopg2.Error as exc:
        raise SystemExit(f"PostgreSQL is not reachable at {PG_ADMIN_URL} (set BENCH_PG_URL): {exc}".strip())
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"Redis is not reachable at {REDIS_URL} (set BENCH_REDIS_URL): {exc}")


# --------------------------------------------------------------- machine ----


def _first(path: str, prefix: str) -> str:
    with contextlib.suppress(OSError):
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    return "unknown"


def machine() -> dict:
    import redis

    with contextlib.closing(_admin_connection()) as conn, conn.cursor() as cur:
        cur.execute("SHOW server_version")
        pg_version = cur.fetchone()[0]
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "redis": redis.Redis.from_url(REDIS_URL).info("server").get("redis_version"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
