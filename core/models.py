"""Tenancy and plumbing shared by every app: people, organizations, memberships,
the base class of business objects, joint sign-offs and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .converters import ORG_SLUG_PATTERN
from .roles import Perm, Role, role_has, roles_with


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in by e-mail; rights come from memberships, never from here."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can open the technical admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def initials(self) -> str:
        parts = (self.full_name or self.email).replace("@", " ").split()
        return "".join(p[0] for p in parts[:2]).upper()


class ReportSchedule(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


def default_mfa_required_roles() -> list[str]:
    """New organizations require two-factor authentication from the CIO, CISO and admins."""
    return [Role.CIO.value, Role.CISO.value, Role.ADMIN.value]


class Organization(models.Model):
    """A tenant. Every business object belongs to exactly one."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[RegexValidator(rf"^{ORG_SLUG_PATTERN}$", "Use lower-case letters, digits and hyphens.")],
    )
    currency = models.CharField(
        max_length=3,
        default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as USD or EUR.")],
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Month in which the fiscal year starts (1 = January).",
    )
    risk_appetite = models.PositiveSmallIntegerField(
        default=9,
        validators=[MinValueValidator(1), MaxValueValidator(25)],
        help_text="Risks scoring above this (likelihood × impact) must be treated or jointly accepted.",
    )
    medium_from = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(2), MaxValueValidator(25)]
    )
    high_from = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(3), MaxValueValidator(25)]
    )
    critical_from = models.PositiveSmallIntegerField(
        default=17, validators=[MinValueValidator(4), MaxValueValidator(25)]
    )
    report_schedule = models.CharField(
        max_length=12, choices=ReportSchedule.choices, default=ReportSchedule.QUARTERLY
    )
    mfa_required_roles = models.JSONField(
        default=default_mfa_required_roles,
        blank=True,
        help_text="Roles that must use two-factor authentication.",
    )
    # The board pack's headline KPIs (ids, at most eight), chosen jointly: one
    # executive proposes a selection, the other confirms it (core.headline).
    headline_kpis = models.JSONField(
        default=list, blank=True, help_text="The KPIs the board pack shows up front, in force."
    )
    headline_kpis_proposal = models.JSONField(
        default=dict, blank=True, help_text="A selection one executive proposed, waiting for the other."
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", help_text="Where the organization works, e.g. Europe/Paris."
    )
    # The organization's life (core/organizations.py): archived is read-only for
    # everyone and hidden from the switcher; deletion is asked by an admin,
    # confirmed by the CIO or CISO, and carried out after a grace period.
    archived_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    deletion_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deletion_confirmed_at = models.DateTimeField(null=True, blank=True)
    deletion_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deletion_due_at = models.DateTimeField(
        null=True, blank=True, help_text="When the confirmed deletion is carried out."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="org_level_thresholds_increase",
                condition=models.Q(medium_from__lt=models.F("high_from"))
                & models.Q(high_from__lt=models.F("critical_from")),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level_thresholds(self) -> tuple[int, int, int]:
        return (self.medium_from, self.high_from, self.critical_from)

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    """A person's role in one organization. Roles live here, not on the user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # The one bootstrap exception: whoever creates an organization administers it
    # and may also name themselves its CIO or CISO (core/organizations.py).
    is_admin = models.BooleanField(
        default=False, help_text="Also administers the organization (its founder, as CIO or CISO)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_one_role_per_org"),
            # Separation of duties: at most one CIO and one CISO at a time; a
            # successor takes the role over in one step (core.services.membership_hand_over).
            models.UniqueConstraint(
                fields=["organization", "role"],
                condition=models.Q(role__in=["cio", "ciso"]),
                name="membership_one_cio_one_ciso",
            ),
        ]
        indexes = [models.Index(fields=["organization", "role"], name="membership_org_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organization}"


class OrgScopedQuerySet(models.QuerySet):
    """The single visibility chokepoint: ``Model.objects.visible_to(user)``.

    A row is visible when the user is a member of its organization with a role
    that holds the model's ``view_permission``. Models with finer rules (the
    board sees only submitted budgets, a contributor only their own requests)
    override ``visible_to`` on their own queryset and call ``super()`` first.
    """

    def visible_to(self, user, perm: Perm | None = None):
        perm = perm or self.model.view_permission
        if user is None or not user.is_authenticated or perm is None:
            return self.none()
        holders = models.Q(role__in=roles_with(perm))
        if role_has(Role.ADMIN, perm):
            holders |= models.Q(is_admin=True)
        orgs = Membership.objects.filter(holders, user=user).values("organization_id")
        return self.filter(organization_id__in=orgs)

    def in_org(self, organization):
        return self.filter(organization=organization)


class OrgScopedModel(models.Model):
    """Base of every business object: one organization, timestamps, a version.

    ``version`` grows by one on every change made through a service. It detects
    concurrent edits (a stale version is refused) and tells which version of a
    subject a sign-off was given for.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = OrgScopedQuerySet.as_manager()

    # The permission a role needs to see rows of this model; None serves nobody.
    view_permission: Perm | None = None

    class Meta:
        abstract = True


