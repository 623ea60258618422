"""Budget services: workflow, voiding on change, read-only after approval,
options and risk links, copying last year."""

from decimal import Decimal as D

import pytest

from budgets import selectors, services
from budgets.models import BudgetItem, ItemOption, ItemRiskLink, Proposal, ProposalStatus
from core.errors import ConflictError, DomainError, NotAllowed
from core.models import SignOff
from core.selectors import is_jointly_approved, signoff_status

from .factories import ItemFactory, OptionFactory, ProposalFactory, make_link, make_mitigation, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(org):
    return ProposalFactory(organization=org, fiscal_year=2027)


def _item(actor, proposal, **kw):
    data = dict(
        title="EDR rollout",
        domain="security",
        category="software",
        kind="opex",
        amount=D("120000"),
        priority="must",
        justification="Ransomware.",
    )
    data.update(kw)
    return services.item_create(actor=actor, proposal=proposal, **data)


def _to_review(people, proposal):
    _item(people["cio"], proposal)
    return services.proposal_start_review(actor=people["cio"], proposal=proposal)


def _sign_both(people, proposal):
    services.proposal_sign(actor=people["cio"], proposal=proposal)
    services.proposal_sign(actor=people["ciso"], proposal=proposal)


def test_create_proposal_unique_per_year_and_default_title(people, org):
    p = services.proposal_create(actor=people["cio"], organization=org, fiscal_year=2027)
    assert p.status == ProposalStatus.DRAFT and p.title == "Technology and security budget FY2027"
    with pytest.raises(DomainError) as exc:
        services.proposal_create(actor=people["ciso"], organization=org, fiscal_year=2027)
    assert exc.value.field == "fiscal_year"


def test_board_and_contributor_cannot_write(people, org, proposal):
    for role in ("board", "contributor", "admin"):
        with pytest.raises(NotAllowed):
            services.proposal_create(actor=people[role], organization=org, fiscal_year=2030)
        with pytest.raises(NotAllowed):
            _item(people[role], proposal)


def test_full_workflow_draft_review_submit_approve(people, proposal):
    with pytest.raises(DomainError, match="at least one item"):
        services.proposal_start_review(actor=people["cio"], proposal=proposal)
    proposal = _to_review(people, proposal)
    assert proposal.status == ProposalStatus.JOINT_REVIEW
    with pytest.raises(DomainError, match="Both the CIO and the CISO"):
        services.proposal_submit(actor=people["cio"], proposal=proposal)
    _sign_both(people, proposal)
    assert is_jointly_approved(proposal, "submission")
    proposal = services.proposal_submit(actor=people["ciso"], proposal=proposal)
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.submitted_by == people["ciso"]
    # The signatures stay valid as the record of what was submitted.
    assert signoff_status(proposal, "submission").approved
    proposal = services.proposal_approve(actor=people["cio"], proposal=proposal, note="Go.")
    assert proposal.status == ProposalStatus.APPROVED and proposal.decision_note == "Go."


def test_cannot_sign_outside_review_or_for_the_other_role(people, proposal):
    with pytest.raises(DomainError, match="joint review"):
        services.proposal_sign(actor=people["cio"], proposal=proposal)
    proposal = _to_review(people, proposal)
    with pytest.raises(NotAllowed):
        services.proposal_sign(actor=people["board"], proposal=proposal)
    services.proposal_sign(actor=people["cio"], proposal=proposal)
    with pytest.raises(DomainError, match="already signed"):
        services.proposal_sign(actor=people["cio"], proposal=proposal)


