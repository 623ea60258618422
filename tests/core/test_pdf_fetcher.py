"""PDF rendering fetches nothing outside the app's own static files: no
network, no file on disk outside the static folders, whatever a template or
a person's text names."""

import http.server
import threading

import pytest
from django.conf import settings

from core import pdf
from core.pdf import FetchRefused, static_file_for


@pytest.fixture
def listener():
    """A local web server that records every request it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://evil.example/x.png",
        "ftp://evil.example/x",
        "file:///etc/passwd",
        "file://remote-host/share/x.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "file://{static}/../config/settings/base.py",
        "file://{base}/manage.py",
        "file:///static/../../etc/passwd",
        "gopher://evil.example/",
        "//evil.example/x.css",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(url):
    url = url.format(static=str(settings.STATICFILES_DIRS[0]), base=str(settings.BASE_DIR))
    with pytest.raises(FetchRefused):
        static_file_for(url)


def test_the_fetcher_serves_static_files():
    css = settings.STATICFILES_DIRS[0] / "css" / "pdf.css"
    assert static_file_for(css.resolve().as_uri()) == css.resolve()
    assert static_file_for("file:///static/css/pdf.css").name == "pdf.css"


def test_a_rendered_pdf_reaches_nothing_a_template_names(monkeypatch, listener):
    base, hits = listener
    html = (
        f'<html><head><link rel="stylesheet" href="{base}/style.css"></head><body>'
        f'<img src="{base}/pixel.png"><img src="file:///etc/hostname">'
        f'<p style="background: url({base}/bg.png)">x</p></body></html>'
    )
    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: html)
    refused = []
    original = pdf.static_file_for

    def spy(url):
        try:
            return original(url)
        except FetchRefused:
            refused.append(url)
            raise

    monkeypatch.setattr(pdf, "static_file_for", spy)
    assert pdf.render_pdf("pdf/base.html", {}).startswith(b"%PDF")
    assert hits == []
    assert {f"{base}/style.css", f"{base}/pixel.png", "file:///etc/hostname"} <= set(refused)


@pytest.mark.django_db
def test_user_text_in_a_pdf_is_escaped_and_fetches_nothing(client_as, org, people, listener, monkeypatch):
    from tests.budgets.factories import ItemFactory, ProposalFactory

    base, hits = listener
    payload = f'<img src="{base}/leak.png"><link rel="stylesheet" href="{base}/leak.css">'
    proposal = ProposalFactory(organization=org, title=payload, summary=payload)
    ItemFactory(proposal=proposal, title=payload, justification=payload)
    seen = []
    monkeypatch.setattr(pdf, "render_to_string", _recording(pdf.render_to_string, seen))
    response = client_as("cio").get(f"/o/acme/budget/{proposal.pk}/proposal.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert hits == []
    assert seen and "<img src=" not in seen[0] and "&lt;img src=" in seen[0]


def _recording(render, seen):
    def wrapper(name, context):
        html = render(name, context)
        seen.append(html)
        return html

    return wrapper
