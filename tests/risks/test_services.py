"""The register's write rules: references, lens ownership, agreement, joint
acceptance end to end (with expiry via the task), concurrency."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ConflictError, DomainError, NotAllowed
from core.models import SignOff
from core.roles import Role
from core.selectors import signoff_status
from risks import selectors, services, tasks
from risks.models import Assessment, Lens, Mitigation, Risk, RiskStatus
from tests.factories import member

from .factories import LOSS, assess, assessed_risk, make_risk, request_acceptance

pytestmark = pytest.mark.django_db


def test_references_are_sequential_per_organization_and_never_reused(org, other_org, people):
    cio = people[Role.CIO]
    first, second = make_risk(org, cio), make_risk(org, cio)
    assert (first.reference, second.reference) == ("R-001", "R-002")
    services.risk_delete(actor=cio, risk=second)
    assert make_risk(org, cio).reference == "R-003"
    assert make_risk(other_org, people["outsider"]).reference == "R-001"


def test_create_records_history_and_expected_annual_loss(org, cio):
    risk = make_risk(org, cio, **LOSS)
    assert risk.expected_annual_loss == Decimal("34166.67")
    assert risk.history.count() == 1 and risk.history.first().history_user == cio


def test_owner_must_be_a_member(org, other_org, people):
    with pytest.raises(DomainError) as exc:
        make_risk(org, people[Role.CIO], owner=people["outsider"])
    assert exc.value.field == "owner"
    assert not Risk.objects.exists()


def test_loss_estimate_is_all_or_nothing_and_ordered(org, cio):
    with pytest.raises(DomainError) as exc:
        make_risk(org, cio, loss_low=Decimal("1"))
    assert exc.value.field == "loss_most_likely"
    with pytest.raises(DomainError) as exc:
        make_risk(org, cio, **{**LOSS, "loss_high": Decimal("100")})
    assert exc.value.field == "loss_high"


@pytest.mark.parametrize("role", ["board", "contributor", "admin"])
def test_only_executives_edit_the_register(org, people, role):
    with pytest.raises(NotAllowed):
        make_risk(org, people[role])


def test_each_role_writes_only_its_own_lens(org, people):
    risk = make_risk(org, people[Role.CIO])
    cio_view = assess(risk, people[Role.CIO], 2, 3)
    assert cio_view.lens == Lens.CIO
    with pytest.raises(NotAllowed):
        services.assessment_record(
            actor=people[Role.CIO],
            risk=risk,
            lens="ciso",
            rationale="x",
            inherent_likelihood=5,
            inherent_impact=5,
            residual_likelihood=1,
            residual_impact=1,
        )
    with pytest.raises(NotAllowed):
        services.assessment_record(
            actor=people[Role.CISO],
            risk=risk,
            lens="cio",
            rationale="x",
            inherent_likelihood=5,
            inherent_impact=5,
            residual_likelihood=1,
            residual_impact=1,
        )
    for role in ("board", "contributor", "admin"):
        with pytest.raises(NotAllowed):
            assess(risk, people[role], 3, 3)
    assert Assessment.objects.get(risk=risk, lens=Lens.CIO).inherent_score == 6
    assert not Assessment.objects.filter(lens=Lens.CISO).exists()


def test_current_score_is_the_higher_lens_and_divergence_shows(org, people):
    risk = assessed_risk(org, people, cio=(2, 2), ciso=(4, 5))
    assert (risk.cio_score, risk.ciso_score, risk.inherent_score) == (4, 20, 20)
    assert risk.status == RiskStatus.ASSESSED
    row = selectors.risk_register(people[Role.CIO], org, {}).get(pk=risk.pk)
    assert row.divergence_levels == 3 and row.level_rank == 3 and row.is_above_appetite == 1


def test_assessment_validation_names_the_field(org, people):
    risk = make_risk(org, people[Role.CIO])
    with pytest.raises(DomainError) as exc:
        assess(risk, people[Role.CIO], 6, 3)
    assert exc.value.field == "inherent_likelihood"
    with pytest.raises(DomainError) as exc:
        assess(risk, people[Role.CIO], 2, 2, 3, 3)
    assert exc.value.field == "residual_impact"
    with pytest.raises(DomainError) as exc:
        assess(risk, people[Role.CIO], 2, 2, rationale="  ")
    assert exc.value.field == "rationale"


def test_agreement_is_proposed_by_one_and_confirmed_by_the_other(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = assessed_risk(org, people, cio=(2, 2), ciso=(4, 5))
    services.agreement_propose(
        actor=cio,
        risk=risk,
        rationale="Met on Monday.",
        inherent_likelihood=3,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=2,
    )
    risk.refresh_from_db()
    assert not risk.is_agreed and risk.inherent_score == 20
    with pytest.raises(NotAllowed):
        services.agreement_confirm(actor=cio, risk=risk)
    services.agreement_confirm(actor=ciso, risk=risk)
    risk.refresh_from_db()
    assert risk.is_agreed and risk.inherent_score == 12 and risk.residual_score == 4
    row = selectors.risk_register(cio, org, {}).get(pk=risk.pk)
    assert row.divergence_levels == 0
    # A lens changing its view reopens the agreement.
    assess(risk, ciso, 5, 5)
    risk.refresh_from_db()
    assert not risk.is_agreed and risk.inherent_score == 25
    assert not Assessment.objects.filter(risk=risk, lens=Lens.AGREED).exists()


def test_decline_needs_a_reason_from_the_other_lens(org, people):
    risk = assessed_risk(org, people, cio=(2, 2), ciso=(4, 5))
    services.agreement_propose(
        actor=people[Role.CIO],
        risk=risk,
        rationale="x",
        inherent_likelihood=3,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=2,
    )
    with pytest.raises(DomainError):
        services.agreement_decline(actor=people[Role.CISO], risk=risk)
    services.agreement_decline(actor=people[Role.CISO], risk=risk, reason="Impact is 5: patient safety.")
    assert not Assessment.objects.filter(risk=risk, lens=Lens.AGREED).exists()


def test_stale_version_is_refused(org, cio):
    risk = make_risk(org, cio)
    services.risk_update(actor=cio, risk=risk, expected_version=1, title="First save")
    with pytest.raises(ConflictError):
        services.risk_update(actor=cio, risk=risk, expected_version=1, title="Second save")
    risk.refresh_from_db()
    assert risk.title == "First save" and risk.version == 2


def test_acceptance_needs_risk_above_appetite_justification_and_future_expiry(org, people):
    cio = people[Role.CIO]
    low = assessed_risk(org, people, cio=(2, 2), ciso=(2, 2))
    with pytest.raises(DomainError, match="within"):
        request_acceptance(low, cio)
    high = assessed_risk(org, people)
    for kwargs, field in (
        ({"justification": " ", "expires_on": timezone.localdate() + timedelta(days=5)}, "justification"),
        ({"justification": "ok", "expires_on": None}, "expires_on"),
        ({"justification": "ok", "expires_on": timezone.localdate()}, "expires_on"),
        ({"justification": "ok", "expires_on": timezone.localdate() + timedelta(days=2000)}, "expires_on"),
    ):
        with pytest.raises(DomainError) as exc:
            services.acceptance_request(actor=cio, risk=high, **kwargs)
        assert exc.value.field == field


def test_joint_acceptance_end_to_end_with_expiry_by_the_task(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = assessed_risk(org, people)
    request_acceptance(risk, ciso, days=30)
    risk.refresh_from_db()
    services.acceptance_sign(actor=cio, risk=risk, comment="Fine until the upgrade.")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED
    assert [r.pk for r in selectors.acceptances_waiting_for(org, Role.CISO)] == [risk.pk]
    assert selectors.acceptances_waiting_for(org, Role.CIO) == []
    with pytest.raises(DomainError):  # the CIO cannot sign twice (nor as CISO)
        services.acceptance_sign(actor=cio, risk=risk)
    services.acceptance_sign(actor=ciso, risk=risk)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED and risk.accepted_at is not None
    assert signoff_status(risk, "acceptance").approved
    assert selectors.risk_summary(org)["accepted"] == 1
    # Not yet expired on its last day...
    assert services.acceptances_expire(today=risk.acceptance_expires_on) == 0
    # ...expired the day after, through the daily task.
    later = risk.acceptance_expires_on + timedelta(days=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.localdate", return_value=later):
        assert tasks.expire_acceptances.delay().get() == 1
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED and risk.acceptance_expires_on is None
    assert not signoff_status(risk, "acceptance").approved
    assert "expired" in risk.history.first().history_change_reason


def test_changing_the_risk_voids_pending_signoffs(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = assessed_risk(org, people)
    request_acceptance(risk, cio)
    risk.refresh_from_db()
    services.acceptance_sign(actor=cio, risk=risk)
    services.risk_update(actor=ciso, risk=risk, expected_version=risk.version, title="Renamed")
    assert SignOff.objects.get().voided_at is not None
    risk.refresh_from_db()
    assert signoff_status(risk, "acceptance").signed_count == 0


def test_editing_an_accepted_risk_ends_the_acceptance(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = assessed_risk(org, people)
    request_acceptance(risk, cio)
    risk.refresh_from_db()
    services.acceptance_sign(actor=cio, risk=risk)
    services.acceptance_sign(actor=ciso, risk=risk)
    risk.refresh_from_db()
    services.risk_update(actor=cio, risk=risk, expected_version=risk.version, title="Changed")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ASSESSED and risk.accepted_at is None


def test_a_rejection_keeps_the_risk_unaccepted(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = assessed_risk(org, people)
    request_acceptance(risk, cio)
    risk.refresh_from_db()
    services.acceptance_sign(actor=cio, risk=risk)
    services.acceptance_sign(actor=ciso, risk=risk, decision="reject", comment="Fix the backups first.")
    risk.refresh_from_db()
    assert risk.status != RiskStatus.ACCEPTED and signoff_status(risk, "acceptance").rejected


def test_mitigations_validate_owner_and_flag_overdue(org, people, other_org):
    cio = people[Role.CIO]
    risk = make_risk(org, cio)
    with pytest.raises(DomainError) as exc:
        services.mitigation_create(actor=cio, risk=risk, title="EDR", owner=people["outsider"])
    assert exc.value.field == "owner"
    late = services.mitigation_create(
        actor=cio,
        risk=risk,
        title="EDR rollout",
        owner=people[Role.CISO],
        due_date=timezone.localdate() - timedelta(days=1),
        cost=Decimal("12000"),
    )
    assert late.is_overdue()
    done = services.mitigation_update(
        actor=cio, mitigation=late, expected_version=late.version, status="done"
    )
    assert not done.is_overdue() and done.completed_on == timezone.localdate()
    assert Mitigation.objects.get().history.count() == 2


def test_needs_my_assessment(org, people):
    cio, ciso = people[Role.CIO], people[Role.CISO]
    risk = make_risk(org, cio)
    assess(risk, cio, 3, 3)
    assert list(selectors.risks_needing_assessment(cio, org)) == []
    assert list(selectors.risks_needing_assessment(ciso, org)) == [risk]
    assert list(selectors.risks_needing_assessment(people["board"], org)) == []


def test_new_member_can_own(org, people):
    newcomer = member(org, Role.CONTRIBUTOR)
    assert make_risk(org, people[Role.CIO], owner=newcomer).owner == newcomer
