"""The CIO's and CISO's actions on a draft report's decisions for the board:
propose, confirm (or reject), withdraw. Each POST calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.actions import ActionView, SignOffView
from core.mixins import OrgViewMixin
from core.roles import Perm
from core.selectors import signoff_panel, signoff_status
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


class _AskAction(ActionView):
    required_perm = Perm.REPORT_MANAGE
    post_perm = Perm.REPORT_MANAGE
    step_up_required = True  # proposing, confirming and withdrawing are parts of a joint decision

    def report(self):
        return selectors.report_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )

    def ask(self):
        return get_object_or_404(BoardAsk.objects.filter(report=self.report()), pk=self.kwargs["ask"])

    def get_success_url(self, result=None) -> str:
        return reverse("governance:report_detail", args=[self.organization.slug, self.kwargs["pk"]])


class BoardAskAddView(_AskAction):
    success_message = "Proposed. It goes into the report once the other executive confirms it."

    def get_form(self):
        return BoardAskForm(self.request.POST, organization=self.organization)

    def form_invalid(self, form, status: int = 400):
        problems = "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}"
            for f, e in form.errors.items()
        )
        messages.error(self.request, f"The decision was not added. {problems}")
        return redirect(self.get_failure_url())

    def perform(self, form):
        return services.board_ask_propose(actor=self.request.user, report=self.report(), **form.cleaned_data)


class BoardAskSignOffView(SignOffView, _AskAction):
    """``reports/<pk>/asks/<ask>/sign/`` (confirm, or reject with a reason) and
    ``…/withdraw/`` (take one's part back): the shared sign-off of a joint decision."""

    purpose = ASK_PURPOSE

    def get_subject(self):
        return self.ask()


class BoardAskRemoveView(_AskAction):
    success_message = "The decision was taken off the report."

    def perform(self, form):
        return services.board_ask_remove(actor=self.request.user, ask=self.ask())


class BoardAskDetailView(OrgViewMixin, TemplateView):
    """One decision asked of the board: what, why, how much, by when, and the
    one sign-off panel (confirm, reject with a reason, withdraw one's part)."""

    required_perm = Perm.REPORT_MANAGE
    template_name = "governance/alignment/boardask_detail.html"

    def get_context_data(self, **kwargs):
        report = selectors.report_get(
            user=self.request.user, organization=self.organization, pk=self.kwargs["pk"]
        )
        ask = get_object_or_404(
            BoardAsk.objects.filter(report=report).select_related("risk"), pk=self.kwargs["ask"]
        )
        context = super().get_context_data(**kwargs)
        context.update(
            report=report,
            ask=ask,
            signoff=signoff_panel(
                subject=ask,
                purpose=ASK_PURPOSE,
                user=self.request.user,
                title="Both executives put this to the board",
                can_sign=not report.is_published,
            ),
        )
        return context
