"""Scale data for governance: the RACI matrix, the intake queue and the
published alignment reports (whose snapshot is built by the real service,
once per organization, from the data seeded before it)."""

from __future__ import annotations

import copy
from datetime import timedelta

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import SignOff

from .base import Ctx, OrgPeople, bulk

PARTY_KINDS = (
    "cio",
    "ciso",
    "it_operations",
    "security_operations",
    "development",
    "enterprise_architecture",
    "legal_privacy",
    "risk_compliance",
    "business_owner",
)
VERBS = (
    "Approve",
    "Review",
    "Operate",
    "Monitor",
    "Test",
    "Document",
    "Patch",
    "Restore",
    "Classify",
    "Audit",
)
OBJECTS = (
    "firewall rules",
    "access rights",
    "backups",
    "vendor contracts",
    "incident playbooks",
    "change requests",
    "encryption keys",
    "asset inventory",
    "DR plan",
    "security policy",
)


def available() -> bool:
    try:
        for name in (
            "RaciMatrix",
            "RaciParty",
            "RaciActivity",
            "RaciAssignment",
            "IntakeRequest",
            "IntakeSettings",
            "AlignmentReport",
        ):
            apps.get_model("governance", name)
    except LookupError:
        return False
    return True


def seed(ctx: Ctx, people: OrgPeople, *, activities: int, parties: int, intake: int, reports: int) -> dict:
    counts = _raci(ctx, people, activities, parties)
    counts.update(_intake(ctx, people, intake))
    counts.update(_reports(ctx, people, reports))
    return counts


# ------------------------------------------------------------------ RACI ----


def _raci(ctx: Ctx, people: OrgPeople, n_activities: int, n_parties: int) -> dict:
    from governance.models import (
        CSF_CATEGORIES,
        ProcessArea,
        RaciActivity,
        RaciAssignment,
        RaciMatrix,
        RaciParty,
    )

    rng, org = ctx.rng, people.org
    RaciMatrix.objects.create(organization=org)
    parties = bulk(
        RaciParty,
        (
            RaciParty(
                organization=org,
                name=f"{kind.replace('_', ' ').title()} {i + 1}" if i >= 2 else kind.upper(),
                kind=kind,
                position=i,
            )
            for i, kind in enumerate(
                [*PARTY_KINDS[:2], *(rng.choice(PARTY_KINDS[2:]) for _ in range(n_parties - 2))]
            )
        ),
    )
    csf = [code for code, _label in CSF_CATEGORIES]
    activities = bulk(
        RaciActivity,
        (
            RaciActivity(
                organization=org,
                name=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} #{i + 1}",
                process_area=rng.choice(ProcessArea.values),
                csf_category=rng.choice(csf),
                position=i,
            )
            for i in range(n_activities)
        ),
    )
    cells = []
    for activity in activities:
        order = rng.sample(parties, len(parties))
        # One A and two Rs (one activity in ten has a gap), a few C, the rest I.
        letters = ["A", "R", "R", "C", "C", "C", "C"] if rng.random() > 0.1 else ["R", "C"]
        for party, letter in zip(order, letters + ["I"] * len(order), strict=False):
            cells.append(RaciAssignment(organization=org, activity=activity, party=party, letter=letter))
    bulk(RaciAssignment, cells)
    return {"raci_parties": len(parties), "raci_activities": len(activities), "raci_cells": len(cells)}


# ---------------------------------------------------------------- intake ----