@pytest.mark.parametrize("change", ["item_update", "item_create", "item_delete", "option", "link"])
def test_any_change_after_signing_voids_signoffs(people, org, proposal, change):
    proposal = _to_review(people, proposal)
    item = proposal.items.get()
    _sign_both(people, proposal)
    assert is_jointly_approved(proposal, "submission")
    version = Proposal.objects.get(pk=proposal.pk).version
    if change == "item_update":
        services.item_update(
            actor=people["ciso"], item=item, expected_version=item.version, amount=D("130000")
        )
    elif change == "item_create":
        _item(people["ciso"], proposal, title="Second")
    elif change == "item_delete":
        services.item_delete(actor=people["ciso"], item=item)
    elif change == "option":
        services.option_create(
            actor=people["ciso"], item=item, name="Fast", cost=D("1"), timeline_weeks=2, security_score=2
        )
    else:
        risk = make_risk(org, people["ciso"])
        services.link_create(actor=people["ciso"], item=item, risk=risk, loss_after=D("1000"))
    proposal.refresh_from_db()
    assert proposal.version == version + 1
    assert not is_jointly_approved(proposal, "submission")
    assert SignOff.objects.filter(voided_at__isnull=True).count() == 0
    with pytest.raises(DomainError):
        services.proposal_submit(actor=people["cio"], proposal=proposal)


def test_back_to_draft_voids_signoffs(people, proposal):
    proposal = _to_review(people, proposal)
    services.proposal_sign(actor=people["cio"], proposal=proposal)
    proposal = services.proposal_back_to_draft(actor=people["cio"], proposal=proposal)
    assert proposal.status == ProposalStatus.DRAFT
    assert signoff_status(proposal, "submission").signed_count == 0


def _approved(people, proposal):
    proposal = _to_review(people, proposal)
    _sign_both(people, proposal)
    proposal = services.proposal_submit(actor=people["cio"], proposal=proposal)
    return services.proposal_approve(actor=people["ciso"], proposal=proposal)


def test_approved_proposal_is_read_only(people, org, proposal):
    proposal = _approved(people, proposal)
    item = proposal.items.get()
    attempts = [
        lambda: services.proposal_update(
            actor=people["cio"], proposal=proposal, expected_version=None, title="X"
        ),
        lambda: _item(people["cio"], proposal),
        lambda: services.item_update(actor=people["cio"], item=item, expected_version=None, title="X"),
        lambda: services.item_delete(actor=people["cio"], item=item),
        lambda: services.option_create(
            actor=people["cio"], item=item, name="A", cost=D("1"), timeline_weeks=1, security_score=1
        ),
        lambda: services.link_create(
            actor=people["cio"], item=item, risk=make_risk(org, people["cio"]), loss_after=D("0")
        ),
        lambda: services.proposal_back_to_draft(actor=people["cio"], proposal=proposal),
        lambda: services.proposal_return(actor=people["cio"], proposal=proposal, reason="x"),
        lambda: services.proposal_delete(actor=people["cio"], proposal=proposal),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError):
            attempt()
    with pytest.raises(DomainError, match="approved by the board and is read-only"):
        _item(people["cio"], proposal)
    assert BudgetItem.objects.get(pk=item.pk).title == "EDR rollout"


def test_return_needs_reason_then_reopen(people, proposal):
    proposal = _to_review(people, proposal)
    _sign_both(people, proposal)
    proposal = services.proposal_submit(actor=people["cio"], proposal=proposal)
    with pytest.raises(DomainError) as exc:
        services.proposal_return(actor=people["cio"], proposal=proposal, reason="  ")
    assert exc.value.field == "reason"
    with pytest.raises(NotAllowed):
        services.proposal_return(actor=people["board"], proposal=proposal, reason="No")
    proposal = services.proposal_return(actor=people["ciso"], proposal=proposal, reason="Cut cloud by 10%.")
    assert proposal.status == ProposalStatus.RETURNED and proposal.decision_note == "Cut cloud by 10%."
    with pytest.raises(DomainError, match="Reopen"):
        _item(people["cio"], proposal)
    proposal = services.proposal_reopen(actor=people["cio"], proposal=proposal)
    assert proposal.status == ProposalStatus.DRAFT
    assert signoff_status(proposal, "submission").signed_count == 0


def test_stale_item_update_is_refused(people, proposal):
    item = _item(people["cio"], proposal)
    services.item_update(actor=people["ciso"], item=item, expected_version=item.version, title="Renamed")
    with pytest.raises(ConflictError):
        services.item_update(actor=people["cio"], item=item, expected_version=item.version, title="Mine")


