"""How a new organization starts with KPIs (core.org_templates): the starter
library, or the KPI definitions of another organization its creator leads.
Definitions only: no value (measurement) and no owner (a person of the other
organization) is ever copied."""

from __future__ import annotations

from core.org_templates import register_library

from . import services
from .library import library_entries, library_entry
from .models import KPI
from .services import KPI_FIELDS


def starter(*, organization) -> int:
    """Every KPI of the starter library, computed ones included (their first
    value is computed by the worker)."""
    for entry in library_entries():
        services.kpi_add_from_library(actor=None, organization=organization, key=entry.key)
    return len(library_entries())


def copy(*, source, organization) -> int:
    kpis = list(KPI.objects.filter(organization=source).order_by("name"))
    for kpi in kpis:
        if kpi.computed and library_entry(kpi.key) is not None:
            services.kpi_add_from_library(actor=None, organization=organization, key=kpi.key)
            continue
        fields = {name: getattr(kpi, name) for name in KPI_FIELDS}
        fields["owner"] = None
        services.kpi_create(actor=None, organization=organization, computed=False, **fields)
    return len(kpis)


register_library("kpis", label="the KPI library", starter=starter, copy=copy, order=10)
