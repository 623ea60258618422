"""Notifications: what each person is told (inbox), how (preferences, chat
channels), every delivery attempt (the delivery log) and the personal calendar
feed. The behaviour lives in ``core.notifications``."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationCategory(models.TextChoices):
    SIGNATURES = "signatures", "Joint decisions waiting for your signature"
    DECISIONS = "decisions", "Joint decisions: the other's signature, outcomes, voided signatures"
    ACCEPTANCES = "acceptances", "Risk acceptance expiries"
    OVERDUE = "overdue", "Overdue mitigations and reviews"
    KPIS = "kpis", "KPIs turning red or stale"
    INTAKE = "intake", "Intake requests"
    BUDGET = "budget", "Budget"
    REPORTS = "reports", "Reports"
    SECURITY = "security", "Security (always sent at once)"


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off"


class NotificationPreference(models.Model):
    """How a person (or, with no user, the organization by default) receives a category."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        help_text="Empty: the organization's default for everyone who chose nothing.",
    )
    category = models.CharField(max_length=20, choices=NotificationCategory.choices)
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "category"],
                condition=models.Q(user__isnull=False),
                name="notifpref_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["organization", "category"],
                condition=models.Q(user__isnull=True),
                name="notifpref_one_org_default",
            ),
            models.CheckConstraint(
                condition=~(models.Q(category="security") & ~models.Q(mode="immediate")),
                name="notifpref_security_always_immediate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or 'default'} · {self.category}: {self.mode}"


class NotificationProfile(models.Model):
    """A person's own notification settings: their time zone (digests arrive in
    their morning) and the secret of their calendar feed (stored hashed)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_profile"
    )
    timezone = models.CharField(max_length=64, default="UTC")
    digest_hour = models.PositiveSmallIntegerField(default=7, help_text="Local hour the digest arrives.")
    weekly_day = models.PositiveSmallIntegerField(default=0, help_text="0 = Monday.")
    calendar_token_hash = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"notifications of {self.user}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Notification(models.Model):
    """One event told to one person: a row of their inbox. ``key`` is the
    event's identity: the same event never reaches the same person twice."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(max_length=60)
    category = models.CharField(max_length=20, choices=NotificationCategory.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Path of the item, under the site URL.")
    key = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=DeliveryMode.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_one_per_event_person"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ChatKind(models.TextChoices):
    SLACK = "slack", "Slack (incoming webhook)"
    TEAMS = "teams", "Microsoft Teams (Workflows webhook)"
    OTHER = "apprise", "Other (Apprise URL)"


class ChatChannel(models.Model):
    """An organization's chat channel (Slack, Teams or any Apprise service)."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.CASCADE, related_name="chat_channels"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=ChatKind.choices)
    url = models.TextField(help_text="The webhook URL (a secret: shown shortened).")
    categories = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def url_hint(self) -> str:
        """The webhook shown masked: its service host and last four characters
        (the URL carries the channel's secret)."""
        return mask_url(self.url)

    @property
    def category_labels(self) -> list[str]:
        return [label for value, label in NotificationCategory.choices if value in self.categories]


def mask_url(url: str) -> str:
    """``https://hooks.slack.com/…abcd``: the host (never a user name, password
    or token written where a host would be) and the last four characters."""
    from urllib.parse import urlsplit

    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    scheme = parts.scheme.lower() if parts else ""
    if scheme not in ("http", "https") and scheme:
        host = ""  # an Apprise URL (slack://TOKEN/…) writes its secret where a host would be
    tail = url[-4:] if len(url) > 12 else ""
    head = f"{scheme}://{host}/" if host else (f"{scheme}://" if scheme else "")
    return f"{head}…{tail}"


def redact(text: str, url: str) -> str:
    """``text`` (an error message) without the webhook URL or any of its secret parts."""
    from urllib.parse import urlsplit

    if not text or not url:
        return text or ""
    pieces = {url}
    try:
        parts = urlsplit(url)
        pieces |= {parts.netloc, parts.path, parts.query, parts.username or "", parts.password or ""}
        pieces |= set(parts.path.split("/")) | {kv.split("=", 1)[-1] for kv in parts.query.split("&")}
    except ValueError:
        pass
    host = ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        pass
    for piece in sorted((p for p in pieces if p and len(p) >= 6 and p != host), key=len, reverse=True):
        text = text.replace(piece, "…")
    return text


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    DIGEST = "digest", "Digest e-mail"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One message to one destination, and how it went. ``key`` makes it unique:
    a retried task finds the delivery already sent and sends nothing."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=DeliveryChannel.choices)
    key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=60, blank=True)
    title = models.CharField(max_length=300, blank=True)
    target = models.CharField(max_length=254, help_text="The address or chat channel.")
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL)
    chat_channel = models.ForeignKey(ChatChannel, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel} {self.key}: {self.status}"

    @property
    def shown_error(self) -> str:
        """The error without the chat channel's webhook secret."""
        if self.chat_channel_id and self.chat_channel is not None:
            return redact(self.last_error, self.chat_channel.url)
        return self.last_error
