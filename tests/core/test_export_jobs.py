"""Heavy exports are prepared by the worker: a large proposal's board PDF
becomes a job with a progress page and a download for the requester only; a
broker that is away leaves the job queued (never an error page) and the
periodic re-send hands it over once the broker is back."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from budgets.models import ProposalStatus
from core import exports
from core.models import ExportJob, SecurityEvent, SecurityEventKind
from tests.budgets.factories import ItemFactory, ProposalFactory


@pytest.fixture(autouse=True)
def small_threshold(settings, tmp_path):
    settings.EXPORTS_SYNC_MAX_ROWS = 3
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def big_proposal(org):
    proposal = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.SUBMITTED)
    for n in range(5):
        ItemFactory(proposal=proposal, title=f"Big item {n}")
    return proposal


def pdf_url(proposal):
    return f"/o/{proposal.organization.slug}/budget/{proposal.pk}/proposal.pdf"


def test_small_export_is_still_made_in_the_request(client_as, org):
    proposal = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.SUBMITTED)
    ItemFactory(proposal=proposal)
    response = client_as("cio").get(pdf_url(proposal))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert not ExportJob.objects.exists()


def test_large_export_is_prepared_by_the_worker_then_downloaded(
    client_as, big_proposal, people, django_capture_on_commit_callbacks
):
    client = client_as("board")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(pdf_url(big_proposal))
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/o/acme/exports/{job.pk}/"
    assert len(callbacks) == 1  # sent to the worker once the job row is committed
    job.refresh_from_db()
    assert (job.status, job.progress, job.requested_by, job.attempts) == ("done", 100, people["board"], 1)
    assert job.title == "Budget FY2026: board PDF"
    page = client.get(response["Location"]).content.decode()
    assert "Ready" in page and f"/o/acme/exports/{job.pk}/download/" in page and "hx-trigger" not in page
    download = client.get(f"/o/acme/exports/{job.pk}/download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Big item 4" in text
    assert 'filename="budget-FY2026-acme.pdf"' in download["Content-Disposition"]
    event = SecurityEvent.objects.get(kind=SecurityEventKind.EXPORT)
    assert (event.actor, event.detail) == (people["board"], f"{job.title} · budget-FY2026-acme.pdf")
    assert (
        download["Cache-Control"] == "private, no-store" and download["X-Content-Type-Options"] == "nosniff"
    )


def test_only_the_requester_who_may_still_see_it_can_download(
    client_as, big_proposal, people, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_as("cio").get(pdf_url(big_proposal))
    job = ExportJob.objects.get()
    for role in ("ciso", "board", "contributor", "outsider"):
        assert client_as(role).get(f"/o/acme/exports/{job.pk}/").status_code == 404, role
        assert client_as(role).get(f"/o/acme/exports/{job.pk}/download/").status_code == 404, role
    assert client_as("cio").get(f"/o/acme/exports/{job.pk}/download/").status_code == 200
    # The requester loses the right to see budgets: the file is gone for them too.
    org.memberships.filter(user=people["cio"]).update(role="contributor")
    assert client_as("cio").get(f"/o/acme/exports/{job.pk}/download/").status_code == 404


def test_progress_fragment_polls_while_queued(client_as, big_proposal):
    client = client_as("cio")
    response = client.get(pdf_url(big_proposal))  # on-commit callbacks do not run: the job waits
    job = ExportJob.objects.get()
    assert job.status == "queued" and job.dispatched_at is None
    page = client.get(response["Location"]).content.decode()
    assert "Queued: waiting for the background worker" in page
    fragment = client.get(f"/o/acme/exports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert client.get(f"/o/acme/exports/{job.pk}/download/").status_code == 404


@pytest.fixture
def broker_away(settings):
    """A real broker connection that fails: Redis on a port of this helper's
    range where nothing listens, tasks really sent (not run inline)."""
    from config.celery import app

    saved = (
        app.conf.broker_url,
        app.conf.task_always_eager,
        app.conf.broker_connection_timeout,
        app.conf.task_publish_retry,
    )
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:16419/0", False
    app.conf.broker_connection_timeout, app.conf.task_publish_retry = 1, False
    app._pool, app.amqp._producer_pool = None, None
    yield app
    (
        app.conf.broker_url,
        app.conf.task_always_eager,
        app.conf.broker_connection_timeout,
        app.conf.task_publish_retry,
    ) = saved
    app._pool, app.amqp._producer_pool = None, None


def test_broker_away_leaves_the_job_queued_and_the_resend_hands_it_over(
    client_as, big_proposal, broker_away, django_capture_on_commit_callbacks
):
    client = client_as("cio")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(pdf_url(big_proposal))
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == "queued" and job.dispatched_at is None
    assert "Queued" in client.get(response["Location"]).content.decode()
    later = timezone.now() + timedelta(minutes=2)
    assert exports.export_jobs_resend(now=later) == 0  # still away: still queued, nothing raised
    broker_away.conf.task_always_eager = True  # the broker is back (tests run the worker inline)
    assert exports.export_jobs_resend(now=timezone.now() + timedelta(seconds=30)) == 0  # too soon to re-send
    assert exports.export_jobs_resend(now=later) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.file


def test_redelivered_and_repeated_builds_make_one_file(big_proposal, people):
    job = exports.export_job_request(
        actor=people["cio"],
        organization=big_proposal.organization,
        key="budgets.proposal_pdf",
        parameters={"proposal": big_proposal.pk},
    )
    ExportJob.objects.filter(pk=job.pk).update(status="running", attempts=1)  # its worker died mid-way
    first = exports.export_job_build(job_id=job.pk)
    assert first.status == "done" and first.attempts == 2
    assert exports.export_job_build(job_id=job.pk) is None  # delivered once more: left alone
    job.refresh_from_db()
    assert job.file.name == first.file.name and ExportJob.objects.count() == 1


def test_stalled_job_is_restarted_then_given_up(big_proposal, people):
    job = exports.export_job_request(
        actor=people["cio"],
        organization=big_proposal.organization,
        key="budgets.proposal_pdf",
        parameters={"proposal": big_proposal.pk},
    )
    started = timezone.now() - timedelta(hours=1)
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=started, attempts=1, created_at=started
    )
    assert exports.export_jobs_resend() == 1
    job.refresh_from_db()
    assert job.status == "done"
    ExportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=started, attempts=exports.MAX_ATTEMPTS
    )
    exports.export_jobs_resend()
    job.refresh_from_db()
    assert job.status == "failed" and "stopped several times" in job.error


def test_a_failing_render_is_shown_on_the_page(client_as, big_proposal, people, monkeypatch):
    job = exports.export_job_request(
        actor=people["cio"],
        organization=big_proposal.organization,
        key="budgets.proposal_pdf",
        parameters={"proposal": big_proposal.pk},
    )
    from budgets import export_jobs

    def broken(*args, **kwargs):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(export_jobs, "pdf_file", broken)
    assert exports.export_job_build(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == "failed" and "could not be prepared (RuntimeError)" in job.error
    page = client_as("cio").get(f"/o/acme/exports/{job.pk}/").content.decode()
    assert "Failed" in page and "could not be prepared" in page


def test_requesting_needs_the_same_rights_as_the_download_page(big_proposal, people):
    from django.http import Http404

    draft = ProposalFactory(organization=big_proposal.organization, fiscal_year=2028)
    with pytest.raises(Http404):
        exports.export_job_request(
            actor=people["board"],
            organization=draft.organization,
            key="budgets.proposal_pdf",
            parameters={"proposal": draft.pk},
        )
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    "path,key",
    [
        ("raci/export.pdf", "governance.raci_pdf"),
        ("raci/export.xlsx", "governance.raci_xlsx"),
        ("risks/export/?format=xlsx", "risks.register_xlsx"),
        ("kpis/export/?format=xlsx", "kpis.values_xlsx"),
    ],
)
def test_other_heavy_exports_go_to_the_worker(client_as, org, path, key, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("cio").get(f"/o/acme/{path}{'&' if '?' in path else '?'}background=1")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.kind == key
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert client_as("cio").get(f"/o/acme/exports/{job.pk}/download/").status_code == 200
