"""Every read of the risk register, scoped to the person or organization.

Levels, divergence and appetite are computed in the database from the scores
the services keep on each risk, using the organization's *current* thresholds,
so filtering, sorting and counting cost a fixed number of queries.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Abs
from django.utils import timezone

from core.cache import cached_for_org
from core.models import Organization, SignOff
from core.money import money_text
from core.permissions import signing_role
from core.roles import Role
from core.selectors import signoffs_waiting_for

from . import heatmap, scoring
from .models import (
    AnnexAControl,
    Assessment,
    CsfCategory,
    CsfFunction,
    Lens,
    Mitigation,
    MitigationStatus,
    Risk,
    RiskStatus,
)

OPEN_STATUSES = (
    RiskStatus.IDENTIFIED,
    RiskStatus.ASSESSED,
    RiskStatus.TREATMENT_PLANNED,
    RiskStatus.IN_TREATMENT,
)
ACCEPTANCE = "acceptance"


# ------------------------------------------------------------ definitions ----
# docs/DEFINITIONS.md: each figure of the register is defined once, here, and
# every page, API answer, report and PDF counts through these three functions.


def open_q() -> Q:
    """**Open risk**: identified, assessed, treatment planned or in treatment.
    Accepted risks (jointly accepted, in force until their expiry) and closed
    risks are not open; accepted risks are counted on their own."""
    return Q(status__in=OPEN_STATUSES)


def above_appetite_q(organization: Organization) -> Q:
    """**Above appetite**: an open risk whose current score (agreed, else the
    higher of the two lenses) is strictly above the organization's appetite."""
    return open_q() & Q(inherent_score__gt=organization.risk_appetite)


def divergent_q() -> Q:
    """**Divergent**: an open risk whose CIO and CISO scores are a level or more
    apart and not yet agreed. Needs ``annotate_levels``' ``divergence_levels``."""
    return open_q() & Q(divergence_levels__gte=1)


def _level_expr(field: str, organization: Organization):
    """Level rank (0 low … 3 critical) of a score column, None when empty."""
    return Case(
        When(**{f"{field}__gte": organization.critical_from}, then=Value(3)),
        When(**{f"{field}__gte": organization.high_from}, then=Value(2)),
        When(**{f"{field}__gte": organization.medium_from}, then=Value(1)),
        When(**{f"{field}__isnull": False}, then=Value(0)),
        default=None,
        output_field=IntegerField(),
    )


