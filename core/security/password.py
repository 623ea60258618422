"""Password pages with Concord's protections on top of Django's:

- changing a password (the change page or a reset link) revokes every API
  token of the person, with a security event;
- password-reset requests are throttled per client address and per e-mail
  typed (settings ``PASSWORD_RESET_RATE_ADDRESS`` / ``PASSWORD_RESET_RATE_EMAIL``).
  Past the per-e-mail limit no more e-mails go out, but the answer stays the
  same, whether or not the account exists; past the per-address limit the page
  says to wait (429), which reveals nothing about any account either.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import outbox, services
from core.models import User

from .lockout import client_ip

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/hour" → (10, 3600): the same notation as the API's rate limits."""
    number, period = rate.split("/")
    return int(number), _PERIODS[period.strip()[0].lower()]


def rate_allows(kind: str, ident: str, rate: str | None) -> tuple[bool, int]:
    """Count one request for ``ident`` in a fixed window; (allowed, seconds until the window ends)."""
    if not rate:
        return True, 0
    limit, period = parse_rate(rate)
    window = int(time.time()) // period
    key = f"concord:rate:{kind}:{hashlib.sha256(ident.encode()).hexdigest()[:32]}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 1)
        count = 1
    return count <= limit, period - int(time.time()) % period


def _revoke_tokens(request, user) -> None:
    revoked = services.api_tokens_revoke_all(user=user, reason="the password was changed.")
    if revoked:
        messages.info(
            request,
            f"Your {revoked} API token{'s were' if revoked != 1 else ' was'} revoked with the "
            "old password. Create new ones on your profile page if you still need them.",
        )


def password_reset_send(*, user_id: int) -> int:
    """E-mail a password-reset link (run by the worker, retried while the mail
    server is away). The link is made when sending, so no reset secret is ever
    stored with the queued job."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0  # deactivated before the e-mail went out
    site = settings.SITE_URL.split("://", 1)
    context = {
        "email": user.email,
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "protocol": site[0],
        "domain": site[1].rstrip("/"),
    }
    subject = "".join(render_to_string("registration/password_reset_subject.txt", context).splitlines())
    body = render_to_string("registration/password_reset_email.html", context)
    return send_mail(subject, body, None, [user.email], fail_silently=False)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the e-mail goes through the outbox: a mail
    server that is down never turns the request into an error, and the e-mail
    is sent once it is back."""

    def save(self, **kwargs):
        for user in self.get_users(self.cleaned_data["email"]):
            outbox.enqueue("core.send_password_reset", user_id=user.pk)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm

    def post(self, request, *args, **kwargs):
        allowed, wait = rate_allows(
            "reset-address", client_ip(request) or "unknown", settings.PASSWORD_RESET_RATE_ADDRESS
        )
        if not allowed:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, "Too many reset requests from your network. Wait a while, then try again.")
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        allowed, _ = rate_allows("reset-email", email, settings.PASSWORD_RESET_RATE_EMAIL)
        if not allowed:
            # The same answer as a sent e-mail: nothing tells whether the account exists.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        _revoke_tokens(self.request, form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    @transaction.atomic
    def form_valid(self, form):
        response = super().form_valid(form)
        _revoke_tokens(self.request, form.user)
        return response
