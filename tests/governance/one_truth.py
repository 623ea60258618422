"""Reading every shared figure off every surface, for the cross-surface test
(tests/governance/test_one_truth.py): the dashboard, the register, its heat
map and the budget pages (their ``data-figure`` hooks), the API, a freshly
built report snapshot and the text of its PDF (pypdf). Each reader returns
{figure key: value}; values are ints, Decimals (money, ratios) or None."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser

from django.urls import reverse
from pypdf import PdfReader

from core.formatting import rosi_text, share_text
from core.money import whole_units
from risks import heatmap

LEVELS = ("critical", "high", "medium", "low", "unassessed")
KPI_STATUSES = ("green", "amber", "red", "stale")
DOMAINS = ("it", "security", "joint")
INTAKE = ("open", "on_track", "at_risk", "breached", "decided", "decided_on_time")
# The computed KPIs that repeat another app's figure (governance/computed_kpis.py):
# their value for the running period is that figure.
COMPUTED_KPIS = {"raci_gaps": "raci.gaps", "intake_median_days_to_decision": "intake.median"}
MONEY_KEYS = {f"budget.{d}" for d in DOMAINS} | {"budget.total"}


# ----------------------------------------------------------------- pages ----


class _Figures(HTMLParser):
    """Every element with ``data-figure``: its ``data-value`` or its text."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, list[str]] = defaultdict(list)
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" not in attrs:
            return
        if "data-value" in attrs:
            self.found[attrs["data-figure"]].append(attrs["data-value"] or "")
        else:
            self._open.append(attrs["data-figure"])

    def handle_data(self, data):
        if self._open and data.strip():
            self.found[self._open.pop()].append(data.strip())


def _typed(key: str, text: str):
    """Numbers from ``data-value`` or the text; ``shown.*`` figures are the text as written."""
    if key.startswith("shown."):
        return text
    if key.startswith("budget.") or key == "intake.median":
        return Decimal(text) if text else None
    return int(text)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def page_figures(client, url: str) -> dict:
    """The figures of one page; a figure shown twice must read the same both times."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = _Figures()
    parser.feed(response.content.decode())
    figures = {}
    for key, texts in parser.found.items():
        values = {_typed(key, text) for text in texts}
        assert len(values) == 1, f"{url} shows {key} as {sorted(map(str, values))}"
        figures[key] = values.pop()
    return figures


# ------------------------------------------------------- plain dictionaries ----


def _heat(prefix: str, drawn) -> dict:
    return {f"{prefix}.{key}": count for key, count in heatmap.cell_counts(drawn).items()}


def picture_figures(picture: dict) -> dict:
    """The figures of a dashboard picture: the dashboard API's answer or a report snapshot."""
    risks, kpis, budget, raci, intake = (picture[k] for k in ("risks", "kpis", "budget", "raci", "intake"))
    figures = {
        "risks.open": risks["open"],
        "risks.above_appetite": risks["above_appetite_count"],
        "risks.accepted": risks["accepted"],
        "risks.divergent": risks["divergent_count"],
        **{f"risks.open.{level}": risks["levels"][level] for level in LEVELS},
        **_heat("risks.heatmap.inherent", risks["heatmap"]["inherent"]),
        **_heat("risks.heatmap.residual", risks["heatmap"]["residual"]),
        **{f"kpis.{status}": kpis[status] for status in KPI_STATUSES},
        "kpis.total": kpis["total"],
        "raci.gaps": raci["gaps"],
        "raci.overlaps": raci["overlaps"],
        "raci.activities": raci["activities"],
        "raci.problems": raci["problem_count"],
        **{f"intake.{key}": intake[key] for key in INTAKE},
        "intake.median": _decimal(intake["median_days_to_decision"]),
    }
    if picture.get("profile") and picture["profile"]["percent"] is not None:
        figures["profile.progress"] = picture["profile"]["percent"]  # report snapshots (risks.profile)
    alignment = picture.get("alignment") or {}
    if alignment.get("score") is not None:
        figures["alignment.score"] = alignment["score"]
    if alignment.get("change") is not None:
        figures["alignment.change"] = alignment["change"]
    if budget["proposal"]:
        figures.update({f"budget.{d}": Decimal(budget["by_domain"][d]) for d in DOMAINS})
        figures["budget.loss_avoided"] = Decimal(budget["cost_avoidance"])
        change = budget.get("change") or {}
        figures["budget.change"] = Decimal(change["delta"]) if change.get("delta") is not None else None
        figures["budget.total"] = Decimal(budget["total"])
        figures["budget.security_total"] = Decimal(budget["security_total"])
        figures["budget.rosi"] = (
            Decimal(budget["portfolio_rosi"]) if budget["portfolio_rosi"] is not None else None
        )
        # As written on the pages and in the PDFs: one way, by core.formatting.
        figures["shown.rosi"] = rosi_text(budget["portfolio_rosi"])
        figures["shown.security_share"] = share_text(budget["security_share"])
    return figures


def computed_kpi_figures(client, org, current_period) -> dict:
    """The running period's values of the computed KPIs that repeat another
    app's figure, as the KPI scorecard API shows them."""
    response = client.get(f"/api/v1/orgs/{org.slug}/kpis/scorecard/")
    assert response.status_code == 200, response.content[:300]
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    return {
        COMPUTED_KPIS[row["key"]]: Decimal(row["latest_value"])
        for row in rows
        if row["key"] in COMPUTED_KPIS and row["latest_period"] == current_period.isoformat()
    }


