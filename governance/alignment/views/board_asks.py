"""The CIO's and CISO's actions on a draft report's decisions for the board:
propose, confirm (or reject), withdraw. Each POST calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View

from core.errors import DomainError
from core.mixins import OrgViewMixin
from core.roles import Perm
from core.selectors import signoff_status
from governance.alignment import services
from governance.alignment.forms import BoardAskForm
from governance.alignment.selectors import reports as selectors
from governance.models import ASK_PURPOSE, BoardAsk


def asks_context(*, report, user, data=None) -> dict:
    """The draft's asks with their sign-off state, and the form to add one."""
    rows = []
    for ask in BoardAsk.objects.filter(report=report).select_related("proposed_by", "risk"):
        status = signoff_status(ask, ASK_PURPOSE)
        mine = [s for s in (status.cio, status.ciso) if s is not None and s.signer_id == user.pk]
        rows.append({"ask": ask, "status": status, "signed_by_me": bool(mine)})
    return {"asks": rows, "ask_form": BoardAskForm(data, organization=report.organization)}


class _AskAction(OrgViewMixin, View):
    required_perm = Perm.REPORT_MANAGE
    post_perm = Perm.REPORT_MANAGE
    step_up_required = True  # proposing, confirming and withdrawing are parts of a joint decision

    def report(self):
        return selectors.report_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )

    def ask(self, report):
        return get_object_or_404(BoardAsk.objects.filter(report=report), pk=self.kwargs["ask"])

    def back(self):
        return redirect("governance:report_detail", org=self.organization.slug, pk=self.kwargs["pk"])


class BoardAskAddView(_AskAction):
    def post(self, request, org, pk):
        report = self.report()
        form = BoardAskForm(request.POST, organization=self.organization)
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}"
                for f, e in form.errors.items()
            )
            messages.error(request, f"The decision was not added. {problems}")
            return self.back()
        try:
            services.board_ask_propose(actor=request.user, report=report, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, "Proposed. It goes into the report once the other executive confirms it."
            )
        return self.back()


class BoardAskSignView(_AskAction):
    def post(self, request, org, pk, ask):
        report = self.report()
        try:
            services.board_ask_sign(actor=request.user, ask=self.ask(report))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Confirmed. The report is being rebuilt with this decision in it.")
        return self.back()


class BoardAskWithdrawView(_AskAction):
    def post(self, request, org, pk, ask):
        report = self.report()
        try:
            services.board_ask_withdraw(actor=request.user, ask=self.ask(report))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The decision was taken off the report.")
        return self.back()
