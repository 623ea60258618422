"""Every service that locks rows (``select_for_update`` / ``lock_for_update``)
runs on PostgreSQL outside any wrapping transaction, as a page, an API call or
a task calls it. A service that forgot ``@transaction.atomic`` fails here:
PostgreSQL refuses a row lock outside a transaction, where SQLite and a test
wrapped in a transaction would hide it.

The list of locking services is found by reading the service modules, so a new
locking service without a case here fails ``test_every_locking_service_has_a_case``.
"""

from __future__ import annotations

import ast
import pathlib
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from budgets import services as budgets
from core import exports, invitations, joint, outbox
from core import services as core
from core.concurrency import lock_for_update
from core.errors import ConflictError
from core.models import Membership, SignOff
from core.roles import Role
from governance.alignment import services as reports
from governance.intake import services as intake
from governance.models import IntakeStatus
from governance.raci import services as raci
from kpis import services as kpis
from risks import services as risks
from risks.models import Risk
from tests.budgets.factories import ProposalFactory
from tests.budgets.factories import make_risk as make_risk_with_loss
from tests.factories import OrganizationFactory, member
from tests.governance.factories_intake import filing_values, make_request
from tests.kpis.factories import KPIFactory
from tests.risks.factories import assessed_risk, make_risk, request_acceptance

from .joint_subjects import SUBJECTS

SERVICE_MODULES = [
    "core/services.py",
    "core/invitations.py",
    "core/exports.py",
    "core/outbox.py",
    "risks/services.py",
    "kpis/services.py",
    "budgets/services.py",
    "governance/intake/services.py",
    "governance/raci/services.py",
    "governance/alignment/services.py",
]
# The name of each governance sub-package's services in CASES (as imported above).
GOVERNANCE_NAMES = {"intake": "intake", "raci": "raci", "alignment": "reports"}
LOCKS = {"select_for_update", "lock_for_update"}
# Helpers that lock inside their caller's transaction; never called on their own.
IN_CALLERS_TRANSACTION = {"core.signing_role_locked"}
D = Decimal


def locking_services() -> set[str]:
    """ "module.function" of every public function of the service modules that
    locks rows, directly or through another function that does (any module)."""
    calls: dict[tuple[str, str], set[str]] = {}
    for path in SERVICE_MODULES:
        module = (
            GOVERNANCE_NAMES[pathlib.Path(path).parent.name]
            if path.startswith("governance")
            else path.split("/")[0]
        )
        tree = ast.parse((pathlib.Path(settings.BASE_DIR) / path).read_text())
        for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
            names = set()
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    names.add(
                        node.func.attr
                        if isinstance(node.func, ast.Attribute)
                        else getattr(node.func, "id", "")
                    )
            calls[(module, fn.name)] = names
    locking: set[str] = set(LOCKS)
    changed = True
    while changed:
        changed = False
        for (module, name), names in calls.items():
            if name not in locking and names & locking:
                locking.add(name)
                changed = True
    return {f"{module}.{name}" for (module, name) in calls if name in locking and not name.startswith("_")}


# ------------------------------------------------------------------ world ----


