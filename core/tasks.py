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
from django.db import DatabaseError

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
    # Digests go out at each person's local morning: the task runs every quarter
    # hour and sends those whose hour has come (core/notifications/digests.py).
    "core-notification-digests": {
        "task": "core.notification_digests",
        "schedule": crontab(minute="*/15"),
    },
    "core-notification-sweeps": {
        "task": "core.notification_sweeps",
        "schedule": crontab(minute=5),  # hourly: each event is told once (keyed by day or threshold)
    },
    # Confirmed deletions of organizations whose grace period has passed (core/organizations.py).
    "core-organizations-purge": {
        "task": "core.organizations_purge_due",
        "schedule": crontab(minute=20),  # hourly
    },
}

MAIL_ERRORS = (OSError, smtplib.SMTPException)
# Notification deliveries also retry a database error (a locked database): the
# delivery record makes the retry send nothing twice.
DELIVERY_ERRORS = (*MAIL_ERRORS, DatabaseError)


@shared_task(name="core.organizations_purge_due")
def organizations_purge_due() -> list[str]:
    """Carry out the confirmed deletions whose grace period has passed."""
    from .organizations import organization_purge_due

    return organization_purge_due()


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
    """Send one plain-text e-mail; retried with backoff while the mail server is away.

    Transactional only, outside the notification catalogue (no inbox, no
    preferences): used for the security notice to an executive who has just
    left the organization (core.services._notify_role_change). Everything a
    person may choose how to receive goes through core.notifications."""
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
    """E-mail an invitation; its link is minted when sending (core.invitations).

    Transactional, deliberately outside the notification catalogue: the person
    asked for it (or is not a member yet), so there is no inbox or preference
    to obey and no unsubscribe; it is sent once, to the address given."""
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
    """E-mail a password-reset link; the link is made when sending (core.security.password).

    Transactional, deliberately outside the notification catalogue: the person
    asked for it, so preferences and unsubscribe do not apply."""
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


# --------------------------------------------------------- notifications ---


@shared_task(
    bind=True,
    name="core.notification_email",
    autoretry_for=DELIVERY_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def notification_email(self, *, notification_id: int) -> int:
    """E-mail one notification (once: a sent delivery is never sent again)."""
    from .notifications import delivery

    return delivery.send_notification_email(notification_id)


@shared_task(bind=True, name="core.notification_chat", max_retries=None)
def notification_chat(self, *, channel_id: int, event: str, event_key: str, title: str, link: str) -> int:
    """Post one event to a chat channel; retried with backoff, and after
    ``NOTIFY_CHAT_MAX_RETRIES`` failures the channel is disabled with a notice."""
    from .notifications import delivery

    countdown = min(30 * 2**self.request.retries, 1800)
    try:
        try:
            return delivery.send_chat(
                channel_id=channel_id, event=event, event_key=event_key, title=title, link=link
            )
        except delivery.ChatPostFailed as exc:
            # Counted on the recorded delivery, so retries by Celery and re-sends by the outbox add up alike.
            if (
                delivery.chat_attempts(channel_id=channel_id, event_key=event_key)
                > settings.NOTIFY_CHAT_MAX_RETRIES
            ):
                delivery.chat_channel_disable(channel_id=channel_id, reason=str(exc)[:250])
                return 0
            raise self.retry(exc=exc, countdown=countdown) from exc
    except DatabaseError as exc:  # the normal retry path (also while handling a failed post)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(name="core.notification_digests")
def notification_digests() -> int:
    """Send the daily and weekly digests whose local morning has come."""
    from .notifications import digests

    return digests.send_due_digests()


@shared_task(
    bind=True,
    name="core.notification_digest",
    autoretry_for=DELIVERY_ERRORS,
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=10,
)
def notification_digest(self, *, user_id: int, organization_id: int, kind: str, day: str) -> int:
    from .notifications import digests

    return digests.send_digest(user_id=user_id, organization_id=organization_id, kind=kind, day=day)


@shared_task(name="core.notification_sweeps")
def notification_sweeps() -> int:
    """Time-based events (expiries, overdue items, stale KPIs) from each app's sweep."""
    from .notifications import sweeps

    return sweeps.run_sweeps()
