"""Governance selectors, split by sub-domain: raci.py, intake.py, reports.py / dashboard.py."""
