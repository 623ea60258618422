"""Pages for signing in, switching organization, people, settings and tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.views import View
from django.views.generic import FormView, TemplateView

from . import health, invitations, selectors, services
from .actions import ActionView, ServiceFormMixin
from .errors import DomainError
from .forms import ApiTokenForm, HandOverForm, InviteForm, OrganizationSettingsForm, RoleForm
from .mixins import OrgViewMixin, add_domain_error
from .models import ApiToken, Membership, NotificationProfile
from .permissions import membership_or_404, memberships_of
from .roles import SIGNING_ROLES, Perm, Role
from .security import lockout, mfa, stepup


class HomeView(LoginRequiredMixin, View):
    """Send a person to the organization they last used; straight after
    sign-in, to their portfolio when they have several organizations."""

    def get(self, request):
        if invitations.pending_for(request.user) and not request.session.get("invitations_seen"):
            request.session["invitations_seen"] = (
                True  # shown once after sign-in; always under Your invitations
            )
            return redirect("core:my_invitations")
        memberships = memberships_of(request.user)
        if not memberships:
            return redirect("core:no_organization")
        active = [m for m in memberships.values() if m.organization.archived_at is None]
        slug = request.session.get("org")
        if slug in memberships:
            return redirect("core:org_home", org=slug)
        if len(active) >= 2:
            return redirect("portfolio:portfolio")
        first = sorted(active or memberships.values(), key=lambda m: m.organization.name)[0]
        return redirect("core:org_home", org=first.organization.slug)


class NoOrganizationView(LoginRequiredMixin, TemplateView):
    template_name = "core/no_organization.html"


class OrgHomeView(LoginRequiredMixin, View):
    """Each role lands where its work is."""

    def get(self, request, org):
        membership = membership_or_404(request.user, org)
        request.session["org"] = membership.organization.slug
        for url_name in settings.CONCORD_ROLE_HOME.get(membership.role, ()):
            try:
                return HttpResponseRedirect(reverse(url_name, kwargs={"org": membership.organization.slug}))
            except NoReverseMatch:
                continue
        return redirect("core:overview", org=membership.organization.slug)


class OverviewView(OrgViewMixin, TemplateView):
    """A plain welcome page for roles whose own landing page is not there."""

    template_name = "core/overview.html"
    allow_any_member = True


class MembersView(ServiceFormMixin, OrgViewMixin, FormView):
    required_perm = Perm.MEMBERS_MANAGE
    step_up_required = True
    template_name = "core/members.html"
    form_class = InviteForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = list(selectors.membership_list(organization=self.organization))
        context["members"] = members
        context["roles"] = [
            (v, label)
            for v, label in Role.choices
            if v not in SIGNING_ROLES or not any(m.role == v for m in members)
        ]
        context["signing_roles"] = [r.value for r in SIGNING_ROLES]
        context["admin_count"] = sum(1 for m in members if m.role == Role.ADMIN)
        context["mfa_enrolled"] = selectors.users_with_mfa([m.user_id for m in members])
        context["locked"] = lockout.locked_usernames([m.user.email for m in members])
        context["mfa_roles"] = set(self.organization.mfa_required_roles or [])
        context["invitations"] = selectors.invitation_list(organization=self.organization)
        return context

    def perform(self, form):
        return services.membership_invite(
            actor=self.request.user, organization=self.organization, **form.cleaned_data
        )

    def get_success_message(self, invitation) -> str:
        return f"An invitation is on its way to {invitation.email}. They join once they accept."

    def get_success_url(self, result=None) -> str:
        return reverse("core:members", args=[self.organization.slug])


class MembersActionView(ActionView):
    """A change to one of the organization's people; back to the people page."""

    required_perm = Perm.MEMBERS_MANAGE
    step_up_required = True

    def get_membership(self) -> Membership:
        return get_object_or_404(
            Membership.objects.select_related("user"), pk=self.kwargs["pk"], organization=self.organization
        )

    def get_success_url(self, result=None) -> str:
        return reverse("core:members", args=[self.organization.slug])


class MemberRoleView(MembersActionView):
    form_class = RoleForm

    def get_form(self):
        self.membership_changed = self.get_membership()
        return super().get_form()

    def form_invalid(self, form, status: int = 400):
        messages.error(self.request, "Choose a valid role.")
        return redirect(self.get_failure_url())

    def perform(self, form):
        services.membership_change_role(
            actor=self.request.user, membership=self.membership_changed, role=form.cleaned_data["role"]
        )
        return form.cleaned_data["role"]

    def get_success_message(self, role) -> str:
        return f"{self.membership_changed.user} is now {Role(role).label}."


