"""The one mechanism for a page's workflow steps and form saves.

A POST action parses its input (an optional form), calls one service, and then
says what happened: a success message and a redirect (or an HTMX fragment when
the request came from HTMX), or the service's refusal (``DomainError``) as a
message or on the form. Permissions (``required_perm`` to see, ``post_perm`` to
change), step-up (``step_up_required``) and the organization come from
``OrgViewMixin``; a subclass declares only what differs::

    class ProposalDeleteView(ProposalMixin, ActionView):
        success_message = "The draft was deleted."

        def perform(self, form):
            return services.proposal_delete(actor=self.request.user, proposal=self.get_proposal())

        def get_success_url(self, result=None):
            return reverse("budgets:proposal_list", args=[self.organization.slug])

Form pages (``FormView``) get the same save step from ``ServiceFormMixin``:
``form_valid`` calls ``perform(form)``; a refusal goes on the form
(``core.mixins.add_domain_error``) and the page is shown again.

Sign-off (``SignOffView``) is the action every joint decision of
``core.joint`` uses for its ``sign/`` and ``withdraw/`` URLs (``signoff_paths``).
"""

from __future__ import annotations

from django.contrib import messages
from django.forms.utils import pretty_name
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views import View

from . import joint
from .concurrency import parse_version
from .errors import ConflictError, DomainError
from .mixins import OrgViewMixin, add_domain_error
from .roles import Perm
from .services import sign_as_read


class ServiceActionMixin:
    """What every action has: one service call, a success message, where to go next."""

    success_message = ""
    # HTMX: a fragment to render after success (context from get_htmx_context),
    # or a full reload of the page (204 + HX-Refresh) when htmx_refresh is set.
    htmx_template: str | None = None
    htmx_refresh = False
    htmx_trigger = ""  # an event for the page's other fragments (HX-Trigger), e.g. "raci-changed"

    def perform(self, form):
        """Call the one service; return what it returns (used by the message and URL)."""
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_message_level(self, result) -> int:
        return messages.SUCCESS

    def get_success_url(self, result=None) -> str:
        raise NotImplementedError

    def posted_version(self) -> int | None:
        """The record's version the person read (hidden ``version`` field), if sent;
        anything but a version number is a DomainError naming ``version``."""
        raw = self.request.POST.get("version", "")
        return parse_version(raw) if raw != "" else None

    def get_htmx_context(self, result) -> dict:
        return {"org": self.organization, "membership": self.membership, "result": result}

    def succeeded(self, result):
        message = self.get_success_message(result)
        if message:
            messages.add_message(self.request, self.get_message_level(result), message)
        if getattr(self.request, "htmx", False):
            if self.htmx_template:
                response = render(self.request, self.htmx_template, self.get_htmx_context(result))
                if self.htmx_trigger:
                    response["HX-Trigger"] = self.htmx_trigger
                return response
            if self.htmx_refresh:
                response = HttpResponse(status=204)
                response["HX-Refresh"] = "true"
                return response
        return redirect(self.get_success_url(result))