def test_item_validation_names_the_field(people, proposal):
    with pytest.raises(DomainError) as exc:
        _item(people["cio"], proposal, amount=D("-1"))
    assert exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:
        _item(people["cio"], proposal, domain="marketing")
    assert exc.value.field == "domain"
    assert not BudgetItem.objects.exists()


def test_options_exactly_one_chosen_and_amount_follows(people, proposal):
    item = _item(people["cio"], proposal, amount=D("50000"))
    fast = services.option_create(
        actor=people["cio"], item=item, name="Fastest", cost=D("90000"), timeline_weeks=4, security_score=3
    )
    assert fast.is_chosen
    item.refresh_from_db()
    assert item.amount == D("90000")
    secure = services.option_create(
        actor=people["cio"],
        item=item,
        name="Most secure",
        cost=D("150000"),
        timeline_weeks=20,
        security_score=5,
    )
    assert not secure.is_chosen
    services.option_choose(actor=people["ciso"], option=secure)
    item.refresh_from_db()
    assert item.amount == D("150000")
    assert list(ItemOption.objects.filter(item=item, is_chosen=True)) == [secure]
    secure.refresh_from_db()
    services.option_update(
        actor=people["cio"], option=secure, expected_version=secure.version, cost=D("140000")
    )
    item.refresh_from_db()
    assert item.amount == D("140000")
    with pytest.raises(DomainError, match="follows the chosen option"):
        services.item_update(actor=people["cio"], item=item, expected_version=None, amount=D("1"))
    with pytest.raises(DomainError, match="chosen option"):
        services.option_delete(actor=people["cio"], option=secure)
    services.option_delete(actor=people["cio"], option=fast)
    assert ItemOption.objects.filter(item=item).count() == 1


def test_risk_link_defaults_to_expected_annual_loss_and_validates(people, org, proposal):
    item = _item(people["cio"], proposal)
    risk = make_risk(org, people["cio"], eal="400000")
    link = services.link_create(actor=people["cio"], item=item, risk=risk, loss_after=D("100000"))
    assert link.loss_before == D("400000") and link.loss_avoided == D("300000.00")
    with pytest.raises(DomainError) as exc:
        services.link_create(actor=people["cio"], item=item, risk=risk, loss_after=D("1"))
    assert exc.value.field == "risk"
    unquantified = make_risk(org, people["cio"], number=2, eal=None)
    with pytest.raises(DomainError) as exc:
        services.link_create(actor=people["cio"], item=item, risk=unquantified, loss_after=D("1"))
    assert exc.value.field == "loss_before"
    with pytest.raises(DomainError) as exc:
        services.link_create(
            actor=people["cio"], item=item, risk=unquantified, loss_before=D("10"), loss_after=D("20")
        )
    assert exc.value.field == "loss_after"


def test_links_and_mitigations_of_another_org_are_refused(people, org, other_org, proposal):
    item = _item(people["cio"], proposal)
    foreign = make_risk(other_org, people["outsider"])
    with pytest.raises(DomainError):
        services.link_create(actor=people["cio"], item=item, risk=foreign, loss_after=D("0"))
    mitigation = make_mitigation(foreign, people["outsider"])
    with pytest.raises(DomainError) as exc:
        services.item_update(actor=people["cio"], item=item, expected_version=None, mitigation=mitigation)
    assert exc.value.field == "mitigation"


