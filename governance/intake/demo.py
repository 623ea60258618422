"""Demo intake queue: about 25 requests in every state, some past their SLA.

Rows are written directly (with history) rather than through the services,
because demo data needs back-dated clocks and must not send e-mails; the tier
still comes from the same pure function and decisions carry real sign-offs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import SignOff
from core.roles import Role
from core.services import record_creation, signoff_sign

from . import rules as intake_rules
from .models import (
    CommentKind,
    IntakeComment,
    IntakeCondition,
    IntakeOption,
    IntakePause,
    IntakeRequest,
    IntakeStatus,
)
from .services import DECISION_PURPOSE, intake_settings_get, intake_sla_refresh

# title, sponsor, cost, (classification, personal data, internet, third party, auth, criticality),
# status, calendar days since filing, decided after (days) or None
DEMO_REQUESTS = (
    (
        "Patient portal self-scheduling",
        "Chief Operating Officer",
        180000,
        ("confidential", "sensitive", True, True, True, "high"),
        "in_review",
        19,
        None,
    ),
    (
        "Telehealth video visits",
        "Chief Medical Officer",
        240000,
        ("restricted", "sensitive", True, True, False, "critical"),
        "in_review",
        9,
        None,
    ),
    (
        "Radiology PACS cloud migration",
        "Head of Radiology",
        410000,
        ("restricted", "sensitive", False, True, False, "critical"),
        "needs_info",
        12,
        None,
    ),
    (
        "Staff scheduling SaaS",
        "HR Director",
        45000,
        ("internal", "basic", True, True, True, "medium"),
        "in_review",
        6,
        None,
    ),
    (
        "Expense management app",
        "CFO",
        30000,
        ("confidential", "basic", True, True, False, "low"),
        "submitted",
        1,
        None,
    ),
    (
        "Marketing website redesign",
        "Marketing Director",
        60000,
        ("public", "none", True, True, False, "low"),
        "submitted",
        9,
        None,
    ),
    (
        "Warehouse barcode scanners",
        "Supply Chain Lead",
        25000,
        ("internal", "none", False, True, False, "medium"),
        "in_review",
        11,
        None,
    ),
    (
        "Data warehouse on Snowflake",
        "Chief Data Officer",
        320000,
        ("confidential", "sensitive", False, True, False, "high"),
        "in_review",
        4,
        None,
    ),
    (
        "Single sign-on for clinical apps",
        "CIO office",
        90000,
        ("confidential", "basic", True, False, True, "high"),
        "needs_info",
        8,
        None,
    ),
    (
        "Contract lifecycle management",
        "General Counsel",
        70000,
        ("confidential", "basic", True, True, False, "medium"),
        "in_review",
        2,
        None,
    ),
    (
        "Lab results API for partners",
        "Head of Laboratory",
        120000,
        ("restricted", "sensitive", True, True, True, "critical"),
        "submitted",
        0,
        None,
    ),
    (
        "Visitor Wi-Fi upgrade",
        "Facilities Manager",
        15000,
        ("public", "none", True, False, False, "low"),
        "needs_info",
        3,
        None,
    ),
    (
        "Chatbot for appointment questions",
        "Patient Experience Lead",
        55000,
        ("internal", "basic", True, True, False, "medium"),
        "needs_info",
        15,
        None,
    ),
    (
        "Board portal",
        "Company Secretary",
        20000,
        ("confidential", "basic", True, True, True, "medium"),
        "approved",
        40,
        3,
    ),
    (
        "Printer fleet replacement",
        "IT Operations Manager",
        80000,
        ("internal", "none", False, True, False, "low"),
        "approved",
        30,
        1,
    ),
    (
        "E-signature for consent forms",
        "Chief Nursing Officer",
        35000,
        ("confidential", "sensitive", True, True, False, "high"),
        "approved_with_conditions",
        55,
        9,
    ),
    (
        "Mobile device management rollout",
        "CISO office",
        65000,
        ("internal", "basic", False, True, True, "medium"),
        "approved",
        25,
        4,
    ),
    (
        "Supplier invoice OCR",
        "Finance Operations",
        28000,
        ("confidential", "basic", False, True, False, "medium"),
        "approved_with_conditions",
        35,
        6,
    ),
    (
        "Clinical trial data sharing",
        "Research Director",
        150000,
        ("restricted", "sensitive", True, True, False, "high"),
        "approved_with_conditions",
        70,
        14,
    ),
    (
        "Shadow IT file sharing tool",
        "Sales Director",
        8000,
        ("confidential", "basic", True, True, False, "medium"),
        "rejected",
        45,
        5,
    ),
    (
        "Personal cloud backups for doctors",
        "Medical Staff Council",
        12000,
        ("restricted", "sensitive", True, True, False, "medium"),
        "rejected",
        20,
        2,
    ),
    (
        "Legacy VPN extension",
        "IT Operations Manager",
        40000,
        ("internal", "basic", True, False, True, "high"),
        "rejected",
        60,
        12,
    ),
    (
        "Pharmacy inventory analytics",
        "Chief Pharmacist",
        48000,
        ("internal", "none", False, True, False, "medium"),
        "approved",
        15,
        2,
    ),
    (
        "Call recording for the contact centre",
        "Patient Experience Lead",
        52000,
        ("confidential", "sensitive", False, True, False, "medium"),
        "approved_with_conditions",
        28,
        7,
    ),
    (
        "Kiosk check-in in outpatient clinics",
        "Chief Operating Officer",
        95000,
        ("confidential", "basic", False, True, True, "high"),
        "in_review",
        13,
        None,
    ),
)

OPTIONS = (
    (
        "Buy SaaS with single sign-on",
        Decimal("0.9"),
        "8 weeks",
        4,
        "Fast; vendor runs it; SSO and audit logs included.",
        "Data leaves our network; yearly cost.",
    ),
    (
        "Build on our platform",
        Decimal("1.3"),
        "5 months",
        5,
        "Full control of data and access.",
        "Slow; needs two developers.",
    ),
    ("Extend the current system", Decimal("0.5"), "6 weeks", 2, "Cheapest.", "Old authentication; no MFA."),
)


def _triage(answers):
    classification, personal, internet, third, auth, criticality = answers
    return dict(
        data_classification=classification,
        personal_data=personal,
        internet_facing=internet,
        third_party=third,
        changes_authentication=auth,
        business_criticality=criticality,
    )


def _create(organization, requester, index, spec, settings, now) -> IntakeRequest:
    title, sponsor, cost, answers, status, age, decided_after = spec
    triage = _triage(answers)
    tier = intake_rules.tier_for(**triage).tier
    submitted = now - timedelta(days=age, hours=3 + index % 5)
    request = IntakeRequest(
        organization=organization,
        reference=f"IR-{index:03d}",
        title=title,
        sponsor=sponsor,
        description=f"{title}: what we plan to buy or build, who uses it, and which systems it connects to.",
        business_value="Saves staff time and improves the patient experience; part of this year's plan.",
        estimated_cost=Decimal(cost),
        target_date=(now + timedelta(days=60 + index * 7)).date(),
        requester=requester,
        tier=tier,
        sla_days=settings.sla_for(tier),
        status=IntakeStatus.SUBMITTED,
        submitted_at=submitted,
        **triage,
    )
    record_creation(request, actor=requester)
    return request


def _review_trail(request, status, reviewer, now, decided_after):
    start = request.submitted_at
    if status == IntakeStatus.SUBMITTED:
        return
    request.first_response_at = start + timedelta(hours=20)
    if status == IntakeStatus.NEEDS_INFO:
        asked = max(start + timedelta(days=1), now - timedelta(days=2))
        IntakeComment.objects.create(
            organization=request.organization,
            request=request,
            author=reviewer,
            kind=CommentKind.INFO_REQUEST,
            body="Which data leaves our network, and does the vendor hold a SOC 2 report?",
        )
        IntakePause.objects.create(organization=request.organization, request=request, started_at=asked)
    if decided_after is not None:
        request.decided_at = start + timedelta(days=decided_after, hours=2)


def _add_options_and_conditions(request, reviewer):
    for title, factor, timeline, score, pros, cons in OPTIONS[: 2 + request.pk % 2]:
        IntakeOption.objects.create(
            organization=request.organization,
            request=request,
            title=title,
            cost=(request.estimated_cost or Decimal(0)) * factor,
            timeline=timeline,
            security_score=score,
            pros=pros,
            cons=cons,
            recommended=score == 4,
            created_by=reviewer,
        )
    for text in ("Single sign-on with MFA before go-live", "Vendor signs our data processing agreement"):
        IntakeCondition.objects.create(
            organization=request.organization,
            request=request,
            text=text,
            due_date=request.submitted_at.date() + timedelta(days=60),
            created_by=reviewer,
        )


def _decide(request, status, cio, ciso):
    request.proposed_decision = status
    request.decision_rationale = {
        IntakeStatus.APPROVED: "Low residual risk and a clear business case.",
        IntakeStatus.APPROVED_WITH_CONDITIONS: "Worth doing, provided the conditions below are met before go-live.",
        IntakeStatus.REJECTED: "The data it would hold is too sensitive for this vendor; use the approved "
        "platform instead.",
    }[status]
    request.status = status
    request.save()
    for actor in (cio, ciso):
        signoff = signoff_sign(actor=actor, subject=request, purpose=DECISION_PURPOSE, comment="Agreed.")
        SignOff.objects.filter(pk=signoff.pk).update(signed_at=request.decided_at)
    IntakeComment.objects.create(
        organization=request.organization,
        request=request,
        author=ciso,
        kind=CommentKind.STATUS,
        body=f"In review → {request.get_status_display()} (joint decision of the CIO and the CISO)",
    )


def seed_intake(organization, people) -> None:
    if IntakeRequest.objects.filter(organization=organization).exists():
        return
    cio, ciso, contributor = people[Role.CIO], people[Role.CISO], people[Role.CONTRIBUTOR]
    settings = intake_settings_get(organization=organization)
    now = timezone.now()
    for index, spec in enumerate(DEMO_REQUESTS, start=1):
        requester = cio if index % 6 == 0 else contributor
        request = _create(organization, requester, index, spec, settings, now)
        status, decided_after = spec[4], spec[6]
        reviewer = ciso if index % 2 else cio
        request._history_user = reviewer  # the review steps below are the reviewer's
        _review_trail(request, status, reviewer, now, decided_after)
        if status != IntakeStatus.SUBMITTED:
            _add_options_and_conditions(request, reviewer)
        if status in (IntakeStatus.APPROVED, IntakeStatus.APPROVED_WITH_CONDITIONS, IntakeStatus.REJECTED):
            _decide(request, status, cio, ciso)
            continue
        request.status = status
        if status == IntakeStatus.IN_REVIEW and index % 4 == 0:
            request.proposed_decision = IntakeStatus.APPROVED_WITH_CONDITIONS
            request.decision_rationale = "Approve once single sign-on is in place."
            request.save()
            signoff_sign(actor=cio, subject=request, purpose=DECISION_PURPOSE, comment="Good to go with SSO.")
        request.save()
    # The trails above were written directly: store every request's SLA moments as the services would.
    intake_sla_refresh(
        organization=organization, requests=IntakeRequest.objects.filter(organization=organization)
    )
