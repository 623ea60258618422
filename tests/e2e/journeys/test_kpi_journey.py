"""The CISO creates a personal API token on the profile page, a script pushes
KPI measurements with it as a bearer token, and the scorecard shows them."""

import json
import urllib.error
import urllib.request
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from kpis.models import Measurement
from kpis.status import latest_expected_period, shift_period
from tests.kpis.factories import KPIFactory

from ..conftest import E2E
from ..journey_helpers import path, submit

pytestmark = E2E


def _push(url: str, token: str | None, payload: dict) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_ciso_pushes_kpi_values_with_a_token_and_the_scorecard_shows_them(signed_in_page, live_server, org):
    kpi = KPIFactory(
        organization=org,
        name="Endpoints with EDR",
        key="edr_coverage",
        domain="security",
        unit="percent",
        direction="higher",
        target=Decimal("95"),
        warning=Decimal("90"),
        critical=Decimal("80"),
        frequency="monthly",
    )
    latest = latest_expected_period(timezone.localdate(), "monthly")
    previous = shift_period(latest, "monthly", -1)

    ciso = signed_in_page("ciso")
    ciso.goto(reverse("core:profile"))
    ciso.get_by_label("Token name").fill("SIEM KPI push")
    ciso.get_by_label("Change data").check()  # a new token only reads unless the person picks more
    submit(ciso, "Create token")
    token = ciso.locator("#new-token").inner_text().strip()
    assert len(token) >= 20
    assert "SIEM KPI push" in ciso.locator("main table").inner_text()

    endpoint = live_server.url + f"/api/v1/orgs/{org.slug}/kpis/measurements/bulk/"
    payload = {
        "items": [
            {"kpi": "edr_coverage", "period": previous.isoformat(), "value": "91.5"},
            {"kpi": kpi.pk, "period": latest.isoformat(), "value": "97.2", "note": "From the EDR console"},
        ]
    }
    status, _body = _push(endpoint, None, payload)
    assert status in (401, 403), "no token, no write"
    assert not Measurement.objects.filter(kpi=kpi).exists()
    status, body = _push(endpoint, "not-a-real-token", payload)
    assert status == 401
    status, body = _push(endpoint, token, payload)
    assert status == 200, body
    assert body["created"] == 2 and body["source"] == "api"

    ciso.goto(path("kpis:scorecard", org))
    row = ciso.locator("tr", has_text="Endpoints with EDR")
    assert row.locator(".kpi-latest").inner_text().strip() == "97.2%"
    assert "Improving" in row.locator(".cell-trend").inner_text()
    on_track = ciso.locator(".tile", has_text="On track").locator(".tile-value")
    assert on_track.inner_text().strip() == "1"

    # The values are the CISO's, pushed through the API, on the KPI's own page.
    ciso.goto(path("kpis:detail", org, pk=kpi.pk))
    assert "From the EDR console" in ciso.locator("main").inner_text()