class World:
    def __init__(self, org, people):
        self.org, self.people = org, people
        self.cio, self.ciso, self.admin = people[Role.CIO], people[Role.CISO], people[Role.ADMIN]

    def membership(self, role):
        return Membership.objects.get(organization=self.org, user=self.people[role])

    def subject(self, model, purpose):
        return SUBJECTS[(model, purpose)](self.org, self.people)

    def proposal(self):
        proposal = ProposalFactory(organization=self.org, fiscal_year=2027)
        self.item = budgets.item_create(
            actor=self.cio,
            proposal=proposal,
            title="EDR",
            domain="security",
            category="software",
            kind="opex",
            amount=D("1000"),
            priority="must",
            justification="Ransomware.",
        )
        proposal.refresh_from_db()
        return proposal

    def submitted(self):
        proposal = self.subject("budgets.proposal", "submission")
        budgets.proposal_sign(actor=self.cio, proposal=proposal)
        budgets.proposal_sign(actor=self.ciso, proposal=proposal)
        return budgets.proposal_submit(actor=self.cio, proposal=proposal)

    def option(self):
        self.proposal()
        return budgets.option_create(
            actor=self.cio, item=self.item, name="Fast", cost=D("900"), timeline_weeks=4, security_score=3
        )

    def link(self):
        self.proposal()
        risk = make_risk_with_loss(self.org, self.cio)
        return budgets.link_create(actor=self.cio, item=self.item, risk=risk, loss_after=D("1000"))

    def request(self, status=IntakeStatus.IN_REVIEW):
        return make_request(self.org, self.people[Role.CONTRIBUTOR], status=status)

    def mitigation(self):
        risk = make_risk(self.org, self.cio)
        return risks.mitigation_create(
            actor=self.cio, risk=risk, title="EDR", owner=self.cio, status="planned"
        )

    def activity(self):
        return raci.raci_activity_create(
            actor=self.cio,
            organization=self.org,
            name="Patching",
            process_area="it_operations",
            csf_category="PR.PS",
        )

    def party(self):
        return raci.raci_party_create(actor=self.cio, organization=self.org, name="Ops")

    def report(self):
        return reports.report_request(
            actor=self.cio,
            organization=self.org,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 3, 31),
            period_label="Q1 2026",
            enqueue=False,
        )


def _accepted_expired(w):
    risk = request_acceptance(assessed_risk(w.org, w.people, cio=(4, 4), ciso=(4, 5)), w.cio)
    risks.acceptance_sign(actor=w.cio, risk=risk)
    risks.acceptance_sign(actor=w.ciso, risk=risk)
    Risk.objects.filter(pk=risk.pk).update(acceptance_expires_on=timezone.localdate() - timedelta(days=1))
    assert risks.acceptances_expire() == 1


def _agreement_confirm(w):
    risk = w.subject("risks.risk", "agreed_assessment")
    risks.agreement_propose(
        actor=w.cio,
        risk=risk,
        rationale="Agreed.",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=2,
    )
    risks.agreement_confirm(actor=w.ciso, risk=risk)


def _intake_withdrawable(w):
    request = w.subject("governance.intakerequest", "intake_decision")
    intake.intake_sign(actor=w.cio, request=request)
    return request


def _risk_row(w):
    return {
        "reference": "",
        "title": "Shadow IT",
        "business_impact": "Data leaves our control.",
        "category": "Data protection and privacy",
        "origin": "security",
        "owner_email": w.cio.email,
        "status": "",
        "csf_categories": "",
        "annex_a_controls": "",
        "loss_low": "",
        "loss_most_likely": "",
        "loss_high": "",
        "events_per_year": "",
    }


def _invitation(w):
    return invitations.invitation_create(
        actor=w.admin, organization=w.org, email="new.person@elsewhere.test", role=Role.BOARD
    )


def _invitation_for_outsider(w):
    outsider = member(OrganizationFactory(), Role.CONTRIBUTOR)
    invitation = invitations.invitation_create(
        actor=w.admin, organization=w.org, email=outsider.email, role=Role.BOARD
    )
    return outsider, invitation


def _export_job(w):
    return exports.export_job_request(actor=w.cio, organization=w.org, key="kpis.values_xlsx", parameters={})


def _intake_condition(w):
    return intake.intake_condition_add(actor=w.cio, request=w.request(), text="SSO before go-live")


def _board_ask(w):
    return reports.board_ask_propose(
        actor=w.cio,
        report=w.report(),
        kind="budget",
        title="Approve the budget",
        recommendation="Approve it.",
        deadline=date.today() + timedelta(days=30),
        amount=Decimal("1000"),
    )


