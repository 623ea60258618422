"""docker-compose.yml, Dockerfile and .dockerignore, checked offline (no Docker
engine here): the compose file against the compose specification, and the
services, health checks and volumes that production relies on."""

import fnmatch
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat", "migrate")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def dockerfile_instructions():
    """(instruction, arguments) pairs, with continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_compose_file_follows_the_compose_specification():
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_compose_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("    healthcheck:\n", "    health_check:\n", 1))
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "health_check" in result.stdout


def test_every_long_running_service_has_a_health_check(compose):
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    checks = {
        name: " ".join(services[name]["healthcheck"]["test"])
        for name in ("web", "worker", "beat", "db", "redis")
    }
    assert "/healthz" in checks["web"]
    assert "pg_isready" in checks["db"]
    assert "redis-cli ping" in checks["redis"]
    assert "inspect ping" in checks["worker"]
    assert "heartbeat_check scheduler" in checks["beat"]


def test_images_and_commands(compose):
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    web = services["web"]["command"]
    assert web[:2] == ["gunicorn", "config.wsgi:application"] and "--workers=2" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    beat = services["beat"]["command"]
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    assert "--schedule=/app/var/beat/celerybeat-schedule" in beat
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert services["migrate"]["restart"] == "no"


def test_app_services_wait_for_healthy_dependencies_and_migrations(compose):
    services = compose["services"]
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["redis"] == {"condition": "service_healthy"}, name
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["db"] == {"condition": "service_healthy"}, name


def test_data_lives_on_named_volumes(compose):
    assert set(compose["volumes"]) == {"pgdata", "redisdata", "media", "beat"}
    services = compose["services"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    assert "redisdata:/data" in services["redis"]["volumes"]
    assert "beat:/app/var/beat" in services["beat"]["volumes"]
    for name in ("web", "worker"):
        assert "media:/app/var/media" in services[name]["volumes"], name


def test_production_secrets_must_be_set_explicitly(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert env["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:?"), name
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DATABASE_URL"].startswith("postgres://concord:${POSTGRES_PASSWORD:?")
        assert service["env_file"] == [{"path": ".env", "required": False}]
    assert compose["services"]["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_compose_variables_are_documented_in_env_example():
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    used = set(re.findall(r"\$\{([A-Z_]+)", COMPOSE.read_text()))
    assert used and used <= documented, used - documented


def test_dockerfile_base_libraries_and_user(dockerfile_instructions):
    instructions = dict(dockerfile_instructions)  # last one of each kind wins, as in Docker
    assert dockerfile_instructions[0] == ("FROM", "python:3.11-slim")
    apt = " ".join(
        args for kind, args in dockerfile_instructions if kind == "RUN" and "apt-get install" in args
    )
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-dejavu-core"):
        assert package in apt.split(), package
    assert instructions["USER"] == "concord"
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in instructions["ENV"].split()
    assert shlex.split(instructions["CMD"].replace(",", " ").strip("[]"))[:2] == [
        "gunicorn",
        "config.wsgi:application",
    ]


def test_dockerfile_installs_exactly_the_lock_file(dockerfile_instructions):
    runs = [args for kind, args in dockerfile_instructions if kind == "RUN"]
    installs = [args for args in runs if "pip install" in args]
    assert installs == ["pip install -r requirements-production.lock"]
    copies = [args for kind, args in dockerfile_instructions if kind == "COPY"]
    lock_copy = copies.index("requirements-production.lock ./")
    code_copy = next(i for i, args in enumerate(copies) if args.endswith(". ."))
    assert lock_copy < code_copy, "the lock file is copied (and installed) before the code"
    assert any("collectstatic" in args for args in runs)


def _dockerignore_patterns():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern.rstrip("/") + "/"):
            ignored = not negate
    return ignored


def test_dockerfile_copy_sources_exist_and_are_sent_to_the_build(dockerfile_instructions):
    patterns = _dockerignore_patterns()
    for kind, args in dockerfile_instructions:
        if kind != "COPY":
            continue
        sources = [a for a in args.split() if not a.startswith("--")][:-1]
        for source in sources:
            assert (ROOT / source).exists(), source
            if source != ".":
                assert not _ignored(source, patterns), f"{source} is excluded by .dockerignore"


def test_dockerignore_keeps_local_state_out_and_the_code_in():
    from django.conf import settings

    patterns = _dockerignore_patterns()
    for local in (".venv", ".env", "db.sqlite3", "var", "staticfiles", ".git"):
        assert _ignored(local, patterns), local
    for needed in ("manage.py", "requirements.lock", "config", "templates", "static", ".env.example"):
        assert (ROOT / needed).exists() and not _ignored(needed, patterns), needed
    project_apps = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir() and "." not in app]
    assert "core" in project_apps
    for app in project_apps:
        assert not _ignored(app, patterns), app


def test_the_app_user_writes_only_under_var(dockerfile_instructions):
    copies = [args for kind, args in dockerfile_instructions if kind == "COPY"]
    assert all("--chown" not in args for args in copies), "code stays owned by root"
    chowns = [args for kind, args in dockerfile_instructions if kind == "RUN" and "chown" in args]
    assert chowns and all(args.rstrip().endswith("chown -R concord:concord var") for args in chowns)
    users = [args for kind, args in dockerfile_instructions if kind == "USER"]
    assert users == ["concord"]
