"""KPI values as XLSX, prepared by the background worker when there are many
(see core/exports.py)."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone

from core.downloads import ExportFile
from core.exports import ExportKind, register_export
from core.permissions import has_perm
from core.roles import Perm
from core.tabular import Sheet, xlsx_file

from . import selectors

VALUES_XLSX = "kpis.values_xlsx"
EXPORT_HEADERS = [
    "kpi",
    "kpi_name",
    "domain",
    "unit",
    "period",
    "value",
    "source",
    "note",
    "recorded_by",
    "updated_at",
]


def _authorize(user, organization, parameters) -> None:
    if not has_perm(user, organization, Perm.KPI_VIEW):
        raise Http404("Not found.")


def measurements(user, organization, parameters):
    """Every value of every KPI the person may see, or of one (``kpi``)."""
    found = selectors.measurement_list(user, organization).order_by("kpi__name", "period")
    kpi = str(parameters.get("kpi") or "")
    return found.filter(kpi_id=int(kpi)) if kpi.isdigit() else found


def export_rows(found) -> list[list]:
    return [
        [
            m.kpi.key or m.kpi.pk,
            m.kpi.name,
            m.kpi.get_domain_display(),
            m.kpi.unit,
            m.period,
            m.value,
            m.get_source_display(),
            m.note,
            str(m.recorded_by or ""),
            timezone.localtime(m.updated_at).replace(tzinfo=None),
        ]
        for m in found
    ]


def values_xlsx(user, organization, parameters, progress) -> ExportFile:
    progress(10, "Reading the values")
    rows = export_rows(measurements(user, organization, parameters))
    progress(50, "Writing the workbook")
    widths = (24, 40, 10, 10, 12, 12, 20, 40, 24, 20)
    return xlsx_file(
        [Sheet("KPI values", EXPORT_HEADERS, rows, widths=widths)],
        f"kpi-values-{organization.slug}-{timezone.localdate().isoformat()}.xlsx",
    )


register_export(
    ExportKind(
        key=VALUES_XLSX,
        title=lambda org, params: "KPI values: workbook (XLSX)",
        authorize=_authorize,
        size=lambda user, org, params: measurements(user, org, params).count(),
        render=values_xlsx,
    )
)
