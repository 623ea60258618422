"""The risk register's notifications (see core.notifications.catalogue):
acceptances expiring in 30, 7 and 1 days or expired, overdue mitigations and
reviews (a daily sweep), and the dates of the personal calendar feed."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from core.notifications.catalogue import CalendarItem, register_calendar, register_event, register_sweep
from core.notifications.services import members_with, notify
from core.roles import Perm

from .models import Mitigation, MitigationStatus, Risk, RiskStatus

EXPIRY_WARNINGS = (30, 7, 1)
OPEN_STATUSES = (
    RiskStatus.IDENTIFIED,
    RiskStatus.ASSESSED,
    RiskStatus.TREATMENT_PLANNED,
    RiskStatus.IN_TREATMENT,
    RiskStatus.ACCEPTED,
)
OPEN_MITIGATIONS = (MitigationStatus.PLANNED, MitigationStatus.IN_PROGRESS)


def _day(value) -> str:
    """6 Dec 2026 (no leading zero)."""
    return f"{value.day} {value:%b %Y}"


register_event("risk.acceptance_expiring", category="acceptances", label="A risk acceptance expires soon")
register_event("risk.acceptance_expired", category="acceptances", label="A risk acceptance expired")
register_event("risk.mitigation_overdue", category="overdue", label="A mitigation is overdue")
register_event("risk.review_overdue", category="overdue", label="A risk review is overdue")


def _link(risk: Risk) -> str:
    return reverse("risks:detail", args=[risk.organization.slug, risk.pk])


def _people(risk: Risk, *extra):
    # notify() keeps only those who may see the risk.
    return [*members_with(risk.organization, Perm.RISK_VIEW), risk.owner, *[u for u in extra if u]]


@register_sweep
def risk_sweep(*, today: date) -> None:
    accepted = Risk.objects.filter(status=RiskStatus.ACCEPTED, acceptance_expires_on__isnull=False)
    for risk in accepted.select_related("organization", "owner"):
        days = (risk.acceptance_expires_on - today).days
        if days in EXPIRY_WARNINGS:
            notify(
                event="risk.acceptance_expiring",
                organization=risk.organization,
                recipients=_people(risk),
                subject=risk,
                title=f"The acceptance of “{risk}” expires in {days} day{'s' if days != 1 else ''}",
                body=f"It expires on {_day(risk.acceptance_expires_on)}: renew it jointly or treat the risk.",
                link=_link(risk),
                key=f"acceptance-expiring:{risk.pk}:{risk.acceptance_expires_on}:{days}",
            )
        elif days <= 0:
            notify(
                event="risk.acceptance_expired",
                organization=risk.organization,
                recipients=_people(risk),
                subject=risk,
                title=f"The acceptance of “{risk}” expired",
                body=f"It expired on {_day(risk.acceptance_expires_on)}.",
                link=_link(risk),
                key=f"acceptance-expired:{risk.pk}:{risk.acceptance_expires_on}",
            )
    overdue_reviews = Risk.objects.filter(status__in=OPEN_STATUSES, next_review_date__lt=today)
    for risk in overdue_reviews.select_related("organization", "owner"):
        notify(
            event="risk.review_overdue",
            organization=risk.organization,
            recipients=_people(risk),
            subject=risk,
            title=f"The review of “{risk}” is overdue",
            body=f"It was due on {_day(risk.next_review_date)}.",
            link=_link(risk),
            key=f"review-overdue:{risk.pk}:{risk.next_review_date}",
        )
    overdue = Mitigation.objects.filter(status__in=OPEN_MITIGATIONS, due_date__lt=today)
    for mitigation in overdue.select_related("risk__organization", "risk__owner", "owner"):
        risk = mitigation.risk
        notify(
            event="risk.mitigation_overdue",
            organization=risk.organization,
            recipients=_people(risk, mitigation.owner),
            subject=risk,
            title=f"Mitigation “{mitigation}” of “{risk}” is overdue",
            body=f"It was due on {_day(mitigation.due_date)}.",
            link=_link(risk),
            key=f"mitigation-overdue:{mitigation.pk}:{mitigation.due_date}",
        )


@register_calendar
def risk_dates(*, user, organization):
    risks = Risk.objects.visible_to(user).filter(organization=organization).select_related("organization")
    for risk in risks.filter(status__in=OPEN_STATUSES):
        if risk.next_review_date:
            yield CalendarItem(
                f"risk-review-{risk.pk}", risk.next_review_date, f"Review: {risk}", _link(risk)
            )
        if risk.status == RiskStatus.ACCEPTED and risk.acceptance_expires_on:
            yield CalendarItem(
                f"risk-acceptance-{risk.pk}",
                risk.acceptance_expires_on,
                f"Acceptance expires: {risk}",
                _link(risk),
            )
    mitigations = Mitigation.objects.filter(
        risk__in=risks, status__in=OPEN_MITIGATIONS, due_date__isnull=False
    ).select_related("risk__organization")
    for mitigation in mitigations:
        yield CalendarItem(
            f"mitigation-{mitigation.pk}",
            mitigation.due_date,
            f"Mitigation due: {mitigation} ({mitigation.risk})",
            _link(mitigation.risk),
        )
