"""The one place that answers "may this person do this here?".

Pages (``OrgViewMixin``), the API (``core.api.permissions``), forms and exports
all call these functions. Something a person may not see answers 404; something
they may see but not change answers 403.
"""

from __future__ import annotations

from django.http import Http404

from .models import Membership, Organization
from .roles import CHANGE_PERMS, Perm, Role, membership_has

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
    """Whether ``user`` holds ``perm`` in ``organization``. In an archived
    organization nobody holds a permission that only changes things."""
    membership = memberships_of(user).get(organization.slug)
    if membership is None:
        return False
    if perm in CHANGE_PERMS and membership.organization.archived_at is not None:
        return False
    return membership_has(membership.role, membership.is_admin, perm)


ARCHIVED_MESSAGE = "{name} is archived: it is read-only until an admin restores it."


def check_writable(organization: Organization) -> None:
    """Refuse any change in an archived organization (``NotAllowed``, a 403).
    Pages (``OrgViewMixin``), the API (``OrgRolePermission``) and services
    (``require_perm``, ``core.services.record_change`` and its siblings) all call it."""
    from .errors import NotAllowed

    if organization is not None and organization.archived_at is not None:
        raise NotAllowed(ARCHIVED_MESSAGE.format(name=organization.name))


def organization_is_archived(organization_id: int | None) -> bool:
    """Whether the organization with this id is archived, read fresh (services
    holding a record rather than its organization)."""
    if organization_id is None:
        return False
    return Organization.objects.filter(pk=organization_id, archived_at__isnull=False).exists()


def signing_role(user, organization: Organization) -> Role | None:
    """The capacity in which this person signs joint decisions here, if any."""
    role = role_in(user, organization)
    if role in (Role.CIO, Role.CISO) and has_perm(user, organization, Perm.SIGN):
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

    check_writable(organization)
    if actor is not None and not has_perm(actor, organization, perm):
        raise NotAllowed(message)


def may_create_organization(user) -> bool:
    """The instance setting ``CONCORD_ORG_CREATION``: "anyone" signed in, or "staff" only."""
    from django.conf import settings

    if user is None or not user.is_authenticated:
        return False
    return settings.CONCORD_ORG_CREATION == "anyone" or user.is_staff
