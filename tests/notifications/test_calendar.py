"""The personal calendar feed: a valid ICS file behind a secret, revocable URL,
holding only the dated items its owner may see."""

from datetime import timedelta

import icalendar
from django.utils import timezone

from core.notifications import services
from core.roles import Role
from risks import services as risk_services
from tests.governance.factories_intake import make_request
from tests.risks.factories import make_risk


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def _feed_path(token):
    return f"/calendar/{token}.ics"


def test_feed_holds_only_visible_items_and_validates(client, org, other_org, people):
    cio, contributor = people[Role.CIO], people[Role.CONTRIBUTOR]
    review = timezone.localdate() + timedelta(days=20)
    risk = make_risk(org, cio, title="Legacy VPN", next_review_date=review)
    risk_services.mitigation_create(
        actor=cio, risk=risk, title="Replace VPN", owner=cio, due_date=review + timedelta(days=5)
    )
    mine = make_request(org, contributor, title="New CRM")
    make_request(org, people[Role.BOARD], title="Board tablet")  # filed by someone else
    make_risk(other_org, people["outsider"], title="Globex secret", next_review_date=review)

    cio_events = _events(client.get(_feed_path(services.calendar_token_create(actor=cio))))
    assert f"[{org.name}] Review: {risk}" in cio_events
    review_event = cio_events[f"[{org.name}] Review: {risk}"]
    assert review_event.decoded("DTSTART") == review
    assert str(review_event["URL"]) == f"http://127.0.0.1:8000/o/acme/risks/{risk.pk}/"
    assert any(s.startswith(f"[{org.name}] Mitigation due: Replace VPN") for s in cio_events)
    assert any("New CRM" in s for s in cio_events) and any("Board tablet" in s for s in cio_events)
    assert not any("Globex" in s for s in cio_events)  # another organization

    contributor_events = _events(client.get(_feed_path(services.calendar_token_create(actor=contributor))))
    summaries = list(contributor_events)
    assert any(f"[{mine.reference}] New CRM" in s for s in summaries)
    assert not any("Board tablet" in s for s in summaries)  # someone else's request
    assert not any("Legacy VPN" in s or "Review:" in s for s in summaries)  # the register is not theirs


def test_a_new_address_replaces_the_old_and_turning_off_revokes_it(client, people):
    cio = people[Role.CIO]
    first = services.calendar_token_create(actor=cio)
    assert client.get(_feed_path(first)).status_code == 200
    second = services.calendar_token_create(actor=cio)
    assert client.get(_feed_path(first)).status_code == 404
    assert client.get(_feed_path(second)).status_code == 200
    services.calendar_token_revoke(actor=cio)
    assert client.get(_feed_path(second)).status_code == 404
    assert client.get(_feed_path("")).status_code == 404


def test_profile_page_shows_the_address_once(client_as):
    client = client_as(Role.CISO)
    response = client.post("/accounts/calendar/new/")
    assert response.status_code == 302
    page = client.get("/accounts/profile/").content.decode()
    assert "/calendar/" in page and ".ics" in page and 'data-testid="calendar-url"' in page
    page = client.get("/accounts/profile/").content.decode()
    assert 'data-testid="calendar-url"' not in page and "Turn off" in page
    client.post("/accounts/calendar/off/")
    assert "Turn off" not in client.get("/accounts/profile/").content.decode()
