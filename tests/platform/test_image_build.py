"""What the Dockerfile's build and start steps do, run here without Docker:
collecting static files into a manifest as the production storage does (it
fails on a CSS file that references a missing file) and loading the WSGI
application that gunicorn serves, with production settings by default."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "image-build-check-" + "x" * 48,
    "ALLOWED_HOSTS": "concord.example.com",
    "SITE_URL": "https://concord.example.com",
}


def test_collectstatic_builds_the_manifest_production_serves(settings, tmp_path):
    from django.conf import settings as live_settings

    assert "config.staticfiles.ProductionStaticFilesStorage" in _production_storage()
    # The manifest step (references checked, hashed names) without WhiteNoise's
    # compression, which takes minutes on the vendored assets and is not what can fail.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **live_settings.STORAGES,
        "staticfiles": {"BACKEND": "config.staticfiles.ManifestWithoutSourceMapsStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in (
        "css/concord.css",
        "js/concord.js",
        "vendor/htmx/htmx.min.js",
        "vendor/bootstrap/bootstrap.min.css",
    ):
        assert f'"{asset}"' in manifest, asset
    # Test tools and source maps are not published.
    published = json.loads(manifest)["paths"]
    assert not [p for p in published if p.startswith("vendor/axe-core/") or p.endswith(".map")]


def _production_storage() -> str:
    text = (ROOT / "config" / "settings" / "production.py").read_text()
    return text[text.index("STORAGES") :]


@pytest.mark.parametrize("module", ["config.wsgi"])
def test_gunicorn_entry_point_loads_with_production_settings(module):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.update(PRODUCTION_ENV)
    code = (
        f"import {module} as m; from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG, callable(m.application))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["config.settings.production", "False", "True"]


def test_gunicorn_entry_point_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY")}
    env["ALLOWED_HOSTS"] = "concord.example.com"
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.strip().split("==", 1)
            pins[name.lower()] = version
    return pins


def test_the_image_installs_the_production_lock_without_test_tools():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements-production.lock" in dockerfile
    production, full = _pins(ROOT / "requirements-production.lock"), _pins(ROOT / "requirements.lock")
    # Same versions as the development lock (it is compiled with it as a constraint)...
    assert {name: full.get(name) for name in production} == production
    # ...and none of the test and audit tools.
    for tool in ("pytest", "pytest-django", "factory-boy", "playwright", "schemathesis", "ruff", "pip-audit"):
        assert tool not in production, tool
    for needed in ("django", "celery", "gunicorn", "weasyprint", "psycopg2-binary"):
        assert needed in production, needed
