"""The rows of the RACI grid, the intake queue and the KPI scorecard are
templates cached as rendered (core.cache.org_fragment_key): a change of the
organization's data shows at once, and what one role or person sees is never
served to another."""

from datetime import date
from decimal import Decimal as D

from django.urls import reverse

from core.roles import Role
from governance.raci import services as raci_services
from kpis import services as kpi_services
from tests.kpis.factories import KPIFactory, MeasurementFactory

from .factories_intake import make_request
from .factories_raci import RaciActivityFactory, cell, standard_parties


def test_the_grid_rows_follow_a_cell_change_and_each_role_gets_its_own(client_as, people, org):
    parties = standard_parties(org)
    activity = RaciActivityFactory(organization=org, name="Patch <servers>")
    cell(activity, parties["cio"], "A")
    grid = reverse("governance:raci", args=[org.slug])
    cio = client_as(Role.CIO)
    html = cio.get(grid).content.decode()
    assert "Patch &lt;servers&gt;, CIO: A. Click to change." in html
    assert "Patch &lt;servers&gt;, IT operations: empty. Click to change." in html
    raci_services.raci_cell_set(actor=people[Role.CISO], activity=activity, party=parties["ops"], letter="R")
    html = cio.get(grid).content.decode()
    # not the rows cached before the change
    assert "Patch &lt;servers&gt;, IT operations: R. Click to change." in html
    contributor = client_as(Role.CONTRIBUTOR).get(grid).content.decode()
    assert '<span class="raci-letter raci-R" title="IT operations">R</span>' in contributor
    assert "hx-post=" not in contributor and "Click to change" not in contributor


def test_the_queue_rows_follow_a_new_request_and_each_person_sees_their_own(client_as, people, org):
    queue = reverse("governance:intake_list", args=[org.slug])
    make_request(org, people[Role.CONTRIBUTOR], title="Contributor's CRM")
    cio = client_as(Role.CIO)
    assert "Contributor&#x27;s CRM" in cio.get(queue).content.decode()
    make_request(org, people[Role.CISO], title="Data lake")
    html = cio.get(queue).content.decode()
    assert "Contributor&#x27;s CRM" in html and "Data lake" in html
    mine = client_as(Role.CONTRIBUTOR).get(queue).content.decode()
    assert "Contributor&#x27;s CRM" in mine and "Data lake" not in mine


def test_the_scorecard_rows_follow_a_new_value(client_as, people, org):
    kpi = KPIFactory(organization=org, name="Backup success", unit="percent")
    today = date.today().replace(day=1)
    MeasurementFactory(kpi=kpi, period=today, value=D("91.5"))
    page = reverse("kpis:scorecard", args=[org.slug])
    cio = client_as(Role.CIO)
    assert '<div class="kpi-latest">91.5%</div>' in cio.get(page).content.decode()
    kpi_services.measurement_record(actor=people[Role.CISO], kpi=kpi, period=today, value="97.25")
    html = cio.get(page).content.decode()
    assert '<div class="kpi-latest">97.25%</div>' in html and "91.5%" not in html
