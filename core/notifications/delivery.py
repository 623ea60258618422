"""Worker side of notifications: build and send each e-mail and chat post,
once. Every attempt is recorded as a ``Delivery`` (the delivery log); a
delivery already sent is never sent again, so a retried or duplicated task
sends nothing more."""

from __future__ import annotations

import logging
import re
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..errors import DomainError
from ..models import Membership, Organization
from ..models_notifications import (
    ChatChannel,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
    NotificationCategory,
    redact,
)
from ..roles import SIGNING_ROLES
from .destinations import check_destination, guarded, pinned

logger = logging.getLogger(__name__)

MAIL_ERRORS = (OSError, smtplib.SMTPException)


class ChatPostFailed(Exception):
    """The chat service refused or could not be reached."""


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else settings.SITE_URL.rstrip("/") + "/"


OUTCOME_SAVE_TRIES = 4


def _claim(key: str, defaults: dict) -> bool:
    """Record the attempt, in its own committed transaction, before sending.
    False when the delivery was sent, or claimed by an earlier attempt whose
    outcome is unknown (sent, then the record could not be saved): never a
    second message."""
    with transaction.atomic():
        Delivery.objects.get_or_create(key=key, defaults=defaults)
        delivery = Delivery.objects.select_for_update().get(key=key)
        if delivery.status == DeliveryStatus.SENT:
            return False
        if delivery.status == DeliveryStatus.PENDING and delivery.attempts:
            return False  # claimed: in flight, or sent with its outcome unsaved
        delivery.status = DeliveryStatus.PENDING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts"])
    return True


def _record_outcome(key: str, failure: Exception | None, after=None) -> None:
    """Save how the send went; only the save is tried again (a database
    locked for a moment), never the send."""
    for attempt in range(OUTCOME_SAVE_TRIES):
        try:
            with transaction.atomic():
                if failure is None:
                    Delivery.objects.filter(key=key).update(
                        status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
                    )
                    if after is not None:
                        after()
                else:
                    Delivery.objects.filter(key=key).update(
                        status=DeliveryStatus.FAILED, last_error=f"{type(failure).__name__}: {failure}"[:2000]
                    )
            return
        except DatabaseError:
            if attempt == OUTCOME_SAVE_TRIES - 1:
                raise
            logger.warning("Saving the outcome of delivery %s failed; trying again", key, exc_info=True)
            time.sleep(0.2 * 2**attempt)


def _send_once(*, key: str, defaults: dict, send, after=None) -> int:
    """Send through ``send()`` unless the delivery ``key`` was already sent or
    claimed; record the outcome (then run ``after()`` in the same transaction
    as a success). Raises the sending error after recording it."""
    if not _claim(key, defaults):
        return 0
    try:
        send()
    except Exception as exc:
        _record_outcome(key, exc)
        raise
    _record_outcome(key, None, after)
    return 1


# ----------------------------------------------------------------- e-mail ---


def unsubscribe_url(*, user, organization: Organization, category: str) -> str:
    from .services import unsubscribe_token

    token = unsubscribe_token(user=user, organization=organization, category=category)
    return absolute(reverse("core:notifications_unsubscribe", args=[token]))


def build_email(
    *,
    user,
    organization: Organization,
    category: str | None,
    subject: str,
    template: str,
    context: dict,
    unsubscribe: str | None = None,
) -> EmailMultiAlternatives:
    """An HTML and plain-text e-mail with the organization's name, links under
    SITE_URL and (except for security notices) a one-click unsubscribe (RFC
    8058) for ``unsubscribe``: the category, or DIGEST for a digest."""
    headers = {}
    context = {
        **context,
        "organization": organization,
        "user": user,
        "site_url": absolute(""),
        "inbox_url": absolute(reverse("core:notifications")),
        "preferences_url": absolute(reverse("core:notification_preferences", args=[organization.slug])),
        "category_label": NotificationCategory(category).label if category else "digest",
    }
    unsubscribe = unsubscribe or category
    if unsubscribe and unsubscribe != NotificationCategory.SECURITY:
        link = unsubscribe_url(user=user, organization=organization, category=unsubscribe)
        context["unsubscribe_url"] = link
        headers["List-Unsubscribe"] = f"<{link}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{organization.name}] {subject}", body=text, to=[user.email], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def send_notification_email(notification_id: int) -> int:
    note = Notification.objects.select_related("recipient", "organization").filter(pk=notification_id).first()
    if note is None or not note.recipient.email:
        return 0
    message = build_email(
        user=note.recipient,
        organization=note.organization,
        category=note.category,
        subject=note.title,
        template="core/email/notification",
        context={"note": note, "item_url": absolute(note.link)},
    )
    return _send_once(
        key=f"email:{note.pk}",
        defaults={
            "organization": note.organization,
            "channel": DeliveryChannel.EMAIL,
            "event": note.event,
            "title": note.title,
            "target": note.recipient.email,
            "notification": note,
        },
        send=lambda: message.send(fail_silently=False),
    )


# ------------------------------------------------------------------- chat ---


