"""The catalogue of notifiable events, and the hooks domain apps plug in.

Each app declares its events in ``<app>/notification_events.py`` (found by
``CoreConfig.ready()`` the way the admin finds ``admin.py``)::

    from core.notifications.catalogue import register_event, register_sweep, register_calendar

    register_event("risk.acceptance_expiring", category="acceptances",
                   label="A risk acceptance expires soon")
    register_sweep(acceptance_sweep)          # daily: emits time-based events
    register_calendar(acceptance_dates)       # dates for the personal ICS feed

Core knows no domain app: it only keeps this registry and delivers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..models_notifications import NotificationCategory


@dataclass(frozen=True)
class EventKind:
    key: str
    category: str
    label: str
    chat: bool = True  # may be posted to the organization's chat channels


@dataclass(frozen=True)
class CalendarItem:
    uid: str  # stable across feeds: "risk-review-12@acme"
    day: date
    title: str
    link: str = ""
    description: str = ""


_EVENTS: dict[str, EventKind] = {}
_SWEEPS: list[Callable] = []
_CALENDARS: list[Callable[..., Iterable[CalendarItem]]] = []


def register_event(key: str, *, category: str, label: str, chat: bool = True) -> EventKind:
    if category not in NotificationCategory.values:
        raise ValueError(f"Unknown notification category {category!r} for event {key!r}.")
    kind = EventKind(key=key, category=category, label=label, chat=chat and category != "security")
    _EVENTS[key] = kind
    return kind


def event_kind(key: str) -> EventKind:
    try:
        return _EVENTS[key]
    except KeyError:
        raise LookupError(
            f"Notification event {key!r} is not in the catalogue; register it in the app's "
            "notification_events.py (see core.notifications.catalogue)."
        ) from None


def events() -> list[EventKind]:
    return sorted(_EVENTS.values(), key=lambda e: (e.category, e.key))


def register_sweep(func: Callable) -> Callable:
    """``func(*, today)``: run once a day by the worker; emits time-based events
    (each with a key naming the day or threshold, so a second run adds nothing)."""
    if func not in _SWEEPS:
        _SWEEPS.append(func)
    return func


def sweeps() -> list[Callable]:
    return list(_SWEEPS)


def register_calendar(func: Callable[..., Iterable[CalendarItem]]) -> Callable:
    """``func(*, user, organization)`` yields the dated items ``user`` may see."""
    if func not in _CALENDARS:
        _CALENDARS.append(func)
    return func


def calendars() -> list[Callable[..., Iterable[CalendarItem]]]:
    return list(_CALENDARS)


# Core's own events: joint decisions (core.services.signoff_*), people and security.
register_event(
    "decision.waiting",
    category="signatures",
    label="A joint decision was put up for signature and waits for yours",
)
register_event(
    "decision.signed_by_other",
    category="decisions",
    label="The other executive signed a joint decision; yours completes it",
)
register_event("decision.decided", category="decisions", label="A joint decision was taken")
register_event("decision.rejected", category="decisions", label="A joint decision was rejected")
register_event(
    "decision.voided", category="decisions", label="Your signature was voided by a change", chat=False
)
register_event("security.role_changed", category="security", label="Your role changed")
register_event(
    "security.members_changed",
    category="security",
    label="People joined, left or changed role (CIO and CISO)",
)
register_event("security.new_device", category="security", label="A sign-in from a new device")
register_event(
    "security.org_deletion_requested",
    category="security",
    label="Deletion of the organization asked (CIO, CISO and admins)",
)
register_event(
    "security.org_deletion_confirmed",
    category="security",
    label="Deletion of the organization confirmed, with the day it is removed (CIO, CISO and admins)",
)
register_event(
    "security.org_deletion_cancelled",
    category="security",
    label="Deletion of the organization cancelled (CIO, CISO and admins)",
)
register_event(
    "chat.channel_disabled", category="security", label="A chat channel was disabled after repeated failures"
)
