"""Governance demo data, called by ``manage.py seed_demo`` after kpis, risks and budgets."""

from .alignment.demo import seed_reports
from .intake.demo import seed_intake
from .raci.demo import seed_raci


def seed(organization, people) -> None:
    seed_raci(organization, people)
    seed_intake(organization, people)
    # --- dashboard and alignment reports (other engineer): add seed_reports(organization, people) below ---
    seed_reports(organization, people)
