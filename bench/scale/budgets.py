"""Scale data for the budget: three fiscal years' proposals (approved, with
the board, in joint review), their items, options (the chosen one sets the
item's amount) and the risks items reduce."""

from __future__ import annotations

from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import SignOff

from .base import Ctx, OrgPeople, bulk

TITLES = (
    "EDR renewal",
    "SIEM licences",
    "Cloud landing zone",
    "Backup appliance",
    "Security awareness",
    "Network refresh",
    "Identity governance",
    "Pen testing",
    "ERP upgrade",
    "Data loss prevention",
)


def available() -> bool:
    try:
        for name in ("Proposal", "BudgetItem", "ItemOption", "ItemRiskLink"):
            apps.get_model("budgets", name)
    except LookupError:
        return False
    return True


def _shares(total: int, parts: int) -> list[int]:
    """Oldest to newest; the newest proposal holds half the items."""
    if parts == 1:
        return [total]
    newest = total // 2
    rest = total - newest
    older = [rest // (parts - 1)] * (parts - 1)
    older[-1] += rest - sum(older)
    return [*older, newest]


def seed(ctx: Ctx, people: OrgPeople, *, proposals: int, items: int) -> dict:
    from budgets.models import Proposal, ProposalStatus

    org, now = people.org, timezone.now()
    cio, ciso = people.one("cio"), people.one("ciso")
    year = ctx.today.year
    statuses = [ProposalStatus.APPROVED, ProposalStatus.SUBMITTED, ProposalStatus.JOINT_REVIEW]
    rows = []
    for i in range(proposals):
        status = (
            statuses[max(0, len(statuses) - proposals + i)] if proposals <= 3 else ProposalStatus.APPROVED
        )
        fy = year + 1 - (proposals - 1 - i)
        p = Proposal(
            organization=org,
            fiscal_year=fy,
            title=f"Technology budget FY{fy}",
            summary="Keeps the lights on, closes the top risks and funds the cloud move.",
            status=status,
        )
        if status in (ProposalStatus.SUBMITTED, ProposalStatus.APPROVED):
            p.submitted_at, p.submitted_by = now, cio
        if status == ProposalStatus.APPROVED:
            p.decided_at, p.decided_by, p.decision_note = now, cio, "Approved as proposed."
        rows.append(p)
    created = bulk(Proposal, rows)
    _signoffs(created, cio, ciso, now)
    counts = {"proposals": len(created), "budget_items": 0, "item_options": 0, "item_risk_links": 0}
    risk_ids = _risk_pool(ctx, org)
    for proposal, n in zip(created, _shares(items, len(created)), strict=True):
        for key, value in _items(ctx, people, proposal, n, risk_ids).items():
            counts[key] += value
    return counts


def _signoffs(proposals: list, cio, ciso, now) -> None:
    """With the board or approved means both signed that version (as proposal_submit requires)."""
    from budgets.models import BOARD_VISIBLE_STATUSES, SIGNOFF_PURPOSE

    ct = ContentType.objects.get_for_model(proposals[0]) if proposals else None
    bulk(
        SignOff,
        (
            SignOff(
                organization_id=p.organization_id,
                content_type=ct,
                object_id=p.pk,
                purpose=SIGNOFF_PURPOSE,
                subject_version=p.version,
                role=role,
                signer=who,
                decision="approve",
                signed_at=now,
            )
            for p in proposals
            if p.status in BOARD_VISIBLE_STATUSES
            for role, who in (("cio", cio), ("ciso", ciso))
        ),
    )


def _risk_pool(ctx: Ctx, org) -> list[tuple[int, Decimal | None]]:
    if not apps.is_installed("risks"):
        return []
    from risks.models import Risk

    return list(
        Risk.objects.filter(organization=org)
        .order_by("number")
        .values_list("pk", "expected_annual_loss")[:500]
    )


def _items(ctx: Ctx, people: OrgPeople, proposal, count: int, risk_ids: list) -> dict:
    from budgets.models import BudgetItem, Category, Domain, ItemOption, ItemRiskLink, Kind, Priority

    rng, org = ctx.rng, people.org
    items = bulk(
        BudgetItem,
        (
            BudgetItem(
                organization=org,
                proposal=proposal,
                title=f"{rng.choice(TITLES)} {i + 1}",
                domain=rng.choice(Domain.values),
                category=rng.choice(Category.values),
                kind=rng.choice(Kind.values),
                priority=rng.choice(Priority.values),
                amount=Decimal(rng.randint(5, 900) * 1000),
                justification="Needed to keep the service safe and running.",
            )
            for i in range(count)
        ),
    )
    options, links = [], []
    for item in items[: max(1, count // 10)]:  # one item in ten compares three options
        chosen = rng.randrange(3)
        for k, name in enumerate(("Fastest", "Balanced", "Most secure")):
            cost = item.amount if k == chosen else item.amount + Decimal(rng.randint(-4, 8) * 1000)
            options.append(
                ItemOption(
                    organization=org,
                    item=item,
                    name=name,
                    cost=max(cost, Decimal(0)),
                    timeline_weeks=rng.randint(2, 52),
                    security_score=k + 2,
                    is_chosen=k == chosen,
                )
            )
    for item, (risk_id, eal) in zip(items[::4], risk_ids, strict=False):  # one item in four reduces a risk
        before = eal if eal is not None else Decimal(rng.randint(10, 500) * 1000)
        links.append(
            ItemRiskLink(
                organization=org,
                item=item,
                risk_id=risk_id,
                loss_before=before,
                loss_after=(before * Decimal("0.4")).quantize(Decimal("0.01")),
            )
        )
    bulk(ItemOption, options)
    bulk(ItemRiskLink, links)
    return {"budget_items": len(items), "item_options": len(options), "item_risk_links": len(links)}
