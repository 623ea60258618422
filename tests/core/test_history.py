import pytest

from core import services
from core.history import history_entries
from tests.testapp.models import Document


@pytest.fixture
def document(org, cio):
    doc = Document(organization=org, title="Plan")
    services.record_creation(doc, actor=cio)
    return doc


def test_creation_is_recorded_with_author(document, cio):
    [entry] = history_entries(document)
    assert entry.action == "created" and entry.who == str(cio)


def test_update_records_before_and_after(document, ciso):
    document.title = "Plan v2"
    document.status = "final"
    services.record_change(document, actor=ciso, reason="Reviewed")
    latest = history_entries(document)[0]
    assert latest.action == "changed" and latest.who == str(ciso) and latest.reason == "Reviewed"
    changes = {c.field: (c.old, c.new) for c in latest.changes}
    assert changes == {"title": ("Plan", "Plan v2"), "status": ("Draft", "Final")}


def test_deletion_is_recorded(document, cio):
    pk = document.pk
    services.record_deletion(document, actor=cio)
    records = Document.history.filter(id=pk).order_by("-history_date")
    assert records[0].history_type == "-" and records[0].history_user == cio


def test_history_reads_in_constant_queries(document, cio, django_assert_max_num_queries):
    for n in range(10):
        document.title = f"Plan {n}"
        services.record_change(document, actor=cio)
    with django_assert_max_num_queries(2):
        entries = history_entries(document)
    assert len(entries) == 11


def test_history_is_not_editable_in_admin(admin_client):
    # Historical models are not registered: no change or delete page exists.
    response = admin_client.get("/admin/testapp/historicaldocument/")
    assert response.status_code == 404