def annotate_levels(queryset: QuerySet, organization: Organization) -> QuerySet:
    """Adds ``level_rank``, ``residual_level_rank``, ``divergence_levels`` and
    ``is_above_appetite`` (0/1) to a Risk queryset."""
    return queryset.annotate(
        level_rank=_level_expr("inherent_score", organization),
        residual_level_rank=_level_expr("residual_score", organization),
        cio_level_rank=_level_expr("cio_score", organization),
        ciso_level_rank=_level_expr("ciso_score", organization),
    ).annotate(
        divergence_levels=Case(
            When(is_agreed=True, then=Value(0)),
            When(Q(cio_score__isnull=True) | Q(ciso_score__isnull=True), then=Value(0)),
            default=Abs(F("cio_level_rank") - F("ciso_level_rank")),
            output_field=IntegerField(),
        ),
        is_above_appetite=Case(
            When(above_appetite_q(organization), then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    )


def risk_base(user, organization: Organization) -> QuerySet:
    """Risks of ``organization`` the user may see, with level annotations."""
    queryset = Risk.objects.visible_to(user).filter(organization=organization)
    return annotate_levels(queryset, organization)


def risk_register_filterset(user, organization: Organization, filters=None):
    """The register's filter set (its form drives the page's filter bar)."""
    from .filters import RiskFilterSet

    queryset = (
        risk_base(user, organization)
        .select_related("owner")
        .prefetch_related(
            Prefetch("csf_categories", queryset=CsfCategory.objects.only("code", "name", "function_id"))
        )
    )
    return RiskFilterSet(filters or {}, queryset=queryset, organization=organization)


def risk_register(user, organization: Organization, filters: dict | None = None) -> QuerySet:
    """The register as the user sees it, filtered and sorted by ``filters``
    (the query parameters of the register page / API, see risks.filters:
    q, level, status, origin, owner, csf, divergent, appetite, matrix, cell,
    sort). Rows carry owner, CSF categories and the annotations of
    ``annotate_levels``; iterating a page costs two queries (rows, CSF
    categories) whatever its size. Invalid filter values are ignored."""
    return risk_register_filterset(user, organization, filters).qs


def register_summary(organization: Organization) -> dict:
    """``risk_summary`` for the register's and the heat map's tiles and the
    API's summary: one aggregate over every risk of the organization, cached
    until any of its data changes (``core.cache``), so these pages do not
    read the whole register on each request."""
    return cached_for_org(organization.pk, "risks:summary", lambda: risk_summary(organization))


def risk_detail(user, organization: Organization, pk: int) -> Risk:
    """One risk with everything its page shows. Raises Risk.DoesNotExist."""
    return (
        risk_base(user, organization)
        .select_related("owner", "acceptance_requested_by")
        .prefetch_related(
            Prefetch(
                "assessments", queryset=Assessment.objects.select_related("assessed_by", "confirmed_by")
            ),
            Prefetch(
                "mitigations", queryset=Mitigation.objects.select_related("owner").order_by("due_date", "pk")
            ),
            Prefetch("csf_categories", queryset=CsfCategory.objects.select_related("function")),
            "annex_a_controls",
        )
        .get(pk=pk)
    )


def lenses_of(risk: Risk) -> dict[str, Assessment | None]:
    """{'cio': …, 'ciso': …, 'agreed': …} from a risk with prefetched assessments."""
    by_lens = {a.lens: a for a in risk.assessments.all()}
    return {lens: by_lens.get(lens) for lens in Lens.values}


# --------------------------------------------------------------- heat map ----


def _scoped(organization: Organization, queryset: QuerySet | None) -> QuerySet:
    """``queryset`` (risks a person may see) or every risk of the organization."""
    return queryset if queryset is not None else Risk.objects.filter(organization=organization)


def _grid(rows, likelihood: str, impact: str) -> list[list[int]]:
    """5×5 counts from GROUP BY rows: ``grid[likelihood - 1][impact - 1]``."""
    grid = [[0] * 5 for _ in range(5)]
    for row in rows:
        if row[likelihood] and row[impact]:
            grid[row[likelihood] - 1][row[impact] - 1] += row["n"]
    return grid


def risk_heatmap(
    user, organization: Organization, *, residual: bool = False, queryset: QuerySet | None = None
) -> list[list[int]]:
    """5×5 counts of open risks (``open_q``) by current likelihood × impact:
    ``grid[likelihood - 1][impact - 1]``. One query."""
    likelihood, impact = (
        ("residual_likelihood", "residual_impact") if residual else ("inherent_likelihood", "inherent_impact")
    )
    base = (
        queryset if queryset is not None else Risk.objects.visible_to(user).filter(organization=organization)
    )
    rows = (
        base.filter(open_q())
        .filter(**{f"{likelihood}__isnull": False, f"{impact}__isnull": False})
        .values(likelihood, impact)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _grid(rows, likelihood, impact)


def risk_heatmaps(
    organization: Organization, *, queryset: QuerySet | None = None
) -> dict[str, list[list[int]]]:
    """Both heat maps of the open risks, ``{"inherent": grid, "residual":
    grid}`` as in ``risk_heatmap``, from one GROUP BY query (at most 625 rows)."""
    fields = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
    rows = list(
        _scoped(organization, queryset).filter(open_q()).values(*fields).annotate(n=Count("pk")).order_by()
    )
    return {
        "inherent": _grid(rows, "inherent_likelihood", "inherent_impact"),
        "residual": _grid(rows, "residual_likelihood", "residual_impact"),
    }


def heatmap_picture(user, organization: Organization, *, residual: bool = False) -> list[list[int]]:
    """``risk_heatmap`` as ``risks.heatmap.picture`` rows (impact 5 at the top)."""
    return heatmap.picture(risk_heatmap(user, organization, residual=residual))


# ---------------------------------------------------------------- summary ----


def risk_summary(organization: Organization, *, queryset: QuerySet | None = None) -> dict:
    """The register's headline figures, the one source of every page, API
    answer, report and PDF that shows them (docs/DEFINITIONS.md), in one query:
    ``open`` (``open_q``), ``by_level`` {critical, high, medium, low,
    unassessed} of open risks by current score, ``open_above_appetite``
    (``above_appetite_q``), ``divergent`` (``divergent_q``) and
    ``divergent_share`` (0–1, of open risks assessed by both lenses),
    ``missing_lens`` (open, not agreed, a lens missing), ``accepted``,
    ``closed``, ``total`` and ``expected_annual_loss`` of open risks (Decimal).
    ``queryset`` narrows the risks counted (e.g. to those a person may see)."""
    qs = annotate_levels(_scoped(organization, queryset), organization)
    is_open = open_q()
    both = is_open & Q(cio_score__isnull=False, ciso_score__isnull=False)
    figures = qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=is_open),
        closed=Count("pk", filter=Q(status=RiskStatus.CLOSED)),
        accepted=Count("pk", filter=Q(status=RiskStatus.ACCEPTED)),
        open_above_appetite=Count("pk", filter=above_appetite_q(organization)),
        divergent=Count("pk", filter=divergent_q()),
        both_assessed=Count("pk", filter=both),
        missing_lens=Count(
            "pk",
            filter=is_open & Q(is_agreed=False) & (Q(cio_score__isnull=True) | Q(ciso_score__isnull=True)),
        ),
        critical=Count("pk", filter=is_open & Q(level_rank=3)),
        high=Count("pk", filter=is_open & Q(level_rank=2)),
        medium=Count("pk", filter=is_open & Q(level_rank=1)),
        low=Count("pk", filter=is_open & Q(level_rank=0)),
        unassessed=Count("pk", filter=is_open & Q(inherent_score__isnull=True)),
        expected_annual_loss=Sum("expected_annual_loss", filter=is_open),
    )
    by_level = {key: figures.pop(key) for key in ("critical", "high", "medium", "low", "unassessed")}
    both_assessed = figures["both_assessed"]
    share = (Decimal(figures["divergent"]) / both_assessed) if both_assessed else Decimal("0")
    return {
        **figures,
        "by_level": by_level,
        "divergent_share": share,
        "expected_annual_loss": figures["expected_annual_loss"] or Decimal(0),
        "appetite": organization.risk_appetite,
    }


def risk_scope(organization: Organization, user=None) -> QuerySet:
    """Risks ``user`` may see, or every risk of the organization."""
    if user is None:
        return Risk.objects.in_org(organization)
    return Risk.objects.visible_to(user).filter(organization=organization)


def risk_digest(risk: Risk, organization: Organization) -> dict:
    """One risk as plain, JSON-ready values for the dashboard and reports
    (money as text in whole cents, see core.money)."""
    thresholds = organization.level_thresholds
    owner = risk.owner
    return {
        "id": risk.pk,
        "reference": risk.reference,
        "title": risk.title,
        "impact": risk.impact_statement,
        "status": RiskStatus(risk.status).label,
        "origin": risk.origin,
        "score": risk.inherent_score,
        "level": scoring.level_key(risk.inherent_score, thresholds),
        "residual_score": risk.residual_score,
        "residual_level": scoring.level_key(risk.residual_score, thresholds),
        "cio_score": risk.cio_score,
        "ciso_score": risk.ciso_score,
        "levels_apart": scoring.divergence(risk.cio_score, risk.ciso_score, thresholds),
        "expected_annual_loss": money_text(risk.expected_annual_loss),
        "owner": (owner.full_name or owner.email) if owner else None,
    }


def risk_overview(
    organization: Organization, *, user=None, top: int = 5, divergences: int = 5, above: int = 8
) -> dict:
    """Everything the dashboard and the report show of the register, as plain
    values: the ``risk_summary`` figures, both heat maps (``risks.heatmap.picture``)
    and the top, most divergent and above-appetite risks (``risk_digest``).
    Scoped to what ``user`` may see, or the whole organization. Five queries."""
    scope = risk_scope(organization, user)
    figures = risk_summary(organization, queryset=scope)
    grids = risk_heatmaps(organization, queryset=scope)
    lists = {
        "top": top_risks(organization, top, queryset=scope),
        "divergences": biggest_divergences(organization, divergences, queryset=scope),
        "above_appetite": risks_above_appetite(organization, above, queryset=scope),
    }
    return {
        "open": figures["open"],
        "accepted": figures["accepted"],
        "appetite": organization.risk_appetite,
        "levels": figures["by_level"],
        "divergent_count": figures["divergent"],
        "not_assessed_count": figures["missing_lens"],
        "above_appetite_count": figures["open_above_appetite"],
        "expected_annual_loss": money_text(figures["expected_annual_loss"]),
        "heatmap": {
            "inherent": heatmap.picture(grids["inherent"]),
            "residual": heatmap.picture(grids["residual"]),
        },
        **{key: [risk_digest(risk, organization) for risk in risks] for key, risks in lists.items()},
    }


def top_risks(organization: Organization, limit: int = 5, *, queryset: QuerySet | None = None) -> list[Risk]:
    """The highest current scores among open risks (one query); on equal
    scores the higher impact first, then the register's order."""
    qs = annotate_levels(_scoped(organization, queryset), organization)
    return list(
        qs.filter(open_q(), inherent_score__isnull=False)
        .select_related("owner")
        .order_by("-inherent_score", "-inherent_impact", "number")[:limit]
    )


def biggest_divergences(
    organization: Organization, limit: int = 5, *, queryset: QuerySet | None = None
) -> list[Risk]:
    """Divergent risks (``divergent_q``), the CIO and the CISO furthest apart
    first (one query). Each row has ``divergence_levels``, ``cio_score`` and ``ciso_score``."""
    qs = annotate_levels(_scoped(organization, queryset), organization)
    return list(
        qs.filter(divergent_q())
        .select_related("owner")
        .annotate(score_gap=Abs(F("cio_score") - F("ciso_score")))
        .order_by("-divergence_levels", "-score_gap", "-inherent_score", "number")[:limit]
    )


def risks_above_appetite(
    organization: Organization, limit: int = 8, *, queryset: QuerySet | None = None
) -> list[Risk]:
    """Risks above the appetite (``above_appetite_q``), highest first, in the
    register's order (one query)."""
    qs = annotate_levels(_scoped(organization, queryset), organization)
    return list(
        qs.filter(above_appetite_q(organization))
        .select_related("owner")
        .order_by("-inherent_score", "number")[:limit]
    )


def risks_needing_assessment(user, organization: Organization) -> QuerySet:
    """For the CIO or the CISO: open risks their lens has not assessed yet, and
    risks with an agreement proposal waiting for their confirmation. Empty for
    other roles."""
    role = signing_role(user, organization)
    if role is None:
        return Risk.objects.none()
    own_missing = Q(cio_score__isnull=True) if role == Role.CIO else Q(ciso_score__isnull=True)
    other = Lens.CISO if role == Role.CIO else Lens.CIO
    proposals = Assessment.objects.filter(lens=Lens.AGREED, confirmed_at__isnull=True, proposed_role=other)
    return (
        risk_base(user, organization)
        .filter(open_q())
        .filter(own_missing | Q(pk__in=proposals.values("risk_id")))
        .select_related("owner")
        .order_by("-inherent_score", "number")
    )


def pending_acceptances(organization: Organization) -> QuerySet:
    """Risks with a joint acceptance requested and not yet in force."""
    return (
        Risk.objects.filter(organization=organization, acceptance_expires_on__isnull=False)
        .exclude(status__in=(RiskStatus.ACCEPTED, RiskStatus.CLOSED))
        .select_related("owner")
    )


def acceptances_waiting_for(organization: Organization, role: str) -> list[Risk]:
    """Risks whose joint acceptance waits for ``role``'s ("cio"/"ciso") signature
    on their current version (two queries)."""
    waiting = signoffs_waiting_for(
        organization=organization,
        role=role,
        subjects_by_purpose={ACCEPTANCE: pending_acceptances(organization)},
    )
    return [risk for _purpose, risk in waiting]


def accepted_risks(organization: Organization) -> QuerySet:
    """Risks accepted jointly and in force, soonest expiry first."""
    return (
        Risk.objects.filter(organization=organization, status=RiskStatus.ACCEPTED)
        .select_related("owner")
        .order_by("acceptance_expires_on")
    )


def reviews_overdue(organization: Organization, *, today=None) -> QuerySet:
    """Risks not closed whose next review date has passed, longest overdue first."""
    due = Risk.objects.filter(organization=organization, next_review_date__lt=today or timezone.localdate())
    return (
        annotate_levels(due.exclude(status=RiskStatus.CLOSED), organization)
        .select_related("owner")
        .order_by("next_review_date", "number")
    )


def overdue_mitigations(organization: Organization) -> QuerySet:
    return (
        Mitigation.objects.filter(
            organization=organization,
            due_date__lt=timezone.localdate(),
            status__in=(MitigationStatus.PLANNED, MitigationStatus.IN_PROGRESS),
        )
        .select_related("risk", "owner")
        .order_by("due_date")
    )


def acceptance_signoffs(risks: list[Risk]) -> dict[int, dict[str, SignOff]]:
    """Active acceptance sign-offs of many risks at once: {risk_id: {role: signoff}}."""
    from django.contrib.contenttypes.models import ContentType

    if not risks:
        return {}
    rows = SignOff.objects.filter(
        content_type=ContentType.objects.get_for_model(Risk),
        purpose=ACCEPTANCE,
        object_id__in=[r.pk for r in risks],
        voided_at__isnull=True,
    )
    result: dict[int, dict[str, SignOff]] = {}
    versions = {r.pk: r.version for r in risks}
    for row in rows:
        if versions.get(row.object_id) == row.subject_version:
            result.setdefault(row.object_id, {})[row.role] = row
    return result


# ------------------------------------------------------------- catalogues ----


def csf_functions() -> QuerySet:
    return CsfFunction.objects.prefetch_related("categories")


def csf_categories(search: str = "") -> QuerySet:
    qs = CsfCategory.objects.select_related("function")
    if search:
        qs = qs.filter(
            Q(code__icontains=search) | Q(name__icontains=search) | Q(function__name__icontains=search)
        )
    return qs


def annex_a_controls(search: str = "", theme: str = "") -> QuerySet:
    qs = AnnexAControl.objects.all()
    if theme:
        qs = qs.filter(theme=theme)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(title__icontains=search))
    return qs


