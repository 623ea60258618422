"""Personal API tokens: ``Authorization: Bearer <token>``."""

from django.utils import timezone
from django.utils.formats import date_format
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.models import ApiToken
from core.security import lockout


class TokenLockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self):
        super().__init__(lockout.lockout_message(), "locked_out")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """A valid token is always accepted: failures from the same address (someone
    else's bad tokens) never lock it out. Unknown and revoked tokens count as
    failures against the caller's address; after too many, bad tokens from
    that address answer 429. Expired tokens are refused (401) and say so."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Bearer <token>'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.")
        token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        if token is None or token.revoked_at is not None or not token.user.is_active:
            if not lockout.token_attempt_allowed(getattr(request, "_request", request)):
                raise TokenLockedOut()
            self.on_failure(request, key)
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                f"This token expired on {date_format(token.expires_at, 'j M Y')}. "
                "Create a new one on your profile page.",
                code="token_expired",
            )
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def on_failure(self, request, key: str = "") -> None:
        """Login protection: a bad token counts as a failed attempt from the caller's address."""
        lockout.token_failed(getattr(request, "_request", request), key)

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token from your profile page. Tokens expire (90 days unless chosen otherwise) and "
                "carry scopes: `read` (safe methods), `write` (changes), `sign` (signing or withdrawing a joint "
                "decision) and `security` (people, roles and two-factor settings). A call outside the token's "
                "scopes answers 403 naming the missing scope. Too many calls answer 429 with Retry-After."
            ),
        }
