"""What ``make bench`` measures: one entry per page, with the URL names it
tries (first that exists wins, so the list tolerates renamed routes) and the
object it needs, if any. Pages whose route or object does not exist yet are
reported as missing, never as a crash."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    role: str  # "anonymous", "cio" or "board": whose session requests it
    url_names: tuple[str, ...]
    obj: str = ""  # key of bench.probe.OBJECT_FINDERS giving the pk kwarg
    query: str = ""
    org_kwarg: str = "org"  # "org" for pages, "org_slug" for the API, "" for none
    deep: bool = False  # page 100 of the list, else the last page when fewer exist
    extra_kwargs: dict = field(default_factory=dict)


PAGES: tuple[Page, ...] = (
    Page("signin", "Sign-in page", "anonymous", ("login",), org_kwarg=""),
    Page("baseline", "Baseline /api/v1/me/", "cio", ("api:me",), org_kwarg=""),
    Page("dashboard", "Dashboard", "cio", ("governance:dashboard",)),
    Page("register", "Risk register p.1", "cio", ("risks:register", "risks:risk_list", "risks:list")),
    Page(
        "register_filtered",
        "Risk register filtered",
        "cio",
        ("risks:register", "risks:risk_list", "risks:list"),
        query="status=open&level=high&origin=security&sort=-residual",
    ),
    Page(
        "register_deep",
        "Risk register p.100",
        "cio",
        ("risks:register", "risks:risk_list", "risks:list"),
        deep=True,
    ),
    Page("risk_detail", "Risk page", "cio", ("risks:detail", "risks:risk_detail"), obj="risk"),
    Page("risks_api", "Risks API list", "cio", ("api:risk-list",), org_kwarg="org_slug"),
    Page("kpi_scorecard", "KPI scorecard", "cio", ("kpis:scorecard", "kpis:kpi_list", "kpis:list")),
    Page(
        "budget_proposal",
        "Budget proposal",
        "cio",
        ("budgets:proposal_detail", "budgets:detail"),
        obj="proposal",
    ),
    Page("raci", "RACI grid", "cio", ("governance:raci", "governance:raci_matrix")),
    Page("intake_queue", "Intake queue", "cio", ("governance:intake_list", "governance:intake_queue")),
    Page("board_report", "Board: report page", "board", ("governance:report_detail",), obj="report"),
)


def page_keys() -> list[str]:
    return [p.key for p in PAGES]
