"""Chat notifications posted through Apprise to a real HTTP server (stdlib
http.server in a thread, on a free port) in Slack's and Teams' formats: a post
answered 500 is retried and recovers; a channel that keeps failing is disabled
with a notice to the CIO and the CISO."""

import apprise.plugins.slack
import pytest
from celery import current_app
from django.test import override_settings

from core.models import ChatChannel, Delivery, Notification
from core.notifications import services
from core.roles import Role
from tests.notifications.servers import WebhookServer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _celery_retries_in_process():
    """Let Celery run the task's own retries in process (eager mode otherwise
    propagates the first Retry to the outbox, which re-sends later)."""
    conf = current_app.conf
    before = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = before


@pytest.fixture
def allow(settings):
    """These tests post to servers on this machine, which a real channel may
    not: each test names the one server it may reach."""
    settings.NOTIFY_CHAT_ALLOWED_PRIVATE_ADDRESSES = []

    def allow(server: WebhookServer):
        settings.NOTIFY_CHAT_ALLOWED_PRIVATE_ADDRESSES = [
            *settings.NOTIFY_CHAT_ALLOWED_PRIVATE_ADDRESSES,
            f"127.0.0.1:{server.port}",
        ]

    return allow


SLACK_URL = "https://hooks.slack.com/services/T0ACME000/B0ACME000/abcdefghijklmnopqrstuvwx"


@pytest.fixture
def slack_endpoint(monkeypatch, allow):
    """Slack's webhook host, pointed at the local server (the Slack plugin posts
    to hooks.slack.com; everything else, payload included, is Apprise's own)."""

    def point(server: WebhookServer):
        allow(server)
        monkeypatch.setattr(
            apprise.plugins.slack.NotifySlack, "webhook_url", f"http://127.0.0.1:{server.port}/services"
        )

    return point


def _channel(org, people, kind, url, categories=("decisions",)):
    return services.chat_channel_create(
        actor=people[Role.CIO],
        organization=org,
        name=f"{kind} channel",
        kind=kind,
        url=url,
        categories=list(categories),
    )


def _emit(org, people, key="k:1", title="Risk acceptance of “R-001” is decided"):
    services.notify(
        event="decision.decided",
        organization=org,
        recipients=[people[Role.CIO]],
        title=title,
        link="/o/acme/risks/1/",
        key=key,
    )


def test_slack_post_failing_with_500_is_retried_and_recovers(org, people, slack_endpoint):
    with WebhookServer(statuses=[500]) as server:
        slack_endpoint(server)
        channel = _channel(org, people, "slack", SLACK_URL)
        _emit(org, people)
    assert [p["status"] for p in server.posts] == [500, 200]
    post = server.posts[-1]
    assert post["path"] == "/services/T0ACME000/B0ACME000/abcdefghijklmnopqrstuvwx"
    text = str(post["body"])
    assert "is decided" in text and "http://127.0.0.1:8000/o/acme/risks/1/" in text and "Acme" in text
    assert "attachments" in post["body"] or "blocks" in post["body"]  # Slack's message format
    delivery = Delivery.objects.get(chat_channel=channel)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")
    channel.refresh_from_db()
    assert channel.is_active


def test_teams_workflow_post_uses_an_adaptive_card(org, people, tmp_path, allow, monkeypatch):
    with WebhookServer() as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.use_tls(tmp_path)))  # the certificate is checked
        allow(server)
        channel = _channel(org, people, "teams", f"workflows://127.0.0.1:{server.port}/flow123/sig456/")
        _emit(org, people)
    assert len(server.posts) == 1
    post = server.posts[0]
    assert post["path"].startswith("/workflows/flow123/triggers/manual/paths/invoke")
    card = post["body"]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert "is decided" in str(card["content"])
    assert Delivery.objects.get(chat_channel=channel).status == "sent"


