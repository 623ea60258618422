"""core.actions.ActionView: POST → form → one service → message → redirect or
HTMX fragment, with the permission, step-up, concurrency and error conventions
of every page (tests/testapp/actions.py holds the views under test)."""

import pytest
from django.contrib.messages import get_messages

from core.roles import ROLE_PERMISSIONS, Perm
from tests.security.helpers import enrol_totp
from tests.testapp.actions import DONE_URL
from tests.testapp.models import Document

pytestmark = pytest.mark.urls("tests.testapp.actions")

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def document(org):
    return Document.objects.create(organization=org, title="Plan")


def _url(document, name="rename"):
    return f"/o/acme/test-documents/{document.pk}/{name.replace('_', '-')}/"


def _messages(response):
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_success_calls_the_service_says_so_and_redirects(client_as, people, document):
    response = client_as("cio").post(_url(document), {"title": "Roadmap", "version": document.version})
    assert response.status_code == 302 and response["Location"] == DONE_URL
    assert _messages(response) == [("success", "Renamed to “Roadmap”.")]
    document.refresh_from_db()
    assert document.title == "Roadmap" and document.version == 2
    last = document.history.latest("history_date")
    assert last.history_user == people["cio"] and last.title == "Roadmap"


def test_a_domain_error_becomes_a_message_and_changes_nothing(client_as, document):
    response = client_as("cio").post(_url(document), {"title": "forbidden"})
    assert response.status_code == 302 and response["Location"] == DONE_URL
    assert _messages(response) == [("error", "That title is not allowed.")]
    document.refresh_from_db()
    assert document.title == "Plan" and document.version == 1


def test_a_stale_version_is_refused_as_a_message(client_as, document):
    response = client_as("cio").post(_url(document), {"title": "Roadmap", "version": document.version + 3})
    assert [level for level, _ in _messages(response)] == ["error"]
    assert "Someone else changed this record" in _messages(response)[0][1]
    document.refresh_from_db()
    assert document.title == "Plan"


def test_a_malformed_version_is_refused_naming_the_version(client_as, document):
    response = client_as("cio").post(_url(document), {"title": "Roadmap", "version": "two"})
    assert _messages(response) == [
        ("error", "The version must be the record's version number as you read it, a whole number from 1.")
    ]
    document.refresh_from_db()
    assert document.title == "Plan"


def test_an_invalid_form_is_a_message_naming_the_field(client_as, document):
    response = client_as("cio").post(_url(document), {"title": ""})
    assert response.status_code == 302
    assert _messages(response) == [("error", "Title: This field is required.")]
    document.refresh_from_db()
    assert document.version == 1


def test_a_refusal_can_go_on_the_form_with_its_status(client_as, document):
    client = client_as("cio")
    response = client.post(_url(document, "rename_on_form"), {"title": "forbidden"})
    assert response.status_code == 400 and response.content.decode() == "title: That title is not allowed."
    response = client.post(_url(document, "rename_on_form"), {"title": "Roadmap", "version": 9})
    assert response.status_code == 409 and "Someone else changed" in response.content.decode()
    response = client.post(_url(document, "rename_on_form"), {"title": ""})
    assert response.status_code == 400 and response.content.decode() == "title: This field is required."
    document.refresh_from_db()
    assert document.title == "Plan"


def test_htmx_gets_the_fragment_and_the_event(client_as, document):
    response = client_as("cio").post(_url(document), {"title": "Roadmap"}, **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "document-changed"
    assert f'id="document-{document.pk}">Roadmap<' in response.content.decode()


def test_htmx_gets_a_refusal_as_text_with_its_status(client_as, document):
    response = client_as("cio").post(_url(document), {"title": "forbidden"}, **HTMX)
    assert response.status_code == 400 and response.content.decode() == "That title is not allowed."
    response = client_as("cio").post(_url(document), {"title": "Roadmap", "version": 5}, **HTMX)
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["cio", "ciso", "board", "contributor", "admin", "outsider"])
def test_permissions_404_without_view_403_without_change(client_as, document, role):
    response = client_as(role).post(_url(document), {"title": "Roadmap"})
    perms = ROLE_PERMISSIONS.get(role, set()) if role != "outsider" else set()
    if Perm.BUDGET_VIEW_SUBMITTED not in perms:
        expected = 404
    elif Perm.RISK_EDIT not in perms:
        expected = 403
    else:
        expected = 302
    assert response.status_code == expected
    document.refresh_from_db()
    assert document.title == ("Roadmap" if expected == 302 else "Plan")


def test_the_board_sees_403_and_anonymous_goes_to_sign_in(client_as, document):
    # The board may see (BUDGET_VIEW_SUBMITTED) but not change: the 403 branch is exercised.
    assert client_as("board").post(_url(document), {"title": "Roadmap"}).status_code == 403
    response = client_as("anonymous").post(_url(document), {"title": "Roadmap"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_get_is_not_allowed(client_as, document):
    assert client_as("cio").get(_url(document)).status_code == 405


def test_step_up_asks_for_a_fresh_code_before_the_service_runs(settings, client_as, people, document):
    settings.STEP_UP_ENFORCED = True
    enrol_totp(people["cio"])
    response = client_as("cio").post(_url(document, "rename_stepped_up"), {"title": "Roadmap"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    document.refresh_from_db()
    assert document.title == "Plan"
    # The same view without step-up enforced runs the service.
    settings.STEP_UP_ENFORCED = False
    response = client_as("cio").post(_url(document, "rename_stepped_up"), {"title": "Roadmap"})
    assert response["Location"] == DONE_URL