class ActionView(ServiceActionMixin, OrgViewMixin, View):
    """POST → (form) → ``perform`` → message → redirect or HTMX fragment.

    ``form_class`` (optional) parses the POST; an invalid form or a refusal is
    shown as a message on the page the action returns to (``get_failure_url``,
    by default the success URL), or, for HTMX fragments, as a plain-text answer
    with the error's status. Views that re-render a page with the form instead
    override ``form_invalid`` and set ``refusal_on_form`` (a refusal then lands
    on the form, with the error's status: 400, or 409 for a stale version).
    """

    http_method_names = ["post", "options"]
    form_class = None
    form_prefix: str | None = None
    # A form whose errors are only advisory (e.g. an optional reason): perform() runs anyway.
    require_valid_form = True
    refusal_on_form = False

    def get_form(self):
        if self.form_class is None:
            return None
        return self.form_class(self.request.POST, prefix=self.form_prefix)

    def get_failure_url(self) -> str:
        return self.get_success_url(None)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form is not None and not form.is_valid() and self.require_valid_form:
            return self.form_invalid(form)
        try:
            result = self.perform(form)
        except DomainError as exc:
            return self.refused(exc, form)
        return self.succeeded(result)

    def form_invalid(self, form, status: int = 400):
        """Default: each of the form's errors as a message ("Label: error") on the
        page returned to."""
        for field, errors in form.errors.items():
            label = (form.fields[field].label or pretty_name(field)) if field in form.fields else ""
            for error in errors:
                messages.error(self.request, f"{label}: {error}" if label else error)
        return redirect(self.get_failure_url())

    def refused(self, exc: DomainError, form=None):
        if form is not None and self.refusal_on_form:
            if isinstance(exc, ConflictError):
                form.add_error(None, exc.message)
            else:
                add_domain_error(form, exc)
            return self.form_invalid(form, status=exc.status_code)
        if getattr(self.request, "htmx", False) and self.htmx_template:
            return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
        messages.error(self.request, exc.message)
        return redirect(self.get_failure_url())


class ServiceFormMixin(ServiceActionMixin):
    """For a ``FormView``: a valid form is saved through ``perform(form)``; a
    refusal goes on the form and the page is shown again (a stale version as a
    form-wide error, with the ``conflict`` flag and ``conflict_status``)."""

    conflict_status = 200

    def form_valid(self, form):
        try:
            result = self.perform(form)
        except DomainError as exc:
            return self.form_refused(form, exc)
        return self.succeeded(result)

    def form_refused(self, form, exc: DomainError):
        if isinstance(exc, ConflictError):
            form.add_error(None, exc.message)
            return self.render_to_response(
                self.get_context_data(form=form, conflict=True), status=self.conflict_status
            )
        add_domain_error(form, exc)
        return self.form_invalid(form)


# ------------------------------------------------------------------ sign-off ---

SIGNED = "Your decision is recorded."
WITHDRAWN = "Your sign-off is withdrawn."


class SignOffView(ActionView):
    """``sign/`` and ``withdraw/`` of a joint decision registered in ``core.joint``.

    One rule for every joint decision: seeing needs the subject page's
    ``required_perm``; signing and withdrawing need ``Perm.SIGN`` and a recent
    second factor. The part is given through the decision's registered
    ``sign`` / ``withdraw`` (the owning app's services). A page subclass puts
    this class first and names ``purpose``, ``get_subject()`` and
    ``get_success_url()``; ``signoff_paths`` makes its two URLs.
    """

    post_perm = Perm.SIGN
    step_up_required = True
    purpose = ""
    operation = "sign"  # or "withdraw": set by signoff_paths

    def get_subject(self):
        raise NotImplementedError

    def decision(self, subject) -> joint.JointDecision:
        decision = joint.lookup(subject, self.purpose)
        if decision is None or decision.withdraw is None:
            raise DomainError("This decision is not taken jointly here.")
        return decision

    def perform(self, form):
        subject = self.get_subject()
        decision = self.decision(subject)
        if self.operation == "withdraw":
            return decision.withdraw(actor=self.request.user, subject=subject)
        return sign_as_read(
            sign=decision.sign,
            actor=self.request.user,
            subject=subject,
            read_version=self.posted_version(),
            decision=self.request.POST.get("decision", "approve"),
            comment=self.request.POST.get("comment", ""),
        )

    def get_success_message(self, result) -> str:
        return WITHDRAWN if self.operation == "withdraw" else SIGNED


def signoff_paths(route: str, view: type[SignOffView], name: str) -> list:
    """The two URLs of a joint decision's page: ``<route>sign/`` and ``<route>withdraw/``,
    named ``<name>_sign`` and ``<name>_withdraw``."""
    return [
        path(f"{route}sign/", view.as_view(operation="sign"), name=f"{name}_sign"),
        path(f"{route}withdraw/", view.as_view(operation="withdraw"), name=f"{name}_withdraw"),
    ]
