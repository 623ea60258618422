"""Invitation pages: the e-mailed link (accept, decline, or choose a password
for a new account), the signed-in person's pending invitations, and the
admin's cancel action on the People page."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from . import invitations
from .actions import ActionView
from .errors import DomainError
from .forms import StyledFormMixin
from .models import Invitation, User
from .roles import Perm


class NewAccountForm(StyledFormMixin, forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        elif data.get("password1"):
            try:
                validate_password(
                    data["password1"], User(email=self.email, full_name=data.get("full_name", ""))
                )
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class InvitationView(View):
    """The e-mailed link. Anyone holding it sees the organization and the role;
    only the invited address can accept."""

    template_name = "core/invitation.html"

    def _render(self, request, invitation, status=200, **context):
        return render(request, self.template_name, {"invitation": invitation, **context}, status=status)

    def _resolve(self, request, token):
        invitation = invitations.invitation_by_token(token)
        if invitation is None or not invitation.is_pending:
            return None, self._render(request, None, status=404)
        if request.user.is_authenticated:
            if request.user.email.lower() != invitation.email.lower():
                return None, self._render(request, invitation, status=403, not_for_you=True)
            return invitation, None
        if User.objects.filter(email__iexact=invitation.email).exists():
            return None, redirect_to_login(request.get_full_path())
        return invitation, None

    def get(self, request, token):
        invitation, answer = self._resolve(request, token)
        if answer is not None:
            return answer
        form = (
            None
            if request.user.is_authenticated
            else NewAccountForm(email=invitation.email, initial={"full_name": invitation.full_name})
        )
        return self._render(request, invitation, form=form)

    def post(self, request, token):
        invitation, answer = self._resolve(request, token)
        if answer is not None:
            return answer
        try:
            if request.user.is_authenticated:
                return _answer(request, invitation, request.POST.get("answer"))
            form = NewAccountForm(request.POST, email=invitation.email)
            if not form.is_valid():
                return self._render(request, invitation, form=form, status=400)
            membership = invitations.invitation_accept_new_account(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("core:invitation", token=token)
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to {membership.organization.name}.")
        return redirect("core:org_home", org=membership.organization.slug)


def _answer(request, invitation, answer):
    if answer == "accept":
        membership = invitations.invitation_accept(user=request.user, invitation=invitation)
        messages.success(
            request, f"You joined {membership.organization.name} as {membership.get_role_display()}."
        )
        return redirect("core:org_home", org=membership.organization.slug)
    if answer == "decline":
        invitations.invitation_decline(user=request.user, invitation=invitation)
        messages.success(request, f"Invitation to {invitation.organization.name} declined.")
        return redirect("core:my_invitations")
    raise DomainError("Choose accept or decline.")


class MyInvitationsView(LoginRequiredMixin, TemplateView):
    """Invitations waiting for the signed-in person's answer."""

    template_name = "core/my_invitations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitations"] = invitations.pending_for(self.request.user)
        return context


class MyInvitationAnswerView(LoginRequiredMixin, View):
    answer = ""

    def post(self, request, pk):
        invitation = get_object_or_404(Invitation.objects.for_email(request.user.email), pk=pk)
        try:
            return _answer(request, invitation, self.answer)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("core:my_invitations")


class InvitationCancelView(ActionView):
    required_perm = Perm.MEMBERS_MANAGE

    def perform(self, form):
        invitation = get_object_or_404(Invitation, pk=self.kwargs["pk"], organization=self.organization)
        invitations.invitation_cancel(actor=self.request.user, invitation=invitation)
        return invitation

    def get_success_message(self, invitation) -> str:
        return f"Invitation of {invitation.email} cancelled."

    def get_success_url(self, result=None) -> str:
        return reverse("core:members", args=[self.organization.slug])
