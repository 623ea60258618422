from .navigation import navigation_for
from .permissions import may_create_organization, memberships_of


def concord(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = memberships_of(user)
    membership = getattr(request, "membership", None)
    # The switcher hides archived organizations (the one open stays shown).
    listed = [
        m
        for m in memberships.values()
        if m.organization.archived_at is None or (membership is not None and m.pk == membership.pk)
    ]
    context = {
        "my_memberships": sorted(listed, key=lambda m: m.organization.name),
        "has_portfolio": len(listed) >= 2,
        "can_create_organization": may_create_organization(user),
        # An organization's own pages (not the inbox, profile or portfolio, which
        # only borrow the last organization's navigation).
        "on_org_page": membership is not None,
        "has_archived": any(m.organization.archived_at is not None for m in memberships.values()),
    }
    if membership is None:
        # Pages outside an organization (inbox, profile) keep the navigation of
        # the organization the person last worked in, so the sidebar never empties.
        membership = memberships.get(request.session.get("org")) or _only(memberships)
    if membership is not None:
        context.update(
            org=membership.organization,
            membership=membership,
            my_role=membership.role,
            navigation=navigation_for(
                membership.role,
                membership.organization.slug,
                request.path,
                is_admin=membership.is_admin,
            ),
        )
    return context


def _only(memberships):
    return next(iter(memberships.values())) if len(memberships) == 1 else None
