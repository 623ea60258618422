"""The one place that answers "may this person do this here?".

Pages (``OrgViewMixin``), the API (``core.api.permissions``), forms and exports
all call these functions. Something a person may not see answers 404; something
they may see but not change answers 403.
"""

from __future__ import annotations

from django.http import Http404

from .models import Membership, Organization
from .roles import Perm, Role, role_has

_CACHE_ATTR = "_concord_memberships"


def memberships_of(user) -> dict[str, Membership]:
    """The user's memberships by organization slug (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {
            m.organization.slug: m
            for m in Membership.objects.filter(user=user).select_related("organization")
        }
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def membership_or_404(user, org_slug: str) -> Membership:
    membership = memberships_of(user).get(org_slug)
    if membership is None:
        raise Http404("No such organization.")
    return membership


def role_in(user, organization: Organization) -> str | None:
    membership = memberships_of(user).get(organization.slug)
    return membership.role if membership else None


def has_perm(user, organization: Organization, perm: Perm) -> bool:
    role = role_in(user, organization)
    return role is not None and role_has(role, perm)


def signing_role(user, organization: Organization) -> Role | None:
    """The capacity in which this person signs joint decisions here, if any."""
    role = role_in(user, organization)
    if role in (Role.CIO, Role.CISO) and role_has(role, Perm.SIGN):
        return Role(role)
    return None


def require_perm(actor, organization: Organization, perm: Perm, message: str) -> None:
    """A service's role check: raise ``NotAllowed(message)`` (page message, API
    403) unless ``actor`` holds ``perm`` in ``organization``. Pages, API,
    commands and tasks all reach it through the service.

    ``actor=None`` is Concord itself (a task, a computed value, a scheduled
    report): the convention of ``record_change(obj, actor=None)``. No person
    is ever passed as None: views and the API pass the signed-in user."""
    from .errors import NotAllowed

    if actor is not None and not has_perm(actor, organization, perm):
        raise NotAllowed(message)
