"""Pages for two-factor authentication (set-up, sign-in step, recovery codes,
removal) and the admin's unlock action on the People page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from core.errors import DomainError
from core.mixins import OrgViewMixin, add_domain_error
from core.models import Membership
from core.roles import Perm

from . import lockout, mfa, stepup
from .forms import MfaCodeForm, MfaVerifyForm
from .stepup import StepUpRequiredMixin

_CODES_KEY = "mfa_new_recovery_codes"
_CONTINUE_KEY = "mfa_continue_to"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class MfaSetupView(LoginRequiredMixin, FormView):
    """Scan the QR code, enter the first code; recovery codes follow."""

    template_name = "registration/mfa_setup.html"
    form_class = MfaCodeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and mfa.is_enrolled(user) and not user.is_verified():
            # Replacing the app needs the current second factor first.
            return redirect(f"{reverse('core:mfa_verify')}?next={reverse('core:mfa_setup')}")
        if user.is_authenticated and mfa.is_enrolled(user):
            # ... and a recent one: an old session must not move two-factor to another phone.
            response = stepup.required_response(request, next_url=reverse("core:mfa_setup"))
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        device = mfa.enrolment_start(user=self.request.user)
        context.update(
            qr_svg=mfa.qr_svg(device),
            secret=mfa.secret_for_display(device),
            required=mfa.required_for(self.request.user),
            replacing=mfa.is_enrolled(self.request.user),
        )
        return context

    def form_valid(self, form):
        try:
            codes = mfa.enrolment_confirm(
                user=self.request.user, code=form.cleaned_data["code"], request=self.request
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        self.request.session[_CODES_KEY] = codes
        # Sent here by step-up: after saving the codes, go back to where the person was.
        self.request.session[_CONTINUE_KEY] = _safe_next(self.request, reverse("core:home"))
        messages.success(self.request, "Two-factor authentication is on. Keep your recovery codes safe.")
        return redirect("core:mfa_recovery_codes")


class MfaVerifyView(LoginRequiredMixin, FormView):
    """The second step of signing in."""

    template_name = "registration/mfa_verify.html"
    form_class = MfaVerifyForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (
            request.user.is_verified() or not mfa.is_enrolled(request.user)
        ):
            return redirect(_safe_next(request, reverse("core:home")))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = _safe_next(self.request, "")
        return context

    def form_valid(self, form):
        try:
            device = mfa.verify(user=self.request.user, code=form.cleaned_data["code"], request=self.request)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        if mfa.recovery_codes_left(self.request.user) <= 3 and device.__class__.__name__ == "StaticDevice":
            messages.warning(
                self.request, "You have few recovery codes left. Generate new ones on your profile."
            )
        response = redirect(_safe_next(self.request, reverse("core:home")))
        if form.cleaned_data.get("remember"):
            mfa.set_remember_cookie(response, mfa.totp_device(self.request.user))
        return response


class StepUpView(LoginRequiredMixin, FormView):
    """ "Confirm it's you": a fresh code before signing or changing security settings."""

    template_name = "registration/step_up.html"
    form_class = MfaCodeForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not mfa.is_enrolled(request.user):
            return redirect(stepup.confirm_url(request, _safe_next(request, reverse("core:home"))))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next"] = _safe_next(self.request, "")
        minutes = settings.STEP_UP_MAX_AGE // 60
        context["window"] = f"{minutes // 60} hours" if minutes >= 120 else f"{minutes} minutes"
        return context

    def form_valid(self, form):
        try:
            mfa.verify(user=self.request.user, code=form.cleaned_data["code"], request=self.request)
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Thank you. You can go ahead.")
        return redirect(_safe_next(self.request, reverse("core:home")))


class MfaRecoveryCodesView(StepUpRequiredMixin, LoginRequiredMixin, TemplateView):
    """Shows new recovery codes once; POST generates a new set (old ones stop working)."""

    template_name = "registration/mfa_recovery_codes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["codes"] = self.request.session.pop(_CODES_KEY, None)
        context["continue_url"] = self.request.session.pop(_CONTINUE_KEY, None) or reverse("core:home")
        context["left"] = mfa.recovery_codes_left(self.request.user)
        return context

    def post(self, request):
        if not request.user.is_verified():
            return redirect("core:mfa_verify")
        try:
            request.session[_CODES_KEY] = mfa.recovery_codes_regenerate(user=request.user, request=request)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("core:profile")
        messages.success(request, "New recovery codes generated. The old ones no longer work.")
        return redirect("core:mfa_recovery_codes")


class MfaRemoveView(LoginRequiredMixin, FormView):
    """Turn two-factor authentication off (a current code is required)."""

    template_name = "registration/mfa_remove.html"
    form_class = MfaCodeForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = mfa.required_for(self.request.user)
        context["enrolled"] = mfa.is_enrolled(self.request.user)
        return context

    def form_valid(self, form):
        user = self.request.user
        try:
            mfa.verify(user=user, code=form.cleaned_data["code"])
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        mfa.remove(actor=user, user=user, request=self.request)
        messages.success(self.request, "Two-factor authentication is off for your account.")
        return redirect("core:profile")


class MemberUnlockView(OrgViewMixin, View):
    """An admin lets a person who was locked out sign in again at once."""

    required_perm = Perm.MEMBERS_MANAGE
    step_up_required = True

    def post(self, request, org, pk):
        membership = get_object_or_404(
            Membership.objects.select_related("user"), pk=pk, organization=self.organization
        )
        lockout.unlock(
            actor=request.user, user=membership.user, organization=self.organization, request=request
        )
        messages.success(request, f"{membership.user} can sign in again.")
        return redirect("core:members", org=org)
