from .navigation import navigation_for
from .permissions import memberships_of


def concord(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = memberships_of(user)
    membership = getattr(request, "membership", None)
    if membership is None:
        # Pages outside an organization (inbox, profile) keep the navigation of
        # the organization the person last worked in, so the sidebar never empties.
        membership = memberships.get(request.session.get("org")) or _only(memberships)
    context = {"my_memberships": sorted(memberships.values(), key=lambda m: m.organization.name)}
    if membership is not None:
        context.update(
            org=membership.organization,
            membership=membership,
            my_role=membership.role,
            navigation=navigation_for(membership.role, membership.organization.slug, request.path),
        )
    return context


def _only(memberships):
    return next(iter(memberships.values())) if len(memberships) == 1 else None
