"""The risk register as XLSX, prepared by the background worker when it is
large (see core/exports.py)."""

from __future__ import annotations

from django.http import Http404, QueryDict
from django.utils import timezone

from core.downloads import ExportFile
from core.exports import ExportKind, register_export
from core.permissions import has_perm
from core.roles import Perm
from core.tabular import Sheet, xlsx_file

from . import importing, selectors

REGISTER_XLSX = "risks.register_xlsx"


def _authorize(user, organization, parameters) -> None:
    if not has_perm(user, organization, Perm.RISK_VIEW):
        raise Http404("Not found.")


def _register(user, organization, parameters):
    """The register as the page showed it: the same filters and sort."""
    return selectors.risk_register(user, organization, QueryDict(parameters.get("query", "")))


def _size(user, organization, parameters) -> int:
    return _register(user, organization, parameters).count()


def register_xlsx(user, organization, parameters, progress) -> ExportFile:
    progress(10, "Reading the register")
    risks = _register(user, organization, parameters).prefetch_related("annex_a_controls")
    rows = importing.export_rows(risks, organization)
    progress(50, "Writing the workbook")
    sheet = Sheet(
        "Risk register",
        importing.EXPORT_HEADERS,
        rows,
        money_columns=importing.MONEY_COLUMNS,
        widths=(10, 40, 50, 22, 10, 28, 16, 12, 12, 14, 30, 24, 24),
    )
    name = f"{organization.slug}-risk-register-{timezone.localdate():%Y-%m-%d}.xlsx"
    return xlsx_file([sheet], name, currency=organization.currency)


register_export(
    ExportKind(
        key=REGISTER_XLSX,
        title=lambda org, params: "Risk register: workbook (XLSX)",
        authorize=_authorize,
        size=_size,
        render=register_xlsx,
    )
)
