"""Backups people can restore: a restore drill gives the same figures, an
export taken while people work imports cleanly (PostgreSQL), and a tampered
file is refused naming the row and field, with nothing written."""

import io
import json
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, Sum

from budgets.models import BudgetItem
from core.demo import DEMO_ORG
from core.models import Membership, Organization, SecurityEvent, SignOff, User
from core.portability import ExportEncoder, export_organization, import_organization
from core.portability_history import historical_model
from kpis.models import KPI, Measurement
from risks.models import Assessment, Risk
from tests.kpis.factories import KPIFactory
from tests.risks.factories import assess, make_risk

from .test_portability import reference_labels


def figures(slug: str) -> dict:
    """What executives read: risk scores, KPI values, budget amounts, sign-offs,
    and how much history and how many security events back them."""
    org = Organization.objects.get(slug=slug)
    history = {
        model._meta.label_lower: historical_model(model).objects.filter(organization_id=org.pk).count()
        for model in (Risk, Assessment, KPI, Measurement, BudgetItem)
    }
    return {
        "risks": list(
            Risk.objects.filter(organization=org)
            .order_by("reference")
            .values_list("reference", "status", "inherent_score", "residual_score")
        ),
        "measurements": Measurement.objects.filter(organization=org).aggregate(
            n=Count("pk"), total=Sum("value")
        ),
        "budget": BudgetItem.objects.filter(organization=org).aggregate(n=Count("pk"), total=Sum("amount")),
        "signoffs": sorted(
            SignOff.objects.filter(organization=org).values_list("purpose", "role", "decision")
        ),
        "history": history,
        "organization_history": historical_model(Organization).objects.filter(id=org.pk).count(),
        "security_events": SecurityEvent.objects.filter(organization=org).count(),
        "members": sorted(Membership.objects.filter(organization=org).values_list("user__email", "role")),
    }


def dump(organization) -> str:
    return json.dumps(export_organization(organization), cls=ExportEncoder)


