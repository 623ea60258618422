"""Daily and weekly digests, sent at each person's local morning.

The beat task runs every quarter hour; a person's digest for an organization
is due when their local hour is within ``DIGEST_WINDOW_HOURS`` of their digest
hour (and, weekly, on their chosen day) and none was sent for that local day.
A digest holds the notifications waiting for it: what waits for you, what is
due, what changed. Nothing waits, nothing is sent."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import outbox
from ..models import Organization, User
from ..models_notifications import (
    Delivery,
    DeliveryChannel,
    DeliveryMode,
    Notification,
    NotificationCategory,
    NotificationProfile,
)
from .delivery import _send_once, absolute, build_email
from .services import DIGEST

DIGEST_WINDOW_HOURS = 4
DUE_CATEGORIES = {NotificationCategory.ACCEPTANCES, NotificationCategory.OVERDUE}
WAITING_EVENTS = {"decision.waiting", "decision.signed_by_other", "intake.awaiting_requester"}


def _local(now: datetime, profile: NotificationProfile | None) -> datetime:
    name = profile.timezone if profile else "UTC"
    try:
        tz = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(tz)


def is_due(kind: str, local: datetime, profile: NotificationProfile | None) -> bool:
    hour = profile.digest_hour if profile else 7
    weekday = profile.weekly_day if profile else 0
    if not hour <= local.hour < hour + DIGEST_WINDOW_HOURS:
        return False
    return kind == DeliveryMode.DAILY or local.weekday() == weekday


def digest_key(kind: str, user_id: int, organization_id: int, day: date) -> str:
    return f"digest:{kind}:{user_id}:{organization_id}:{day.isoformat()}"


def send_due_digests(*, now: datetime | None = None) -> int:
    """Queue every digest whose local morning has come; returns how many."""
    now = now or timezone.now()
    pairs = (
        Notification.objects.filter(
            digested_at__isnull=True, mode__in=(DeliveryMode.DAILY, DeliveryMode.WEEKLY), created_at__lte=now
        )
        .values_list("recipient_id", "organization_id", "mode")
        .distinct()
    )
    pairs = sorted(set(pairs))
    profiles = {p.user_id: p for p in NotificationProfile.objects.filter(user_id__in={p[0] for p in pairs})}
    queued = 0
    for user_id, organization_id, kind in pairs:
        profile = profiles.get(user_id)
        local = _local(now, profile)
        if not is_due(kind, local, profile):
            continue
        day = local.date()
        key = digest_key(kind, user_id, organization_id, day)
        if Delivery.objects.filter(key=key, status="sent").exists():
            continue
        outbox.enqueue(
            "core.notification_digest",
            key=f"job-{key}",
            user_id=user_id,
            organization_id=organization_id,
            kind=kind,
            day=day.isoformat(),
        )
        queued += 1
    return queued


def _grouped(notes: list[Notification]) -> list[Notification]:
    """One line per title: the newest of the repeated items, with ``repeats``
    saying how many there were."""
    latest: dict[str, Notification] = {}
    counts: dict[str, int] = {}
    for note in notes:
        counts[note.title] = counts.get(note.title, 0) + 1
        latest[note.title] = note
    for title, note in latest.items():
        note.repeats = counts[title]
    return sorted(latest.values(), key=lambda n: (n.created_at, n.pk))


def sections(notes: list[Notification]) -> list[tuple[str, list[Notification]]]:
    notes = _grouped(notes)
    waiting = [n for n in notes if n.event in WAITING_EVENTS]
    due = [n for n in notes if n not in waiting and n.category in DUE_CATEGORIES]
    changed = [n for n in notes if n not in waiting and n not in due]
    return [
        (title, rows)
        for title, rows in (("Waiting for you", waiting), ("Due", due), ("What changed", changed))
        if rows
    ]


def send_digest(
    *, user_id: int, organization_id: int, kind: str, day: str, now: datetime | None = None
) -> int:
    now = now or timezone.now()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if user is None or organization is None or not user.email:
        return 0
    pending = Notification.objects.filter(
        Q(recipient=user, organization=organization, mode=kind, digested_at__isnull=True, created_at__lte=now)
    ).order_by("created_at", "pk")
    notes = list(pending)
    if not notes:
        return 0  # nothing to say
    period = "Daily" if kind == DeliveryMode.DAILY else "Weekly"
    for note in notes:
        note.item_url = absolute(note.link)
    # A digest gathers several categories: its one-click unsubscribe turns off
    # every category this person receives in a digest (services.unsubscribe).
    message = build_email(
        user=user,
        organization=organization,
        category=None,
        subject=f"{period} digest: {len(notes)} update{'s' if len(notes) != 1 else ''}",
        template="core/email/digest",
        unsubscribe=DIGEST,
        context={
            "sections": sections(notes),
            "period": period,
            "count": len(notes),
            "preferences_link": absolute(reverse("core:notification_preferences", args=[organization.slug])),
        },
    )
    ids = [n.pk for n in notes]

    def digested():
        Notification.objects.filter(pk__in=ids).update(digested_at=now)

    return _send_once(
        key=digest_key(kind, user.pk, organization.pk, date.fromisoformat(day)),
        defaults={
            "organization": organization,
            "channel": DeliveryChannel.DIGEST,
            "event": f"digest.{kind}",
            "title": f"{period} digest ({len(notes)})",
            "target": user.email,
        },
        send=lambda: message.send(fail_silently=False),
        after=digested,
    )