CASES = {
    # core
    "core.signoff_sign": lambda w: core.signoff_sign(
        actor=w.cio, subject=w.subject("testapp.document", "approval"), purpose="approval"
    ),
    "core.sign_as_read": lambda w: (
        lambda doc: core.sign_as_read(
            sign=joint.lookup(doc, "approval").sign, actor=w.cio, subject=doc, read_version=doc.version
        )
    )(w.subject("testapp.document", "approval")),
    "core.signoff_withdraw": lambda w: (
        lambda doc: (
            core.signoff_sign(actor=w.cio, subject=doc, purpose="approval"),
            core.signoff_withdraw(actor=w.cio, subject=doc, purpose="approval"),
        )
    )(w.subject("testapp.document", "approval")),
    "core.membership_change_role": lambda w: core.membership_change_role(
        actor=w.admin, membership=w.membership(Role.BOARD), role=Role.CONTRIBUTOR
    ),
    "core.membership_remove": lambda w: core.membership_remove(
        actor=w.admin, membership=w.membership(Role.CONTRIBUTOR)
    ),
    "core.membership_hand_over": lambda w: core.membership_hand_over(
        actor=w.admin,
        organization=w.org,
        role=Role.CIO,
        successor=w.membership(Role.BOARD),
        outgoing_role=Role.CONTRIBUTOR,
    ),
    "core.organization_update": lambda w: core.organization_update(
        actor=w.admin, organization=w.org, expected_version=w.org.version, name="Acme Inc"
    ),
    # risks
    "risks.risk_create": lambda w: make_risk(w.org, w.cio),
    "risks.risk_update": lambda w: (
        lambda r: risks.risk_update(actor=w.cio, risk=r, expected_version=r.version, title="Renamed")
    )(make_risk(w.org, w.cio)),
    "risks.risk_delete": lambda w: (
        lambda r: risks.risk_delete(actor=w.cio, risk=r, expected_version=r.version)
    )(make_risk(w.org, w.cio)),
    "risks.risks_import": lambda w: risks.risks_import(actor=w.cio, organization=w.org, rows=[_risk_row(w)]),
    "risks.assessment_record": lambda w: assessed_risk(w.org, w.people),
    "risks.agreement_propose": lambda w: risks.agreement_propose(
        actor=w.cio,
        risk=w.subject("risks.risk", "agreed_assessment"),
        rationale="Agreed.",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=2,
    ),
    "risks.agreement_confirm": _agreement_confirm,
    "risks.acceptance_request": lambda w: w.subject("risks.risk", "acceptance"),
    "risks.acceptance_sign": lambda w: risks.acceptance_sign(
        actor=w.cio, risk=w.subject("risks.risk", "acceptance")
    ),
    "risks.acceptance_cancel": lambda w: (
        lambda r: risks.acceptance_cancel(actor=w.cio, risk=r, expected_version=r.version)
    )(w.subject("risks.risk", "acceptance")),
    "risks.acceptances_expire": _accepted_expired,
    "risks.acceptance_withdraw_signoff": lambda w: (
        lambda r: (
            risks.acceptance_sign(actor=w.cio, risk=r),
            risks.acceptance_withdraw_signoff(actor=w.cio, risk=r),
        )
    )(w.subject("risks.risk", "acceptance")),
    "risks.mitigation_update": lambda w: (
        lambda m: risks.mitigation_update(
            actor=w.cio, mitigation=m, expected_version=m.version, title="EDR everywhere"
        )
    )(w.mitigation()),
    "risks.mitigation_delete": lambda w: (
        lambda m: risks.mitigation_delete(actor=w.cio, mitigation=m, expected_version=m.version)
    )(w.mitigation()),
    # kpis
    "kpis.kpi_update": lambda w: (
        lambda k: kpis.kpi_update(actor=w.cio, kpi=k, expected_version=k.version, name="EDR coverage")
    )(KPIFactory(organization=w.org)),
    "kpis.kpi_add_from_library": lambda w: kpis.kpi_add_from_library(
        actor=w.cio, organization=w.org, key="open_risks_above_appetite"
    ),
    "kpis.measurement_record": lambda w: kpis.measurement_record(
        actor=w.cio, kpi=KPIFactory(organization=w.org), period=date(2026, 1, 1), value=D("93")
    ),
    "kpis.measurements_bulk_upsert": lambda w: kpis.measurements_bulk_upsert(
        actor=w.cio,
        organization=w.org,
        source="api",
        items=[{"kpi": KPIFactory(organization=w.org).pk, "period": "2026-01-15", "value": "93", "note": ""}],
    ),
    "kpis.measurements_import": lambda w: kpis.measurements_import(
        actor=w.cio,
        organization=w.org,
        rows=[{"kpi": KPIFactory(organization=w.org).key, "period": "2026-01-15", "value": "93", "note": ""}],
    ),
    "kpis.computed_kpis_refresh": lambda w: (
        kpis.kpi_add_from_library(actor=w.cio, organization=w.org, key="open_risks_above_appetite"),
        kpis.computed_kpis_refresh(organization=w.org),
    ),
    "kpis.computed_kpis_refresh_all": lambda w: (
        kpis.kpi_add_from_library(actor=w.cio, organization=w.org, key="open_risks_above_appetite"),
        kpis.computed_kpis_refresh_all(),
    ),
    # budgets
    "budgets.proposal_update": lambda w: (
        lambda p: budgets.proposal_update(actor=w.cio, proposal=p, expected_version=p.version, title="FY27")
    )(w.proposal()),
    "budgets.proposal_delete": lambda w: budgets.proposal_delete(actor=w.cio, proposal=w.proposal()),
    "budgets.proposal_start_review": lambda w: w.subject("budgets.proposal", "submission"),
    "budgets.proposal_back_to_draft": lambda w: budgets.proposal_back_to_draft(
        actor=w.cio, proposal=w.subject("budgets.proposal", "submission")
    ),
    "budgets.proposal_sign": lambda w: budgets.proposal_sign(
        actor=w.cio, proposal=w.subject("budgets.proposal", "submission")
    ),
    "budgets.proposal_withdraw_signoff": lambda w: (
        lambda p: (
            budgets.proposal_sign(actor=w.cio, proposal=p),
            budgets.proposal_withdraw_signoff(actor=w.cio, proposal=p),
        )
    )(w.subject("budgets.proposal", "submission")),
    "budgets.proposal_submit": lambda w: w.submitted(),
    "budgets.proposal_approve": lambda w: budgets.proposal_approve(actor=w.cio, proposal=w.submitted()),
    "budgets.proposal_return": lambda w: budgets.proposal_return(
        actor=w.cio, proposal=w.submitted(), reason="Too high"
    ),
    "budgets.proposal_reopen": lambda w: budgets.proposal_reopen(
        actor=w.cio, proposal=budgets.proposal_return(actor=w.cio, proposal=w.submitted(), reason="Too high")
    ),
    "budgets.item_create": lambda w: w.proposal(),
    "budgets.item_update": lambda w: (
        w.proposal(),
        budgets.item_update(
            actor=w.cio, item=w.item, expected_version=w.item.version, title="EDR everywhere"
        ),
    ),
    "budgets.item_delete": lambda w: (w.proposal(), budgets.item_delete(actor=w.cio, item=w.item)),
    "budgets.option_create": lambda w: w.option(),
    "budgets.option_update": lambda w: (
        lambda o: budgets.option_update(actor=w.cio, option=o, expected_version=o.version, cost=D("800"))
    )(w.option()),
    "budgets.option_choose": lambda w: (
        lambda first: budgets.option_choose(
            actor=w.cio,
            option=budgets.option_create(
                actor=w.cio, item=w.item, name="Safe", cost=D("1200"), timeline_weeks=8, security_score=5
            ),
        )
    )(w.option()),
    "budgets.option_delete": lambda w: (lambda o: budgets.option_delete(actor=w.cio, option=o))(w.option()),
    "budgets.link_create": lambda w: w.link(),
    "budgets.link_update": lambda w: (
        lambda link: budgets.link_update(actor=w.cio, link=link, expected_version=link.version, note="Half")
    )(w.link()),
    "budgets.link_delete": lambda w: budgets.link_delete(actor=w.cio, link=w.link()),
    # intake
    "intake.intake_settings_update": lambda w: intake.intake_settings_update(
        actor=w.cio, organization=w.org, expected_version=None, sla_low_days=1
    ),
    "intake.intake_request_create": lambda w: intake.intake_request_create(
        actor=w.people[Role.CONTRIBUTOR], organization=w.org, **filing_values()
    ),
    "intake.intake_request_update": lambda w: (
        lambda r: intake.intake_request_update(
            actor=w.cio, request=r, expected_version=r.version, **filing_values(title="Renamed")
        )
    )(w.request()),
    "intake.intake_start_review": lambda w: intake.intake_start_review(
        actor=w.cio, request=w.request(IntakeStatus.SUBMITTED)
    ),
    "intake.intake_request_information": lambda w: intake.intake_request_information(
        actor=w.cio, request=w.request(), question="Which vendor?"
    ),
    "intake.intake_comment_add": lambda w: intake.intake_comment_add(
        actor=w.cio, request=w.request(), body="Fine"
    ),
    "intake.intake_condition_add": _intake_condition,
    "intake.intake_condition_delete": lambda w: intake.intake_condition_delete(
        actor=w.cio, condition=_intake_condition(w)
    ),
    "intake.intake_propose_decision": lambda w: w.subject("governance.intakerequest", "intake_decision"),
    "intake.intake_sign": _intake_withdrawable,
    "intake.intake_withdraw_signoff": lambda w: intake.intake_withdraw_signoff(
        actor=w.cio, request=_intake_withdrawable(w)
    ),
    "intake.intake_create_risk": lambda w: intake.intake_create_risk(
        actor=w.cio,
        request=w.request(IntakeStatus.APPROVED),
        title="Vendor lock-in",
        impact_statement="We cannot leave the vendor.",
        category="third_party",
        origin="it",
        owner=w.cio,
    ),
    # raci
    "raci.raci_party_create": lambda w: w.party(),
    "raci.raci_party_update": lambda w: (
        lambda p: raci.raci_party_update(
            actor=w.cio, party=p, expected_version=p.version, name="Operations", kind=p.kind
        )
    )(w.party()),
    "raci.raci_party_delete": lambda w: raci.raci_party_delete(actor=w.cio, party=w.party()),
    "raci.raci_activity_create": lambda w: w.activity(),
    "raci.raci_activity_update": lambda w: (
        lambda a: raci.raci_activity_update(
            actor=w.cio,
            activity=a,
            expected_version=a.version,
            name="Patch management",
            process_area=a.process_area,
            csf_category=a.csf_category,
        )
    )(w.activity()),
    "raci.raci_activity_delete": lambda w: raci.raci_activity_delete(actor=w.cio, activity=w.activity()),
    "raci.raci_cell_set": lambda w: raci.raci_cell_set(
        actor=w.cio, activity=w.activity(), party=w.party(), letter="A"
    ),
    "raci.raci_cell_cycle": lambda w: raci.raci_cell_cycle(
        actor=w.cio, activity=w.activity(), party=w.party()
    ),
    "raci.raci_apply_template": lambda w: raci.raci_apply_template(actor=w.cio, organization=w.org),
    "raci.raci_sign": lambda w: (w.activity(), raci.raci_sign(actor=w.cio, organization=w.org)),
    "raci.raci_withdraw": lambda w: (
        w.activity(),
        raci.raci_sign(actor=w.cio, organization=w.org),
        raci.raci_withdraw(actor=w.cio, organization=w.org),
    ),
    # reports
    "reports.report_request": lambda w: w.report(),
    "reports.report_build": lambda w: reports.report_build(report_id=w.report().pk),
    "reports.report_publish": lambda w: reports.report_publish(
        actor=w.cio, report=reports.report_build(report_id=w.report().pk)
    ),
    "reports.report_delete": lambda w: reports.report_delete(actor=w.cio, report=w.report()),
    "reports.scheduled_reports_due": lambda w: reports.scheduled_reports_due(),
    "reports.reports_retry_stalled": lambda w: (
        w.report(),
        reports.reports_retry_stalled(now=timezone.now() + timedelta(hours=2)),
    ),
    "reports.board_ask_propose": lambda w: _board_ask(w),
    "reports.board_ask_sign": lambda w: reports.board_ask_sign(actor=w.ciso, ask=_board_ask(w)),
    "reports.board_ask_withdraw_signoff": lambda w: reports.board_ask_withdraw_signoff(
        actor=w.cio, ask=_board_ask(w)
    ),
    "reports.board_ask_remove": lambda w: reports.board_ask_remove(actor=w.cio, ask=_board_ask(w)),
    # invitations, exports and the outbox (core modules besides services)
    "core.invitation_create": _invitation,
    "core.membership_invite": lambda w: core.membership_invite(
        actor=w.admin, organization=w.org, email="someone@elsewhere.test", role=Role.BOARD
    ),
    "core.invitation_send": lambda w: invitations.invitation_send(invitation_id=_invitation(w).pk),
    "core.invitation_accept": lambda w: (
        lambda pair: invitations.invitation_accept(user=pair[0], invitation=pair[1])
    )(_invitation_for_outsider(w)),
    "core.invitation_decline": lambda w: (
        lambda pair: invitations.invitation_decline(user=pair[0], invitation=pair[1])
    )(_invitation_for_outsider(w)),
    "core.invitation_accept_new_account": lambda w: invitations.invitation_accept_new_account(
        invitation=_invitation(w), password="a long Passphrase 42!", full_name="New Person"
    ),
    "core.invitation_cancel": lambda w: invitations.invitation_cancel(
        actor=w.admin, invitation=_invitation(w)
    ),
    "core.export_job_build": lambda w: exports.export_job_build(job_id=_export_job(w).pk),
    "core.dispatch_waiting": lambda w: (_invitation(w), outbox.dispatch_waiting()),
    "core.retry_failed": lambda w: (_invitation(w), outbox.retry_failed()),
}


