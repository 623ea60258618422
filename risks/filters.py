"""The register's filters and sort orders, shared by the register page, its
exports, the API list and ``selectors.risk_register``. All state lives in the
query string, so a filtered view can be bookmarked and shared."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Exists, F, OuterRef, Q

from core.members import MemberFilter, members_of
from core.models import Organization

from . import scoring
from .catalogues import read_csf
from .models import Mitigation, Origin, Risk, RiskStatus
from .selectors import above_appetite_q, divergent_q, open_q

CSF_FUNCTION_CHOICES = [(code, f"{code} {name}") for code, name, _text in read_csf()["functions"]]
LEVEL_CHOICES = [
    ("critical", "Critical"),
    ("high", "High"),
    ("medium", "Medium"),
    ("low", "Low"),
    ("unassessed", "Not assessed"),
]
STATUS_CHOICES = [("open", "All open"), *RiskStatus.choices]
YES_NO = [("yes", "Yes"), ("no", "No")]
APPETITE_CHOICES = [("above", "Above appetite"), ("within", "Within appetite")]
MATRIX_CHOICES = [("inherent", "Inherent"), ("residual", "Target residual")]

# sort key → (ordering expression(s)); "-key" reverses.
SORTS = {
    "reference": ("number",),
    "title": ("title",),
    "score": ("inherent_score",),
    "residual": ("residual_score",),
    "divergence": ("divergence_levels",),
    "owner": ("owner__full_name",),
    "status": ("status",),
    "due": ("due_date",),
    "review": ("next_review_date",),
    "loss": ("expected_annual_loss",),
    "updated": ("updated_at",),
}
DEFAULT_SORT = "-score"


# Columns that are never NULL: sorted without NULLS LAST, so that an ascending
# index read backwards serves the descending order (see migration 0004).
NOT_NULL_SORTS = {"number", "title", "status", "updated_at"}


def _ordering(key: str):
    descending = key.startswith("-")
    fields = SORTS.get(key.lstrip("-")) or SORTS["score"]
    nulls = [None if f in NOT_NULL_SORTS else True for f in fields]
    exprs = [
        F(f).desc(nulls_last=n) if descending else F(f).asc(nulls_last=n)
        for f, n in zip(fields, nulls, strict=True)
    ]
    return [*exprs, "number"]


class RiskFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    search = django_filters.CharFilter(method="filter_q", label="Search (same as q)")
    level = django_filters.ChoiceFilter(
        empty_label="Any", choices=LEVEL_CHOICES, method="filter_level", label="Level"
    )
    status = django_filters.ChoiceFilter(
        empty_label="Any", choices=STATUS_CHOICES, method="filter_status", label="Status"
    )
    origin = django_filters.ChoiceFilter(empty_label="Any", choices=Origin.choices, label="Origin")
    owner = MemberFilter(label="Owner", empty_label="Any")
    csf = django_filters.ChoiceFilter(
        choices=CSF_FUNCTION_CHOICES, empty_label="Any", method="filter_csf", label="CSF function"
    )
    divergent = django_filters.ChoiceFilter(
        empty_label="Any", choices=YES_NO, method="filter_divergent", label="Divergent"
    )
    appetite = django_filters.ChoiceFilter(
        empty_label="Any", choices=APPETITE_CHOICES, method="filter_appetite", label="Appetite"
    )
    matrix = django_filters.ChoiceFilter(
        empty_label="Any", choices=MATRIX_CHOICES, method="filter_noop", label="Heat map"
    )
    cell = django_filters.CharFilter(
        method="filter_cell",
        label="Heat-map cell",
        help_text="likelihood-impact, each 1 to 5, e.g. 4-5",
        validators=[
            RegexValidator(r"^[1-5]-[1-5]$", "Use likelihood-impact, each from 1 to 5, for example 4-5.")
        ],
    )
    sort = django_filters.ChoiceFilter(
        choices=[(k, k) for k in SORTS] + [(f"-{k}", f"-{k}") for k in SORTS],
        method="filter_noop",
        label="Sort",
        help_text="A column key; prefix with - for descending.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(k, k) for k in SORTS] + [(f"-{k}", f"-{k}") for k in SORTS],
        method="filter_noop",
        label="Ordering (same as sort)",
    )

    class Meta:
        model = Risk
        fields = [
            "q",
            "search",
            "level",
            "status",
            "origin",
            "owner",
            "csf",
            "divergent",
            "appetite",
            "matrix",
            "cell",
        ]

    def __init__(self, data=None, *args, organization: Organization | None = None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.organization = organization
        if organization is not None:
            self.filters["owner"].queryset = members_of(organization)
        for name, field in self.form.fields.items():
            field.required = False
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if name != "q" else "form-control form-control-sm"
            )

    # -- filters
    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(reference__iexact=value)
            | Q(impact_statement__icontains=value)
            | Q(affected_services__icontains=value)
        )

    def filter_level(self, queryset, name, value):
        if value == "unassessed":
            return queryset.filter(inherent_score__isnull=True)
        low, high = scoring.score_range(scoring.Level[value.upper()], self.organization.level_thresholds)
        return queryset.filter(inherent_score__gte=low, inherent_score__lte=high)

    def filter_status(self, queryset, name, value):
        if value == "open":
            return queryset.filter(open_q())
        return queryset.filter(status=value)

    def filter_csf(self, queryset, name, value):
        through = Risk.csf_categories.through
        return queryset.filter(
            Exists(through.objects.filter(risk_id=OuterRef("pk"), csfcategory__function__code=value))
        )

    def filter_divergent(self, queryset, name, value):
        return queryset.filter(divergent_q()) if value == "yes" else queryset.exclude(divergent_q())

    def filter_appetite(self, queryset, name, value):
        if value == "above":
            return queryset.filter(above_appetite_q(self.organization))
        return queryset.filter(open_q()).exclude(above_appetite_q(self.organization))

    def filter_cell(self, queryset, name, value):
        likelihood, impact = map(int, value.split("-"))
        residual = self.form.cleaned_data.get("matrix") == "residual"
        prefix = "residual" if residual else "inherent"
        # The heat map counts open risks only; so does the cell filter.
        return queryset.filter(open_q()).filter(
            **{f"{prefix}_likelihood": likelihood, f"{prefix}_impact": impact}
        )

    @property
    def qs(self):
        queryset = super().qs
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        sort = data.get("sort") or data.get("ordering")
        return queryset.order_by(*_ordering(sort or DEFAULT_SORT))

    @property
    def active_count(self) -> int:
        """How many filters are in use (the sort does not count)."""
        if not self.is_bound or not self.form.is_valid():
            return 0
        return sum(
            1
            for k, v in self.form.cleaned_data.items()
            if k not in ("sort", "ordering", "matrix") and v not in (None, "")
        )


class MitigationFilterSet(django_filters.FilterSet):
    """The mitigation list's filters (API): an owner outside the organization is refused like an unknown one."""

    owner = MemberFilter(help_text="Id of a member of the organization.")

    class Meta:
        model = Mitigation
        fields = ["risk", "status", "owner"]
