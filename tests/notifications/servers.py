"""Real servers for delivery tests: an SMTP server (aiosmtpd) and an HTTP
server (stdlib http.server) on free ports, each run by the test itself."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collect:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(port: int | None = None):
    """Yields the collector; its ``messages`` are parsed e-mails."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        handler.port = controller.port
        yield handler
    finally:
        controller.stop()


class WebhookServer:
    """Records each POST (path, headers, JSON body); answers with the next
    status in ``statuses`` (then 200); a 3xx answer sends ``location``."""

    def __init__(self, statuses=(), location=""):
        self.statuses = list(statuses)
        self.location = location
        self.posts: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status = server.statuses.pop(0) if server.statuses else 200
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                server.posts.append(
                    {
                        "path": self.path,
                        "status": status,
                        "body": body,
                        "content_type": self.headers.get("Content-Type", ""),
                    }
                )
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                if 300 <= status < 400 and server.location:
                    self.send_header("Location", server.location)
                payload = b"ok" if status < 400 else b"server error"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]

    def use_tls(self, directory: Path) -> Path:
        """Serve HTTPS with a throw-away self-signed certificate for 127.0.0.1
        (Teams Workflows URLs are https); returns the certificate, for the
        client to trust (REQUESTS_CA_BUNDLE)."""
        key, cert = directory / "key.pem", directory / "cert.pem"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                str(key),
                "-out",
                str(cert),
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        return cert

    def __enter__(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
