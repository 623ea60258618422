"""API side of the permission chokepoint.

Every org-scoped API view names the permission each action needs in
``action_perms``; an action without an entry serves nobody. Lacking the view
permission answers 404 (the data is invisible), lacking an action permission
answers 403.

Token scopes are checked here too, for every API view (``TokenScopePermission``
is a default permission class and part of ``OrgRolePermission``):

- safe methods need ``read``, other methods ``write``;
- signing or withdrawing a joint decision needs ``sign`` (actions whose
  permission is ``Perm.SIGN``, or named in the view's ``token_scopes``);
- security changes need ``security`` (a view's ``token_scopes``, or a write that
  touches one of its ``security_fields``).

Session calls are not limited by scopes, but signing or a security change
through the API with a session needs a recent second factor (step-up), as in
the browser.
"""

from rest_framework import exceptions, permissions

from core.models import ApiToken, TokenScope
from core.permissions import ARCHIVED_MESSAGE, has_perm, membership_or_404
from core.roles import Perm
from core.security import stepup

STEP_UP_SCOPES = (TokenScope.SIGN, TokenScope.SECURITY)


class MissingScope(exceptions.PermissionDenied):
    default_code = "missing_scope"


def required_scope(request, view) -> str:
    """The one scope this request needs."""
    action = getattr(view, "action", None) or request.method.lower()
    named = getattr(view, "token_scopes", {}).get(action)
    if named:
        return named
    if getattr(view, "action_perms", {}).get(action) == Perm.SIGN:
        return TokenScope.SIGN
    if request.method in permissions.SAFE_METHODS:
        return TokenScope.READ
    security_fields = getattr(view, "security_fields", ())
    if security_fields and hasattr(request.data, "keys") and set(request.data.keys()) & set(security_fields):
        return TokenScope.SECURITY
    return TokenScope.WRITE


def check_scope(request, view) -> None:
    """403 naming the missing scope for a token; step-up for a session that signs or changes security."""
    scope = required_scope(request, view)
    token = request.auth
    if isinstance(token, ApiToken):
        if not token.has_scope(scope):
            raise MissingScope(
                f"This API token does not have the '{scope}' scope ({TokenScope(scope).label.lower()}). "
                f"Create a token with the '{scope}' scope on your profile page."
            )
    elif scope in STEP_UP_SCOPES:
        stepup.require_for_api(request)


class TokenScopePermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.user and request.user.is_authenticated:
            check_scope(request, view)
        return True


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
        if (
            view_perm is None
            or needed is None
            or not has_perm(request.user, membership.organization, view_perm)
        ):
            raise exceptions.NotFound("Not found.")
        archived = membership.organization.archived_at is not None
        if archived and request.method not in permissions.SAFE_METHODS:
            if not getattr(view, "allowed_when_archived", False):
                raise exceptions.PermissionDenied(ARCHIVED_MESSAGE.format(name=membership.organization.name))
        if not has_perm(request.user, membership.organization, needed):
            raise exceptions.PermissionDenied("Your role does not allow this action.")
        check_scope(request, view)
        return True
