"""Settings: production refuses to start without a secret and passes check --deploy."""

import os
import subprocess
import sys
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env_overrides):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in this process; production never has it.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "SITE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", ALLOWED_HOSTS="x.example")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="concord.example.com",
        SITE_URL="https://concord.example.com",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-length-0123456789",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_requires_the_public_site_url():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        ALLOWED_HOSTS="concord.example.com",
        SECRET_KEY="k" * 20 + "-production-secret-with-enough-length-0123456789",
    )
    assert result.returncode != 0 and "SITE_URL must be set in production" in result.stderr


def test_database_url_selects_engine():
    env = environ.Env()
    assert env.db_url_config("sqlite:////tmp/x.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    assert (
        env.db_url_config("postgres://u@127.0.0.1:5432/concord")["ENGINE"] == "django.db.backends.postgresql"
    )


def test_sqlite_is_the_default_without_database_url():
    code = "from config.settings import base; print(base.DATABASES['default']['ENGINE'])"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "django.db.backends.sqlite3"


def test_postgres_gets_persistent_connections():
    code = (
        "from config.settings import base; d=base.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_MAX_AGE'], d['OPTIONS']['options'].replace(' ', ''))"
    )
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/concord"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["django.db.backends.postgresql", "600", "-cjit=off"]


def test_redis_url_switches_cache_and_broker():
    code = (
        "from config.settings import base; print(base.CACHES['default']['BACKEND'], base.CELERY_BROKER_URL)"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/3"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/3"]