@override_settings(NOTIFY_CHAT_MAX_RETRIES=2)
def test_a_channel_that_keeps_failing_is_disabled_with_a_notice(org, people, slack_endpoint, client_as):
    with WebhookServer(statuses=[500] * 10) as server:
        slack_endpoint(server)
        channel = _channel(org, people, "slack", SLACK_URL)
        _emit(org, people)
        assert len(server.posts) == 3  # the first try and two retries, then it stops
        _emit(org, people, key="k:2")  # a disabled channel is not posted to
        assert len(server.posts) == 3
    channel.refresh_from_db()
    assert not channel.is_active and "500" in channel.disabled_reason
    delivery = Delivery.objects.get(chat_channel=channel, key__endswith="k:1")
    assert delivery.status == "failed" and delivery.attempts == 3
    told = Notification.objects.filter(event="chat.channel_disabled")
    assert sorted(told.values_list("recipient__email", flat=True)) == ["cio@acme.test", "ciso@acme.test"]
    # The CIO sees why on the delivery log and the channel's page, and can enable it again.
    cio = client_as(Role.CIO)
    log = cio.get("/o/acme/notifications/deliveries/?status=failed").content.decode()
    assert log.count('data-status="failed"') == 1 and "500" in log
    assert "Disabled" in cio.get("/o/acme/notifications/chat/").content.decode()
    assert cio.post(f"/o/acme/notifications/chat/{channel.pk}/enable/").status_code == 302
    channel.refresh_from_db()
    assert channel.is_active and channel.disabled_reason == ""


def test_the_cio_sends_a_test_message_from_the_page_and_others_cannot(org, people, client_as, slack_endpoint):
    with WebhookServer() as server:
        slack_endpoint(server)
        channel = _channel(org, people, "slack", SLACK_URL)
        assert client_as(Role.BOARD).post(f"/o/acme/notifications/chat/{channel.pk}/test/").status_code == 404
        response = client_as(Role.CISO).post(f"/o/acme/notifications/chat/{channel.pk}/test/")
        assert response.status_code == 302
    assert len(server.posts) == 1 and "Test message from Concord" in str(server.posts[0]["body"])
    page = client_as(Role.CIO).get("/o/acme/notifications/deliveries/").content.decode()
    assert "Test message from Concord" in page and "Sent" in page
    assert client_as(Role.ADMIN).get("/o/acme/notifications/deliveries/").status_code == 404


def test_security_events_never_go_to_chat_and_bad_channels_are_refused(org, people, slack_endpoint):
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        _channel(org, people, "slack", "https://example.org/hook")
    assert exc.value.field == "url"
    with pytest.raises(DomainError) as exc:
        _channel(org, people, "slack", SLACK_URL, categories=("security",))
    assert exc.value.field == "categories"
    with WebhookServer() as server:
        slack_endpoint(server)
        _channel(org, people, "slack", SLACK_URL, categories=("decisions", "reports"))
        services.notify(
            event="security.role_changed",
            organization=org,
            recipients=[people[Role.CIO]],
            title="Role",
            key="s:1",
        )
    assert server.posts == [] and ChatChannel.objects.count() == 1


@override_settings(NOTIFY_CHAT_MAX_RETRIES=0)
def test_a_redirect_is_never_followed_and_the_delivery_fails_with_the_reason(org, people, slack_endpoint):
    """The webhook answers 307 to another server on this machine: the post is
    not sent again there (nor anywhere) and the delivery is recorded failed."""
    with WebhookServer() as inside, WebhookServer(statuses=[307] * 5, location="") as hook:
        hook.location = f"http://127.0.0.1:{inside.port}/admin"
        slack_endpoint(hook)
        channel = _channel(org, people, "slack", SLACK_URL)
        _emit(org, people)
    assert inside.posts == []
    assert [p["status"] for p in hook.posts] == [307]
    delivery = Delivery.objects.get(chat_channel=channel)
    assert delivery.status == "failed" and "redirect (HTTP 307)" in delivery.last_error


def test_every_connection_during_a_post_must_go_to_a_public_address(allow):
    """Not only the first host: any connection the post makes (after a
    redirect, through a second request) to an address not checked is refused."""
    import socket

    from core.notifications.destinations import guarded

    with WebhookServer() as allowed, WebhookServer() as other:
        allow(allowed)
        with guarded():
            socket.create_connection(("127.0.0.1", allowed.port), timeout=5).close()
            with pytest.raises(ConnectionRefusedError, match="private or local address"):
                socket.create_connection(("127.0.0.1", other.port), timeout=5)
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("169.254.169.254", 80), timeout=5)


@pytest.mark.parametrize("option", ["verify=no", "verify=False", "verify=0", "cto=4&verify=off"])
def test_a_chat_url_turning_off_certificate_checks_is_refused(org, people, option):
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        _channel(org, people, "teams", f"https://prod-01.westeurope.logic.azure.com/workflows/abc?{option}")
    assert exc.value.field == "url" and "verify" in exc.value.message


