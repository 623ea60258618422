"""Demo notifications for Northwind Health, made by the real services after
every app's demo data (core.management.commands.seed_demo): the joint
decisions the demo flows opened and signed already told the CIO and the CISO;
here the daily sweeps add what is due or overdue, the CISO gets a weekly KPI
digest, a sample Slack channel is added (disabled: it has no real webhook), and
a few older items are marked read. The worker sends the e-mails, which fills
the delivery log. Safe to run twice (every event has its key)."""

from __future__ import annotations

from core.models_notifications import ChatChannel, DeliveryMode, Notification
from core.roles import Role

from . import services
from .sweeps import run_sweeps

SAMPLE_CHANNEL = "Leadership (sample)"
SAMPLE_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/DEMOdemoDEMOdemo0000"


def seed(organization, people) -> None:
    cio, ciso = people[Role.CIO], people[Role.CISO]
    run_sweeps()
    services.preference_set(actor=ciso, organization=organization, category="kpis", mode=DeliveryMode.WEEKLY)
    services.profile_update(actor=ciso, time_zone="Europe/London", digest_hour=7, weekly_day=0)
    if not ChatChannel.objects.filter(organization=organization, name=SAMPLE_CHANNEL).exists():
        channel = services.chat_channel_create(
            actor=cio,
            organization=organization,
            name=SAMPLE_CHANNEL,
            kind="slack",
            url=SAMPLE_WEBHOOK,
            categories=["signatures", "decisions", "acceptances", "kpis"],
        )
        ChatChannel.objects.filter(pk=channel.pk).update(
            is_active=False,
            disabled_reason="A sample: paste your team's Slack webhook (Edit), then enable it.",
        )
    for person in (cio, ciso):  # the oldest half read, as after a few days of use
        notes = list(
            Notification.objects.filter(recipient=person, organization=organization).order_by("created_at")
        )
        for note in notes[: len(notes) // 2]:
            if note.read_at is None:
                services.notification_read(actor=person, notification=note)