# ------------------------------------------------------------ board pack ----


def _in_words(likelihood, impact) -> str:
    if not likelihood or not impact:
        return "not assessed yet"
    return (
        f"likelihood: {scoring.LIKELIHOOD_LABELS[likelihood].lower()}; "
        f"impact: {scoring.IMPACT_LABELS[impact].lower()}"
    )


def risk_board_details(organization: Organization, ids, *, user=None) -> dict[int, dict]:
    """For the board: likelihood and impact in words, the treatment and its due
    date, and what the CIO and the CISO each wrote, of these risks (two queries)."""
    risks = risk_scope(organization, user).filter(pk__in=list(ids)).in_bulk()
    notes: dict[int, dict[str, str]] = {}
    for risk_id, lens, rationale in Assessment.objects.filter(
        risk_id__in=list(risks), lens__in=[Lens.CIO, Lens.CISO]
    ).values_list("risk_id", "lens", "rationale"):
        notes.setdefault(risk_id, {})[lens] = rationale
    return {
        pk: {
            "in_words": _in_words(risk.inherent_likelihood, risk.inherent_impact),
            "treatment": risk.get_treatment_display() if risk.treatment else "not decided yet",
            "treatment_due": risk.due_date.isoformat() if risk.due_date else None,
            "cio_says": notes.get(pk, {}).get(Lens.CIO, ""),
            "ciso_says": notes.get(pk, {}).get(Lens.CISO, ""),
        }
        for pk, risk in risks.items()
    }


