"""Writes for notifications: emitting an event (inbox rows, then e-mail and
chat through the outbox after commit), preferences, reading, chat channels,
the calendar-feed secret and one-click unsubscribe."""

from __future__ import annotations

import functools
import secrets
import zoneinfo
from collections.abc import Iterable
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .. import outbox
from ..errors import DomainError, NotAllowed
from ..models import Membership, Organization, User
from ..models_notifications import (
    ChatChannel,
    ChatKind,
    DeliveryMode,
    Notification,
    NotificationCategory,
    NotificationPreference,
    NotificationProfile,
)
from ..permissions import has_perm
from ..validation import text_problem
from .catalogue import event_kind
from .destinations import check_destination

MANAGE_PERM_DOC = "The CIO and the CISO (the role table's SIGN permission) manage chat channels."
UNSUBSCRIBE_SALT = "concord.notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE_DAYS = 90  # RFC 8058 one-click POST works within it
DIGEST = "digest"  # an unsubscribe token's "category" for a digest e-mail


def _manage_perm():
    from ..roles import Perm

    return Perm.SIGN


# ------------------------------------------------------------------ emit ----


def members_with(organization: Organization, perm) -> list[User]:
    """The active members of ``organization`` whose role holds ``perm`` (the usual recipients)."""
    from ..roles import roles_with

    return list(
        User.objects.filter(
            memberships__organization=organization, memberships__role__in=roles_with(perm), is_active=True
        ).order_by("pk")
    )


def _visible(subject, user) -> bool:
    if subject is None:
        return True
    manager = type(subject)._default_manager
    visible_to = getattr(manager, "visible_to", None)
    if visible_to is None:
        return True
    return visible_to(user).filter(pk=subject.pk).exists()


def modes_for(organization: Organization, user_ids: Iterable[int], category: str) -> dict[int, str]:
    """Each person's delivery mode for ``category``: their own choice, else the
    organization's default, else immediately. Security is always immediate."""
    user_ids = list(user_ids)
    if category == NotificationCategory.SECURITY:
        return dict.fromkeys(user_ids, DeliveryMode.IMMEDIATE)
    rows = NotificationPreference.objects.filter(organization=organization, category=category).filter(
        Q(user__isnull=True) | Q(user_id__in=user_ids)
    )
    default, own = DeliveryMode.IMMEDIATE, {}
    for row in rows:
        if row.user_id is None:
            default = row.mode
        else:
            own[row.user_id] = row.mode
    return {uid: own.get(uid, default) for uid in user_ids}


def notify(
    *,
    event: str,
    organization: Organization,
    recipients: Iterable[User],
    title: str,
    key: str,
    link: str = "",
    body: str = "",
    subject=None,
    chat_title: str = "",
) -> list[Notification]:
    """Tell ``recipients`` about one event, inside the caller's transaction.

    Only members of ``organization`` who may see ``subject`` are told; each
    gets one inbox row per ``key`` (a repeated emit adds nothing). E-mail (for
    those who want it at once) and the organization's chat channels are sent by
    the worker after commit (core.outbox). A chat channel is shared by the
    organization: it gets ``chat_title`` (the event in neutral words) when the
    title speaks to its recipients, and nothing for a personal event (one
    registered with ``chat=False``)."""
    kind = event_kind(event)
    unique = {u.pk: u for u in recipients if u is not None}
    members = set(
        Membership.objects.filter(
            organization=organization, user_id__in=list(unique), user__is_active=True
        ).values_list("user_id", flat=True)
    )
    people = [u for u in unique.values() if u.pk in members and _visible(subject, u)]
    modes = modes_for(organization, [u.pk for u in people], kind.category)
    created = []
    for user in people:
        mode = modes[user.pk]
        if mode == DeliveryMode.OFF:
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    organization=organization,
                    recipient=user,
                    event=event,
                    category=kind.category,
                    title=title[:300],
                    body=body,
                    link=link[:500],
                    key=key[:200],
                    mode=mode,
                )
        except IntegrityError:
            continue  # this person was already told about this event
        created.append(note)
        if mode == DeliveryMode.IMMEDIATE and user.email:
            outbox.enqueue(
                "core.notification_email",
                key=f"notify-email:{note.pk}",
                organization=organization,
                notification_id=note.pk,
            )
    if kind.chat:
        for channel in ChatChannel.objects.filter(organization=organization, is_active=True):
            if kind.category in channel.categories:
                outbox.enqueue(
                    "core.notification_chat",
                    key=f"notify-chat:{channel.pk}:{key}"[:200],
                    organization=organization,
                    channel_id=channel.pk,
                    event=event,
                    event_key=key[:200],
                    title=(chat_title or title)[:300],
                    link=link[:500],
                )
    return created


# ----------------------------------------------------------- preferences ----


