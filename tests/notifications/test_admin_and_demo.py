"""The notification models in the admin (read-only, no webhook secret) and the
demo's notifications, made by the real services."""

import pytest
from django.core.management import call_command
from django.test import Client

from core.models import ChatChannel, Delivery, Notification, User

SLACK = "https://hooks.slack.com/services/T0/B0/SECRETSECRETsecret1234"


@pytest.fixture
def staff(db):
    return User.objects.create_superuser(email="root@acme.test", password="x-very-long-pass-1")


def test_admin_lists_notification_models_read_only_without_the_webhook(staff, org, people):
    channel = ChatChannel.objects.create(
        organization=org, name="Ops", kind="slack", url=SLACK, categories=["kpis"]
    )
    Delivery.objects.create(
        organization=org,
        channel="chat",
        key="k",
        target="Ops",
        chat_channel=channel,
        last_error=f"500 at {SLACK}",
    )
    client = Client()
    client.force_login(staff)
    for model in ("notification", "delivery", "chatchannel", "notificationpreference", "notificationprofile"):
        response = client.get(f"/admin/core/{model}/")
        assert response.status_code == 200, model
        assert client.get(f"/admin/core/{model}/add/").status_code == 403
    for path in (f"/admin/core/chatchannel/{channel.pk}/change/", "/admin/core/chatchannel/"):
        page = client.get(path).content.decode()
        assert "SECRETSECRET" not in page and "hooks.slack.com/…1234" in page
    delivery = Delivery.objects.get()
    assert "SECRETSECRET" not in client.get(f"/admin/core/delivery/{delivery.pk}/change/").content.decode()


@pytest.mark.django_db
def test_the_demo_has_inbox_items_a_disabled_sample_channel_and_queued_deliveries(settings):
    from core.models import OutboxJob

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    for email in ("cio@northwind.example", "ciso@northwind.example"):
        notes = Notification.objects.filter(recipient__email=email)
        assert notes.filter(category__in=["signatures", "decisions"]).exists()
        assert notes.filter(read_at__isnull=True).exists() and notes.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(
        recipient__email="ciso@northwind.example", event="decision.waiting"
    ).exists()
    channel = ChatChannel.objects.get(name="Leadership (sample)")
    assert not channel.is_active and "sample" in channel.disabled_reason
    # The e-mails are queued for the worker (core.outbox), which fills the delivery log.
    assert OutboxJob.objects.filter(task="core.notification_email").exists()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # twice: nothing doubles
    assert ChatChannel.objects.filter(name="Leadership (sample)").count() == 1
