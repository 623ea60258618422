"""``/livez`` and ``/healthz``, answered by a middleware placed first: no
session, no sign-in, no host or HTTPS redirect, no template.

- ``/livez`` touches nothing (no database, no broker): the process is up and
  answering. Use it for the proxy's or orchestrator's liveness probe.
- ``/healthz`` tells the truth about what Concord depends on: the database
  (503 without it: no page can work), and, reported in the body with the
  overall status "degraded" but still 200 (pages keep working and background
  work waits in the outbox), the broker, the worker's and the scheduler's last
  heartbeat, the jobs waiting in the outbox and var/.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from .middleware import SecurityHeadersMiddleware

PATHS = ("/livez", "/healthz")


def livez() -> JsonResponse:
    return JsonResponse({"status": "alive"})


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        connection.close()
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker() -> str:
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        except Exception as exc:
            return f"error: {exc.__class__.__name__}"
        return "ok"
    queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in", settings.VAR_DIR))
    return "ok (file broker, no server)" if os.access(queue, os.W_OK) else f"error: {queue} is not writable"


def healthz() -> JsonResponse:
    from . import checks, heartbeat, outbox

    status = {"database": _database(), "broker": _broker()}
    if status["database"] == "ok":
        try:
            status.update(heartbeat.status())
            status["outbox"] = outbox.waiting_summary()
        except Exception as exc:
            status["worker"] = status["scheduler"] = {"status": f"unknown: {exc.__class__.__name__}"}
    problems = checks.var_dir_problems()
    status["storage"] = "ok" if not problems else "error: cannot write to " + "; ".join(problems)
    degraded = (
        not status["broker"].startswith("ok")
        or status["storage"] != "ok"
        or any(status.get(part, {}).get("status") != "ok" for part in ("worker", "scheduler"))
        or bool(status.get("outbox", {}).get("failing"))
        or bool(status.get("outbox", {}).get("failed"))
    )
    if status["database"] != "ok":
        status["status"] = "unhealthy"
        return JsonResponse(status, status=503)
    status["status"] = "degraded" if degraded else "ok"
    return JsonResponse(status)


class HealthCheckMiddleware:
    """First in MIDDLEWARE: health probes never reach sessions, authentication or redirects."""

    def __init__(self, get_response):
        self.get_response = get_response
        # The same security headers as every other response (CSP and the rest).
        self.secured = SecurityHeadersMiddleware(self._answer)

    @staticmethod
    def _answer(request):
        response = livez() if request.path == "/livez" else healthz()
        response["Cache-Control"] = "no-store"
        response["X-Frame-Options"] = "DENY"
        response["X-Content-Type-Options"] = "nosniff"
        response["Referrer-Policy"] = settings.SECURE_REFERRER_POLICY
        return response

    def __call__(self, request):
        if request.path in PATHS:
            return self.secured(request)
        return self.get_response(request)
