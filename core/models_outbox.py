"""Durable background work: the outbox and the liveness heartbeats.

An ``OutboxJob`` is written in the same transaction as the change that needs
the work, so the need survives a broker outage, a crash between commit and
hand-off, or a message the broker lost. ``core.outbox`` hands rows to Celery
and re-sends what was not picked up. ``Heartbeat`` rows say when the worker and
the scheduler last showed a sign of life (read by ``/healthz``).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class OutboxJob(models.Model):
    """One piece of background work waiting to be handed to (or run by) a worker."""

    task = models.CharField(max_length=150, help_text="The Celery task's registered name.")
    kwargs = models.JSONField(default=dict, blank=True)
    organization = models.ForeignKey(
        "core.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(
        max_length=200, blank=True, help_text="Jobs with the same key waiting to be picked up are one job."
    )
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="Last handed to the broker.")
    picked_up_at = models.DateTimeField(null=True, blank=True, help_text="A worker started it.")
    done_at = models.DateTimeField(null=True, blank=True, help_text="A worker finished it.")
    attempts = models.PositiveIntegerField(default=0, help_text="Hand-offs to the broker, failed or not.")
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                name="outbox_one_waiting_per_key",
                condition=models.Q(picked_up_at__isnull=True) & ~models.Q(key=""),
            ),
        ]
        indexes = [
            models.Index(fields=["picked_up_at", "dispatched_at"], name="outbox_waiting"),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

    @property
    def celery_id(self) -> str:
        return f"outbox-{self.pk}"


class Heartbeat(models.Model):
    """When a background process last showed a sign of life: ``worker:<host>``, ``scheduler``."""

    name = models.CharField(max_length=200, primary_key=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
