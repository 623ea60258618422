"""Governance demo data, called by ``manage.py seed_demo`` after kpis, risks and budgets."""

from .demo_intake import seed_intake
from .demo_raci import seed_raci
from .demo_reports import seed_reports


def seed(organization, people) -> None:
    seed_raci(organization, people)
    seed_intake(organization, people)
    # --- dashboard and alignment reports (other engineer): add seed_reports(organization, people) below ---
    seed_reports(organization, people)
