"""Pages for the life of an organization: create one, archive and restore it,
ask for and confirm its deletion (with the export offered first)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from . import organizations
from .actions import ActionView, ServiceFormMixin
from .downloads import FORMATS, ExportFile, download
from .forms import OrganizationCreateForm
from .mixins import OrgViewMixin
from .permissions import forget_memberships, may_create_organization, memberships_of
from .portability import ExportEncoder, export_organization
from .roles import Perm, Role
from .security.stepup import StepUpRequiredMixin


class OrganizationCreateView(StepUpRequiredMixin, ServiceFormMixin, LoginRequiredMixin, FormView):
    """Create an organization, from a template; then invite the others. Like
    ``POST /api/v1/orgs/``, creating one needs a fresh "confirm it's you"."""

    template_name = "core/organization_create.html"
    form_class = OrganizationCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_create_organization(request.user):
            raise PermissionDenied("On this Concord, only staff create organizations.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["led"] = organizations.organizations_led_by(self.request.user)
        return kwargs

    def perform(self, form):
        data = dict(form.cleaned_data)
        source_slug = data.pop("source", "") or ""
        source = memberships_of(self.request.user).get(source_slug) if data["template"] == "copy" else None
        return organizations.organization_create(
            actor=self.request.user,
            source=source.organization if source else None,
            request=self.request,
            **data,
        )

    def get_success_message(self, organization) -> str:
        return f"{organization.name} is ready. Invite the other executive and the board."

    def get_success_url(self, result=None) -> str:
        forget_memberships(self.request.user)
        return reverse("core:members", args=[result.slug])


class ArchivedOrganizationsView(LoginRequiredMixin, TemplateView):
    """The archived organizations a person belongs to (hidden from the switcher
    and the portfolio): where each stands, and the way to restore or delete it."""

    template_name = "core/organizations_archived.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["archived"] = organizations.archived_organizations(self.request.user)
        return context


class LifecycleView(OrgViewMixin, TemplateView):
    """Archive, restore, delete: what stands, and what each role may do next."""

    template_name = "core/org_lifecycle.html"
    required_perm = Perm.ORG_SETTINGS
    allowed_when_archived = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org, user = self.organization, self.request.user
        role = self.membership.role
        is_admin = self.can(Perm.MEMBERS_MANAGE)
        leads = role in organizations.LEADING_ROLES
        context.update(
            is_admin=is_admin,
            grace_days=settings.CONCORD_ORG_DELETION_GRACE_DAYS,
            can_archive=is_admin and not org.archived_at,
            can_restore=is_admin and org.archived_at and not org.deletion_requested_at,
            can_request=is_admin and not org.deletion_requested_at,
            can_confirm=leads
            and org.deletion_requested_at
            and not org.deletion_confirmed_at
            and org.deletion_requested_by_id != user.pk,
            can_cancel=(is_admin or leads) and org.deletion_requested_at,
            role_label=Role(role).label,
            can_export=self.can(Perm.DASHBOARD_VIEW),
        )
        return context


class LifecycleActionView(ActionView):
    required_perm = Perm.ORG_SETTINGS
    allowed_when_archived = True
    step_up_required = True
    service = None
    message = ""

    def perform(self, form):
        result = type(self).service(
            actor=self.request.user, organization=self.organization, request=self.request
        )
        forget_memberships(self.request.user)
        return result

    def get_success_message(self, result) -> str:
        return self.message.format(name=self.organization.name)

    def get_success_url(self, result=None) -> str:
        return reverse("core:org_lifecycle", args=[self.organization.slug])


class ArchiveView(LifecycleActionView):
    service = organizations.organization_archive
    message = "{name} is archived: read-only for everyone, and hidden from the organization switcher."


class RestoreView(LifecycleActionView):
    service = organizations.organization_restore
    message = "{name} is restored."


class DeletionRequestView(LifecycleActionView):
    service = organizations.organization_deletion_request
    message = "Deletion of {name} asked. It is archived; the CIO or the CISO confirms."


class DeletionConfirmView(LifecycleActionView):
    service = organizations.organization_deletion_confirm
    message = "Deletion of {name} confirmed. It can still be cancelled until the end of the grace period."


class DeletionCancelView(LifecycleActionView):
    service = organizations.organization_deletion_cancel
    message = "Deletion of {name} cancelled. It stays archived until an admin restores it."


class LifecycleExportView(OrgViewMixin, TemplateView):
    """Everything of the organization as one JSON file (``manage.py
    export_org``'s format), offered before a deletion to the CIO and the CISO:
    the people who see all of its records (an admin sees none). Passwords stay
    out: after an import, people choose a new one ("Forgot your password?")."""

    required_perm = Perm.DASHBOARD_VIEW  # the CIO and the CISO: every record is theirs to see
    allowed_when_archived = True

    def get(self, request, *args, **kwargs):
        data = export_organization(self.organization)
        for person in data["users"]:
            person["password"] = UNUSABLE_PASSWORD_PREFIX
        body = json.dumps(data, cls=ExportEncoder, indent=1, sort_keys=True).encode()
        filename = f"{self.organization.slug}-{timezone.localdate().isoformat()}.json"
        file = ExportFile(content=body, filename=filename, content_type=FORMATS["json"])
        return download(request, self.organization, file, what="Whole organization (every record)")
