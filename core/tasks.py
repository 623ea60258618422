"""Core background work: e-mail (retried until the mail server answers), the
outbox dispatcher that re-sends queued jobs, invitations, and heavy exports
(thin wrappers around core/exports.py)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.core.mail import send_mail

from . import exports, outbox

BEAT_SCHEDULE = {
    "core-outbox-dispatch": {
        "task": "core.outbox_dispatch",
        "schedule": timedelta(seconds=settings.OUTBOX_DISPATCH_INTERVAL_SECONDS),
    },
    "core-export-jobs-resend": {
        "task": "core.export_jobs_resend",
        "schedule": crontab(),  # every minute
    },
}

MAIL_ERRORS = (OSError, smtplib.SMTPException)


@shared_task(name="core.outbox_dispatch")
def outbox_dispatch() -> int:
    """Hand to the broker every queued job not yet picked up (e.g. after a Redis outage)."""
    return outbox.dispatch_waiting()


@shared_task(
    bind=True,
    name="core.send_email",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def send_email(self, *, subject: str, body: str, recipients: list[str]) -> int:
    """Send one plain-text e-mail; retried with backoff while the mail server is away."""
    if outbox.is_done(self.request.id):
        return 0  # a duplicate delivery of an e-mail already sent
    return send_mail(subject, body, None, recipients, fail_silently=False)


@shared_task(
    bind=True,
    name="core.send_invitation",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def send_invitation(self, *, invitation_id: int) -> int:
    """E-mail an invitation; its link is minted when sending (core.invitations)."""
    if outbox.is_done(self.request.id):
        return 0
    from .invitations import invitation_send

    return invitation_send(invitation_id=invitation_id)


@shared_task(
    bind=True,
    name="core.send_password_reset",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def send_password_reset(self, *, user_id: int) -> int:
    """E-mail a password-reset link; the link is made when sending (core.security.password)."""
    if outbox.is_done(self.request.id):
        return 0
    from .security.password import password_reset_send

    return password_reset_send(user_id=user_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, name="core.export_job_build")
def export_job_build(job_id: int) -> int | None:
    """Prepare one export's file (a redelivered job is rebuilt in place)."""
    job = exports.export_job_build(job_id=job_id)
    return job.pk if job else None


@shared_task(name="core.export_jobs_resend")
def export_jobs_resend() -> int:
    """Send again exports still waiting for a worker."""
    return exports.export_jobs_resend()
