"""The personal calendar feed (ICS): review dates, acceptance expiries,
mitigation due dates, SLA deadlines and report dates of the items the person
may see, gathered from each app's registered calendar source."""

from __future__ import annotations

import logging
from datetime import timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from ..permissions import memberships_of
from .catalogue import CalendarItem, calendars
from .delivery import absolute

logger = logging.getLogger(__name__)


def feed_url(token: str) -> str:
    return absolute(reverse("core:calendar_feed", args=[token]))


def items_for(user) -> list[tuple[object, CalendarItem]]:
    """Every dated item ``user`` may see, in every organization they belong to.
    Each source is asked per organization and must scope to ``user`` itself."""
    found = []
    for membership in sorted(memberships_of(user).values(), key=lambda m: m.organization.name):
        for source in calendars():
            for item in source(user=user, organization=membership.organization):
                found.append((membership.organization, item))
    return found


def feed_for(user) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Concord//Notifications//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Concord · {user.display_name}")
    stamp = timezone.now()
    for organization, item in items_for(user):
        event = icalendar.Event()
        event.add("uid", f"{item.uid}@{organization.slug}.concord")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", f"[{organization.name}] {item.title}")
        if item.link:
            event.add("url", absolute(item.link))
        description = "\n".join(x for x in (item.description, absolute(item.link) if item.link else "") if x)
        if description:
            event.add("description", description)
        cal.add_component(event)
    return cal.to_ical()
