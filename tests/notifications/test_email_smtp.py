"""E-mail notifications through a real SMTP server (aiosmtpd on a free port):
the message is parsed like a mail client would, its one-click unsubscribe is
used, and a mail server that is down is retried through the outbox."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from core import outbox
from core.models import Delivery, Notification, NotificationPreference, OutboxJob
from core.roles import Role
from risks import services as risk_services
from tests.notifications.servers import free_port, smtp_server
from tests.risks.factories import assessed_risk, request_acceptance

pytestmark = pytest.mark.django_db(transaction=True)


def _smtp(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    )


def _waiting_acceptance(org, people):
    risk = assessed_risk(org, people, cio=(4, 4), ciso=(4, 5))
    return request_acceptance(risk, people[Role.CIO])


def test_a_joint_decision_signed_by_the_other_is_mailed_with_link_org_name_and_one_click_unsubscribe(
    org, people, client
):
    risk = _waiting_acceptance(org, people)
    with smtp_server() as smtp, _smtp(smtp.port):
        risk_services.acceptance_sign(actor=people[Role.CIO], risk=risk, decision="approve", comment="")
    mine = [m for m in smtp.messages if m["To"] == "ciso@acme.test"]
    assert len(mine) == 1, [m["Subject"] for m in smtp.messages]
    message = mine[0]
    subject = " ".join(str(message["Subject"]).split())  # a long subject is folded onto its own line
    assert subject.startswith(f"[{org.name}] The CIO signed Risk acceptance of")
    assert "your signature completes it" in subject
    # RFC 8058: an https/http URI in List-Unsubscribe and the one-click marker.
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith(settings.SITE_URL + "/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    item = f"{settings.SITE_URL}/o/acme/risks/{risk.pk}/"
    assert item in text and f'href="{item}"' in html
    assert org.name in text and org.name in html
    assert unsubscribe in text
    # The mail client's one-click POST, without cookies or CSRF token.
    response = client.post(
        urlsplit(unsubscribe).path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    pref = NotificationPreference.objects.get(user=people[Role.CISO], organization=org)
    assert (pref.category, pref.mode) == ("decisions", "off")  # that category only
    delivery = Delivery.objects.get(
        target="ciso@acme.test", channel="email", notification__event="decision.signed_by_other"
    )
    assert delivery.status == "sent" and delivery.attempts == 1 and delivery.sent_at


def test_a_tampered_unsubscribe_link_is_refused(client, org):
    response = client.post(
        "/notifications/unsubscribe/forged:token/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and b"not valid" in response.content
    assert not NotificationPreference.objects.exists()


def test_a_mail_server_that_is_down_is_retried_then_delivers_once(org, people):
    from core.notifications.services import notify

    port = free_port()  # nothing listens there yet
    with _smtp(port):
        notify(
            event="decision.decided",
            organization=org,
            recipients=[people[Role.CIO]],
            title="Decided",
            key="k",
        )
        delivery = Delivery.objects.get()
        assert delivery.status == "failed" and "Connection refused" in delivery.last_error
        job = OutboxJob.objects.get(task="core.notification_email")
        assert job.done_at is None and job.last_error
        with (
            smtp_server(port) as smtp,
            time_machine.travel(
                timezone.now() + timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS + 60)
            ),
        ):
            outbox.dispatch_waiting()
            outbox.dispatch_waiting()  # nothing left to send
    assert [m["Subject"] for m in smtp.messages] == [f"[{org.name}] Decided"]
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.last_error == ""
    assert Notification.objects.get().recipient == people[Role.CIO]


def test_an_unsubscribe_link_expires_after_90_days_with_a_way_to_manage_preferences(client, org, people):
    from core.notifications.services import UNSUBSCRIBE_MAX_AGE_DAYS, unsubscribe_token

    assert UNSUBSCRIBE_MAX_AGE_DAYS == 90
    with time_machine.travel(timezone.now() - timedelta(days=89)):
        recent = unsubscribe_token(user=people[Role.CISO], organization=org, category="kpis")
    with time_machine.travel(timezone.now() - timedelta(days=91)):
        old = unsubscribe_token(user=people[Role.CISO], organization=org, category="reports")
    page = client.get(f"/notifications/unsubscribe/{old}/")
    assert page.status_code == 410 and b"has expired" in page.content
    assert b"/accounts/login/?next=%2Fo%2Facme%2Fnotifications%2Fpreferences%2F" in page.content
    response = client.post(
        f"/notifications/unsubscribe/{old}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 410 and b"Sign in to manage" in response.content
    assert not NotificationPreference.objects.filter(category="reports").exists()
    # Within 90 days the one-click POST (RFC 8058) still works; the page names the category.
    assert b"kpis turning red" in client.get(f"/notifications/unsubscribe/{recent}/").content.lower()
    response = client.post(
        f"/notifications/unsubscribe/{recent}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=people[Role.CISO], category="kpis").mode == "off"


def _outcome_save_fails(monkeypatch, times: int):
    """Fault injection: saving a delivery as sent meets "database is locked"
    ``times`` times (the send itself has already happened)."""
    from django.db import OperationalError
    from django.db.models.query import QuerySet

    real, failed = QuerySet.update, []

    def update(self, **values):
        if self.model is Delivery and values.get("status") == "sent" and len(failed) < times:
            failed.append(1)
            raise OperationalError("database is locked")
        return real(self, **values)

    monkeypatch.setattr(QuerySet, "update", update)
    return failed


def _redispatch_later():
    return time_machine.travel(
        timezone.now() + timedelta(seconds=settings.OUTBOX_REDISPATCH_AFTER_SECONDS + 60)
    )


def test_a_sent_mail_whose_record_fails_to_save_once_is_recorded_sent_and_never_sent_again(
    org, people, monkeypatch
):
    from core.notifications.services import notify

    failed = _outcome_save_fails(monkeypatch, times=1)
    with smtp_server() as smtp, _smtp(smtp.port):
        notify(
            event="decision.decided", organization=org, recipients=[people[Role.CIO]], title="Once", key="k"
        )
        with _redispatch_later():
            outbox.dispatch_waiting()  # a re-dispatch finds the delivery sent
    assert failed == [1]
    assert [m["Subject"] for m in smtp.messages] == [f"[{org.name}] Once"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert OutboxJob.objects.get(task="core.notification_email").done_at is not None


def test_a_mail_sent_whose_record_cannot_be_saved_is_not_sent_again_by_a_retry_or_redispatch(
    org, people, monkeypatch
):
    from core.notifications.services import notify

    _outcome_save_fails(monkeypatch, times=100)
    monkeypatch.setattr("core.notifications.delivery.time.sleep", lambda seconds: None)
    with smtp_server() as smtp, _smtp(smtp.port):
        notify(
            event="decision.decided", organization=org, recipients=[people[Role.CIO]], title="Once", key="k"
        )
        with _redispatch_later():
            outbox.dispatch_waiting()
        with time_machine.travel(timezone.now() + timedelta(hours=2)):
            outbox.dispatch_waiting()
    assert [m["Subject"] for m in smtp.messages] == [f"[{org.name}] Once"]
    delivery = Delivery.objects.get()
    assert delivery.attempts == 1 and delivery.status == "pending"  # claimed: never a second send


def test_a_digest_carries_a_one_click_unsubscribe_that_turns_the_digest_off(org, people, client):
    from core.notifications import digests
    from core.notifications.services import notify, preference_set

    cio = people[Role.CIO]
    for category in ("decisions", "reports"):
        preference_set(actor=cio, organization=org, category=category, mode="daily")
    notify(event="decision.decided", organization=org, recipients=[cio], title="Decided", key="d:1")
    with smtp_server() as smtp, _smtp(smtp.port):
        day = timezone.now().date().isoformat()
        assert digests.send_digest(user_id=cio.pk, organization_id=org.pk, kind="daily", day=day) == 1
    (message,) = smtp.messages
    assert "digest" in str(message["Subject"])
    unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert unsubscribe.startswith(settings.SITE_URL + "/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.get_body(preferencelist=("plain",)).get_content()
    assert unsubscribe in message.get_body(preferencelist=("html",)).get_content()
    # The mail client's one-click POST (no cookies) turns off what came in the digest.
    response = client.post(urlsplit(unsubscribe).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "daily and weekly digests" in response.content.decode()
    modes = dict(
        NotificationPreference.objects.filter(user=cio, organization=org).values_list("category", "mode")
    )
    assert modes["decisions"] == "off" and modes["reports"] == "off"
    assert "signatures" not in modes  # what comes at once is left as it was