@pytest.mark.django_db(transaction=True)
def test_restore_drill_gives_the_same_figures(tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    slug = DEMO_ORG["slug"]
    before = figures(slug)
    assert before["history"]["risks.risk"] and before["signoffs"] and before["measurements"]["n"]
    backup = tmp_path / "org.json"
    call_command("export_org", slug, output=str(backup), stderr=io.StringIO())
    reference = tmp_path / "reference.json"
    call_command("dumpdata", *reference_labels(), output=str(reference), verbosity=0)
    call_command("flush", "--no-input", verbosity=0)  # the instance is lost ...
    call_command("loaddata", str(reference), verbosity=0)  # ... a fresh one is installed
    call_command("import_org", str(backup), stdout=io.StringIO())
    assert figures(slug) == before
    # The restored history still reads as each record's story.
    from core.history import history_entries

    risk = Risk.objects.filter(organization__slug=slug).order_by("reference").first()
    assert [e.action for e in history_entries(risk)][-1:] == ["created"]


@pytest.mark.django_db(transaction=True)
def test_export_under_concurrent_writes_imports_cleanly(org, people):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections and snapshot isolation (PostgreSQL)")
    cio, ciso = people["cio"], people["ciso"]
    kpi = KPIFactory(
        organization=org, unit="count", target=Decimal("10"), warning=Decimal("5"), critical=Decimal("1")
    )
    stop, errors, written = threading.Event(), [], []

    def write():
        try:
            n = 0
            while not stop.is_set():
                n += 1
                with transaction.atomic():  # a risk and its two assessments: all in a snapshot, or none
                    risk = make_risk(org, cio, title=f"Written meanwhile {n}")
                    assess(risk, cio, 3, 4)
                    assess(risk, ciso, 2, 5)
                Measurement.objects.create(
                    organization=org,
                    kpi=kpi,
                    period=f"{2000 + n % 25}-{n % 12 + 1:02d}-01",
                    value=Decimal(n),
                    source="manual",
                ) if n <= 300 else None
                written.append(n)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 3:
            stop.wait(0.05)
        files = [dump(org) for _ in range(3)]
    finally:
        stop.set()
        writer.join(timeout=60)
    assert errors == [] and len(written) > 3
    for number, text in enumerate(files, start=1):
        data = json.loads(text)
        data["organization"]["slug"] = f"acme-restored-{number}"
        restored = import_organization(data)
        assert Risk.objects.filter(organization=restored).count() == len(data["models"]["risks.risk"]) > 0
        assert Measurement.objects.filter(organization=restored).count() == len(
            data["models"]["kpis.measurement"]
        )
        assert (
            Assessment.objects.filter(organization=restored).count()
            == 2 * Risk.objects.filter(organization=restored).count()
        )


# ------------------------------------------------------------ tampering ----


def _set(data, label, field, value, index=0):
    data["models"][label][index]["fields"][field] = value


def _tamper_likelihood(data):
    _set(data, "risks.assessment", "inherent_likelihood", 9)


def _tamper_threshold(data):
    _set(data, "kpis.kpi", "warning", "99")  # above the target although higher is better


def _tamper_choice(data):
    _set(data, "risks.risk", "status", "vanished")


def _tamper_percent(data):
    _set(data, "kpis.measurement", "value", "140")


def _tamper_cross_org(data, other_risk_id):
    _set(data, "risks.assessment", "risk", other_risk_id)


def _tamper_type(data):
    _set(data, "risks.assessment", "inherent_impact", "severe")


def _tamper_person(data):
    _set(data, "risks.risk", "owner", "stranger@elsewhere.test")


TAMPERING = {
    "score out of range": (_tamper_likelihood, "inherent_likelihood"),
    "inconsistent thresholds": (_tamper_threshold, "warning"),
    "unknown choice": (_tamper_choice, "status"),
    "percentage above 100": (_tamper_percent, "value"),
    "record of another organization": (_tamper_cross_org, "risk"),
    "wrong type": (_tamper_type, "inherent_impact"),
    "unknown person": (_tamper_person, "owner"),
}


@pytest.fixture
def acme_backup(org, other_org, people):
    risk = make_risk(org, people["cio"])
    assess(risk, people["cio"], 3, 4)
    kpi = KPIFactory(
        organization=org, unit="percent", target=Decimal("95"), warning=Decimal("90"), critical=Decimal("80")
    )
    Measurement.objects.create(
        organization=org, kpi=kpi, period="2026-01-01", value=Decimal("93"), source="manual"
    )
    other_risk = make_risk(other_org, people["outsider"], title="Globex only")
    data = json.loads(dump(org))
    data["organization"]["slug"] = "acme-copy"
    data["users"].append(
        {
            "email": "newcomer@acme.test",
            "full_name": "New Comer",
            "password": "!",
            "is_active": True,
            "date_joined": "2026-01-01T00:00:00+00:00",
            "last_login": None,
        }
    )
    return data, other_risk


def _counts():
    return (
        Organization.objects.count(),
        User.objects.count(),
        Risk.objects.count(),
        Assessment.objects.count(),
        KPI.objects.count(),
        Measurement.objects.count(),
        SecurityEvent.objects.count(),
        historical_model(Risk).objects.count(),
    )


@pytest.mark.parametrize("case", list(TAMPERING))
def test_tampered_import_is_refused_with_nothing_written(acme_backup, tmp_path, case):
    data, other_risk = acme_backup
    tamper, field = TAMPERING[case]
    tamper(data, other_risk.pk) if tamper is _tamper_cross_org else tamper(data)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(data))
    before = _counts()
    with pytest.raises(CommandError) as caught:
        call_command("import_org", str(path), stdout=io.StringIO())
    message = str(caught.value)
    assert "nothing was written" in message
    assert "Record 1 of" in message and f"“{field}”" in message, message
    assert _counts() == before
    assert not Organization.objects.filter(slug="acme-copy").exists()
    assert not User.objects.filter(email="newcomer@acme.test").exists()


def test_untampered_copy_imports(acme_backup, tmp_path):
    data, _ = acme_backup
    restored = import_organization(data)
    assert Risk.objects.filter(organization=restored).count() == 1
    assert User.objects.filter(email="newcomer@acme.test").exists()


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "concord-organization-export", "version": 2, "organ',
        '{"format": "concord-organization-export", "version": 2, "organization": 5}',
    ],
)
def test_broken_json_is_refused_with_nothing_written(org, tmp_path, text):
    path = tmp_path / "broken.json"
    path.write_text(text)
    before = _counts()
    with pytest.raises(CommandError, match="Cannot read|damaged"):
        call_command("import_org", str(path), stdout=io.StringIO())
    assert _counts() == before


def test_export_leaves_out_two_factor_secrets(org, people):
    from tests.security.helpers import enrol_totp

    enrol_totp(people["cio"])
    text = dump(org)
    assert "otp_totp" not in text and '"key"' not in text