def _intake(ctx: Ctx, people: OrgPeople, count: int) -> dict:
    """Requests in every state. Their stored SLA moments are computed as the
    services compute them; a request waiting for information has its running
    pause (asked on the first response)."""
    from governance.intake import rules as intake_rules
    from governance.intake.services import apply_sla_moments, request_sla_moments
    from governance.models import IntakePause, IntakeRequest, IntakeSettings, IntakeStatus

    rng, org, now = ctx.rng, people.org, timezone.now()
    sla = IntakeSettings.objects.create(organization=org)
    requesters = people.by_role["contributor"] or people.owners
    statuses = (
        IntakeStatus.SUBMITTED,
        IntakeStatus.IN_REVIEW,
        IntakeStatus.NEEDS_INFO,
        IntakeStatus.APPROVED,
        IntakeStatus.APPROVED_WITH_CONDITIONS,
        IntakeStatus.REJECTED,
    )
    rows = []
    for i in range(count):
        answers = {
            "data_classification": rng.choice(("public", "internal", "confidential", "restricted")),
            "personal_data": rng.choice(("none", "basic", "sensitive")),
            "internet_facing": rng.random() < 0.4,
            "third_party": rng.random() < 0.5,
            "changes_authentication": rng.random() < 0.2,
            "business_criticality": rng.choice(("low", "medium", "high", "critical")),
        }
        tier = intake_rules.tier_for(**answers).tier
        status = rng.choices(statuses, weights=(15, 15, 5, 40, 10, 15))[0]
        submitted = now - timedelta(days=rng.randint(1, 720), hours=rng.randint(0, 23))
        decided = status in (
            IntakeStatus.APPROVED,
            IntakeStatus.APPROVED_WITH_CONDITIONS,
            IntakeStatus.REJECTED,
        )
        first_response = submitted + timedelta(days=1) if status != IntakeStatus.SUBMITTED else None
        request = IntakeRequest(
            organization=org,
            reference=f"IR-{i + 1:03d}",
            title=f"Project {i + 1}: {rng.choice(OBJECTS)} platform",
            description="A new platform for the business unit.",
            business_value="Faster service for customers.",
            sponsor="Chief Operating Officer",
            requester=rng.choice(requesters),
            tier=tier,
            sla_days=sla.sla_for(tier),
            status=status,
            submitted_at=submitted,
            first_response_at=first_response,
            proposed_decision=status if decided else "",
            decision_rationale="Fits the architecture; risks are understood." if decided else "",
            decided_at=min(submitted + timedelta(days=rng.randint(2, 15)), now) if decided else None,
            **answers,
        )
        pauses = [(first_response, None)] if status == IntakeStatus.NEEDS_INFO else []
        apply_sla_moments(
            request, request_sla_moments(request, at_risk_percent=sla.at_risk_percent, pauses=pauses, now=now)
        )
        rows.append(request)
    created = bulk(IntakeRequest, rows)
    bulk(
        IntakePause,
        (
            IntakePause(organization=org, request=r, started_at=r.first_response_at)
            for r in created
            if r.status == IntakeStatus.NEEDS_INFO
        ),
    )
    _decision_signoffs(people, [r for r in created if r.decided_at], now)
    return {"intake_requests": len(created)}


def _decision_signoffs(people: OrgPeople, decided: list, now) -> None:
    """A decided request carries both executives' approval of its version (as intake_sign requires)."""
    from governance.intake.services import DECISION_PURPOSE

    if not decided:
        return
    ct = ContentType.objects.get_for_model(decided[0])
    pairs = (("cio", people.one("cio")), ("ciso", people.one("ciso")))
    bulk(
        SignOff,
        (
            SignOff(
                organization_id=r.organization_id,
                content_type=ct,
                object_id=r.pk,
                purpose=DECISION_PURPOSE,
                subject_version=r.version,
                role=role,
                signer=who,
                decision="approve",
                signed_at=now,
            )
            for r in decided
            for role, who in pairs
        ),
    )


# --------------------------------------------------------------- reports ----


def _periods(ctx: Ctx, count: int) -> list[tuple]:
    """The ``count`` quarters before the current one, oldest first."""
    from governance.alignment.services import last_closed_period
    from kpis import status as periods

    start, _end, _label = last_closed_period("quarterly", ctx.today)
    out = []
    for back in range(count):
        s = periods.shift_period(start, "quarterly", -back)
        out.append((s, periods.period_end(s, "quarterly"), periods.period_label(s, "quarterly")))
    return list(reversed(out))


def _reports(ctx: Ctx, people: OrgPeople, count: int) -> dict:
    from governance.alignment.services import build_snapshot
    from governance.models import AlignmentReport, BuildStatus, ReportStatus

    org, now, cio = people.org, timezone.now(), people.one("cio")
    rows = [
        AlignmentReport(
            organization=org,
            period_start=s,
            period_end=e,
            period_label=label,
            status=ReportStatus.PUBLISHED,
            build_status=BuildStatus.READY,
            build_progress=100,
            build_step="Ready",
            generated_by=cio,
            generated_at=now,
            published_by=cio,
            published_at=now,
        )
        for s, e, label in _periods(ctx, count)
    ]
    created = bulk(AlignmentReport, rows)
    # One real snapshot from the seeded data, then each report gets its own
    # period, a score and the trend of the reports before it.
    base = build_snapshot(created[-1])
    trend = []
    for i, report in enumerate(created):
        score = max(0, min(100, (base["alignment"].get("score") or 60) - 2 * (len(created) - 1 - i)))
        point = {"label": report.period_label, "period_end": report.period_end.isoformat(), "score": score}
        snap = copy.deepcopy(base)
        snap["period"] = {
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
            "label": report.period_label,
        }
        snap["trend"] = [*trend[-7:], {**point, "current": True}]
        snap["alignment"]["score"] = score
        report.snapshot, report.score = snap, score
        trend.append(point)
    AlignmentReport.objects.bulk_update(created, ["snapshot", "score"], batch_size=50)
    return {"published_reports": len(created)}