def above_appetite_digests(organization: Organization, limit: int, *, user=None) -> list[dict]:
    """The first ``limit`` risks above appetite, highest first, as ``risk_digest`` values (one query)."""
    risks = risks_above_appetite(organization, limit, queryset=risk_scope(organization, user))
    return [risk_digest(risk, organization) for risk in risks]


def _acceptance_signers(signoffs: list[SignOff], accepted_at) -> dict[str, SignOff]:
    """The latest approving acceptance sign-off per role given by the acceptance."""
    chosen: dict[str, SignOff] = {}
    for row in sorted(signoffs, key=lambda s: s.signed_at):
        if row.decision == "approve" and (accepted_at is None or row.signed_at <= accepted_at):
            chosen[row.role] = row
    return chosen


def accepted_risks_signed(organization: Organization, *, user=None) -> list[dict]:
    """Every accepted risk in force, soonest expiry first, as plain values: who
    accepted it in each role (names), when, until when, and the exposure left
    (current level and score, expected annual loss). Two queries."""
    from django.contrib.contenttypes.models import ContentType

    risks = list(
        risk_scope(organization, user)
        .filter(status=RiskStatus.ACCEPTED)
        .order_by("acceptance_expires_on", "number")
    )
    signoffs: dict[int, list[SignOff]] = {}
    for row in SignOff.objects.filter(
        content_type=ContentType.objects.get_for_model(Risk),
        purpose=ACCEPTANCE,
        object_id__in=[r.pk for r in risks],
    ).select_related("signer"):
        signoffs.setdefault(row.object_id, []).append(row)
    thresholds = organization.level_thresholds
    rows = []
    for risk in risks:
        signed = _acceptance_signers(signoffs.get(risk.pk, []), risk.accepted_at)
        rows.append(
            {
                "id": risk.pk,
                "reference": risk.reference,
                "title": risk.title,
                "cio": signed[Role.CIO].signer.display_name if Role.CIO in signed else None,
                "ciso": signed[Role.CISO].signer.display_name if Role.CISO in signed else None,
                "accepted_on": timezone.localtime(risk.accepted_at).date().isoformat()
                if risk.accepted_at
                else None,
                "until": risk.acceptance_expires_on.isoformat() if risk.acceptance_expires_on else None,
                "score": risk.inherent_score,
                "level": scoring.level_key(risk.inherent_score, thresholds),
                "in_words": _in_words(risk.inherent_likelihood, risk.inherent_impact),
                "expected_annual_loss": money_text(risk.expected_annual_loss),
                "justification": risk.acceptance_justification,
            }
        )
    return rows
