"""Governance services, split by sub-domain: raci.py, intake.py, reports.py / dashboard.py."""
