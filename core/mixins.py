"""Page side of the permission chokepoint: every org page inherits OrgViewMixin."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .errors import DomainError
from .permissions import ARCHIVED_MESSAGE, has_perm, membership_or_404
from .roles import Perm


class OrgViewMixin(LoginRequiredMixin):
    """Resolves ``/o/<org>/`` to the user's membership (404 if none) and checks
    the role table.

    ``required_perm`` is needed to see the page at all (404 without it: the page
    is invisible to that role). ``post_perm`` is needed to change anything
    (403 without it). A view that names no ``required_perm`` serves nobody.
    ``step_up_required`` asks for a fresh second factor before any change.
    """

    required_perm: Perm | None = None
    post_perm: Perm | None = None
    allow_any_member = False  # pages every member may read, e.g. the welcome page
    # Signing a joint decision or changing security settings: a change (POST)
    # needs a recent second-factor check (core/security/stepup.py).
    step_up_required = False
    # The few changes allowed in an archived organization (restoring it, deciding its deletion).
    allowed_when_archived = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = membership_or_404(request.user, kwargs["org"])
        self.organization = membership.organization
        self.membership = membership
        request.organization = membership.organization
        request.membership = membership
        if not self.allow_any_member and (
            self.required_perm is None or not has_perm(request.user, self.organization, self.required_perm)
        ):
            raise Http404("Not found.")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            needed = self.post_perm or self.required_perm
            if self.organization.archived_at is not None and not self.allowed_when_archived:
                raise PermissionDenied(ARCHIVED_MESSAGE.format(name=self.organization.name))
            if needed is None or not has_perm(request.user, self.organization, needed):
                raise PermissionDenied("Your role does not allow this action.")
            if self.step_up_required:
                from .security.stepup import required_response

                response = required_response(request)
                if response is not None:
                    return response
        # Remember the organization for the home redirect; write only on a
        # change, or every page view would cost a session save (three queries).
        if request.session.get("org") != self.organization.slug:
            request.session["org"] = self.organization.slug
        return super().dispatch(request, *args, **kwargs)

    def can(self, perm: Perm) -> bool:
        return has_perm(self.request.user, self.organization, perm)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(org=self.organization, membership=self.membership)
        return context


def add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal on the form, on the field it names if the form has it."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)
