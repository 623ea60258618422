"""Time building the large organization's alignment report and rendering its
PDF, through the governance services (run inside ``bench.probe report``)."""
from __future__ import annotations


def time_alignment_report(org) -> dict:
    return {"missing": "the governance report services do not exist yet"}
