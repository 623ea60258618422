"""A chat webhook URL is a secret: pages and the delivery log show only its
host and last four characters; editing keeps it when the field is blank."""

from core.models import ChatChannel, Delivery
from core.models_notifications import mask_url, redact
from core.roles import Role

SLACK = "https://hooks.slack.com/services/T0000SECRET/B0000SECRET/XXXXsecrettokenWXYZ"


def _channel(org, url=SLACK, kind="slack"):
    return ChatChannel.objects.create(
        organization=org, name="Leadership", kind=kind, url=url, categories=["kpis"]
    )


def test_mask_shows_host_and_last_four_never_the_secret():
    assert mask_url(SLACK) == "https://hooks.slack.com/…WXYZ"
    assert mask_url("https://user:pa55word@example.com/hook/abcdef123") == "https://example.com/…f123"
    assert "TOKENA" not in mask_url("slack://TOKENA/TOKENB/TOKENC/#general")
    assert redact(f"HTTP 500 from {SLACK}", SLACK) == "HTTP 500 from …"
    assert "secrettoken" not in redact(
        "posting to /services/T0000SECRET/B0000SECRET/XXXXsecrettokenWXYZ", SLACK
    )


def test_channels_page_and_delivery_log_never_show_the_url(client_as, org):
    channel = _channel(org)
    Delivery.objects.create(
        organization=org,
        channel="chat",
        key="chat:1:x",
        target=channel.name,
        chat_channel=channel,
        status="failed",
        attempts=1,
        last_error=f"ChatPostFailed: could not post to {SLACK}",
    )
    client = client_as(Role.CIO)
    for path in ("/o/acme/notifications/chat/", f"/o/acme/notifications/chat/{channel.pk}/edit/"):
        page = client.get(path).content.decode()
        assert "secrettoken" not in page and "T0000SECRET" not in page
        assert "hooks.slack.com/…WXYZ" in page
    log = client.get("/o/acme/notifications/deliveries/").content.decode()
    assert "secrettoken" not in log and "could not post to …" in log
    assert "KPIs turning red or stale" in client.get("/o/acme/notifications/chat/").content.decode()


def test_editing_with_a_blank_url_keeps_the_secret(client_as, org):
    channel = _channel(org)
    client = client_as(Role.CISO)
    response = client.post(
        f"/o/acme/notifications/chat/{channel.pk}/edit/",
        {"name": "Exec channel", "kind": "slack", "url": "", "categories": ["kpis", "decisions"]},
    )
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (
        channel.url == SLACK
        and channel.name == "Exec channel"
        and channel.categories == ["decisions", "kpis"]
    )
    response = client.post(
        f"/o/acme/notifications/chat/{channel.pk}/edit/",
        {"name": "Exec channel", "kind": "slack", "url": "https://evil.example/x", "categories": ["kpis"]},
    )
    assert response.status_code == 400 and b'data-error-field="url"' in response.content
    assert b'value="https://evil' not in response.content  # the URL field is never filled back
    channel.refresh_from_db()
    assert channel.url == SLACK


def test_only_the_executives_edit_a_channel(client_as, org):
    channel = _channel(org)
    for role in ("board", "contributor", "admin"):
        response = client_as(role).post(
            f"/o/acme/notifications/chat/{channel.pk}/edit/", {"name": "x", "kind": "slack", "url": ""}
        )
        assert response.status_code in (403, 404)
    channel.refresh_from_db()
    assert channel.name == "Leadership"
