"""Where a chat channel may post: the chat services' own hosts, or a host on
the public internet — never the machine Concord runs on, its private network
or a cloud metadata address (server-side request forgery).

Checked when a channel is saved and again before every post (an address can
be re-pointed after it was saved). DNS rebinding: between our check and the
post, a hostile name server could answer with a private address to the
library's own lookup. So the post is *pinned* to the addresses just checked:
``pinned(host, addresses)`` makes every lookup of that host, during the post,
answer with them (the TLS certificate is still checked against the host name).
The worker runs one task per process (Celery prefork), so the pin, which
replaces ``socket.getaddrinfo`` for the duration of the post, touches no other
request."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from ..errors import DomainError

# Apprise services whose URL carries tokens, not a host: they post to the
# service's own fixed address.
FIXED_HOST_SCHEMES = {"slack", "tgram", "discord", "gchat", "pover", "pagerduty", "opsgenie"}
# Services that post to the host written in the URL.
HOST_SCHEMES = {
    "https",
    "jsons",
    "xmls",
    "forms",
    "workflow",
    "workflows",
    "mmosts",
    "ntfys",
    "gotifys",
    "rockets",
    "matrixs",
}
# The chat services' own webhook hosts (no lookup needed).
TRUSTED_HOSTS = ("hooks.slack.com",)
TRUSTED_HOST_SUFFIXES = (
    ".webhook.office.com",
    ".logic.azure.com",
    ".powerplatform.com",
    ".powerautomate.com",
)

REFUSED = "Concord posts only to the chat service or to a public internet address, not to {where}."


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def allowed_private(address: str, port: int) -> bool:
    """A local test server named, address and port, in the test-only setting
    ``NOTIFY_CHAT_ALLOWED_PRIVATE_ADDRESSES`` (empty in every real deployment)."""
    allowed = getattr(settings, "NOTIFY_CHAT_ALLOWED_PRIVATE_ADDRESSES", ())
    return f"{address.split('%', 1)[0]}:{port}" in set(allowed)


def check_destination(url: str) -> tuple[str, frozenset[str]] | None:
    """DomainError on ``url`` unless it posts to a chat service or a public host.

    Returns ``(host, addresses)`` checked for a host written in the URL (to pin
    the post to), or None when there is nothing to pin (a chat service's own
    host, or private hosts allowed by settings in tests)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in FIXED_HOST_SCHEMES:
        return None
    if scheme not in HOST_SCHEMES:
        raise DomainError(
            "Use an encrypted (https) webhook of Slack, Teams, Discord, Telegram, Google Chat, "
            "Mattermost, ntfy, Gotify, Rocket.Chat, Matrix or a JSON/XML/form endpoint.",
            field="url",
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        raise DomainError("The webhook URL names no host.", field="url")
    if host in TRUSTED_HOSTS or host.endswith(TRUSTED_HOST_SUFFIXES):
        return None
    if allowed_private(host, parts.port or 443):
        return None
    try:
        addresses = {
            info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
        }
    except (OSError, UnicodeError, ValueError):
        raise DomainError(f"The host {host} cannot be found.", field="url")
    if not addresses or not all(_public(address) for address in addresses):
        raise DomainError(REFUSED.format(where=f"{host}, a private or local address"), field="url")
    return host, frozenset(addresses)


@contextlib.contextmanager
def pinned(checked: tuple[str, frozenset[str]] | None):
    """During the block, a lookup of the checked host answers only with the
    addresses that were checked (no second, unchecked DNS answer)."""
    if checked is None:
        yield
        return
    host, addresses = checked
    previous = socket.getaddrinfo

    def getaddrinfo(name, port, family=0, type=0, proto=0, flags=0):
        if isinstance(name, bytes):
            name = name.decode("idna", "replace")
        if (name or "").lower().rstrip(".") != host:
            return previous(name, port, family, type, proto, flags)
        answers = []
        for address in sorted(addresses):
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            fam = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
            if family not in (0, socket.AF_UNSPEC, fam):
                continue
            sockaddr = (
                (address, int(port or 0), 0, 0) if fam == socket.AF_INET6 else (address, int(port or 0))
            )
            answers.append((fam, type or socket.SOCK_STREAM, proto or socket.IPPROTO_TCP, "", sockaddr))
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "no checked address for this family")
        return answers

    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.getaddrinfo = previous


class RedirectRefused(Exception):
    """The chat service answered with a redirect, which Concord never follows."""


@contextlib.contextmanager
def guarded():
    """During a post: every connection must go to a public address (whatever
    host the HTTP library was led to: a redirect, a proxy, a second request),
    and redirects are never followed (a 3xx answer is returned as is and
    recorded in the yielded list as its status code)."""
    import requests

    redirects: list[int] = []
    previous_connect, previous_send = socket.socket.connect, requests.Session.send

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            ip, port = address[0], address[1]
            if not (_public(ip) or allowed_private(ip, port)):
                raise ConnectionRefusedError(REFUSED.format(where=f"{ip}, a private or local address"))
        return previous_connect(sock, address)

    def send(session, request, **kwargs):
        kwargs["allow_redirects"] = False
        response = previous_send(session, request, **kwargs)
        if 300 <= response.status_code < 400:
            redirects.append(response.status_code)
        return response

    socket.socket.connect, requests.Session.send = connect, send
    try:
        yield redirects
    finally:
        socket.socket.connect, requests.Session.send = previous_connect, previous_send