def test_copy_of_last_year(people, org):
    last = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.APPROVED)
    item = ItemFactory(proposal=last, amount=D("70000"))
    OptionFactory(item=item, cost=D("70000"), is_chosen=True)
    OptionFactory(item=item, cost=D("90000"))
    make_link(item, make_risk(org, people["cio"]))
    ItemFactory(proposal=last, domain="it")
    with pytest.raises(DomainError) as exc:
        services.proposal_create(actor=people["cio"], organization=org, fiscal_year=2029, copy_previous=True)
    assert exc.value.field == "copy_previous"
    new = services.proposal_create(
        actor=people["cio"], organization=org, fiscal_year=2027, copy_previous=True
    )
    assert new.copied_from == last and new.status == ProposalStatus.DRAFT
    assert new.items.count() == 2
    copied = new.items.get(title=item.title)
    assert copied.amount == D("70000")
    assert copied.options.count() == 2 and copied.options.get(is_chosen=True).cost == D("70000")
    assert ItemRiskLink.objects.filter(item=copied).count() == 1
    assert last.items.count() == 2  # the original is untouched


def test_summary_and_dashboard_selectors(people, org, django_assert_max_num_queries):
    last = ProposalFactory(organization=org, fiscal_year=2026, status=ProposalStatus.APPROVED)
    ItemFactory(proposal=last, amount=D("800"), domain="it")
    current = ProposalFactory(organization=org, fiscal_year=2027, status=ProposalStatus.JOINT_REVIEW)
    ItemFactory(proposal=current, amount=D("600"), domain="it")
    linked = ItemFactory(proposal=current, amount=D("300"), domain="security", kind="capex")
    ItemFactory(proposal=current, amount=D("100"), domain="joint", priority="must")
    ItemFactory(proposal=current, amount=D("0"), domain="security", priority="must")
    make_link(linked, make_risk(org, people["cio"]), before="500", after="0")
    services.proposal_sign(actor=people["cio"], proposal=current)

    with django_assert_max_num_queries(3):  # proposal, both years' totals, sign-offs
        glance = selectors.budget_at_a_glance(org)
    assert glance.proposal == current and glance.status == "joint_review"
    assert glance.total == D("1000.00") and glance.by_domain["security"] == D("300.00")
    assert glance.security_share == D("0.4000")
    assert glance.cost_avoidance == D("500.00")
    assert glance.portfolio_rosi == D("4.0000")  # (500 − 100) / 100, CapEx over 3 years
    assert glance.change.delta == D("200.00") and glance.change.ratio == D("0.2500")
    assert glance.signatures.cio is not None and glance.signatures.ciso is None
    assert glance.unfunded_musts == 1

    with django_assert_max_num_queries(2):
        linkage = selectors.budget_risk_linkage(org)
    assert linkage.security_total == D("400.00") and linkage.linked_total == D("300.00")
    assert linkage.ratio == D("0.7500")

    with django_assert_max_num_queries(2):
        assert selectors.proposals_waiting_for(org, "ciso") == [current]
    assert selectors.proposals_waiting_for(org, "cio") == []


def test_dashboard_selectors_without_any_proposal(org):
    assert selectors.budget_at_a_glance(org).proposal is None
    assert selectors.budget_risk_linkage(org).ratio is None
    assert selectors.proposals_waiting_for(org, "cio") == []


def test_a_risk_a_budget_item_depends_on_cannot_be_deleted(people, org, proposal):
    from risks import services as risk_services
    from risks.models import Risk

    risk = make_risk(org, people["cio"])
    make_link(ItemFactory(proposal=proposal), risk)
    with pytest.raises(DomainError, match="cannot be deleted: 1 .*Close the risk instead") as error:
        risk_services.risk_delete(actor=people["cio"], risk=risk)
    assert error.value.code == "protected"
    assert Risk.objects.filter(pk=risk.pk).exists() and ItemRiskLink.objects.filter(risk=risk).count() == 1
    ItemRiskLink.objects.filter(risk=risk).delete()
    risk_services.risk_delete(actor=people["cio"], risk=risk)  # nothing depends on it any more
    assert not Risk.objects.filter(pk=risk.pk).exists()


def test_a_proposal_names_its_fiscal_year_once(org):
    assert (
        str(ProposalFactory.build(organization=org, fiscal_year=2027))
        == "Technology and security budget FY2027"
    )
    named = ProposalFactory.build(organization=org, fiscal_year=2027, title="Run and protect")
    assert str(named) == "FY2027 Run and protect"
