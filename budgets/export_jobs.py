"""The budget exports the background worker prepares when a proposal is large
(see core/exports.py): the board PDF and the XLSX workbook."""

from __future__ import annotations

from django.http import Http404

from core.downloads import ExportFile
from core.exports import ExportKind, register_export
from core.pdf import pdf_file
from core.permissions import has_perm
from core.roles import Perm
from core.tabular import XLSX_MIME

from . import exports, selectors
from .models import Proposal

PDF = "budgets.proposal_pdf"
XLSX = "budgets.proposal_xlsx"


def _authorizer(perm: Perm):
    def authorize(user, organization, parameters) -> Proposal:
        if not has_perm(user, organization, perm):
            raise Http404("Not found.")
        proposal = selectors.proposal_get(user=user, organization=organization, pk=parameters["proposal"])
        proposal.organization = organization
        return proposal

    return authorize


def _proposal(organization, parameters) -> Proposal:
    return Proposal.objects.get(organization=organization, pk=parameters["proposal"])


def _size(user, organization, parameters) -> int:
    return _proposal(organization, parameters).items.count()


def _render_pdf(user, organization, parameters, progress) -> ExportFile:
    proposal = _authorizer(Perm.BUDGET_VIEW_SUBMITTED)(user, organization, parameters)
    progress(10, "Gathering the proposal's items and risks")
    context = exports.pdf_context(proposal)
    progress(40, "Laying out the board PDF")
    name = f"budget-FY{proposal.fiscal_year}-{organization.slug}.pdf"
    return pdf_file("budgets/proposal_pdf.html", context, name)


def _render_xlsx(user, organization, parameters, progress) -> ExportFile:
    proposal = _authorizer(Perm.BUDGET_VIEW)(user, organization, parameters)
    progress(20, "Writing the workbook")
    return ExportFile(
        exports.proposal_xlsx(proposal),
        f"budget-FY{proposal.fiscal_year}-{organization.slug}.xlsx",
        XLSX_MIME,
    )


register_export(
    ExportKind(
        key=PDF,
        title=lambda org, params: f"Budget FY{_proposal(org, params).fiscal_year}: board PDF",
        authorize=_authorizer(Perm.BUDGET_VIEW_SUBMITTED),
        size=_size,
        render=_render_pdf,
    )
)
register_export(
    ExportKind(
        key=XLSX,
        title=lambda org, params: f"Budget FY{_proposal(org, params).fiscal_year}: workbook (XLSX)",
        authorize=_authorizer(Perm.BUDGET_VIEW),
        size=_size,
        render=_render_xlsx,
    )
)
