"""The notification pages: who sees them, the inbox and its bell, preferences
(with field-named errors), the unsubscribe page."""

from core.models import Notification, NotificationPreference
from core.notifications.services import notify
from core.roles import Role
from tests.conftest import ALL_ROLES
from tests.contract import expect_page


def _tell(org, user, n=1, **extra):
    for i in range(n):
        notify(
            event="report.published",
            organization=org,
            recipients=[user],
            title=f"Report {i}",
            link="/o/acme/reports/",
            key=f"p:{user.pk}:{i}",
            **extra,
        )


def test_page_contracts(client_as):
    expect_page(client_as, "/o/acme/notifications/chat/", allowed={"cio", "ciso"})
    expect_page(client_as, "/o/acme/notifications/deliveries/", allowed={"cio", "ciso"})
    expect_page(client_as, "/o/acme/notifications/preferences/", allowed=set(ALL_ROLES))


def test_inbox_lists_only_ones_own_and_the_bell_counts_unread(
    client_as, org, people, django_assert_max_num_queries
):
    _tell(org, people[Role.CIO], n=3)
    _tell(org, people[Role.CISO], n=1)
    client = client_as(Role.CIO)
    assert client.get("/notifications/bell/").content.decode().count('data-unread="3"') == 1
    page = client.get("/notifications/").content.decode()
    assert page.count("data-notification=") == 3
    theirs = Notification.objects.get(recipient=people[Role.CISO])
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    _tell(org, people[Role.CIO], n=30)
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200
    with django_assert_max_num_queries(6):
        client.get("/notifications/bell/")


def test_opening_marks_read_and_mark_all_read(client_as, org, people):
    _tell(org, people[Role.CIO], n=2)
    client = client_as(Role.CIO)
    first = Notification.objects.filter(recipient=people[Role.CIO]).first()
    response = client.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302 and response["Location"] == "/o/acme/reports/"
    first.refresh_from_db()
    assert first.is_read
    client.post(f"/notifications/{first.pk}/unread/")
    first.refresh_from_db()
    assert not first.is_read
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302 and response["HX-Trigger"] == "notifications-changed"
    assert not Notification.objects.filter(recipient=people[Role.CIO], read_at__isnull=True).exists()
    assert client.get("/notifications/bell/").content.strip() == b""
    assert client_as("anonymous").get("/notifications/").status_code == 302


def test_preferences_page_saves_choices_and_names_the_field_on_error(client_as, org, people):
    client = client_as(Role.BOARD)
    response = client.post(
        "/o/acme/notifications/preferences/", {"scope": "mine", "reports": "weekly", "budget": "off"}
    )
    assert response.status_code == 302
    mine = dict(
        NotificationPreference.objects.filter(user=people[Role.BOARD]).values_list("category", "mode")
    )
    assert mine == {"reports": "weekly", "budget": "off"}
    response = client.post("/o/acme/notifications/preferences/", {"scope": "mine", "reports": "hourly"})
    assert response.status_code == 400 and 'data-error-field="reports"' in response.content.decode()
    response = client.post("/o/acme/notifications/preferences/", {"scope": "mine", "security": "off"})
    assert response.status_code == 400 and 'data-error-field="security"' in response.content.decode()
    response = client.post(
        "/o/acme/notifications/preferences/",
        {"scope": "profile", "timezone": "Nowhere/City", "digest_hour": "7", "weekly_day": "0"},
    )
    assert response.status_code == 400 and 'data-error-field="timezone"' in response.content.decode()
    # Organization defaults: only those who manage the settings.
    assert (
        client.post(
            "/o/acme/notifications/preferences/", {"scope": "organization", "reports": "daily"}
        ).status_code
        == 403
    )
    response = client_as(Role.ADMIN).post(
        "/o/acme/notifications/preferences/", {"scope": "organization", "reports": "daily"}
    )
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=None, category="reports").mode == "daily"


