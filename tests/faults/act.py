"""``python -m tests.faults.act <action> [args]``: what people and the
scheduler do, run in a process of its own against the fault test's servers.
Prints one JSON object."""

import json
import os
import sys
from datetime import date

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.settings")

import django

django.setup()

from django.contrib.messages import get_messages  # noqa: E402
from django.test import Client  # noqa: E402

from core.models import Membership, Organization, User  # noqa: E402


def _cio():
    return User.objects.get(email="cio@acme.test")


def _page(method: str, url: str, data=None) -> dict:
    client = Client(raise_request_exception=False)
    client.force_login(_cio())
    response = getattr(client, method)(url, data or {})
    return {
        "status": response.status_code,
        "location": response.get("Location", ""),
        "messages": [str(m) for m in get_messages(response.wsgi_request)],
    }


def seed(schedule: str = "quarterly") -> dict:
    from tests.governance.factories_reports import populate

    org = Organization.objects.create(name="Acme Corp", slug="acme", report_schedule=schedule)
    people = {}
    for role in ("cio", "ciso", "board", "contributor"):
        people[role] = User.objects.create_user(
            email=f"{role}@acme.test", password=None, full_name=role.upper()
        )
        Membership.objects.create(user=people[role], organization=org, role=role)
    populate(org, people)
    return {"organization": org.pk}


def request_report() -> dict:
    return _page("post", "/o/acme/reports/generate/", {"period": "current"})


def publish(report_id: str) -> dict:
    return _page("post", f"/o/acme/reports/{int(report_id)}/publish/")


def add_report(start: str, end: str, label: str) -> dict:
    from governance.models import AlignmentReport, BuildStatus, ReportStatus

    report = AlignmentReport.objects.create(
        organization=Organization.objects.get(slug="acme"),
        period_start=date.fromisoformat(start),
        period_end=date.fromisoformat(end),
        period_label=label,
        status=ReportStatus.PUBLISHED,
        score=60,
        build_status=BuildStatus.READY,
        build_progress=100,
    )
    return {"report": report.pk}


def schedule(today: str) -> dict:
    from governance.alignment.services import scheduled_reports_due

    return {"requested": [r.pk for r in scheduled_reports_due(today=date.fromisoformat(today))]}


def dispatch() -> dict:
    from core.outbox import dispatch_waiting

    return {"sent": dispatch_waiting()}


if __name__ == "__main__":
    action, *args = sys.argv[1:]
    print(json.dumps(globals()[action](*args)))
