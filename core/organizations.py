"""The life of an organization: create (from a template), archive and restore,
delete (asked by an admin, confirmed by the CIO or CISO, carried out after a
grace period). Every step is a security event."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from . import org_templates
from .audit import record_event
from .currencies import CURRENCY_MESSAGE, is_currency
from .errors import DomainError, NotAllowed
from .models import Membership, Organization, SecurityEventKind, User
from .org_templates import Template
from .permissions import (
    forget_memberships,
    has_perm,
    may_create_organization,
    membership_has,
    memberships_of,
)
from .roles import Perm, Role
from .validation import text_problem

FOUNDER_ROLES = (Role.ADMIN, Role.CIO, Role.CISO)
# A new organization's settings when none are given (and nothing is copied).
DEFAULT_SETTINGS = {"currency": "USD", "fiscal_year_start_month": 1, "time_zone": "UTC", "risk_appetite": 9}
# Short names that collide with the app's own paths or read as the system's.
RESERVED_SLUGS = frozenset(
    {
        "admin", "api", "new", "portfolio", "static", "media", "o", "organizations", "compare",
        "accounts", "notifications", "settings", "help", "www", "login", "logout",
    }
)  # fmt: skip
LEADING_ROLES = (Role.CIO, Role.CISO)


def organizations_led_by(user) -> list[Organization]:
    """Organizations where ``user`` is the CIO or the CISO (those they may copy and compare)."""
    return sorted(
        (m.organization for m in memberships_of(user).values() if m.role in LEADING_ROLES),
        key=lambda o: o.name,
    )


def _first_error(exc: ValidationError) -> DomainError:
    field, errors = next(iter(exc.error_dict.items()))
    return DomainError(
        " ".join(m for e in errors for m in e.messages), field=None if field == "__all__" else field
    )


def _check_time_zone(value: str) -> str:
    value = (value or "").strip()
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            "Choose a time zone such as Europe/Paris or America/New_York.", field="time_zone"
        ) from None
    return value


@transaction.atomic
def organization_create(
    *,
    actor: User,
    name: str,
    slug: str,
    currency: str | None = None,
    fiscal_year_start_month: int | None = None,
    time_zone: str | None = None,
    risk_appetite: int | None = None,
    founder_role: str = Role.ADMIN,
    template: str = Template.EMPTY,
    source: Organization | None = None,
    request=None,
) -> Organization:
    """Create an organization; ``actor`` administers it and, as the one bootstrap
    exception to "nobody gives themselves a role", may be its CIO or CISO.

    Settings left blank (None or "") are the copied organization's with the
    "copy" template, else ``DEFAULT_SETTINGS``."""
    if not may_create_organization(actor):
        raise NotAllowed("On this Concord, only staff create organizations. Ask your Concord administrator.")
    if founder_role not in FOUNDER_ROLES:
        raise DomainError("Choose admin, CIO or CISO.", field="founder_role")
    if template not in Template.values:
        raise DomainError("Choose how the organization starts.", field="template")
    slug = (slug or "").strip().lower()
    if template == Template.COPY and source is not None:
        fallback = {field: getattr(source, field) for field in DEFAULT_SETTINGS}
    else:
        fallback = DEFAULT_SETTINGS
    given = {
        "currency": currency,
        "fiscal_year_start_month": fiscal_year_start_month,
        "time_zone": time_zone,
        "risk_appetite": risk_appetite,
    }
    chosen = {f: fallback[f] if v is None or v == "" else v for f, v in given.items()}
    currency, fiscal_year_start_month = chosen["currency"], chosen["fiscal_year_start_month"]
    time_zone, risk_appetite = chosen["time_zone"], chosen["risk_appetite"]
    problem = text_problem(name, one_line=True)
    if problem:
        raise DomainError(f"The name {problem}", field="name")
    if slug in RESERVED_SLUGS:
        raise DomainError(
            f"The short name “{slug}” is reserved by Concord (it is part of its own links). Choose another.",
            field="slug",
        )
    if not is_currency(currency):
        raise DomainError(CURRENCY_MESSAGE, field="currency")
    if Organization.objects.filter(slug=slug).exists():
        raise DomainError(f"The short name “{slug}” is taken. Choose another.", field="slug")
    if template == Template.COPY:
        if source is None or source not in organizations_led_by(actor):
            raise DomainError("Choose an organization where you are the CIO or the CISO.", field="source")
    organization = Organization(
        name=(name or "").strip(),
        slug=slug,
        currency=(currency or "").strip().upper(),
        fiscal_year_start_month=fiscal_year_start_month,
        time_zone=_check_time_zone(time_zone),
        risk_appetite=risk_appetite,
    )
    if template == Template.COPY:
        for field in ("medium_from", "high_from", "critical_from", "report_schedule", "mfa_required_roles"):
            setattr(organization, field, getattr(source, field))
    try:
        organization.full_clean()
    except ValidationError as exc:
        raise _first_error(exc) from None
    organization._history_user = actor
    organization.save()
    founder = Membership(
        user=actor, organization=organization, role=founder_role, is_admin=founder_role != Role.ADMIN
    )
    founder._history_user = actor
    founder.save()
    forget_memberships(actor)
    started = apply_template(organization, template=template, source=source)
    as_what = "its admin" + (f" and its {Role(founder_role).label}" if founder_role != Role.ADMIN else "")
    record_event(
        SecurityEventKind.ORG_CREATED,
        actor=actor,
        organization=organization,
        subject=actor,
        request=request,
        detail=f"Created by {actor.email}, who became {as_what}"
        + (" (the founder's one exception: nobody else gives themselves a role)" if founder.is_admin else "")
        + f". {started}",
    )
    return organization


def apply_template(organization: Organization, *, template: str, source: Organization | None) -> str:
    if template == Template.EMPTY:
        return "Started empty."
    done = []
    for library in org_templates.libraries():
        if template == Template.STARTER:
            library.starter(organization=organization)
        else:
            library.copy(source=source, organization=organization)
        done.append(library.label)
    if template == Template.STARTER:
        return "Started from the starter libraries: " + (", ".join(done) or "none") + "."
    return (
        f"Started as a copy of the settings and libraries of {source.name}: "
        + (", ".join(done) or "settings only")
        + "."
    )


# ---------------------------------------------------------------- archive ----


def _require_admin(actor: User, organization: Organization, what: str) -> None:
    if not has_perm(actor, organization, Perm.MEMBERS_MANAGE):
        raise NotAllowed(f"Only an admin of {organization.name} can {what}.")


def _locked(organization: Organization) -> Organization:
    return Organization.objects.select_for_update().get(pk=organization.pk)


def _save(organization: Organization, actor: User, reason: str) -> None:
    organization.version += 1
    organization._history_user = actor
    organization._change_reason = reason
    organization.save()


@transaction.atomic
def organization_archive(*, actor: User, organization: Organization, request=None) -> Organization:
    """Read-only for everyone and hidden from the switcher, until restored."""
    _require_admin(actor, organization, "archive it")
    org = _locked(organization)
    if org.archived_at is not None:
        raise DomainError(f"{org.name} is already archived.")
    org.archived_at = timezone.now()
    _save(org, actor, "Archived")
    record_event(SecurityEventKind.ORG_ARCHIVED, actor=actor, organization=org, request=request)
    return org


@transaction.atomic
def organization_restore(*, actor: User, organization: Organization, request=None) -> Organization:
    _require_admin(actor, organization, "restore it")
    org = _locked(organization)
    if org.archived_at is None:
        raise DomainError(f"{org.name} is not archived.")
    if org.deletion_requested_at is not None:
        raise DomainError("Its deletion is under way: cancel the deletion first.")
    org.archived_at = None
    _save(org, actor, "Restored")
    record_event(SecurityEventKind.ORG_RESTORED, actor=actor, organization=org, request=request)
    return org


# ---------------------------------------------------------------- delete -----


@transaction.atomic
def organization_deletion_request(*, actor: User, organization: Organization, request=None) -> Organization:
    """The admin asks; the organization is archived (read-only) from now on."""
    _require_admin(actor, organization, "ask for its deletion")
    org = _locked(organization)
    if org.deletion_requested_at is not None:
        raise DomainError("Its deletion has already been asked.")
    now = timezone.now()
    org.archived_at = org.archived_at or now
    org.deletion_requested_at, org.deletion_requested_by = now, actor
    _save(org, actor, "Deletion asked")
    record_event(
        SecurityEventKind.ORG_DELETION_REQUESTED,
        actor=actor,
        organization=org,
        request=request,
        detail="Archived until the CIO or the CISO confirms; removed after the grace period.",
    )
    _tell_deletion(org, actor, "requested")
    return org


@transaction.atomic
def organization_deletion_confirm(*, actor: User, organization: Organization, request=None) -> Organization:
    """The CIO or the CISO confirms (not the person who asked): the deletion is
    carried out once the grace period has passed."""
    membership = memberships_of(actor).get(organization.slug)
    if membership is None or membership.role not in LEADING_ROLES:
        raise NotAllowed("Only the CIO or the CISO confirms the deletion of an organization.")
    org = _locked(organization)
    if org.deletion_requested_at is None:
        raise DomainError("Nobody has asked for its deletion.")
    if org.deletion_confirmed_at is not None:
        raise DomainError("Its deletion is already confirmed.")
    if org.deletion_requested_by_id == actor.pk:
        raise NotAllowed("You asked for the deletion: the other executive confirms it.")
    now = timezone.now()
    org.deletion_confirmed_at, org.deletion_confirmed_by = now, actor
    org.deletion_due_at = now + timedelta(days=settings.CONCORD_ORG_DELETION_GRACE_DAYS)
    _save(org, actor, "Deletion confirmed")
    record_event(
        SecurityEventKind.ORG_DELETION_CONFIRMED,
        actor=actor,
        organization=org,
        request=request,
        detail=f"Confirmed as {Role(membership.role).label}; everything is removed on "
        f"{date_format(timezone.localtime(org.deletion_due_at), 'j M Y')}.",
    )
    _tell_deletion(org, actor, "confirmed")
    return org


@transaction.atomic
def organization_deletion_cancel(*, actor: User, organization: Organization, request=None) -> Organization:
    """The admin, the CIO or the CISO stops the deletion; it stays archived."""
    membership = memberships_of(actor).get(organization.slug)
    if membership is None or not (
        membership.role in LEADING_ROLES or has_perm(actor, organization, Perm.MEMBERS_MANAGE)
    ):
        raise NotAllowed("Only an admin, the CIO or the CISO can cancel the deletion.")
    org = _locked(organization)
    if org.deletion_requested_at is None:
        raise DomainError("No deletion is under way.")
    org.deletion_requested_at = org.deletion_requested_by = None
    org.deletion_confirmed_at = org.deletion_confirmed_by = org.deletion_due_at = None
    _save(org, actor, "Deletion cancelled")
    record_event(SecurityEventKind.ORG_DELETION_CANCELLED, actor=actor, organization=org, request=request)
    _tell_deletion(org, actor, "cancelled")
    return org


def _tell_deletion(organization: Organization, actor: User, step: str) -> None:
    from .notifications import core_events

    core_events.organization_deletion(organization=organization, actor=actor, step=step)


def organizations_due_for_deletion(now=None):
    now = now or timezone.now()
    return Organization.objects.filter(deletion_confirmed_at__isnull=False, deletion_due_at__lte=now)


def organization_purge_due(*, now=None) -> list[str]:
    """Carry out every confirmed deletion whose grace period has passed
    (the periodic task and ``manage.py purge_organizations``). Returns the names removed."""
    from .purge import purge_organization

    removed = []
    for org in organizations_due_for_deletion(now):
        name, slug = org.name, org.slug
        asked, confirmed = org.deletion_requested_by, org.deletion_confirmed_by
        with transaction.atomic():
            counts = purge_organization(org)
            record_event(
                SecurityEventKind.ORG_DELETED,
                actor=confirmed,
                detail=f"{name} ({slug}) and its {sum(counts.values())} records were removed, "
                f"asked by {asked.email if asked else 'a former admin'} and confirmed by "
                f"{confirmed.email if confirmed else 'a former executive'}.",
            )
        removed.append(name)
    return removed


# ---------------------------------------------------------------- archived ---


def archived_organizations(user) -> list[dict]:
    """The archived organizations ``user`` belongs to, by name: where each stands
    (archived, deletion asked, deletion confirmed and when it is removed) and, for
    those who may act on it, the archive-or-delete page. No query beyond the
    person's memberships."""
    rows = []
    for membership in memberships_of(user).values():
        org = membership.organization
        if org.archived_at is None:
            continue
        if org.deletion_due_at:
            state = f"Deletion confirmed: removed on {date_format(timezone.localtime(org.deletion_due_at), 'j M Y')}"
        elif org.deletion_requested_at:
            state = "Deletion asked: waiting for the CIO or the CISO to confirm"
        elif membership.is_admin or membership.role == Role.ADMIN:
            state = "Archived: an admin can restore it"
        else:
            state = "Archived: ask an admin to restore it"
        manages = membership_has(membership.role, membership.is_admin, Perm.ORG_SETTINGS)
        rows.append(
            {
                "name": org.name,
                "slug": org.slug,
                "role_label": Role(membership.role).label + (" and admin" if membership.is_admin else ""),
                "archived_on": timezone.localtime(org.archived_at),
                "state": state,
                "deletion_requested": org.deletion_requested_at is not None,
                "url": reverse("core:org_home", args=[org.slug]),
                "settings_url": reverse("core:org_lifecycle", args=[org.slug]) if manages else "",
            }
        )
    return sorted(rows, key=lambda r: r["name"].lower())