class MemberHandOverView(ServiceFormMixin, OrgViewMixin, FormView):
    """Hand the CIO or CISO role over to a successor, in one confirmed step."""

    required_perm = Perm.MEMBERS_MANAGE
    step_up_required = True
    template_name = "core/member_hand_over.html"
    form_class = HandOverForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("role") not in SIGNING_ROLES:
            raise Http404("Only the CIO and the CISO roles are handed over.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.members = list(selectors.membership_list(organization=self.organization))
        kwargs.update(members=self.members, role=self.kwargs["role"], actor=self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = self.kwargs["role"]
        context["role_label"] = Role(role).label
        context["holder"] = next((m for m in self.members if m.role == role), None)
        return context

    def perform(self, form):
        successor = next((m for m in self.members if m.pk == form.cleaned_data["successor"]), None)
        return services.membership_hand_over(
            actor=self.request.user,
            organization=self.organization,
            role=self.kwargs["role"],
            successor=successor,
            outgoing_role=form.cleaned_data["outgoing_role"],
        )

    def get_success_message(self, new) -> str:
        return (
            f"{new.user} is now the {Role(self.kwargs['role']).label}. Sign-offs still in flight from "
            "the old roles were voided; we'll e-mail the CIO and the CISO shortly."
        )

    def get_success_url(self, result=None) -> str:
        return reverse("core:members", args=[self.organization.slug])


class MemberRemoveView(MembersActionView, TemplateView):
    http_method_names = TemplateView.http_method_names
    template_name = "core/member_confirm_remove.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = get_object_or_404(
            Membership.objects.select_related("user"), pk=self.kwargs["pk"], organization=self.organization
        )
        return context

    def perform(self, form):
        membership = self.get_membership()
        services.membership_remove(actor=self.request.user, membership=membership)
        return membership

    def get_success_message(self, membership) -> str:
        return f"{membership.user} no longer has access to {self.organization.name}."


class OrgSettingsView(ServiceFormMixin, OrgViewMixin, FormView):
    required_perm = Perm.ORG_SETTINGS
    step_up_required = True  # the page holds the two-factor requirement per role
    template_name = "core/org_settings.html"
    form_class = OrganizationSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.organization
        kwargs.setdefault("initial", {})["version"] = self.organization.version
        return kwargs

    def get_context_data(self, **kwargs):
        from .forms import HeadlineKpisForm
        from .headline import headline_state, kpi_choices

        context = super().get_context_data(**kwargs)
        state = headline_state(self.organization)
        names = dict(kpi_choices(self.organization))
        context.update(
            headline_form=HeadlineKpisForm(organization=self.organization),
            headline=state,
            headline_names=[names[k] for k in state.in_force if k in names],
            headline_proposed_names=[names[k] for k in state.proposal if k in names],
            can_sign=self.can(Perm.SIGN),
        )
        return context

    success_message = "Settings saved."

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        return services.organization_update(
            actor=self.request.user,
            organization=self.organization,
            expected_version=form.cleaned_data["version"],
            **data,
        )

    def get_success_url(self, result=None) -> str:
        return reverse("core:org_settings", args=[self.organization.slug])


class ProfileView(LoginRequiredMixin, FormView):
    """Your account: password and personal API tokens. A token that may do more
    than read needs a recent second-factor check (step-up)."""

    template_name = "core/profile.html"
    form_class = ApiTokenForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tokens"] = selectors.api_token_list(user=self.request.user)
        context["new_token"] = self.request.session.pop("new_token", None)
        user = self.request.user
        context["mfa"] = {
            "enrolled": mfa.is_enrolled(user),
            "required": mfa.required_for(user),
            "codes_left": mfa.recovery_codes_left(user),
        }
        context["calendar"] = {
            "on": NotificationProfile.objects.filter(user=user).exclude(calendar_token_hash="").exists(),
            "url": self.request.session.pop("calendar_url", None),
        }
        return context

    def form_valid(self, form):
        if form.elevated:
            response = stepup.required_response(self.request, reverse("core:profile"))
            if response is not None:
                return response
        try:
            token, key = services.api_token_create(
                actor=self.request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
            return self.form_invalid(form)
        self.request.session["new_token"] = {
            "name": token.name,
            "key": key,
            "expires": date_format(token.expires_at, "j M Y"),
        }
        messages.success(self.request, "Token created. Copy it now: it will not be shown again.")
        return redirect("core:profile")


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(request, f"Token “{token.name}” revoked. Anything using it can no longer sign in.")
        return redirect("core:profile")


def healthz(request):
    """Database, broker, worker and scheduler status (normally answered by
    core.health.HealthCheckMiddleware before any other middleware)."""
    return health.healthz()


def livez(request):
    """The process answers; touches nothing (see core.health)."""
    return health.livez()
