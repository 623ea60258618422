"""A chat channel posts only to a chat service or a public host: never to this
machine, its private network or a cloud metadata address (SSRF)."""

import pytest

from core.errors import DomainError
from core.notifications import services
from core.notifications.destinations import check_destination
from core.roles import Role

REFUSED = [
    "jsons://127.0.0.1:9999/x",
    "jsons://localhost:9999/x",
    "xmls://[::1]:9999/x",
    "jsons://2130706433:9999/x",
    "forms://0.0.0.0:9999/x",
    "jsons://[0:0:0:0:0:ffff:7f00:1]:9999/x",
    "jsons://169.254.169.254/latest/meta-data/",
    "jsons://10.0.0.1/x",
    "jsons://192.168.1.1/x",
    "workflows://127.0.0.1:8443/flow/sig/",
    "https://127.0.0.1/hook",
]
NOT_OFFERED = [
    "json://203.0.113.10/x",
    "http://example.com/x",
    "file:///etc/passwd",
    "redis://127.0.0.1:6379/",
]


@pytest.mark.parametrize("url", REFUSED + NOT_OFFERED)
def test_local_private_metadata_and_unencrypted_destinations_are_refused(url):
    with pytest.raises(DomainError) as error:
        check_destination(url)
    assert error.value.field == "url"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/services/T0/B0/x",
        "https://prod-01.westeurope.logic.azure.com/workflows/abc",
        "tgram://123456789:AAHtoken/12345",
        "discord://webhook_id/webhook_token",
    ],
)
def test_chat_services_own_addresses_are_accepted(url):
    check_destination(url)


def test_saving_a_channel_to_a_local_address_names_the_field(org, people):
    with pytest.raises(DomainError) as error:
        services.chat_channel_create(
            actor=people[Role.CIO],
            organization=org,
            name="Local",
            kind="apprise",
            url="jsons://127.0.0.1:9999/x",
            categories=["decisions"],
        )
    assert error.value.field == "url"


@pytest.mark.parametrize(
    "wanted", ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "\x00", ""]
)
def test_marking_read_goes_back_only_to_this_site(client_as, org, people, wanted):
    from core.models_notifications import DeliveryMode, Notification

    note = Notification.objects.create(
        organization=org,
        recipient=people[Role.BOARD],
        event="report.published",
        category="reports",
        title="A report",
        key="test-next",
        mode=DeliveryMode.IMMEDIATE,
    )
    response = client_as(Role.BOARD).post(f"/notifications/{note.pk}/read/", {"next": wanted})
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def _resolver(monkeypatch, answers_for_host):
    """A name server for ``hooks.rebind.example``: each lookup takes the next answer."""
    import socket

    real, asked = socket.getaddrinfo, []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.rebind.example":
            ip = answers_for_host[min(len(asked), len(answers_for_host) - 1)]
            asked.append(ip)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_host_name_resolving_to_a_private_address_is_refused_on_save_and_at_send(monkeypatch, org, people):
    from core.models import ChatChannel
    from core.notifications.delivery import ChatPostFailed, _post

    _resolver(monkeypatch, ["10.0.0.5"])
    url = "jsons://hooks.rebind.example/hook"
    with pytest.raises(DomainError) as error:
        services.chat_channel_create(
            actor=people[Role.CIO], organization=org, name="Ops", kind="apprise", url=url, categories=["kpis"]
        )
    assert "private or local address" in error.value.message and error.value.field == "url"
    channel = ChatChannel.objects.create(
        organization=org, name="Ops", kind="apprise", url=url, categories=["kpis"]
    )
    with pytest.raises(ChatPostFailed, match="private or local"):
        _post(channel, title="t", body="b")


def test_dns_rebinding_after_the_check_cannot_reach_a_private_address(monkeypatch, org):
    """The name answers a public address to the check, then 127.0.0.1: the post
    is pinned to the checked address and never asks the name server again."""
    import socket

    from core.models import ChatChannel
    from core.notifications.delivery import ChatPostFailed, _post

    from .servers import WebhookServer

    asked = _resolver(monkeypatch, ["93.184.216.34", "127.0.0.1"])
    connected = []

    def connect(sock, address):  # no outside network in tests: record where the post would go
        connected.append(address)
        raise ConnectionRefusedError("not connecting in tests")

    with WebhookServer() as server:
        monkeypatch.setattr(socket.socket, "connect", connect)
        channel = ChatChannel.objects.create(
            organization=org,
            name="Rebind",
            kind="apprise",
            url=f"jsons://hooks.rebind.example:{server.port}/hook",
            categories=["kpis"],
        )
        with pytest.raises(ChatPostFailed):
            _post(channel, title="t", body="b")
        monkeypatch.undo()
    assert asked == ["93.184.216.34"]  # one lookup: the checked one
    assert connected and {address[0] for address in connected} == {"93.184.216.34"}
    assert server.posts == []
