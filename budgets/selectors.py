"""Every read of the budget, scoped to the person (``visible_to``) and costing a
fixed number of queries whatever the number of items."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round
from django.shortcuts import get_object_or_404

from core.cache import cached_for_org
from core.money import money_text
from core.roles import Role
from core.selectors import JointStatus, signoff_status, signoffs_waiting_for, signoffs_with_log

from . import money
from .models import (
    BOARD_VISIBLE_STATUSES,
    PRIORITY_RANK,
    SIGNOFF_PURPOSE,
    BudgetItem,
    Category,
    Domain,
    ItemOption,
    ItemRiskLink,
    Kind,
    Priority,
    Proposal,
    ProposalStatus,
)

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)
ZERO = Value(Decimal("0"), output_field=MONEY_FIELD)


# -------------------------------------------------------------- proposals ----


def proposal_list(*, user, organization, status: str = ""):
    """Proposals the person may see, newest year first, with item count and total."""
    totals = (
        BudgetItem.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    counts = (
        BudgetItem.objects.filter(proposal=OuterRef("pk"))
        .order_by()
        .values("proposal")
        .annotate(c=Count("pk"))
        .values("c")
    )
    qs = (
        Proposal.objects.visible_to(user)
        .filter(organization=organization)
        .annotate(
            total=Coalesce(Subquery(totals, output_field=MONEY_FIELD), ZERO),
            item_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0),
        )
        .order_by("-fiscal_year")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def proposal_get(*, user, organization, pk) -> Proposal:
    """One visible proposal, or 404."""
    return get_object_or_404(
        Proposal.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("submitted_by", "decided_by", "copied_from"),
        pk=pk,
    )


SIGNOFF_LOG_LENGTH = 20
SIGNING_ROLES = (Role.CIO, Role.CISO)


def proposal_signoffs(proposal: Proposal) -> tuple[JointStatus, list]:
    """The CIO's and CISO's sign-offs in force for the proposal's current version
    and the newest SIGNOFF_LOG_LENGTH sign-offs ever given, in one query."""
    return signoffs_with_log(proposal, SIGNOFF_PURPOSE, log_length=SIGNOFF_LOG_LENGTH)


# ------------------------------------------------------------------ items ----


def _links_sum():
    return (
        ItemRiskLink.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(s=Sum(F("loss_before") - F("loss_after"), output_field=MONEY_FIELD))
        .values("s")
    )


def _count(model, **filters):
    return (
        model.objects.filter(item=OuterRef("pk"), **filters)
        .order_by()
        .values("item")
        .annotate(c=Count("pk"))
        .values("c")
    )


def items_with_figures(queryset=None):
    """Items annotated with loss avoided, number of linked risks and options, the
    chosen option's name and a sortable priority rank. One query."""
    qs = queryset if queryset is not None else BudgetItem.objects.all()
    chosen = ItemOption.objects.filter(item=OuterRef("pk"), is_chosen=True)
    return qs.annotate(
        loss_avoided=Coalesce(Subquery(_links_sum(), output_field=MONEY_FIELD), ZERO),
        risk_count=Coalesce(Subquery(_count(ItemRiskLink), output_field=IntegerField()), 0),
        option_count=Coalesce(Subquery(_count(ItemOption), output_field=IntegerField()), 0),
        has_chosen_option=Exists(chosen),
        chosen_option_name=Subquery(chosen.values("name")[:1]),
        priority_rank=Case(
            *[When(priority=k, then=Value(v)) for k, v in PRIORITY_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
    )


ITEM_SORTS = {
    "title": "title",
    "amount": "amount",
    "priority": "priority_rank",
    "domain": "domain",
    "category": "category",
    "kind": "kind",
    "avoided": "loss_avoided",
}


def item_list(*, proposal: Proposal, filters: dict | None = None, sort: str = ""):
    """The proposal's items for the items table: filtered, sorted (default: priority,
    then largest amount), each with its figures (loss avoided, counts of risks and
    options, chosen option), computed only for the rows of the page asked for."""
    filters = filters or {}
    qs = items_with_figures(proposal.items.all()).prefetch_related(_gap_links())
    for name in ("domain", "category", "kind", "priority"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("q"):
        qs = qs.filter(Q(title__icontains=filters["q"]) | Q(justification__icontains=filters["q"]))
    key = sort.lstrip("-")
    if key in ITEM_SORTS:
        prefix = "-" if sort.startswith("-") else ""
        return qs.order_by(f"{prefix}{ITEM_SORTS[key]}", "pk")
    return qs.order_by("priority_rank", "-amount", "pk")


def item_figures(item, *, amortisation_years: int) -> dict:
    """Annual cost and ROSI of one annotated item (pure maths on its values)."""
    yearly = money.annual_cost(item.amount, item.kind, amortisation_years=amortisation_years)
    return {
        "annual_cost": yearly,
        "rosi": money.rosi(item.loss_avoided, yearly, has_risk=bool(item.risk_count)),
    }


def item_get(*, user, organization, pk) -> BudgetItem:
    """One visible item with its proposal, options, risk links and their risks."""
    qs = (
        BudgetItem.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("proposal", "mitigation", "mitigation__risk")
        .prefetch_related(
            Prefetch("options", ItemOption.objects.order_by("cost", "pk")),
            Prefetch("risk_links", ItemRiskLink.objects.select_related("risk")),
            _gap_links(),
        )
    )
    return get_object_or_404(items_with_figures(qs), pk=pk)


def option_get(*, user, organization, pk) -> ItemOption:
    return get_object_or_404(
        ItemOption.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("item__proposal"),
        pk=pk,
    )


def link_get(*, user, organization, pk) -> ItemRiskLink:
    return get_object_or_404(
        ItemRiskLink.objects.visible_to(user)
        .filter(organization=organization)
        .select_related("item__proposal", "risk"),
        pk=pk,
    )


def linkable_risks(*, user, organization, item: BudgetItem | None = None, search: str = ""):
    """Risks of the register the person may see, not yet linked to ``item``;
    ``search`` matches the reference or the title."""
    from risks.models import Risk

    qs = Risk.objects.visible_to(user).filter(organization=organization).order_by("number")
    if item is not None:
        qs = qs.exclude(budget_links__item=item)
    search = search.strip()
    if search:
        qs = qs.filter(Q(reference__icontains=search) | Q(title__icontains=search))
    return qs


def linkable_mitigations(*, user, organization, search: str = ""):
    """Mitigations of the register the person may see, with their risk;
    ``search`` matches the mitigation's title or its risk's reference or title."""
    from risks.models import Mitigation

    # Naming the risk's organization too lets the database walk the register's
    # (organization, number) index and stop at the first rows asked for.
    qs = (
        Mitigation.objects.visible_to(user)
        .filter(organization=organization, risk__organization=organization)
        .select_related("risk")
        .order_by("risk__number", "title")
    )
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(risk__reference__icontains=search)
            | Q(risk__title__icontains=search)
        )
    return qs


# ---------------------------------------------------------------- summary ----


@dataclass
class ProposalSummary:
    """A proposal's totals, return and change against the previous year."""

    summary: money.Summary
    previous: Proposal | None = None
    previous_total: Decimal | None = None
    change: money.Change | None = None
    domain_change: dict[str, money.Change] = field(default_factory=dict)
    amortisation_years: int = money.DEFAULT_AMORTISATION_YEARS

    @property
    def domain_rows(self):
        return [(Domain(k).label, k, v, self.domain_change.get(k)) for k, v in self.summary.by_domain.items()]

    @property
    def category_rows(self):
        return [(Category(k).label, v) for k, v in self.summary.by_category.items()]

    @property
    def kind_rows(self):
        return [(Kind(k).label, v) for k, v in self.summary.by_kind.items()]

    @property
    def priority_rows(self):
        return [(Priority(k).label, v) for k, v in self.summary.by_priority.items()]


SUMMARY_BUCKETS = {
    "domain": Domain.values,
    "category": Category.values,
    "kind": Kind.values,
    "priority": Priority.values,
}


def _cents(expression):
    """Money as whole cents, so that a CapEx item's annual cost rounds half-up
    exactly as ``money.annual_cost`` does, on every database (SQLite divides floats)."""
    return Cast(
        Round(ExpressionWrapper(expression * Value(100), output_field=MONEY_FIELD)), BigIntegerField()
    )


@functools.cache
def _proposals_with_totals():
    """Proposals annotated with the totals of all their items, added up by the
    database in one pass (one row per proposal, also without items): amounts by
    domain, category, kind and priority, annual cost (CapEx spread over the
    proposal's years, rounded half-up per item), the part of it on items that
    reduce a risk, the loss those avoid, and must-haves not funded.

    Built once per process and only filtered (cloned) by each caller: Django
    takes longer to assemble these twenty aggregates than the database takes to
    compute them."""
    columns = ("id", "amount", "kind", *SUMMARY_BUCKETS)
    amount = _cents(F("i_amount"))
    years = F("amortisation_years")
    annual = Case(
        When(i_kind=Kind.CAPEX, then=(amount * 2 + years) / (years * 2)),
        default=amount,
        output_field=BigIntegerField(),
    )
    item = OuterRef("items__id")
    has_risk = Q(Exists(ItemRiskLink.objects.filter(item_id=item)))
    avoided = (
        ItemRiskLink.objects.filter(item_id=item)
        .order_by()
        .values("item_id")
        .annotate(s=Sum(F("loss_before") - F("loss_after"), output_field=MONEY_FIELD))
        .values("s")
    )
    not_chosen = Q(Exists(ItemOption.objects.filter(item_id=item))) & ~Q(
        Exists(ItemOption.objects.filter(item_id=item, is_chosen=True))
    )
    totals = {
        "t_count": Count("i_id"),
        "t_total": Sum("i_amount"),
        "t_annual": Sum(annual),
        "t_linked_annual": Sum(annual, filter=has_risk),
        "t_avoided": Sum(Subquery(avoided, output_field=MONEY_FIELD), filter=has_risk),
        "t_unfunded": Count("i_id", filter=Q(i_priority=Priority.MUST) & (Q(i_amount=0) | not_chosen)),
    }
    for name, values in SUMMARY_BUCKETS.items():
        totals.update(
            {f"t_{name}_{value}": Sum("i_amount", filter=Q(**{f"i_{name}": value})) for value in values}
        )
    return (
        Proposal.objects.alias(**{f"i_{column}": F(f"items__{column}") for column in dict.fromkeys(columns)})
        .annotate(**totals)
        .order_by()
    )


def _summary_of(row: Proposal) -> money.Summary:
    buckets = {
        name: {value: getattr(row, f"t_{name}_{value}") or 0 for value in values}
        for name, values in SUMMARY_BUCKETS.items()
    }
    return money.summary_from_totals(
        total=row.t_total or 0,
        by_domain=buckets["domain"],
        by_category=buckets["category"],
        by_kind=buckets["kind"],
        by_priority=buckets["priority"],
        annual_cost=money.from_cents(row.t_annual),
        risk_linked_annual_cost=money.from_cents(row.t_linked_annual),
        cost_avoidance=row.t_avoided or 0,
        item_count=row.t_count,
        unfunded_musts=row.t_unfunded,
    )


def proposal_summary(proposal: Proposal, *, previous: Proposal | None | bool = True) -> ProposalSummary:
    """Totals of ``proposal`` and the change against the previous fiscal year's
    proposal (any status), added up by the database over all items. One query,
    which also finds the previous year's proposal."""
    years = [proposal.fiscal_year]
    if previous is True:
        years.append(proposal.fiscal_year - 1)
    elif previous:
        years.append(previous.fiscal_year)
    rows = _proposals_with_totals().filter(organization_id=proposal.organization_id, fiscal_year__in=years)
    found = {row.pk: row for row in rows}
    current = found.pop(proposal.pk)
    before = next(iter(found.values()), None)
    result = ProposalSummary(
        summary=_summary_of(current), previous=before, amortisation_years=proposal.amortisation_years
    )
    if before is not None:
        before_summary = _summary_of(before)
        result.previous_total = before_summary.total
        result.change = money.change(result.summary.total, before_summary.total)
        result.domain_change = {
            k: money.change(v, before_summary.by_domain.get(k, Decimal("0")))
            for k, v in result.summary.by_domain.items()
        }
    else:
        result.change = money.change(result.summary.total, None)
    return result


def proposal_summary_cached(proposal: Proposal) -> ProposalSummary:
    """``proposal_summary`` for the proposal's page and its PDF: cached until any
    of the organization's data changes (``core.cache``), so the page does not add
    up every item of this and last year's proposals on each view."""
    return cached_for_org(
        proposal.organization_id,
        f"budgets:summary:{proposal.pk}:{proposal.version}",
        lambda: proposal_summary(proposal),
    )


# ---------------------------------------------- for the dashboard / reports ----


@dataclass
class BudgetGlance:
    proposal: Proposal | None
    status: str = ""
    status_label: str = ""
    total: Decimal = Decimal("0")
    by_domain: dict[str, Decimal] = field(default_factory=dict)
    security_share: Decimal | None = None
    cost_avoidance: Decimal = Decimal("0")
    portfolio_rosi: Decimal | None = None
    change: money.Change | None = None
    signatures: object = None  # core.selectors.JointStatus
    unfunded_musts: int = 0


def current_proposal(organization) -> Proposal | None:
    """The organization's current proposal: the one of the latest fiscal year."""
    return Proposal.objects.filter(organization=organization).order_by("-fiscal_year").first()


def proposal_state_date(proposal: Proposal) -> tuple[str, object]:
    """**The date a document shows** (docs/DEFINITIONS.md): the date the proposal
    entered its current state, with the words for it, e.g. ("In joint review
    since", <datetime>). Submitted: when it went to the board; approved or
    returned: the board's decision; draft or joint review: the first change
    after which the status stayed what it is (read from the change history, one
    query). Never an earlier state's date: a proposal returned and back in
    joint review shows when it came back, not when it was first submitted."""
    label = ProposalStatus(proposal.status).label  # "Draft"
    if proposal.status == ProposalStatus.SUBMITTED and proposal.submitted_at:
        return "Submitted to the board on", proposal.submitted_at
    if proposal.status in (ProposalStatus.APPROVED, ProposalStatus.RETURNED) and proposal.decided_at:
        return (
            "Approved by the board on"
            if proposal.status == ProposalStatus.APPROVED
            else "Returned by the board on"
        ), proposal.decided_at
    since = None
    for status, changed in proposal.history.order_by("-history_date", "-history_id").values_list(
        "status", "history_date"
    ):
        if status != proposal.status:
            break
        since = changed
    return (
        "In joint review since" if proposal.status == ProposalStatus.JOINT_REVIEW else f"{label} since",
        since or proposal.updated_at,
    )


def proposals_in_review(organization):
    """Proposals waiting for the joint submission sign-off."""
    return Proposal.objects.filter(organization=organization, status=ProposalStatus.JOINT_REVIEW)


def proposal_scope(organization, user=None):
    """Proposals ``user`` may see, or every proposal of the organization."""
    if user is None:
        return Proposal.objects.in_org(organization)
    return Proposal.objects.visible_to(user).filter(organization=organization)


def budget_overview(organization, *, user=None) -> dict:
    """The latest fiscal year's proposal ``user`` may see (the board: once
    submitted), for the dashboard and reports, as plain JSON-ready values with
    money as text (``core.money.money_text``): ``total``, ``by_domain`` {it,
    security, joint}, ``security_total`` (security and joint), ``linked_total``
    (security and joint items that reduce a risk), ``security_share``,
    ``cost_avoidance``, ``portfolio_rosi`` (ratios as text with four
    places) and ``change`` against the previous fiscal year (``previous_total``,
    ``delta``, ``ratio``), all from ``proposal_summary``: the figures of the
    proposal page and its PDF. Four queries."""
    proposal = proposal_scope(organization, user).order_by("-fiscal_year", "-pk").first()
    empty = {
        "proposal": None,
        "total": money_text(0),
        "by_domain": {},
        "security_total": money_text(0),
        "linked_total": money_text(0),
        "security_share": None,
        "cost_avoidance": money_text(0),
        "portfolio_rosi": None,
        "change": None,
    }
    if proposal is None:
        return empty
    result = proposal_summary(proposal)
    s = result.summary
    security_total = s.by_domain.get(Domain.SECURITY, money.ZERO) + s.by_domain.get(Domain.JOINT, money.ZERO)
    state_label, state_date = proposal_state_date(proposal)
    return {
        "proposal": {
            "id": proposal.pk,
            "fiscal_year": proposal.fiscal_year,
            "title": proposal.title,
            "status": proposal.get_status_display(),
            "status_key": proposal.status,
            "with_board": proposal.status in BOARD_VISIBLE_STATUSES,
            "state_label": state_label,
            "state_date": state_date.isoformat() if state_date else None,
        },
        "total": money_text(s.total),
        "by_domain": {key: money_text(s.by_domain.get(key, money.ZERO)) for key in Domain.values},
        "security_total": money_text(security_total),
        "linked_total": money_text(budget_risk_linkage(organization, proposal=proposal).linked_total),
        "security_share": _ratio_text(s.security_share),
        "cost_avoidance": money_text(s.cost_avoidance),
        "portfolio_rosi": _ratio_text(s.portfolio_rosi),
        # Against the previous fiscal year's proposal (any status), as on the proposal's page.
        "change": {
            "previous_total": money_text(result.change.previous)
            if result.change.previous is not None
            else None,
            "delta": money_text(result.change.delta) if result.change.delta is not None else None,
            "ratio": _ratio_text(result.change.ratio),
        },
    }


def _ratio_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def budget_at_a_glance(organization) -> BudgetGlance:
    """The current proposal (latest fiscal year) at a glance: status, totals by
    domain, security share, cost avoidance, portfolio ROSI, change against last
    year and the CIO's and CISO's submission signatures. Three queries
    (proposal, figures of this and last year, sign-offs); the caller checks
    that the person may see the budget."""
    proposal = current_proposal(organization)
    if proposal is None:
        return BudgetGlance(proposal=None)
    result = proposal_summary(proposal)
    s = result.summary
    return BudgetGlance(
        proposal=proposal,
        status=proposal.status,
        status_label=proposal.get_status_display(),
        total=s.total,
        by_domain=s.by_domain,
        security_share=s.security_share,
        cost_avoidance=s.cost_avoidance,
        portfolio_rosi=s.portfolio_rosi,
        change=result.change,
        signatures=signoff_status(proposal, SIGNOFF_PURPOSE),
        unfunded_musts=s.unfunded_musts,
    )


@dataclass
class RiskLinkage:
    proposal: Proposal | None
    security_total: Decimal = Decimal("0")
    linked_total: Decimal = Decimal("0")

    @property
    def ratio(self) -> Decimal | None:
        return money.share(self.linked_total, self.security_total)


def budget_risk_linkage(organization, *, proposal: Proposal | None = None) -> RiskLinkage:
    """For ``proposal`` (the current one by default): the total of security and
    joint items, and the part of it spent on items linked to at least one risk
    (for the alignment score's budget-to-risk linkage). Two queries."""
    proposal = proposal or current_proposal(organization)
    if proposal is None:
        return RiskLinkage(proposal=None)
    linked = ItemRiskLink.objects.filter(item=OuterRef("pk"))
    totals = (
        BudgetItem.objects.filter(proposal=proposal, domain__in=[Domain.SECURITY, Domain.JOINT])
        .annotate(is_linked=Exists(linked))
        .aggregate(
            total=Coalesce(Sum("amount"), ZERO),
            linked=Coalesce(Sum("amount", filter=Q(is_linked=True)), ZERO),
        )
    )
    return RiskLinkage(
        proposal=proposal,
        security_total=money.to_money(totals["total"]),
        linked_total=money.to_money(totals["linked"]),
    )


def proposals_waiting_for(organization, role: str) -> list[Proposal]:
    """Proposals in joint review that ``role`` (cio / ciso) has not signed in
    their current version. Two queries."""
    candidates = list(Proposal.objects.filter(organization=organization, status=ProposalStatus.JOINT_REVIEW))
    waiting = signoffs_waiting_for(
        organization=organization, role=role, subjects_by_purpose={SIGNOFF_PURPOSE: candidates}
    )
    return [subject for _, subject in waiting]


def _gap_links():
    from .gaps import gap_links_prefetch

    return gap_links_prefetch()
