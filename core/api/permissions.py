"""API side of the permission chokepoint.

Every org-scoped API view names the permission each action needs in
``action_perms``; an action without an entry serves nobody. Lacking the view
permission answers 404 (the data is invisible), lacking an action permission
answers 403.
"""
from rest_framework import exceptions, permissions

from core.permissions import has_perm, membership_or_404


class OrgRolePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        membership = membership_or_404(request.user, view.kwargs["org_slug"])
        view.organization = membership.organization
        view.membership = membership
        view_perm = getattr(view, "view_perm", None)
        action = getattr(view, "action", None) or request.method.lower()
        needed = view.action_perms.get(action)
        if view_perm is None or needed is None or not has_perm(request.user, membership.organization, view_perm):
            raise exceptions.NotFound("Not found.")
        if not has_perm(request.user, membership.organization, needed):
            raise exceptions.PermissionDenied("Your role does not allow this action.")
        return True
