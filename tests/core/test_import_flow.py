"""The one import flow (core/imports.py), seen through both imports that use
it: every row error listed, nothing written on error, and a confirmation that
imports only the very rows its preview showed (signed, expiring, single-use
preview token)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from core import imports
from kpis.models import Measurement
from risks.models import Risk
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db

KPIS = "/o/acme/kpis/import/"
RISKS = "/o/acme/risks/import/"


@pytest.fixture
def kpi(org):
    return KPIFactory(organization=org, key="edr", unit="percent")


def upload(text: str, name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def preview(client, text: str, url: str = KPIS):
    response = client.post(url, {"file": upload(text)})
    assert response.status_code == 200, response.context.get("errors")
    return response


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


GOOD = "kpi,period,value\nedr,2026-01-01,91\nedr,2026-02-01,92\n"
OTHER = "kpi,period,value\nedr,2026-03-01,50\n"


def test_preview_writes_nothing_and_confirm_imports_every_row(client_as, kpi):
    client = client_as("cio")
    response = preview(client, GOOD)
    assert Measurement.objects.count() == 0
    assert response.context["counts"] == {"create": 2, "update": 0, "unchanged": 0}
    body = response.content.decode()
    assert 'name="token"' in body and "Import 2 rows" in body
    confirmed = client.post(KPIS, {"confirm": "1", "token": response.context["token"]})
    assert confirmed.status_code == 302
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [Decimal(91), Decimal(92)]


def test_every_row_error_is_listed_and_nothing_can_be_confirmed(client_as, kpi):
    client = client_as("cio")
    response = client.post(
        KPIS, {"file": upload("kpi,period,value\nedr,2026-01-01,91\nnope,2026-01-01,1\nedr,x,-4\n")}
    )
    assert response.status_code == 400
    errors = response.context["errors"]
    assert any(e.startswith("Row 3, kpi:") for e in errors)
    assert any(e.startswith("Row 4, period:") for e in errors)
    body = response.content.decode()
    assert "Nothing was imported from values.csv" in body and all(e in body for e in errors[:3])
    assert "token" not in response.context and 'name="token"' not in body
    assert "kpis_import" not in client.session
    assert not Measurement.objects.exists()


def test_a_tampered_token_imports_nothing(client_as, kpi):
    client = client_as("cio")
    token = preview(client, GOOD).context["token"]
    response = client.post(
        KPIS, {"confirm": "1", "token": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")}
    )
    assert response.status_code == 302 and response["Location"] == KPIS
    assert any("does not match a preview" in m for m in message_texts(response))
    assert not Measurement.objects.exists()
    # The refused attempt used up the preview: the genuine token no longer imports either.
    assert client.post(KPIS, {"confirm": "1", "token": token}).status_code == 302
    assert not Measurement.objects.exists()


def test_a_forged_token_signed_with_another_key_imports_nothing(client_as, kpi):
    client = client_as("cio")
    real = signing.loads(preview(client, GOOD).context["token"], salt="concord.imports.preview")
    forged = signing.dumps(real, key="not-the-secret-key", salt="concord.imports.preview")
    response = client.post(KPIS, {"confirm": "1", "token": forged})
    assert any("does not match a preview" in m for m in message_texts(response))
    assert not Measurement.objects.exists()


def test_an_expired_preview_imports_nothing(client_as, kpi, settings, monkeypatch):
    client = client_as("cio")
    token = preview(client, GOOD).context["token"]
    settings.IMPORT_PREVIEW_MAX_AGE = 60
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 61)
    response = client.post(KPIS, {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert any("expired" in m for m in message_texts(response))
    assert not Measurement.objects.exists()


def test_a_file_previewed_since_is_not_imported_with_the_first_token(client_as, kpi):
    """Preview A, then B (another tab): A's token must not import B's rows."""
    client = client_as("cio")
    first = preview(client, GOOD).context["token"]
    preview(client, OTHER)
    response = client.post(KPIS, {"confirm": "1", "token": first})
    assert response.status_code == 302
    assert any("not the one this preview showed" in m for m in message_texts(response))
    assert not Measurement.objects.exists()


def test_rows_changed_in_the_session_after_the_preview_are_refused(client_as, kpi):
    client = client_as("cio")
    token = preview(client, GOOD).context["token"]
    session = client.session
    session["kpis_import"]["rows"][0]["value"] = "5"
    session.save()
    response = client.post(KPIS, {"confirm": "1", "token": token})
    assert any("not the one this preview showed" in m for m in message_texts(response))
    assert not Measurement.objects.exists()


def test_a_token_of_another_import_is_refused(client_as, kpi, org, people):
    client = client_as("cio")
    kpi_token = preview(client, GOOD).context["token"]
    risk_csv = (
        "title,business_impact,category,origin,owner_email\n"
        "Shadow IT,Data leaves.,cyber_attack,security,cio@acme.test\n"
    )
    preview(client, risk_csv, url=RISKS)
    response = client.post(RISKS, {"confirm": "1", "token": kpi_token})
    assert any("not the one this preview showed" in m for m in message_texts(response))
    assert not Risk.objects.exists() and not Measurement.objects.exists()


def test_a_row_that_became_invalid_before_confirming_writes_nothing(client_as, kpi, org):
    """All or nothing at the confirmation too: the service re-checks every row."""
    client = client_as("cio")
    other = KPIFactory(organization=org, key="other")
    token = preview(client, "kpi,period,value\nedr,2026-01-01,91\nother,2026-01-01,3\n").context["token"]
    other.delete()
    response = client.post(KPIS, {"confirm": "1", "token": token})
    assert response.status_code == 400
    assert [e for e in response.context["errors"] if e.startswith("Row 3, kpi")]
    assert "Nothing was imported" in response.content.decode()
    assert not Measurement.objects.filter(period=date(2026, 1, 1)).exists()


def test_the_token_is_single_use(client_as, kpi):
    client = client_as("cio")
    token = preview(client, GOOD).context["token"]
    assert client.post(KPIS, {"confirm": "1", "token": token}).status_code == 302
    Measurement.objects.all().delete()
    response = client.post(KPIS, {"confirm": "1", "token": token})
    assert any("no previewed file" in m for m in message_texts(response))
    assert not Measurement.objects.exists()


def test_preview_counts_and_rows_to_write():
    class Row:
        def __init__(self, action):
            self.action = action

    result = imports.ImportPreview(rows=[Row("create"), Row("update"), Row("unchanged"), Row("create")])
    assert result.counts == {"create": 2, "update": 1, "unchanged": 1} and result.to_write == 3
