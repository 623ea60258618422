"""Pages: the inbox and its bell, preferences, one-click unsubscribe, chat
channels and the delivery log (CIO/CISO), the calendar feed."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from ..errors import DomainError, NotAllowed
from ..mixins import OrgViewMixin
from ..models_notifications import (
    ChatChannel,
    ChatKind,
    Delivery,
    DeliveryMode,
    NotificationCategory,
    NotificationPreference,
    NotificationProfile,
)
from ..permissions import has_perm, membership_or_404
from ..roles import Perm
from . import calendar, selectors, services

PAGE_SIZE = 30


def _hx_changed(response: HttpResponse) -> HttpResponse:
    response["HX-Trigger"] = "notifications-changed"
    return response


class InboxView(LoginRequiredMixin, TemplateView):
    template_name = "core/notifications/inbox.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.inbox(self.request.user).select_related("organization")
        unread_only = self.request.GET.get("show") == "unread"
        if unread_only:
            rows = rows.filter(read_at__isnull=True)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            page_obj=page,
            notifications=page.object_list,
            unread_only=unread_only,
            unread=selectors.unread_count(self.request.user),
        )
        return context


class BellView(LoginRequiredMixin, View):
    """The bell's unread count (HTMX fragment, refreshed on events and slowly)."""

    def get(self, request):
        count = selectors.unread_count(request.user)
        return render(request, "core/notifications/partials/bell.html", {"unread": count})


class OpenView(LoginRequiredMixin, View):
    """Open a notification's item and mark it read."""

    def get(self, request, pk):
        note = get_object_or_404(selectors.inbox(request.user), pk=pk)
        services.notification_read(actor=request.user, notification=note)
        return redirect(selectors.safe_link(note) or reverse("core:notifications"))


class MarkView(LoginRequiredMixin, View):
    read = True

    def post(self, request, pk):
        note = get_object_or_404(selectors.inbox(request.user), pk=pk)
        services.notification_read(actor=request.user, notification=note, read=self.read)
        wanted = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}, require_https=False
        )
        return _hx_changed(redirect(wanted if wanted and safe else reverse("core:notifications")))


class ReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notifications_read_all(actor=request.user)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
        return _hx_changed(redirect("core:notifications"))


class PreferencesView(LoginRequiredMixin, TemplateView):
    """How you are told about each category in this organization (and, for
    those who manage its settings, the organization's defaults). Every member
    may read and change their own choices (so not OrgViewMixin's role table)."""

    template_name = "core/notifications/preferences.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.membership = membership_or_404(request.user, kwargs["org"])
        self.organization = request.organization = self.membership.organization
        request.membership = self.membership
        return super().dispatch(request, *args, **kwargs)

    def can(self, perm) -> bool:
        return has_perm(self.request.user, self.organization, perm)

    def _rows(self, user):
        prefs = NotificationPreference.objects.filter(organization=self.organization)
        defaults = {p.category: p.mode for p in prefs if p.user_id is None}
        own = {p.category: p.mode for p in prefs if p.user_id == user.pk}
        return [
            {
                "category": value,
                "label": label,
                "default": defaults.get(value, DeliveryMode.IMMEDIATE),
                "mine": own.get(value, ""),
                "locked": value == NotificationCategory.SECURITY,
            }
            for value, label in NotificationCategory.choices
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            org=self.organization,
            membership=self.membership,
            rows=self._rows(self.request.user),
            modes=DeliveryMode.choices,
            can_set_defaults=self.can(Perm.ORG_SETTINGS),
            profile=services.profile_for(self.request.user),
            weekdays=list(
                enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
            ),
            hours=range(24),
            time_zones=services.time_zone_names(),
            errors=kwargs.get("errors", {}),
        )
        return context

    def post(self, request, org):
        scope = request.POST.get("scope", "mine")
        errors = {}
        try:
            if scope == "profile":
                services.profile_update(
                    actor=request.user,
                    time_zone=request.POST.get("timezone", ""),  # strictly as typed: no silent fixing
                    digest_hour=_int(request.POST.get("digest_hour"), "digest_hour"),
                    weekly_day=_int(request.POST.get("weekly_day"), "weekly_day"),
                )
            else:
                if scope == "organization" and not self.can(Perm.ORG_SETTINGS):
                    raise PermissionDenied(
                        "Only those who manage the organization's settings set its defaults."
                    )
                for category in NotificationCategory.values:
                    mode = request.POST.get(category, "")
                    if mode == "":
                        if scope == "mine":  # back to the organization's default
                            NotificationPreference.objects.filter(
                                organization=self.organization, user=request.user, category=category
                            ).delete()
                        continue
                    services.preference_set(
                        actor=request.user,
                        organization=self.organization,
                        category=category,
                        mode=mode,
                        for_organization=scope == "organization",
                    )
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            errors[exc.field or "__all__"] = exc.message
            return self.render_to_response(self.get_context_data(errors=errors), status=400)
        messages.success(request, "Notification settings saved.")
        return redirect("core:notification_preferences", org=self.organization.slug)


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise DomainError("Choose a value from the list.", field=field) from None


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """RFC 8058: a POST with ``List-Unsubscribe=One-Click`` unsubscribes at once
    (mail clients send it without cookies); a person following the link gets a
    page with one button."""

    def get(self, request, token):
        return self._answer(request, token, services.unsubscribe_read)

    def post(self, request, token):
        return self._answer(request, token, services.unsubscribe, done=True)

    def _answer(self, request, token, action, done=False):
        try:
            user, organization, category = action(token=token)
        except services.UnsubscribeExpired as exc:
            return render(
                request,
                "core/notifications/unsubscribe.html",
                {
                    "error": exc.message,
                    "expired": True,
                    "manage_url": _preferences_after_sign_in(exc.organization),
                },
                status=410,
            )
        except DomainError as exc:
            return render(request, "core/notifications/unsubscribe.html", {"error": exc.message}, status=400)
        return render(
            request,
            "core/notifications/unsubscribe.html",
            {
                "done": done,
                "organization": organization,
                "label": "daily and weekly digests"
                if category == services.DIGEST
                else NotificationCategory(category).label,
            },
        )


