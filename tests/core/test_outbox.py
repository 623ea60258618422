"""The outbox: background work is recorded with the change, handed to Celery
after commit (tests run tasks eagerly, through the same path), re-sent until a
worker picks it up, and never sent twice at once by concurrent dispatchers."""

from datetime import timedelta

import pytest
from celery import shared_task
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from core import outbox
from core.models import OutboxJob
from core.services import membership_invite
from tests.concurrency import run_together

RUNS: list[dict] = []


@shared_task(name="tests.outbox_probe")
def outbox_probe(*, value: int) -> int:
    RUNS.append({"value": value})
    return value


@shared_task(name="tests.outbox_fails")
def outbox_fails() -> None:
    raise RuntimeError("the mail server said no")


@pytest.fixture(autouse=True)
def _clear_runs():
    RUNS.clear()


def test_a_job_is_recorded_with_the_change_and_run_after_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = outbox.enqueue(outbox_probe, value=7)
        assert RUNS == []  # nothing runs before the commit
    assert len(callbacks) == 1
    assert RUNS == [{"value": 7}]
    job.refresh_from_db()
    assert job.task == "tests.outbox_probe" and job.kwargs == {"value": 7}
    assert (
        job.attempts == 1 and job.dispatched_at and job.picked_up_at and job.done_at and job.last_error == ""
    )


def test_a_rolled_back_change_leaves_no_job(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                outbox.enqueue(outbox_probe, value=1)
                raise ValueError("the change failed")
        except ValueError:
            pass
    assert not OutboxJob.objects.exists() and RUNS == []


def test_the_same_key_waiting_is_one_job(db):
    first = outbox.enqueue(outbox_probe, key="probe:1", value=1)
    second = outbox.enqueue(outbox_probe, key="probe:1", value=1)
    other = outbox.enqueue(outbox_probe, key="probe:2", value=2)
    assert first.pk == second.pk != other.pk
    assert OutboxJob.objects.count() == 2
    OutboxJob.objects.filter(pk=first.pk).update(picked_up_at=timezone.now())
    assert outbox.enqueue(outbox_probe, key="probe:1", value=1).pk != first.pk  # once started, a new one


def test_a_failing_task_never_fails_the_caller(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = outbox.enqueue(outbox_fails)
    job.refresh_from_db()
    # Waiting again: the dispatcher sends it after OUTBOX_REDISPATCH_AFTER_SECONDS.
    assert job.picked_up_at is None and job.done_at is None and "mail server said no" in job.last_error
    assert outbox.waiting_summary()["failing"] == 1


def test_a_failed_job_is_sent_again_then_given_up_and_shown_until_an_operator_retries(
    db, settings, client, django_capture_on_commit_callbacks
):
    """An e-mail whose task fails (a mail setting wrong, not just the server away)
    is not lost: it is sent again a few times, then counted as failed by /healthz,
    and `outbox_retry` sends it once the cause is fixed."""
    from django.core.management import call_command

    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_REDISPATCH_AFTER_SECONDS = 0
    settings.EMAIL_BACKEND = "tests.core.test_role_changes.BrokenMailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        job = outbox.enqueue("core.send_email", subject="Hello", body="Hi", recipients=["cio@acme.test"])
    for _ in range(5):
        outbox.dispatch_waiting()
    job.refresh_from_db()
    assert job.attempts == 3 and job.picked_up_at and job.done_at is None  # gave up after 3 hand-offs
    assert outbox.waiting_summary()["failed"] == 1
    assert client.get("/healthz").json()["status"] == "degraded"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("outbox_retry")
    job.refresh_from_db()
    assert job.done_at is not None and [m.subject for m in mail.outbox] == ["Hello"]
    assert outbox.waiting_summary()["failed"] == 0


def test_the_dispatcher_resends_only_what_no_worker_picked_up(db):
    now = timezone.now()
    never_sent = outbox.enqueue(outbox_probe, value=1)
    lost = outbox.enqueue(outbox_probe, value=2)
    recent = outbox.enqueue(outbox_probe, value=3)
    started = outbox.enqueue(outbox_probe, value=4)
    OutboxJob.objects.filter(pk=lost.pk).update(
        dispatched_at=now - outbox.redispatch_after() - timedelta(seconds=5), attempts=1
    )
    OutboxJob.objects.filter(pk=recent.pk).update(dispatched_at=now, attempts=1)
    OutboxJob.objects.filter(pk=started.pk).update(dispatched_at=now - timedelta(days=1), picked_up_at=now)
    assert outbox.dispatch_waiting() == 2
    assert sorted(run["value"] for run in RUNS) == [1, 2]
    assert OutboxJob.objects.get(pk=never_sent.pk).attempts == 1
    assert OutboxJob.objects.get(pk=lost.pk).attempts == 2
    assert outbox.dispatch_waiting() == 0  # all picked up or recently sent


def test_finished_jobs_are_purged_after_a_while(db, settings):
    settings.OUTBOX_KEEP_DONE_DAYS = 7
    old = outbox.enqueue(outbox_probe, value=1)
    fresh = outbox.enqueue(outbox_probe, value=2)
    OutboxJob.objects.filter(pk=old.pk).update(
        picked_up_at=timezone.now(), done_at=timezone.now() - timedelta(days=8)
    )
    OutboxJob.objects.filter(pk=fresh.pk).update(picked_up_at=timezone.now(), done_at=timezone.now())
    outbox.dispatch_waiting()
    assert list(OutboxJob.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_an_email_delivered_twice_is_sent_once(db, django_capture_on_commit_callbacks):
    from core.tasks import send_email

    with django_capture_on_commit_callbacks(execute=True):
        job = outbox.enqueue(send_email, subject="Hello", body="Body", recipients=["a@acme.test"])
    assert len(mail.outbox) == 1
    send_email.apply(kwargs=job.kwargs, task_id=job.celery_id)  # the broker delivers it again
    assert len(mail.outbox) == 1


def test_an_invitation_is_queued_with_the_membership(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        membership_invite(actor=people["admin"], organization=org, email="new@acme.test", role="board")
    job = OutboxJob.objects.get(task="core.send_invitation")
    assert job.organization == org and job.done_at is not None
    assert "reset" not in str(job.kwargs)  # the set-password link is made when sending, never stored
    assert [m.to for m in mail.outbox] == [["new@acme.test"]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_send_each_job_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks and concurrent connections (PostgreSQL)")
    jobs = [outbox.enqueue(outbox_probe, value=i) for i in range(30)]
    OutboxJob.objects.update(dispatched_at=None, picked_up_at=None, done_at=None, attempts=0)
    RUNS.clear()
    _, errors = run_together(outbox.dispatch_waiting, timeout=60)
    assert errors == []
    assert sorted(run["value"] for run in RUNS) == list(range(30))
    assert set(OutboxJob.objects.values_list("attempts", flat=True)) == {1}
    assert OutboxJob.objects.filter(done_at__isnull=True).count() == 0 and len(jobs) == 30
