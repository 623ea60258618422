"""Personal API tokens: ``Authorization: Bearer <token>``."""
from django.utils import timezone
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
        django_request = getattr(request, "_request", request)
        if not lockout.token_attempt_allowed(django_request, key):
            raise TokenLockedOut()
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active:
            self.on_failure(request, key)
            raise exceptions.AuthenticationFailed("The token is not valid or has been revoked.")
        now = timezone.now()
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
        return {"type": "http", "scheme": "bearer", "description": "A personal API token from your profile page."}
