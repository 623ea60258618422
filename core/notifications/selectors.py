"""Reads for notifications: the inbox, scoped to the organizations the person
still belongs to. A person who left an organization (or lost access to it)
no longer sees its notifications: not in the bell count, not on the page,
and their deep links answer 404."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Membership
from ..models_notifications import Notification


def inbox(user) -> QuerySet[Notification]:
    """``user``'s notifications from the organizations they are a member of now."""
    current = Membership.objects.filter(user=user, user__is_active=True).values("organization_id")
    return Notification.objects.filter(recipient=user, organization_id__in=current)


def unread_count(user) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


def safe_link(note: Notification) -> str:
    """The notification's path inside Concord (never another site)."""
    link = note.link or ""
    if not link.startswith("/") or link.startswith("//") or "\\" in link:
        return ""
    return link