def test_a_chat_post_whose_record_fails_to_save_once_is_posted_once_and_recorded_sent(
    org, people, slack_endpoint, monkeypatch
):
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real, failed = QuerySet.update, []

    def update(self, **values):  # fault injection: "database is locked" once, after the post
        if self.model is Delivery and values.get("status") == "sent" and not failed:
            failed.append(1)
            raise OperationalError("database is locked")
        return real(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    with WebhookServer() as server:
        slack_endpoint(server)
        channel = _channel(org, people, "slack", SLACK_URL)
        _emit(org, people)
        _emit(org, people)  # the same event again: nothing more
    assert failed == [1] and len(server.posts) == 1
    delivery = Delivery.objects.get(chat_channel=channel)
    assert (delivery.status, delivery.attempts) == ("sent", 1)


HOSTILE = (
    "<!channel> read <https://evil.example/x|the board pack> or [this](https://evil.example/y) **now** & then"
)


def test_a_title_cannot_ping_the_channel_or_carry_its_own_link_in_slack(org, people, slack_endpoint):
    with WebhookServer() as server:
        slack_endpoint(server)
        _channel(org, people, "slack", SLACK_URL)
        _emit(org, people, title=HOSTILE)
    text = server.posts[0]["body"]["attachments"][0]["text"]  # Slack mrkdwn
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "<https://evil" not in text and "](https://evil" not in text and "https://evil" not in text
    assert "&amp; then" in text
    assert text.count("<http") == 1 and "<http://127.0.0.1:8000/o/acme/risks/1/|Open in Concord>" in text


def test_a_title_cannot_carry_its_own_link_or_formatting_in_a_teams_card(
    org, people, tmp_path, allow, monkeypatch
):
    with WebhookServer() as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.use_tls(tmp_path)))
        allow(server)
        _channel(org, people, "teams", f"workflows://127.0.0.1:{server.port}/flow123/sig456/")
        _emit(org, people, title=HOSTILE)
    card = str(server.posts[0]["body"]["attachments"][0]["content"])
    assert "](https://evil" not in card and "https://evil" not in card and "**now**" not in card
    assert "[Open in Concord](http://127.0.0.1:8000/o/acme/risks/1/)" in card
    assert card.count("](") == 1


def test_chat_gets_organization_events_in_neutral_words_never_personal_notices(org, people, slack_endpoint):
    from core.models_notifications import NotificationCategory
    from risks import services as risk_services
    from tests.risks.factories import assessed_risk, request_acceptance

    everything = [c for c in NotificationCategory.values if c != "security"]
    with WebhookServer() as server:
        slack_endpoint(server)
        _channel(org, people, "slack", SLACK_URL, categories=everything)
        risk = request_acceptance(assessed_risk(org, people, cio=(4, 4), ciso=(4, 5)), people[Role.CIO])
        risk_services.acceptance_sign(actor=people[Role.CIO], risk=risk, decision="approve", comment="")
        for event in ("intake.status_changed", "intake.awaiting_requester", "decision.voided"):
            services.notify(
                event=event,
                organization=org,
                recipients=[people[Role.CONTRIBUTOR]],
                title="We have received your request",
                key=f"personal:{event}",
            )
    texts = [p["body"]["attachments"][0]["text"] for p in server.posts]
    assert not any("your" in text.lower() for text in texts), texts
    assert any("The CIO signed" in t and "the CISO's signature completes it" in t for t in texts), texts
    assert any("was put up for the joint decision of the CIO and the CISO" in t for t in texts), texts


@override_settings(NOTIFY_CHAT_MAX_RETRIES=1)
def test_a_database_error_while_handling_a_failure_is_retried_and_the_channel_still_disabled(
    org, people, slack_endpoint, monkeypatch
):
    from django.db import OperationalError

    from core.notifications import delivery

    real, failed = delivery.chat_attempts, []

    def chat_attempts(**kwargs):  # fault injection: "database is locked" once
        if not failed:
            failed.append(1)
            raise OperationalError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(delivery, "chat_attempts", chat_attempts)
    with WebhookServer(statuses=[500] * 10) as server:
        slack_endpoint(server)
        channel = _channel(org, people, "slack", SLACK_URL)
        _emit(org, people)
    assert failed == [1] and len(server.posts) == 2
    channel.refresh_from_db()
    assert not channel.is_active
