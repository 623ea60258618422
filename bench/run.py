"""``make bench``: measure Concord on PostgreSQL and Redis with production
settings, for a small and a large data set, and print one table.

    .venv/bin/python -m bench.run [--reseed] [--duration 10] [--pages dashboard,register]

See docs/PERFORMANCE.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from bench import infra, report
from bench.pages import PAGES, page_keys

DATASETS = {"small": ("concord_bench_small", 0.01, 8018), "large": ("concord_bench_large", 1.0, 8019)}
DEFAULT_DB_PREFIX = "concord_bench"
SEED = 20261123


def base_env(secret_key: str) -> dict:
    """Production settings, as on a real server behind a TLS proxy."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": secret_key,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DB_CONN_MAX_AGE": "600",
            "REDIS_URL": infra.REDIS_URL,
            "LOG_LEVEL": "WARNING",
            "PYTHONHASHSEED": "0",
            # wrk sends thousands of requests a second from one signed-in person: the
            # per-person API rate limit (a protection, not a cost) would answer 429.
            "API_THROTTLE_ENABLED": "false",
        }
    )
    return env


def prepare_database(name: str, scale: float, env: dict, *, reseed: bool) -> dict:
    """Create, migrate and seed the database unless its marker says it already
    holds this seed (same scale, schema and scale-data code)."""
    marker = f"concord-bench scale={scale} seed={SEED} code={infra.seed_fingerprint()}"
    current = infra.read_marker(name)
    if current == marker and not reseed:
        infra.log(f"{name}: already seeded ({marker}); --reseed to rebuild")
        infra.manage(env, "migrate", "--noinput", "-v0")
        return {"database": name, "scale": scale, "seeded": False, "marker": marker}
    infra.log(f"{name}: creating, migrating and seeding at scale {scale}")
    infra.recreate_database(name)
    infra.manage(env, "migrate", "--noinput", "-v0")
    started = time.perf_counter()
    out = infra.manage(env, "seed_scale", "--scale", str(scale), "--seed", str(SEED), timeout=1800)
    seconds = round(time.perf_counter() - started, 1)
    for line in out.stdout.strip().splitlines():
        infra.log(f"  {line}")
    infra.manage(
        env, "shell", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
    )
    infra.write_marker(name, marker)
    infra.log(f"{name}: seeded in {seconds} s")
    return {"database": name, "scale": scale, "seeded": True, "seed_seconds": seconds, "marker": marker}


def measure_pages(probe: dict, port: int, args) -> dict:
    results = {}
    for key, found in probe["pages"].items():
        if "missing" in found:
            results[key] = found
            continue
        page = next(p for p in PAGES if p.key == key)
        cookies = probe["sessions"].get(page.role, []) if page.role != "anonymous" else []
        url = f"http://127.0.0.1:{port}{found['path']}"
        # A short warm-up fills caches and opens the workers' database connections.
        infra.run_wrk(url, cookies=cookies, threads=1, connections=2, duration=1)
        infra.wait_until_idle(port)
        figures = infra.run_wrk(
            url, cookies=cookies, threads=args.threads, connections=args.connections, duration=args.duration
        )
        if figures.get("non_2xx"):
            figures["missing"] = f"{figures['non_2xx']} responses were not 2xx"
        results[key] = {**found, **figures}
        infra.wait_until_idle(port)
        if "missing" in figures:
            infra.log(f"  {key:<18} {figures['missing']}")
        else:
            infra.log(
                f"  {key:<18} p50 {figures['p50_ms']:8.1f} ms  {figures['rps']:7.1f} req/s"
                f"  {found.get('queries')} queries"
            )
    return results


def dataset_target(label: str, args) -> tuple[str, float, int]:
    """The database, scale and gunicorn port of a data set, with the run's options."""
    name, scale, port = DATASETS[label]
    name = name.replace(DEFAULT_DB_PREFIX, args.db_prefix, 1)
    if args.port is not None:
        port = args.port + list(DATASETS).index(label)
    if label == "large" and args.large_scale is not None:
        scale = args.large_scale
    return name, scale, port


def run_dataset(label: str, env: dict, args) -> dict:
    name, scale, port = dataset_target(label, args)
    env = {**env, "DATABASE_URL": infra.database_url(name)}
    info = prepare_database(name, scale, env, reseed=args.reseed)
    infra.flush_redis()
    probe = infra.probe(env, "pages", "--pages", ",".join(args.pages), "--sessions", str(args.connections))
    if "error" in probe:
        raise SystemExit(f"{label}: {probe['error']}")
    infra.log(f"{label}: measuring {len(probe['pages'])} pages on 127.0.0.1:{port}")
    with infra.gunicorn(env, port) as server:
        pages = measure_pages(probe, port, args)
        rss = infra.worker_rss_mb(server.pid)
    data = {**info, "pages": pages, "worker_rss_mb": rss}
    if label == "large" and not args.skip_report:
        infra.log("large: timing the alignment report and its PDF")
        data["report"] = infra.probe(env, "report", timeout=600)
    if label == "large":
        infra.log("large: the portfolio of a person in 25 and in 50 organizations")
        data["portfolio"] = infra.probe(env, "portfolio", timeout=900)
    if label == "large" and not args.skip_explain:
        explain = Path(args.out).with_name("explain-large.md")
        explain.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [sys.executable, "-m", "bench.explain"],
            cwd=infra.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        explain.write_text(proc.stdout or proc.stderr)
        infra.log(f"large: register plans and indexes written to {explain}")
    return data


def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reseed", action="store_true", help="rebuild both databases even if seeded")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pages", default="", help="comma-separated page keys: " + ",".join(page_keys()))
    parser.add_argument("--datasets", default="small,large")
    parser.add_argument("--large-scale", type=float, default=None, help="development: shrink the large set")
    parser.add_argument("--skip-report", action="store_true", help="do not time the alignment report")
    parser.add_argument("--skip-explain", action="store_true", help="do not write the register's plans")
    parser.add_argument(
        "--db-prefix",
        default=DEFAULT_DB_PREFIX,
        help="databases <prefix>_small and <prefix>_large (default concord_bench): one per person "
        "when several people measure on the same PostgreSQL",
    )
    parser.add_argument("--port", type=int, default=None, help="gunicorn port of the small set (large: +1)")
    parser.add_argument("--out", default="bench-results/latest.json")
    args = parser.parse_args(argv)
    args.pages = [k for k in args.pages.split(",") if k]
    unknown = set(args.pages) - set(page_keys())
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    infra.preflight()
    infra.ensure_wrk()
    env = base_env(secrets.token_urlsafe(64))
    if infra.static_is_stale():
        infra.log("collecting static files (production storage needs the manifest)")
        infra.manage(env, "collectstatic", "--noinput", "-v0")
    results = {
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": infra.machine(),
        "load": {
            "threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "tool": "wrk",
        },
        "pages": [
            {"key": p.key, "label": p.label, "role": p.role}
            for p in PAGES
            if not args.pages or p.key in args.pages
        ],
        "datasets": {},
    }
    for label in [d for d in args.datasets.split(",") if d in DATASETS]:
        results["datasets"][label] = run_dataset(label, env, args)
    large = results["datasets"].get("large", {})
    results["report"] = large.get("report")
    results["portfolio"] = large.get("portfolio")
    results["rss_mb"] = large.get("worker_rss_mb")
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(report.format_table(results))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report.to_json(results))
    print(f"\nFigures written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