def _check_mode(category: str, mode: str) -> None:
    if category not in NotificationCategory.values:
        raise DomainError(f"Unknown category {category!r}.", field="category")
    if mode not in DeliveryMode.values:
        raise DomainError("Choose immediately, daily digest, weekly digest or off.", field=category)
    if category == NotificationCategory.SECURITY and mode != DeliveryMode.IMMEDIATE:
        raise DomainError(
            "Security notices are always sent at once; they cannot be delayed or turned off.", field=category
        )


@transaction.atomic
def preference_set(
    *, actor: User, organization: Organization, category: str, mode: str, for_organization: bool = False
) -> NotificationPreference:
    """Set the actor's own mode for a category, or (CIO, CISO, admin with the
    settings permission) the organization's default."""
    from ..roles import Perm

    _check_mode(category, mode)
    if not Membership.objects.filter(organization=organization, user=actor).exists():
        raise NotAllowed("You are not a member of this organization.")
    if for_organization and not has_perm(actor, organization, Perm.ORG_SETTINGS):
        raise NotAllowed("Only those who manage the organization's settings set its defaults.")
    user = None if for_organization else actor
    pref, _ = NotificationPreference.objects.update_or_create(
        organization=organization, user=user, category=category, defaults={"mode": mode}
    )
    return pref


# Names in the time zone database that are not places: the server's own zone,
# the placeholder zone and the database's internal copies.
_NOT_PLACES = {"localtime", "Factory", "posixrules"}


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zones a person may choose (strictly: a digest hour means
    nothing in the server's ``localtime``)."""
    return tuple(
        sorted(
            name
            for name in zoneinfo.available_timezones()
            if name not in _NOT_PLACES and not name.startswith(("posix/", "right/"))
        )
    )


def profile_for(user: User) -> NotificationProfile:
    profile, _ = NotificationProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, actor: User, time_zone: str, digest_hour: int, weekly_day: int) -> NotificationProfile:
    if time_zone not in time_zone_names():
        raise DomainError(
            f"Unknown time zone “{time_zone}”: choose one from the list, such as Europe/Paris "
            "(exactly as written, without spaces).",
            field="timezone",
        )
    if not 0 <= digest_hour <= 23:
        raise DomainError("Choose an hour from 0 to 23.", field="digest_hour")
    if not 0 <= weekly_day <= 6:
        raise DomainError("Choose a day of the week.", field="weekly_day")
    profile = profile_for(actor)
    profile.timezone, profile.digest_hour, profile.weekly_day = time_zone, digest_hour, weekly_day
    profile.save(update_fields=["timezone", "digest_hour", "weekly_day"])
    return profile


def unsubscribe_token(*, user: User, organization: Organization, category: str) -> str:
    """A signed, timestamped token: it works for UNSUBSCRIBE_MAX_AGE_DAYS."""
    return signing.dumps({"u": user.pk, "o": organization.pk, "c": category}, salt=UNSUBSCRIBE_SALT)


class UnsubscribeExpired(DomainError):
    """The link is genuine but older than UNSUBSCRIBE_MAX_AGE_DAYS; ``organization``
    is known, so the page can offer the preferences (after signing in)."""

    def __init__(self, organization: Organization | None):
        super().__init__(
            f"This unsubscribe link has expired (links work for {UNSUBSCRIBE_MAX_AGE_DAYS} days). "
            "Sign in to choose which e-mails you receive.",
            field="token",
            code="expired",
        )
        self.organization = organization


def unsubscribe_read(*, token: str) -> tuple[User, Organization, str]:
    """The person, organization and category of a valid, unexpired link
    (DomainError, or UnsubscribeExpired, otherwise)."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=timedelta(days=UNSUBSCRIBE_MAX_AGE_DAYS))
    except signing.SignatureExpired:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)  # genuine, only too old
        organization = Organization.objects.filter(
            pk=data.get("o") if isinstance(data, dict) else None
        ).first()
        raise UnsubscribeExpired(organization) from None
    except signing.BadSignature:
        raise DomainError("This unsubscribe link is not valid.", field="token") from None
    try:
        user = User.objects.get(pk=data["u"], is_active=True)
        organization = Organization.objects.get(pk=data["o"])
        category = data["c"]
    except (KeyError, TypeError, User.DoesNotExist, Organization.DoesNotExist):
        raise DomainError("This unsubscribe link is not valid.", field="token") from None
    return user, organization, category


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[User, Organization, str]:
    """One-click unsubscribe (RFC 8058): turn the token's category off for its
    person, if the link is at most UNSUBSCRIBE_MAX_AGE_DAYS old."""
    user, organization, category = unsubscribe_read(token=token)
    if category == DIGEST:  # every category this person receives in a digest
        for each in NotificationCategory.values:
            if modes_for(organization, [user.pk], each)[user.pk] in (DeliveryMode.DAILY, DeliveryMode.WEEKLY):
                preference_set(actor=user, organization=organization, category=each, mode=DeliveryMode.OFF)
        return user, organization, category
    preference_set(actor=user, organization=organization, category=category, mode=DeliveryMode.OFF)
    return user, organization, category


# --------------------------------------------------------------- inbox -----


def notification_read(*, actor: User, notification: Notification, read: bool = True) -> None:
    if notification.recipient_id != actor.pk:
        raise NotAllowed("This notification is not yours.")
    Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now() if read else None)


def notifications_read_all(*, actor: User) -> int:
    from .selectors import inbox

    return inbox(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


# ------------------------------------------------------------ calendar -----


@transaction.atomic
def calendar_token_create(*, actor: User) -> str:
    """A new secret feed URL; the previous one stops working at once."""
    token = secrets.token_urlsafe(32)
    profile = profile_for(actor)
    profile.calendar_token_hash = NotificationProfile.hash_token(token)
    profile.save(update_fields=["calendar_token_hash"])
    return token


@transaction.atomic
def calendar_token_revoke(*, actor: User) -> None:
    NotificationProfile.objects.filter(user=actor).update(calendar_token_hash="")


# ---------------------------------------------------------------- chat -----


def _require_manager(actor: User, organization: Organization) -> None:
    if not has_perm(actor, organization, _manage_perm()):
        raise NotAllowed("Only the CIO or the CISO manage the organization's chat channels.")


def _refuse_unverified_tls(url: str) -> None:
    """Apprise reads ``verify=no`` (or any other spelling of false) as "do
    not check the TLS certificate": a channel must always check it."""
    from urllib.parse import parse_qsl, urlsplit

    for name, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if name.strip().lower() == "verify" and value.strip().lower() not in ("yes", "true", "1", "on", "y"):
            raise DomainError(
                "Remove “verify=…” from the webhook URL: Concord always checks the chat service's "
                "TLS certificate.",
                field="url",
            )