def api_figures(client, org, proposal_id: int | None) -> dict:
    """The figures of the domain apps' own API endpoints, plus the dashboard API."""
    base = f"/api/v1/orgs/{org.slug}"

    def get(path):
        response = client.get(f"{base}/{path}")
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response.json()

    summary = get("risks/summary/")
    figures = {
        "risks.open": summary["open"],
        "risks.above_appetite": summary["open_above_appetite"],
        "risks.accepted": summary["accepted"],
        "risks.divergent": summary["divergent"],
        **{f"risks.open.{level}": summary["by_level"][level] for level in LEVELS},
    }
    for matrix in ("inherent", "residual"):
        for cell in get(f"risks/heatmap/?matrix={matrix}")["cells"]:
            figures[f"risks.heatmap.{matrix}.{cell['likelihood']}-{cell['impact']}"] = cell["count"]
    scorecard = get("kpis/scorecard/summary/")["all"]
    figures.update({f"kpis.{status}": scorecard[status] for status in KPI_STATUSES})
    figures["kpis.total"] = scorecard["total"]
    raci = get("raci/matrix/summary/")
    figures.update(
        {"raci.gaps": raci["gaps"], "raci.overlaps": raci["overlaps"], "raci.activities": raci["activities"]}
    )
    if proposal_id is not None:
        budget = get(f"budget/proposals/{proposal_id}/summary/")
        figures.update({f"budget.{d}": Decimal(budget["by_domain"][d]) for d in DOMAINS})
        figures["budget.total"] = Decimal(budget["total"])
        figures["budget.rosi"] = (
            Decimal(budget["portfolio_rosi"]) if budget["portfolio_rosi"] is not None else None
        )
    dashboard = picture_figures(get("dashboard/"))
    return figures, dashboard


# ------------------------------------------------------------------- PDF ----

PDF_ROWS = {
    "Open risks": "risks.open",
    "Open risks, critical": "risks.open.critical",
    "Open risks, high": "risks.open.high",
    "Open risks, medium": "risks.open.medium",
    "Open risks, low": "risks.open.low",
    "Open risks, not assessed": "risks.open.unassessed",
    "Open risks above appetite": "risks.above_appetite",
    "Accepted risks": "risks.accepted",
    "Divergent risks": "risks.divergent",
    "KPIs green": "kpis.green",
    "KPIs amber": "kpis.amber",
    "KPIs red": "kpis.red",
    "KPIs stale": "kpis.stale",
    "Budget, IT": "budget.it",
    "Budget, security": "budget.security",
    "Budget, joint": "budget.joint",
    "Budget, total": "budget.total",
    "Return on security investment": "budget.rosi",
    "Ownership gaps": "raci.gaps",
    "Ownership overlaps": "raci.overlaps",
    "Intake requests open": "intake.open",
    "Intake requests on track": "intake.on_track",
    "Intake requests at risk": "intake.at_risk",
    "Intake requests past the SLA": "intake.breached",
    "Intake decisions (six months)": "intake.decided",
    "Intake decisions on time": "intake.decided_on_time",
    "Intake median days to decision": "intake.median",
    "Security share of the budget": "shown.security_share",
}
_ROW = re.compile(r"^(?P<label>[A-Za-z ,()]+?) (?P<value>[-+−±\d,.%—]+(?: [A-Z]{3})?|n/a)$")
_HEAT_ROW = re.compile(r"^(?P<impact>[1-5]) [A-Z][a-z]+(?P<cells>(?: (?:\d+|·)){5})$")


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_figures(pdf: bytes) -> dict:
    """The appendix's figures table and the heat map, as printed: whole currency
    units for money, ROSI and shares as written by core.formatting (the text printed)."""
    text = pdf_text(pdf)
    # The figures table: "Appendix: the figures…" (earlier reports), "All figures…" (the board pack).
    appendix = text[text.rindex("figures and what they mean") :]
    figures: dict = {}
    for line in appendix.splitlines():
        match = _ROW.match(line.strip())
        if match and match["label"] in PDF_ROWS and PDF_ROWS[match["label"]] not in figures:
            figures[PDF_ROWS[match["label"]]] = match["value"]
    heat_start = text.index("Heat map of open risks")
    for line in text[heat_start:].splitlines()[:12]:
        match = _HEAT_ROW.match(line.strip())
        if match:
            for likelihood, cell in enumerate(match["cells"].split(), start=1):
                figures[f"risks.heatmap.inherent.{likelihood}-{match['impact']}"] = (
                    0 if cell == "·" else int(cell)
                )
    return figures


def as_printed(key: str, value, currency: str):
    """A figure as the PDF prints it (money in whole units, ROSI as written everywhere)."""
    if key in MONEY_KEYS:
        return f"{whole_units(value):,.0f} {currency}"
    if key == "budget.rosi":
        return rosi_text(value)
    if key == "intake.median":
        return "—" if value is None else str(value)
    if isinstance(value, int) and not key.startswith("risks.heatmap"):
        return str(value)
    return value


def report_page_figures(client, url: str) -> dict:
    return page_figures(client, url)


def urls(org, proposal_id):
    return {
        "dashboard": reverse("governance:dashboard", args=[org.slug]),
        "register": reverse("risks:register", args=[org.slug]),
        "heatmap": reverse("risks:heatmap", args=[org.slug]),
        "budget": reverse("budgets:proposal_detail", args=[org.slug, proposal_id]) if proposal_id else None,
        "intake": reverse("governance:intake_list", args=[org.slug]),
    }