class SignOffDecision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"


class SignOff(models.Model):
    """One person's decision, in their role's capacity, on one version of a subject.

    The same mechanism serves risk acceptance, budget submission, intake
    decisions and RACI approval (``purpose`` tells them apart). A sign-off is
    void once its subject changes (``voided_at``); it is never edited otherwise.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="signoffs")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(max_length=40)
    subject_version = models.PositiveIntegerField()
    role = models.CharField(max_length=20, choices=Role.choices)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs")
    decision = models.CharField(max_length=10, choices=SignOffDecision.choices)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "purpose"], name="signoff_subject"),
            models.Index(fields=["organization", "voided_at"], name="signoff_org_active"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose", "role"],
                condition=models.Q(voided_at__isnull=True),
                name="signoff_one_active_per_role",
            ),
            # Separation of duties: one person gives at most one of a joint decision's signatures.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose", "signer"],
                condition=models.Q(voided_at__isnull=True),
                name="signoff_one_active_per_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.get_decision_display().lower()}d {self.purpose}"

    @property
    def is_active(self) -> bool:
        return self.voided_at is None

    # core.services.signoff_withdraw records a withdrawal as a void with this reason.
    WITHDRAWN_PREFIX = "Withdrawn by"

    @property
    def state(self) -> str:
        """ "in_force", "voided" (the subject changed after signing) or
        "withdrawn" (by the signer): the one definition (docs/DEFINITIONS.md)."""
        if self.voided_at is None:
            return "in_force"
        return "withdrawn" if self.void_reason.startswith(self.WITHDRAWN_PREFIX) else "voided"

    @property
    def state_label(self) -> str:
        return {"in_force": "In force", "voided": "Voided", "withdrawn": "Withdrawn"}[self.state]


class TokenScope(models.TextChoices):
    """What a personal API token may do. ``read`` is always included."""

    READ = "read", "Read"
    WRITE = "write", "Change data"
    SIGN = "sign", "Sign joint decisions"
    SECURITY = "security", "Manage security (people, roles, two-factor settings)"


def default_token_scopes() -> list[str]:
    return [TokenScope.READ.value]


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored; the secret is shown once.

    A token carries scopes (read-only unless its owner chose more) and always
    expires (``API_TOKEN_DEFAULT_DAYS`` unless its owner chose otherwise)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. 'SIEM KPI push'.")
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=default_token_scopes)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return "cnc_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKOUT = "lockout", "Locked out after failed attempts"
    UNLOCK = "unlock", "Unlocked by an admin"
    MFA_ENROLLED = "mfa_enrolled", "Two-factor authentication set up"
    MFA_REMOVED = "mfa_removed", "Two-factor authentication removed"
    MFA_FAILED = "mfa_failed", "Wrong two-factor code"
    RECOVERY_CODES = "recovery_codes", "New recovery codes generated"
    RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
    MEMBER_ADDED = "member_added", "Person added"
    MEMBER_REMOVED = "member_removed", "Person removed"
    ROLE_CHANGED = "role_changed", "Role changed"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    TOKEN_FAILED = "token_failed", "Invalid API token used"
    EXPORT = "export", "Data exported"
    SETTINGS_CHANGED = "settings_changed", "Security settings changed"
    MEMBER_INVITED = "member_invited", "Person invited"
    INVITATION_DECLINED = "invitation_declined", "Invitation declined"
    INVITATION_CANCELLED = "invitation_cancelled", "Invitation cancelled"
    ORG_CREATED = "org_created", "Organization created"
    ORG_ARCHIVED = "org_archived", "Organization archived"
    ORG_RESTORED = "org_restored", "Organization restored"
    ORG_DELETION_REQUESTED = "org_deletion_requested", "Deletion of the organization asked"
    ORG_DELETION_CONFIRMED = "org_deletion_confirmed", "Deletion of the organization confirmed"
    ORG_DELETION_CANCELLED = "org_deletion_cancelled", "Deletion of the organization cancelled"
    ORG_DELETED = "org_deleted", "Organization deleted"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
        )

    def for_email(self, email: str):
        return self.filter(email__iexact=(email or "").strip())


class Invitation(models.Model):
    """An invitation to join an organization with a role. The membership is
    created only when the invited person accepts; until then the inviter sees a
    pending invitation, whether or not the address already has an account.
    Only a hash of the e-mailed token is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=20, choices=Role.choices)
    full_name = models.CharField(max_length=150, blank=True, help_text="Suggested name for a new account.")
    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                name="invitation_one_open_per_address",
                condition=models.Q(
                    accepted_at__isnull=True, declined_at__isnull=True, cancelled_at__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization} as {self.get_role_display()}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_pending(self) -> bool:
        return (
            not (self.accepted_at or self.declined_at or self.cancelled_at)
            and self.expires_at > timezone.now()
        )