def test_unsubscribe_link_shows_a_confirmation_page_first(client, org, people):
    from core.notifications.services import unsubscribe_token

    token = unsubscribe_token(user=people[Role.CIO], organization=org, category="reports")
    response = client.get(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 200 and b"Unsubscribe</button>" in response.content
    assert not NotificationPreference.objects.exists()  # a GET changes nothing
    response = client.get("/notifications/unsubscribe/anything/")
    assert response.status_code == 400 and b"not valid" in response.content


def test_chat_channel_form_names_the_field(client_as):
    response = client_as(Role.CIO).post(
        "/o/acme/notifications/chat/",
        {"name": "Sec", "kind": "slack", "url": "https://example.org/x", "categories": ["decisions"]},
    )
    assert response.status_code == 400 and 'data-error-field="url"' in response.content.decode()


def test_inbox_hides_organizations_the_person_left(client_as, org, other_org, people):
    """Bell, page, open, mark and mark-all see only organizations one belongs to now."""
    from core.models import Membership

    cio = people[Role.CIO]
    Membership.objects.create(organization=other_org, user=cio, role=Role.BOARD)
    _tell(org, cio, n=2)
    notify(
        event="report.published",
        organization=other_org,
        recipients=[cio],
        title="Globex secret report",
        link="/o/globex/reports/",
        key="globex:1",
    )
    client = client_as(Role.CIO)
    assert 'data-unread="3"' in client.get("/notifications/bell/").content.decode()
    left = Notification.objects.get(organization=other_org)
    Membership.objects.filter(organization=other_org, user=cio).delete()  # they left Globex
    assert 'data-unread="2"' in client.get("/notifications/bell/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "Globex secret report" not in page and page.count("data-notification=") == 2
    assert client.get(f"/notifications/{left.pk}/").status_code == 404
    assert client.post(f"/notifications/{left.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    left.refresh_from_db()
    assert left.read_at is None


def test_a_notification_link_never_leaves_concord(client_as, org, people):
    notify(
        event="report.published",
        organization=org,
        recipients=[people[Role.CIO]],
        title="Odd link",
        link="//evil.example/phish",
        key="odd",
    )
    note = Notification.objects.get(key="odd")
    response = client_as(Role.CIO).get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_the_inbox_keeps_the_sidebar_of_the_organization_last_worked_in(client_as, org, other_org, people):
    client = client_as(Role.CISO)
    page = client.get("/notifications/").content.decode()
    assert 'href="/o/acme/risks/"' in page  # one organization: its navigation
    other_org_membership = people[Role.CISO].memberships.create(organization=other_org, role=Role.CISO)
    assert other_org_membership.pk
    client.get(f"/o/{other_org.slug}/")  # now works in the second one
    page = client.get("/notifications/").content.decode()
    assert f'href="/o/{other_org.slug}/risks/"' in page and 'href="/o/acme/risks/"' not in page


def test_long_words_wrap_and_the_delivery_log_stacks_on_a_phone(client_as, org, people):
    """A 280-character word must not widen the page; the delivery log's cells
    carry their labels for the stacked phone layout (static/css/concord.css)."""
    from pathlib import Path

    from core.models import Delivery

    word = "A" * 280
    notify(event="decision.decided", organization=org, recipients=[people[Role.CIO]], title=word, key="w")
    Delivery.objects.create(organization=org, channel="email", key="e:w", title=word, target="cio@acme.test")
    inbox = client_as(Role.CIO).get("/notifications/").content.decode()
    assert '<td class="notify-wrap">' in inbox and word in inbox
    log = client_as(Role.CIO).get("/o/acme/notifications/deliveries/").content.decode()
    assert 'class="table align-middle delivery-stack"' in log
    assert 'data-label="What"' in log and 'data-label="State"' in log and 'class="small notify-wrap"' in log
    css = (Path(__file__).resolve().parents[2] / "static/css/concord.css").read_text()
    assert ".notify-wrap { overflow-wrap: anywhere; }" in css
    assert ".delivery-stack td[data-label]::before" in css


def test_a_chat_url_turning_off_certificate_checks_is_refused_on_the_form(client_as):
    response = client_as(Role.CIO).post(
        "/o/acme/notifications/chat/",
        {
            "name": "Teams",
            "kind": "teams",
            "url": "https://prod-01.westeurope.logic.azure.com/workflows/abc?verify=no",
            "categories": ["decisions"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'data-error-field="url"' in page and "verify" in page