def _check_url(kind: str, url: str) -> str:
    import apprise

    url = (url or "").strip()
    if kind not in ChatKind.values:
        raise DomainError("Choose Slack, Teams or another service.", field="kind")
    if not url:
        raise DomainError("Paste the channel's webhook URL.", field="url")
    if kind == ChatKind.SLACK and not url.startswith(("https://hooks.slack.com/", "slack://")):
        raise DomainError("A Slack incoming webhook starts with https://hooks.slack.com/.", field="url")
    if kind == ChatKind.TEAMS and not url.startswith(("https://", "workflow://", "workflows://")):
        raise DomainError("A Teams Workflows webhook starts with https://.", field="url")
    _refuse_unverified_tls(url)
    check_destination(url)
    if apprise.Apprise.instantiate(url) is None:
        raise DomainError("This URL is not a webhook Concord can post to.", field="url")
    return url


def _check_categories(categories) -> list[str]:
    chosen = sorted(set(categories or []))
    bad = [c for c in chosen if c not in NotificationCategory.values or c == NotificationCategory.SECURITY]
    if bad or not chosen:
        raise DomainError(
            "Choose at least one category (security notices are never posted).", field="categories"
        )
    return chosen


@transaction.atomic
def chat_channel_create(
    *, actor: User, organization: Organization, name: str, kind: str, url: str, categories: list[str]
) -> ChatChannel:
    _require_manager(actor, organization)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise DomainError("Name the channel (up to 80 characters).", field="name")
    problem = text_problem(name, one_line=True)
    if problem:
        raise DomainError(f"The name {problem}", field="name")
    return ChatChannel.objects.create(
        organization=organization,
        name=name,
        kind=kind,
        url=_check_url(kind, url),
        categories=_check_categories(categories),
        created_by=actor,
    )


@transaction.atomic
def chat_channel_update(
    *, actor: User, channel: ChatChannel, name: str, kind: str, url: str, categories: list[str]
) -> ChatChannel:
    """Change a channel. A blank ``url`` keeps the stored webhook (the page
    never shows it, only its masked hint); a new one is checked again."""
    _require_manager(actor, channel.organization)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise DomainError("Name the channel (up to 80 characters).", field="name")
    problem = text_problem(name, one_line=True)
    if problem:
        raise DomainError(f"The name {problem}", field="name")
    url = (url or "").strip()
    channel.url = _check_url(kind, url or channel.url)
    channel.name, channel.kind, channel.categories = name, kind, _check_categories(categories)
    channel.save(update_fields=["name", "kind", "url", "categories"])
    return channel


@transaction.atomic
def chat_channel_enable(*, actor: User, channel: ChatChannel) -> None:
    _require_manager(actor, channel.organization)
    ChatChannel.objects.filter(pk=channel.pk).update(is_active=True, disabled_reason="")


@transaction.atomic
def chat_channel_delete(*, actor: User, channel: ChatChannel) -> None:
    _require_manager(actor, channel.organization)
    channel.delete()


@transaction.atomic
def chat_channel_test(*, actor: User, channel: ChatChannel) -> None:
    """Queue a test message (sent by the worker; the result shows in the delivery log)."""
    _require_manager(actor, channel.organization)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    outbox.enqueue(
        "core.notification_chat",
        organization=channel.organization,
        channel_id=channel.pk,
        event="chat.test",
        event_key=f"test:{stamp}",
        title=f"Test message from Concord for {channel.organization.name}, sent by {actor}",
        link="",
    )