def test_every_locking_service_has_a_case():
    missing = locking_services() - set(CASES) - IN_CALLERS_TRANSACTION
    assert not missing, f"add a PostgreSQL case for these locking services: {sorted(missing)}"


def _fresh_world(index: int) -> World:
    """An organization of its own for each case, one person per role."""
    org = OrganizationFactory(name=f"Locking {index}", slug=f"locking-{index}")
    people = {role.value: member(org, role, email=f"{role.value}@locking-{index}.test") for role in Role}
    return World(org, people)


GROUPS = sorted({name.split(".")[0] for name in CASES})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", GROUPS)
def test_locking_services_run_outside_a_wrapping_transaction(group):
    """Each case of the group on a fresh organization, in autocommit mode (one
    database flush per group keeps this affordable on PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks outside a transaction are refused only by PostgreSQL")
    failures = []
    for index, name in enumerate(sorted(n for n in CASES if n.startswith(f"{group}."))):
        assert connection.get_autocommit() and not connection.in_atomic_block
        try:
            CASES[name](_fresh_world(index))
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db(transaction=True)
def test_a_signature_as_read_and_a_simultaneous_change_serialize_on_the_subject():
    """``core.sign_as_read`` against a change of the same subject, both from the
    version the two executives read, at the same moment on two connections: the
    signature is refused as a conflict (the change came first), or it was given
    and the change that followed voided it. Never a signature standing on a
    version its signer did not read."""
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks and concurrent connections (PostgreSQL)")
    from tests.testapp.models import Document

    for index in range(4):
        world = _fresh_world(index)
        doc = world.subject("testapp.document", "approval")
        read = doc.version
        barrier, outcomes = threading.Barrier(2), {}

        def sign():
            return core.sign_as_read(
                sign=joint.lookup(doc, "approval").sign,
                actor=world.cio,
                subject=Document.objects.get(pk=doc.pk),
                read_version=read,
            )

        def change():
            with transaction.atomic():
                locked = lock_for_update(Document, pk=doc.pk, expected_version=read)
                locked.title = "Changed meanwhile"
                core.record_change(locked, actor=world.ciso)

        def run(name, work):
            try:
                barrier.wait(timeout=10)
                outcomes[name] = work()
            except Exception as exc:  # the outcome is what is checked
                outcomes[name] = exc
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=a) for a in (("sign", sign), ("change", change))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert not isinstance(outcomes["change"], Exception), outcomes["change"]
        doc.refresh_from_db()
        assert doc.version == read + 1
        signoffs = list(SignOff.objects.filter(object_id=doc.pk, purpose="approval", signer=world.cio))
        if isinstance(outcomes["sign"], Exception):
            assert isinstance(outcomes["sign"], ConflictError), outcomes["sign"]
            assert signoffs == []
        else:
            assert len(signoffs) == 1 and signoffs[0].subject_version == read
            assert signoffs[0].voided_at is not None  # given first, then voided by the change
        assert (
            not SignOff.objects.filter(object_id=doc.pk, voided_at__isnull=True)
            .exclude(subject_version=doc.version)
            .exists()
        )
