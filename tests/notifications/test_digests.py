"""Digests with a frozen clock: each arrives in its person's local morning
(daily, or weekly on their day), holds what waits, what is due and what
changed, is sent once, and nothing is sent when there is nothing to say."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from core.models import Delivery, Notification
from core.notifications import digests
from core.notifications.services import notify, preference_set, profile_update
from core.roles import Role


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=UTC), tick=False)


@pytest.fixture
def paris_cio(org, people, django_capture_on_commit_callbacks):
    cio = people[Role.CIO]
    profile_update(actor=cio, time_zone="Europe/Paris", digest_hour=7, weekly_day=0)
    for category in ("signatures", "decisions", "acceptances", "reports"):
        preference_set(actor=cio, organization=org, category=category, mode="daily")
    return cio


def _run(callbacks_fixture):
    with callbacks_fixture(execute=True):
        return digests.send_due_digests()


def test_daily_digest_arrives_in_the_local_morning_once_with_its_sections(
    org, people, paris_cio, django_capture_on_commit_callbacks
):
    with at(2026, 3, 2, 15, 0), django_capture_on_commit_callbacks(execute=True):
        notify(
            event="decision.waiting",
            organization=org,
            recipients=[paris_cio],
            title="Plan waits for you",
            link="/o/acme/risks/1/",
            key="a",
        )
        notify(
            event="risk.acceptance_expiring",
            organization=org,
            recipients=[paris_cio],
            title="Acceptance expires in 7 days",
            link="/o/acme/risks/2/",
            key="b",
        )
        notify(
            event="report.published",
            organization=org,
            recipients=[paris_cio],
            title="Q1 report published",
            key="c",
        )
    assert mail.outbox == []  # nothing at once: the CIO chose the daily digest
    with at(2026, 3, 2, 20, 0):  # 21:00 in Paris: not the morning
        assert _run(django_capture_on_commit_callbacks) == 0
    with at(2026, 3, 3, 5, 50):  # 06:50 in Paris: not yet
        assert _run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    with at(2026, 3, 3, 6, 15):  # 07:15 in Paris
        assert _run(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["cio@acme.test"] and message.subject == f"[{org.name}] Daily digest: 3 updates"
    body = message.body
    assert body.index("Waiting for you") < body.index("Plan waits for you") < body.index("Due")
    assert body.index("Due") < body.index("Acceptance expires in 7 days") < body.index("What changed")
    assert body.index("What changed") < body.index("Q1 report published")
    assert "http://127.0.0.1:8000/o/acme/risks/1/" in body
    html = message.alternatives[0][0]
    assert 'href="http://127.0.0.1:8000/o/acme/risks/2/"' in html
    assert "List-Unsubscribe" in message.extra_headers  # one click turns the digest off (test_email_smtp)
    assert Notification.objects.filter(digested_at__isnull=True).count() == 0
    with at(2026, 3, 3, 6, 30):  # the next quarter hour: already sent
        assert _run(django_capture_on_commit_callbacks) == 0
    with at(2026, 3, 4, 6, 15):  # the next morning, nothing new: nothing to say
        assert _run(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().key == f"digest:daily:{paris_cio.pk}:{org.pk}:2026-03-03"


def test_weekly_digest_waits_for_the_persons_day(org, people, django_capture_on_commit_callbacks):
    ciso = people[Role.CISO]
    profile_update(actor=ciso, time_zone="America/New_York", digest_hour=8, weekly_day=4)  # Friday
    preference_set(actor=ciso, organization=org, category="kpis", mode="weekly")
    with at(2026, 3, 2, 12, 0):  # Monday
        notify(
            event="kpi.turned_red",
            organization=org,
            recipients=[ciso],
            title="Patch latency turned red",
            key="k",
        )
    with at(2026, 3, 5, 13, 30):  # Thursday 08:30 in New York
        assert _run(django_capture_on_commit_callbacks) == 0
    with at(2026, 3, 6, 12, 30):  # Friday 07:30 in New York
        assert _run(django_capture_on_commit_callbacks) == 0
    with at(2026, 3, 6, 13, 30):  # Friday 08:30 in New York
        assert _run(django_capture_on_commit_callbacks) == 1
    assert [m.subject for m in mail.outbox] == [f"[{org.name}] Weekly digest: 1 update"]
    assert "Patch latency turned red" in mail.outbox[0].body


def test_an_unknown_time_zone_is_refused_by_name(people):
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        profile_update(actor=people[Role.CIO], time_zone="Mars/Olympus", digest_hour=7, weekly_day=0)
    assert exc.value.field == "timezone"


@pytest.mark.parametrize(
    "bad", ["localtime", "Europe/Paris ", " Europe/Paris", "Factory", "posixrules", "Mars/Olympus", ""]
)
def test_the_digest_time_zone_is_a_real_place_exactly_as_written(people, bad):
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        profile_update(actor=people[Role.CIO], time_zone=bad, digest_hour=7, weekly_day=0)
    assert exc.value.field == "timezone"


def test_the_preferences_form_names_the_time_zone_field_and_keeps_the_old_value(client_as, people):
    from core.models import NotificationProfile

    client = client_as(Role.CIO)
    for bad in ("localtime", "Europe/Paris "):
        response = client.post(
            "/o/acme/notifications/preferences/",
            {"scope": "profile", "timezone": bad, "digest_hour": "7", "weekly_day": "0"},
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert 'data-error-field="timezone"' in page and "Unknown time zone" in page and "is-invalid" in page
    assert not NotificationProfile.objects.filter(user=people[Role.CIO]).exclude(timezone="UTC").exists()
    response = client.post(
        "/o/acme/notifications/preferences/",
        {"scope": "profile", "timezone": "America/New_York", "digest_hour": "8", "weekly_day": "4"},
    )
    assert response.status_code == 302
    assert NotificationProfile.objects.get(user=people[Role.CIO]).timezone == "America/New_York"


def test_repeated_items_make_one_line_with_a_count(
    org, people, paris_cio, django_capture_on_commit_callbacks
):
    with at(2026, 3, 2, 15, 0), django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            notify(
                event="report.published",
                organization=org,
                recipients=[paris_cio],
                title="Q1 report published",
                key=f"rep:{n}",
            )
        notify(event="report.published", organization=org, recipients=[paris_cio], title="Q2", key="rep:q2")
    with at(2026, 3, 3, 6, 15):
        assert _run(django_capture_on_commit_callbacks) == 1
    (message,) = mail.outbox
    assert message.body.count("Q1 report published") == 1 and "Q1 report published (3 times)" in message.body
    assert "- Q2\n" in message.body
    assert "Q1 report published</a> (3 times)" in message.alternatives[0][0]
