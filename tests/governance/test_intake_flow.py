"""Intake end to end: filing, triage, information request with a paused clock,
options and conditions, the joint decision and the e-mails along the way."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError, NotAllowed
from core.models import SignOff
from governance.intake import services
from governance.intake.selectors import intake_overview, intake_waiting_for, request_clock
from governance.models import CommentKind, IntakeComment, IntakePause, IntakeRequest, IntakeStatus

from .factories_intake import filing_values, make_request


def detail(org, pk, name="intake_detail"):
    return reverse(f"governance:{name}", args=[org.slug, pk])


def test_intake_flow_end_to_end(client_as, org, people, django_capture_on_commit_callbacks):
    contributor = client_as("contributor")
    form = {
        **filing_values(
            data_classification="confidential",
            personal_data="basic",
            internet_facing="True",
            third_party="True",
            changes_authentication="False",
            business_criticality="high",
        ),
        "target_date": "2027-03-01",
        "estimated_cost": "120000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = contributor.post(reverse("governance:intake_create", args=[org.slug]), form)
    request = IntakeRequest.objects.get(organization=org)
    assert response.status_code == 302 and response["Location"] == detail(org, request.pk)
    assert (request.reference, request.tier, request.sla_days, request.requester) == (
        "IR-001",
        "high",
        10,
        people["contributor"],
    )
    # One e-mail per person (core.notifications): the requester's receipt, each reviewer's notice.
    assert sorted(m.to for m in mail.outbox) == [
        ["cio@acme.test"],
        ["ciso@acme.test"],
        ["contributor@acme.test"],
    ]
    mail.outbox.clear()

    cio, ciso = client_as("cio"), client_as("ciso")
    with django_capture_on_commit_callbacks(execute=True):
        cio.post(detail(org, request.pk, "intake_start_review"))
    request.refresh_from_db()
    assert request.status == IntakeStatus.IN_REVIEW and request.first_response_at is not None
    assert mail.outbox[-1].to == ["contributor@acme.test"] and "In review" in mail.outbox[-1].subject

    with django_capture_on_commit_callbacks(execute=True):
        ciso.post(detail(org, request.pk, "intake_request_info"), {"question": "Which SSO provider?"})
    request.refresh_from_db()
    assert request.status == IntakeStatus.NEEDS_INFO
    assert IntakePause.objects.filter(request=request, ended_at__isnull=True).count() == 1
    assert "Which SSO provider?" in mail.outbox[-1].body
    assert request_clock(request, services.intake_settings_get(organization=org)).paused

    with django_capture_on_commit_callbacks(execute=True):
        contributor.post(detail(org, request.pk, "intake_comment"), {"body": "Our Entra ID tenant."})
    request.refresh_from_db()
    assert request.status == IntakeStatus.IN_REVIEW
    assert IntakeComment.objects.filter(request=request, kind=CommentKind.ANSWER).count() == 1
    assert not IntakePause.objects.filter(request=request, ended_at__isnull=True).exists()
    assert {tuple(m.to) for m in mail.outbox[-3:]} == {
        ("contributor@acme.test",),
        ("cio@acme.test",),
        ("ciso@acme.test",),
    }

    cio.post(
        detail(org, request.pk, "intake_option_add"),
        {
            "title": "SaaS with SSO",
            "security_score": "4",
            "cost": "90000",
            "timeline": "8 weeks",
            "recommended": "on",
        },
    )
    cio.post(detail(org, request.pk, "intake_condition_add"), {"text": "Pen test before go-live"})
    assert request.options.count() == 1 and request.conditions.count() == 1

    cio.post(
        detail(org, request.pk, "intake_propose"),
        {"decision": "approved_with_conditions", "rationale": "Good value once tested."},
    )
    request.refresh_from_db()
    assert request.proposed_decision == "approved_with_conditions"
    assert intake_waiting_for(org, "cio", user=None) == [request] and intake_waiting_for(
        org, "ciso", user=None
    ) == [request]

    mail.outbox.clear()
    cio.post(detail(org, request.pk, "intake_sign"), {"decision": "approve"})
    request.refresh_from_db()
    assert request.status == IntakeStatus.IN_REVIEW and intake_waiting_for(org, "cio", user=None) == []
    with django_capture_on_commit_callbacks(execute=True):
        ciso.post(detail(org, request.pk, "intake_sign"), {"decision": "approve", "comment": "OK"})
    request.refresh_from_db()
    assert request.status == IntakeStatus.APPROVED_WITH_CONDITIONS and request.decided_at is not None
    to_requester = [m for m in mail.outbox if m.to == ["contributor@acme.test"]]
    assert len(to_requester) == 1 and "Pen test before go-live" in to_requester[0].body
    # The executives are told the joint decision is taken (core.notifications), nobody else.
    assert sorted(m.to for m in mail.outbox if m not in to_requester) == [
        ["cio@acme.test"],
        ["ciso@acme.test"],
    ]
    # The sign-offs name the version that holds the proposal.
    assert set(
        SignOff.objects.filter(purpose="intake_decision").values_list("subject_version", flat=True)
    ) == {request.version}
    assert intake_waiting_for(org, "ciso", user=None) == []
    page = contributor.get(detail(org, request.pk)).content.decode()
    assert "Approved with conditions" in page and "Pen test before go-live" in page


def test_new_proposal_voids_earlier_signoffs(org, people):
    request = make_request(org, people["contributor"], status=IntakeStatus.IN_REVIEW)
    services.intake_propose_decision(
        actor=people["cio"], request=request, decision="approved", rationale="Fine"
    )
    services.intake_sign(actor=people["cio"], request=request)
    services.intake_propose_decision(
        actor=people["ciso"], request=request, decision="rejected", rationale="Too risky"
    )
    request.refresh_from_db()
    services.intake_sign(actor=people["ciso"], request=request, decision="approve")
    request.refresh_from_db()
    assert request.status == IntakeStatus.IN_REVIEW  # the CIO's sign-off was for the old proposal
    services.intake_sign(actor=people["cio"], request=request)
    request.refresh_from_db()
    assert request.status == IntakeStatus.REJECTED


def test_a_rejected_signoff_blocks_the_decision(org, people):
    request = make_request(org, people["contributor"], status=IntakeStatus.IN_REVIEW)
    services.intake_propose_decision(
        actor=people["cio"], request=request, decision="approved", rationale="Fine"
    )
    services.intake_sign(actor=people["cio"], request=request)
    services.intake_sign(actor=people["ciso"], request=request, decision="reject", comment="Needs a pen test")
    request.refresh_from_db()
    assert request.status == IntakeStatus.IN_REVIEW and request.decided_at is None


def test_signing_needs_a_proposal(org, people):
    request = make_request(org, people["contributor"])
    with pytest.raises(DomainError, match="Propose a decision first"):
        services.intake_sign(actor=people["cio"], request=request)


def test_approval_with_conditions_needs_a_condition(org, people):
    request = make_request(org, people["contributor"])
    with pytest.raises(DomainError) as error:
        services.intake_propose_decision(
            actor=people["cio"], request=request, decision="approved_with_conditions", rationale="x"
        )
    assert error.value.field == "decision"


def test_contributor_cannot_review(org, people):
    request = make_request(org, people["contributor"])
    with pytest.raises(NotAllowed):
        services.intake_start_review(actor=people["contributor"], request=request)
    with pytest.raises(NotAllowed):
        services.intake_option_add(actor=people["contributor"], request=request, title="x", security_score=3)


@pytest.mark.parametrize(
    "action,data",
    [
        ("intake_start_review", {}),
        ("intake_request_info", {"question": "?"}),
        ("intake_propose", {"decision": "approved", "rationale": "x"}),
        ("intake_sign", {"decision": "approve"}),
        ("intake_condition_add", {"text": "x"}),
    ],
)
def test_contributor_gets_403_on_reviewer_actions(client_as, org, people, action, data):
    request = make_request(org, people["contributor"])
    assert client_as("contributor").post(detail(org, request.pk, action), data).status_code == 403


def test_decided_request_is_read_only(org, people):
    request = make_request(
        org, people["contributor"], status=IntakeStatus.APPROVED, decided_at=timezone.now()
    )
    with pytest.raises(DomainError, match="already decided"):
        services.intake_request_information(actor=people["cio"], request=request, question="?")
    with pytest.raises(DomainError, match="already decided"):
        services.intake_request_update(
            actor=people["contributor"], request=request, expected_version=None, **filing_values()
        )


def test_editing_the_answers_recomputes_the_tier(client_as, org, people):
    request = services.intake_request_create(actor=people["contributor"], organization=org, **filing_values())
    assert request.tier == "low"
    form = {
        **filing_values(
            personal_data="sensitive",
            internet_facing="False",
            third_party="False",
            changes_authentication="False",
        ),
        "version": request.version,
        "target_date": "",
        "estimated_cost": "",
    }
    response = client_as("contributor").post(detail(org, request.pk, "intake_edit"), form)
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.tier, request.sla_days) == ("high", 10)


def test_form_errors_name_the_field(client_as, org):
    response = client_as("contributor").post(
        reverse("governance:intake_create", args=[org.slug]), {"title": "", "estimated_cost": "-5"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"title", "sponsor", "estimated_cost", "data_classification", "internet_facing"} <= set(
        form.errors
    )
    assert not IntakeRequest.objects.exists()


def test_references_increase(org, people):
    first = services.intake_request_create(actor=people["contributor"], organization=org, **filing_values())
    second = services.intake_request_create(actor=people["cio"], organization=org, **filing_values())
    assert (first.reference, second.reference) == ("IR-001", "IR-002")


def test_sla_settings_apply_to_new_requests(client_as, org, people):
    settings = services.intake_settings_get(organization=org)
    response = client_as("ciso").post(
        reverse("governance:intake_settings", args=[org.slug]),
        {
            "sla_low_days": 3,
            "sla_medium_days": 6,
            "sla_high_days": 12,
            "at_risk_percent": 80,
            "version": settings.version,
        },
    )
    assert response.status_code == 302
    request = services.intake_request_create(actor=people["contributor"], organization=org, **filing_values())
    assert request.sla_days == 3
    response = client_as("ciso").post(
        reverse("governance:intake_settings", args=[org.slug]),
        {
            "sla_low_days": 9,
            "sla_medium_days": 6,
            "sla_high_days": 12,
            "at_risk_percent": 80,
            "version": settings.version + 1,
        },
    )
    assert response.status_code == 200 and "must not shrink" in response.content.decode()


def test_breach_task_flags_once_and_emails_reviewers(org, people, django_capture_on_commit_callbacks):
    from governance.intake.tasks import intake_flag_breaches

    long_ago = timezone.now() - timedelta(days=30)
    late = make_request(org, people["contributor"], title="Late", sla_days=2, submitted_at=long_ago)
    make_request(org, people["contributor"], title="Fresh", sla_days=10)
    make_request(
        org,
        people["contributor"],
        title="Decided",
        sla_days=2,
        submitted_at=long_ago,
        status=IntakeStatus.REJECTED,
        decided_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert intake_flag_breaches.delay().get() == 1
    late.refresh_from_db()
    assert late.breach_notified_at is not None
    assert sorted(m.to for m in mail.outbox) == [["cio@acme.test"], ["ciso@acme.test"]]  # one each
    assert all("Late" in m.body and "Fresh" not in m.body for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.intake_flag_breaches() == 0
    assert len(mail.outbox) == 2


def test_paused_request_does_not_breach(org, people):
    long_ago = timezone.now() - timedelta(days=30)
    make_request(
        org,
        people["contributor"],
        sla_days=2,
        submitted_at=long_ago,
        status=IntakeStatus.NEEDS_INFO,
        pauses=((long_ago + timedelta(minutes=1), None),),
    )
    assert services.intake_flag_breaches() == 0


def test_queue_summary(org, people, django_assert_max_num_queries):
    now = timezone.now()
    make_request(org, people["contributor"], tier="high", sla_days=2, submitted_at=now - timedelta(days=30))
    make_request(org, people["contributor"], tier="low", status=IntakeStatus.NEEDS_INFO)
    for days in (1, 3, 20):
        make_request(
            org,
            people["contributor"],
            status=IntakeStatus.APPROVED,
            sla_days=5,
            submitted_at=now - timedelta(days=days + 30),
            decided_at=now - timedelta(days=30),
        )
    make_request(
        org,
        people["contributor"],
        status=IntakeStatus.REJECTED,
        submitted_at=now - timedelta(days=260),
        decided_at=now - timedelta(days=200),
    )  # outside the six months
    services.intake_settings_get(organization=org)
    with django_assert_max_num_queries(3):  # the threshold, one aggregate, the median's middle rows
        summary = intake_overview(organization=org, user=None)
    assert summary["open"] == 2 and summary["breached"] == 1
    assert summary["open_by_status"]["needs_info"] == 1 and summary["open_by_tier"]["high"] == 1
    assert summary["decided"] == 3 and summary["decided_on_time"] == 2
    assert summary["median_days_to_decision"] is not None and 1 <= summary["median_days_to_decision"] <= 3
    assert summary["decided_on_time_share"] == pytest.approx(2 / 3)


def test_create_linked_risk_from_a_decided_request(client_as, org, people):
    from risks.models import Risk

    request = make_request(
        org, people["contributor"], status=IntakeStatus.APPROVED_WITH_CONDITIONS, decided_at=timezone.now()
    )
    response = client_as("cio").post(
        detail(org, request.pk, "intake_create_risk"),
        {
            "title": "Vendor holds patient data",
            "impact_statement": "A breach at the vendor exposes records.",
            "category": "third_party",
            "origin": "joint",
            "owner": people["ciso"].pk,
        },
    )
    assert response.status_code == 302
    risk = Risk.objects.get(organization=org, title="Vendor holds patient data")
    link = request.risk_links.get()
    assert (link.risk_id, link.risk_reference) == (risk.pk, risk.reference)
    assert risk.reference in client_as("cio").get(detail(org, request.pk)).content.decode()
    # The requester does not read the register: the linked risk is not shown to them (issue 16).
    html = client_as("contributor").get(detail(org, request.pk)).content.decode()
    assert risk.reference not in html and risk.title not in html


def test_risk_cannot_be_raised_from_an_open_request(org, people):
    request = make_request(org, people["contributor"])
    with pytest.raises(DomainError, match="once it is decided"):
        services.intake_create_risk(
            actor=people["cio"],
            request=request,
            title="x",
            impact_statement="y",
            category="third_party",
            origin="joint",
            owner=people["cio"],
        )