def _preferences_after_sign_in(organization) -> str:
    """The preferences page, through the sign-in page for someone not signed in."""
    target = (
        reverse("core:notification_preferences", args=[organization.slug])
        if organization is not None
        else reverse("core:notifications")
    )
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': target})}"


class ChatChannelsView(OrgViewMixin, TemplateView):
    template_name = "core/notifications/chat_channels.html"
    required_perm = Perm.SIGN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            channels=ChatChannel.objects.filter(organization=self.organization),
            kinds=ChatKind.choices,
            categories=[c for c in NotificationCategory.choices if c[0] != NotificationCategory.SECURITY],
            errors=kwargs.get("errors", {}),
            values=kwargs.get("values", {}),
        )
        return context

    def post(self, request, org):
        try:
            services.chat_channel_create(
                actor=request.user,
                organization=self.organization,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                url=request.POST.get("url", ""),
                categories=request.POST.getlist("categories"),
            )
        except DomainError as exc:
            context = self.get_context_data(errors={exc.field or "__all__": exc.message}, values=request.POST)
            return self.render_to_response(context, status=400)
        messages.success(request, "Chat channel added. Send a test message to check it.")
        return redirect("core:chat_channels", org=self.organization.slug)


class ChatChannelEditView(OrgViewMixin, TemplateView):
    """Change a channel; the webhook URL is never sent back to the browser
    (blank keeps it)."""

    template_name = "core/notifications/chat_channel_edit.html"
    required_perm = Perm.SIGN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        channel = get_object_or_404(ChatChannel, pk=self.kwargs["pk"], organization=self.organization)
        values = kwargs.get("values") or {"name": channel.name, "kind": channel.kind}
        chosen = kwargs.get("chosen", channel.categories)
        context.update(
            channel=channel,
            kinds=ChatKind.choices,
            categories=[c for c in NotificationCategory.choices if c[0] != NotificationCategory.SECURITY],
            chosen=chosen,
            errors=kwargs.get("errors", {}),
            values=values,
        )
        return context

    def post(self, request, org, pk):
        channel = get_object_or_404(ChatChannel, pk=pk, organization=self.organization)
        try:
            services.chat_channel_update(
                actor=request.user,
                channel=channel,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                url=request.POST.get("url", ""),
                categories=request.POST.getlist("categories"),
            )
        except DomainError as exc:
            context = self.get_context_data(
                errors={exc.field or "__all__": exc.message},
                values={"name": request.POST.get("name", ""), "kind": request.POST.get("kind", "")},
                chosen=request.POST.getlist("categories"),
            )
            return self.render_to_response(context, status=400)
        messages.success(request, f"“{channel.name}” saved.")
        return redirect("core:chat_channels", org=self.organization.slug)


class ChatChannelActionView(OrgViewMixin, View):
    required_perm = Perm.SIGN
    action = ""

    def post(self, request, org, pk):
        channel = get_object_or_404(ChatChannel, pk=pk, organization=self.organization)
        if self.action == "test":
            services.chat_channel_test(actor=request.user, channel=channel)
            messages.success(request, "Test message queued: its result shows in the delivery log.")
        elif self.action == "enable":
            services.chat_channel_enable(actor=request.user, channel=channel)
            messages.success(request, f"“{channel.name}” enabled again.")
        else:
            services.chat_channel_delete(actor=request.user, channel=channel)
            messages.success(request, f"“{channel.name}” removed.")
        return redirect("core:chat_channels", org=self.organization.slug)


class DeliveryLogView(OrgViewMixin, TemplateView):
    template_name = "core/notifications/deliveries.html"
    required_perm = Perm.SIGN

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = Delivery.objects.filter(organization=self.organization).select_related("chat_channel")
        status = self.request.GET.get("status", "")
        if status:
            rows = rows.filter(status=status)
        page = Paginator(rows, 50).get_page(self.request.GET.get("page"))
        context.update(page_obj=page, deliveries=page.object_list, status=status)
        return context


class CalendarTokenView(LoginRequiredMixin, View):
    revoke = False

    def post(self, request):
        if self.revoke:
            services.calendar_token_revoke(actor=request.user)
            messages.success(request, "Calendar feed turned off: the old address no longer works.")
        else:
            token = services.calendar_token_create(actor=request.user)
            request.session["calendar_url"] = calendar.feed_url(token)
            messages.success(request, "New calendar address made; any previous one stopped working.")
        return redirect(reverse("core:profile") + "#calendar")


class CalendarFeedView(View):
    """The personal ICS feed; the secret in the URL is the only credential."""

    def get(self, request, token):
        profile = (
            NotificationProfile.objects.select_related("user")
            .filter(calendar_token_hash=NotificationProfile.hash_token(token))
            .exclude(calendar_token_hash="")
            .first()
        )
        if profile is None or not profile.user.is_active:
            raise Http404("No such calendar.")
        response = HttpResponse(calendar.feed_for(profile.user), content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response