ZERO_WIDTH_SPACE = "\u200b"
_SLACK_SYNTAX = re.compile(r"([\\\[\]()<>!#])")  # backslash-escaped: Apprise makes them literal text in Slack
_SLACK_EMPHASIS = re.compile(r"([*_~`])")
_MARKDOWN_SYNTAX = re.compile(r"([\[\]()<>*_~`#!|\\])")


def chat_text(text: str, *, slack: bool) -> str:
    """``text`` (a title a person wrote) as literal text in the chat format:
    no mention (``<!channel>``), no link of its own (``<https://…|label>``,
    ``[label](https://…)`` or a bare address) and no formatting. Slack gets
    CommonMark escapes, which Apprise turns into ``&lt;`` ``&gt;`` and plain
    brackets; other (Markdown) services get an invisible space after each
    syntax character, so nothing pairs up into a link or emphasis."""
    text = " ".join(text.split()).replace("://", ":" + ZERO_WIDTH_SPACE + "//")
    if slack:
        text = _SLACK_SYNTAX.sub(r"\\\1", text)
        return _SLACK_EMPHASIS.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE, text)
    return _MARKDOWN_SYNTAX.sub(lambda m: m.group(1) + ZERO_WIDTH_SPACE, text)


def _post(channel: ChatChannel, *, title: str, body: str, link: str | None = None) -> None:
    """Post to the channel. With ``link``, ``body`` is a person's text: it is
    escaped for the service's format and the Concord link is the message's
    only link."""
    import apprise
    from apprise.plugins.slack import NotifySlack

    try:  # checked again at send time, and the post pinned to what was checked (DNS rebinding)
        checked = check_destination(channel.url)
    except DomainError as exc:
        raise ChatPostFailed(exc.message)
    client = apprise.Apprise()
    if not client.add(channel.url):
        raise ChatPostFailed("the webhook URL is not understood")
    if link is not None:
        slack = isinstance(client[0], NotifySlack)
        where = chat_text(channel.organization.name, slack=slack)
        body = f"{chat_text(body, slack=slack)}\n\n[Open in Concord]({link}) · {where}"
        if not slack:  # Slack's header is plain text (escaped by Apprise); a Teams card's is Markdown
            title = chat_text(title, slack=False)
    with (
        apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log,
        pinned(checked),
        guarded() as redirects,
    ):
        ok = client.notify(title=title, body=body, body_format=apprise.NotifyFormat.MARKDOWN)
    if redirects:
        raise ChatPostFailed(
            f"the webhook answered with a redirect (HTTP {redirects[0]}); Concord never follows "
            "redirects: use the webhook's final address"
        )
    if not ok:
        detail = " ".join(line.strip() for line in log.getvalue().splitlines() if line.strip())
        raise ChatPostFailed(detail[:1500] or "the chat service refused the message")


def _chat_key(channel_id: int, event_key: str) -> str:
    return f"chat:{channel_id}:{event_key}"[:200]


def chat_attempts(*, channel_id: int, event_key: str) -> int:
    found = Delivery.objects.filter(key=_chat_key(channel_id, event_key)).values_list("attempts", flat=True)
    return next(iter(found), 0)


def send_chat(*, channel_id: int, event: str, event_key: str, title: str, link: str) -> int:
    channel = ChatChannel.objects.select_related("organization").filter(pk=channel_id).first()
    if channel is None or not channel.is_active:
        return 0
    url = absolute(link) if link else absolute("")
    return _send_once(
        key=_chat_key(channel.pk, event_key),
        defaults={
            "organization": channel.organization,
            "channel": DeliveryChannel.CHAT,
            "event": event,
            "title": title,
            "target": channel.name,
            "chat_channel": channel,
        },
        send=lambda: _post_redacted(
            channel, title=f"Concord · {channel.organization.name}", body=title, link=url
        ),
    )


def _post_redacted(channel: ChatChannel, *, title: str, body: str, link: str) -> None:
    """Post; a failure is recorded without the webhook URL's secret parts."""
    try:
        _post(channel, title=title, body=body, link=link)
    except Exception as exc:
        raise ChatPostFailed(redact(str(exc), channel.url) or type(exc).__name__) from None


@transaction.atomic
def chat_channel_disable(*, channel_id: int, reason: str) -> None:
    """Stop posting to a channel that keeps failing, and tell the CIO and CISO."""
    from .services import notify

    channel = ChatChannel.objects.select_for_update().select_related("organization").get(pk=channel_id)
    if not channel.is_active:
        return
    channel.is_active = False
    channel.disabled_reason = reason[:300]
    channel.save(update_fields=["is_active", "disabled_reason"])
    executives = [
        m.user
        for m in Membership.objects.filter(
            organization=channel.organization, role__in=SIGNING_ROLES
        ).select_related("user")
    ]
    notify(
        event="chat.channel_disabled",
        organization=channel.organization,
        recipients=executives,
        title=f"Chat channel “{channel.name}” was disabled after repeated failures",
        body=f"Concord stopped posting to it: {reason}. Fix the webhook, then enable it again.",
        link=reverse("core:chat_channels", args=[channel.organization.slug]),
        key=f"chat-disabled:{channel.pk}:{timezone.now():%Y%m%d%H%M%S}",
    )
