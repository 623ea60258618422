"""Budget API shapes. Serializers check shape only; services apply the rules."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.base import SignOffSerializer, VersionedSerializerMixin
from core.selectors import signoff_log

from .. import money, selectors
from ..fiscal import fiscal_year_dates
from ..models import SIGNOFF_PURPOSE, BudgetItem, ItemOption, ItemRiskLink, Proposal

MONEY = {"max_digits": 16, "decimal_places": 2}


class BudgetProposalSerializer(serializers.ModelSerializer):
    fiscal_year_start = serializers.SerializerMethodField()
    fiscal_year_end = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)
    total = serializers.DecimalField(read_only=True, **MONEY)
    currency = serializers.CharField(source="organization.currency", read_only=True)
    submitted_by = serializers.CharField(
        source="submitted_by.email", read_only=True, default=None, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "fiscal_year",
            "fiscal_year_start",
            "fiscal_year_end",
            "title",
            "summary",
            "status",
            "amortisation_years",
            "currency",
            "item_count",
            "total",
            "version",
            "copied_from",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
            "decision_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _dates(self, obj):
        return fiscal_year_dates(obj.fiscal_year, obj.organization.fiscal_year_start_month)

    def get_fiscal_year_start(self, obj) -> str:
        return self._dates(obj)[0].isoformat()

    def get_fiscal_year_end(self, obj) -> str:
        return self._dates(obj)[1].isoformat()


class BudgetProposalDetailSerializer(BudgetProposalSerializer):
    signoffs = serializers.SerializerMethodField(
        help_text="Every sign-off on the proposal, newest first, each with its state (in force, voided or withdrawn)."
    )

    class Meta(BudgetProposalSerializer.Meta):
        fields = [*BudgetProposalSerializer.Meta.fields, "signoffs"]
        read_only_fields = fields

    @extend_schema_field(SignOffSerializer(many=True))
    def get_signoffs(self, obj) -> list[dict]:
        return SignOffSerializer(signoff_log(obj, SIGNOFF_PURPOSE), many=True).data


class BudgetProposalCreateSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    amortisation_years = serializers.IntegerField(min_value=1, max_value=10, default=3)
    copy_previous = serializers.BooleanField(
        default=False,
        help_text=("Start from a copy of the previous fiscal year's items, options and risk links."),
    )


class BudgetProposalUpdateSerializer(VersionedSerializerMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    amortisation_years = serializers.IntegerField(min_value=1, max_value=10, required=False)


class BudgetStepSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=("The version you read; if the proposal changed since, the step is refused with 409."),
    )


class BudgetApproveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class BudgetReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="Why the board returned the proposal.")


class BudgetSummarySerializer(serializers.Serializer):
    currency = serializers.CharField()
    item_count = serializers.IntegerField()
    total = serializers.DecimalField(**MONEY)
    by_domain = serializers.DictField(child=serializers.DecimalField(**MONEY))
    by_category = serializers.DictField(child=serializers.DecimalField(**MONEY))
    by_kind = serializers.DictField(child=serializers.DecimalField(**MONEY))
    by_priority = serializers.DictField(child=serializers.DecimalField(**MONEY))
    security_share = serializers.DecimalField(max_digits=7, decimal_places=4, allow_null=True)
    amortisation_years = serializers.IntegerField()
    annual_cost = serializers.DecimalField(**MONEY)
    cost_avoidance = serializers.DecimalField(**MONEY)
    portfolio_rosi = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)
    unfunded_musts = serializers.IntegerField()
    previous_fiscal_year = serializers.IntegerField(allow_null=True)
    previous_total = serializers.DecimalField(allow_null=True, **MONEY)
    change = serializers.DecimalField(allow_null=True, **MONEY)
    change_ratio = serializers.DecimalField(max_digits=12, decimal_places=4, allow_null=True)


def summary_data(proposal) -> dict:
    result = selectors.proposal_summary(proposal)
    s = result.summary
    return {
        "currency": proposal.organization.currency,
        "item_count": s.item_count,
        "total": s.total,
        "by_domain": s.by_domain,
        "by_category": s.by_category,
        "by_kind": s.by_kind,
        "by_priority": s.by_priority,
        "security_share": s.security_share,
        "amortisation_years": proposal.amortisation_years,
        "annual_cost": s.annual_cost,
        "cost_avoidance": s.cost_avoidance,
        "portfolio_rosi": s.portfolio_rosi,
        "unfunded_musts": s.unfunded_musts,
        "previous_fiscal_year": result.previous.fiscal_year if result.previous else None,
        "previous_total": result.previous_total,
        "change": result.change.delta if result.change else None,
        "change_ratio": result.change.ratio if result.change else None,
    }


class _OrgScopedRelatedMixin:
    """Narrows related-object choices to what the person may see in this organization."""

    related_querysets: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request, org = self.context.get("request"), self.context.get("organization")
        for name, factory in self.related_querysets.items():
            if name in self.fields and request is not None and org is not None:
                self.fields[name].queryset = factory(request.user, org)


def _visible_proposals(user, org):
    return Proposal.objects.visible_to(user).filter(organization=org)


def _visible_items(user, org):
    return BudgetItem.objects.visible_to(user).filter(organization=org)


def _mitigations(user, org):
    return selectors.linkable_mitigations(user=user, organization=org)


def _risks(user, org):
    return selectors.linkable_risks(user=user, organization=org)


class BudgetItemSerializer(_OrgScopedRelatedMixin, VersionedSerializerMixin, serializers.ModelSerializer):
    proposal = serializers.PrimaryKeyRelatedField(queryset=Proposal.objects.none())
    mitigation = serializers.PrimaryKeyRelatedField(
        queryset=BudgetItem.objects.none(), allow_null=True, required=False
    )
    annual_cost = serializers.SerializerMethodField()
    loss_avoided = serializers.DecimalField(read_only=True, **MONEY)
    rosi = serializers.SerializerMethodField(
        help_text="(loss avoided − annual cost) / annual cost; null when "
        "no quantified risk is reduced or the annual cost is zero."
    )
    risk_count = serializers.IntegerField(read_only=True)
    option_count = serializers.IntegerField(read_only=True)
    chosen_option = serializers.CharField(source="chosen_option_name", read_only=True, allow_null=True)

    related_querysets = {"proposal": _visible_proposals, "mitigation": _mitigations}

    class Meta:
        model = BudgetItem
        fields = [
            "id",
            "proposal",
            "title",
            "domain",
            "category",
            "kind",
            "amount",
            "priority",
            "justification",
            "mitigation",
            "annual_cost",
            "loss_avoided",
            "rosi",
            "risk_count",
            "option_count",
            "chosen_option",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _figures(self, obj):
        if not hasattr(obj, "_figures"):
            obj._figures = selectors.item_figures(obj, amortisation_years=obj.proposal.amortisation_years)
        return obj._figures

    def get_annual_cost(self, obj) -> str:
        return str(self._figures(obj)["annual_cost"])

    def get_rosi(self, obj) -> str | None:
        value = self._figures(obj)["rosi"]
        return None if value is None else str(value)

    def to_representation(self, obj):
        data = super().to_representation(obj)
        data["loss_avoided"] = str(money.to_money(obj.loss_avoided))
        return data


class BudgetOptionSerializer(_OrgScopedRelatedMixin, VersionedSerializerMixin, serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(queryset=BudgetItem.objects.none())
    related_querysets = {"item": _visible_items}

    class Meta:
        model = ItemOption
        fields = [
            "id",
            "item",
            "name",
            "cost",
            "timeline_weeks",
            "pros",
            "cons",
            "security_score",
            "is_chosen",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_chosen", "created_at", "updated_at"]


class BudgetRiskLinkSerializer(_OrgScopedRelatedMixin, VersionedSerializerMixin, serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(queryset=BudgetItem.objects.none())
    risk = serializers.PrimaryKeyRelatedField(queryset=BudgetItem.objects.none())
    risk_reference = serializers.CharField(source="risk.reference", read_only=True)
    risk_title = serializers.CharField(source="risk.title", read_only=True)
    loss_before = serializers.DecimalField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text=("Defaults to the risk's expected annual loss in the register."),
        **MONEY,
    )
    loss_after = serializers.DecimalField(min_value=0, **MONEY)
    loss_avoided = serializers.DecimalField(read_only=True, **MONEY)
    related_querysets = {"item": _visible_items, "risk": _risks}

    class Meta:
        model = ItemRiskLink
        fields = [
            "id",
            "item",
            "risk",
            "risk_reference",
            "risk_title",
            "loss_before",
            "loss_after",
            "loss_avoided",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