class AppendOnlyQuerySet(models.QuerySet):
    """Security events are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("Security events cannot be changed.")

    def delete(self):
        raise PermissionError("Security events cannot be deleted.")


class SecurityEvent(models.Model):
    """One security-relevant event. Append-only: never updated, never deleted.

    ``organization`` is set for events inside one organization (role change,
    export); person-level events (sign-in, MFA, tokens) have none and show in
    every organization the person belongs to. E-mails are copied so that the
    record stays readable if the person is later removed.
    """

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=SecurityEventKind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True, help_text="Who acted (or the e-mail tried).")
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject_email = models.CharField(max_length=254, blank=True, help_text="The person the event is about.")
    detail = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="secevent_org_time"),
            models.Index(fields=["actor", "created_at"], name="secevent_actor_time"),
            models.Index(fields=["subject", "created_at"], name="secevent_subject_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.actor_email or 'unknown'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Security events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Security events cannot be deleted.")


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Preparing"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """A heavy PDF or spreadsheet prepared by the background worker for one
    person. The row is the durable hand-off: it is written in the request's
    transaction, sent to the worker after commit, and sent again by a periodic
    task while it stays queued (see core/exports.py)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=60, help_text="Which export, as registered in core.exports.")
    title = models.CharField(max_length=200)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    step = models.CharField(max_length=120, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=255)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "dispatched_at"], name="exportjob_status_dispatched")]
        constraints = [
            models.CheckConstraint(name="exportjob_progress_0_100", condition=models.Q(progress__lte=100)),
        ]

    def __str__(self):
        return self.title

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)


from .models_notifications import (  # noqa: E402,F401  (notifications)
    ChatChannel,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationProfile,
)
from .models_outbox import Heartbeat, OutboxJob  # noqa: E402,F401  (durable background work)
