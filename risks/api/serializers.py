"""Shapes of the risk register API. Serializers check shape only; rules live
in ``risks.services``."""

from __future__ import annotations

from rest_framework import serializers

from core.members import MemberField
from risks import scoring
from risks.models import (
    AnnexAControl,
    Assessment,
    ControlTheme,
    CsfCategory,
    Lens,
    Mitigation,
    MitigationStatus,
    Origin,
    Risk,
    RiskCategory,
    RiskStatus,
    Treatment,
)


def inline_choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field declared explicitly, so read and write shapes name the
    same enum (see ENUM_NAME_OVERRIDES for the register's enums)."""
    return serializers.ChoiceField(choices=choices, **kwargs)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class AssessmentSerializer(serializers.ModelSerializer):
    inherent_score = serializers.IntegerField(read_only=True)
    residual_score = serializers.IntegerField(read_only=True)
    assessed_by = PersonSerializer(read_only=True)
    confirmed_by = PersonSerializer(read_only=True, allow_null=True)
    risk = serializers.IntegerField(source="risk_id", read_only=True)
    lens = inline_choice(Lens.choices, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "risk",
            "lens",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_score",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "rationale",
            "assessed_by",
            "assessed_at",
            "proposed_role",
            "confirmed_by",
            "confirmed_at",
            "version",
        ]
        read_only_fields = fields


class RiskSerializer(serializers.ModelSerializer):
    """A risk as the register shows it. Levels use the organization's thresholds."""

    owner = PersonSerializer(read_only=True)
    category = inline_choice(RiskCategory.choices, read_only=True)
    origin = inline_choice(Origin.choices, read_only=True)
    status = inline_choice(RiskStatus.choices, read_only=True)
    treatment = inline_choice(Treatment.choices + [("", "Not chosen")], read_only=True)
    csf_categories = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    annex_a_controls = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    level = serializers.SerializerMethodField(help_text="Level of the current inherent score.")
    residual_level = serializers.SerializerMethodField()
    divergence_levels = serializers.IntegerField(
        read_only=True, default=0, help_text="Levels between the CIO and CISO views (0 once agreed)."
    )
    above_appetite = serializers.SerializerMethodField()
    acceptance = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "reference",
            "title",
            "impact_statement",
            "category",
            "origin",
            "owner",
            "status",
            "treatment",
            "due_date",
            "next_review_date",
            "affected_services",
            "csf_categories",
            "annex_a_controls",
            "loss_low",
            "loss_most_likely",
            "loss_high",
            "events_per_year",
            "expected_annual_loss",
            "cio_score",
            "ciso_score",
            "is_agreed",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_score",
            "level",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "residual_level",
            "divergence_levels",
            "above_appetite",
            "acceptance",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _thresholds(self, risk):
        return (
            self.context["organization"].level_thresholds
            if "organization" in self.context
            else risk.organization.level_thresholds
        )

    def get_level(self, risk) -> str:
        return scoring.level_key(risk.inherent_score, self._thresholds(risk))

    def get_residual_level(self, risk) -> str:
        return scoring.level_key(risk.residual_score, self._thresholds(risk))

    def get_above_appetite(self, risk) -> bool:
        organization = self.context.get("organization") or risk.organization
        return scoring.above_appetite(risk.inherent_score, organization.risk_appetite)

    def get_acceptance(self, risk) -> dict | None:
        if not risk.acceptance_expires_on:
            return None
        return {
            "justification": risk.acceptance_justification,
            "expires_on": risk.acceptance_expires_on,
            "requested_at": risk.acceptance_requested_at,
            "accepted_at": risk.accepted_at,
            "in_force": risk.status == RiskStatus.ACCEPTED,
        }


class RiskDetailSerializer(RiskSerializer):
    assessments = AssessmentSerializer(many=True, read_only=True)

    class Meta(RiskSerializer.Meta):
        fields = [*RiskSerializer.Meta.fields, "assessments"]
        read_only_fields = fields


class RiskWriteSerializer(serializers.Serializer):
    """Create or change a risk. On change, send the ``version`` you read."""

    title = serializers.CharField(max_length=200)
    impact_statement = serializers.CharField(help_text="What happens to the business if this occurs.")
    category = inline_choice(RiskCategory.choices)
    origin = inline_choice(Origin.choices)
    owner = MemberField(help_text="Id of a member of the organization.")
    status = inline_choice(
        [c for c in RiskStatus.choices if c[0] != RiskStatus.ACCEPTED],
        required=False,
        help_text="'accepted' is reached only by joint sign-off.",
    )
    treatment = inline_choice(Treatment.choices, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    next_review_date = serializers.DateField(required=False, allow_null=True)
    affected_services = serializers.CharField(required=False, allow_blank=True, max_length=500)
    csf_categories = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=CsfCategory.objects.all()
    )
    annex_a_controls = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=AnnexAControl.objects.all()
    )
    loss_low = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    loss_most_likely = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    loss_high = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    events_per_year = serializers.DecimalField(
        max_digits=7, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=(
            "The version you last read. If someone changed the risk since, the update is refused with 409."
        ),
    )


class RatingsSerializer(serializers.Serializer):
    inherent_likelihood = serializers.IntegerField(min_value=1, max_value=5)
    inherent_impact = serializers.IntegerField(min_value=1, max_value=5)
    residual_likelihood = serializers.IntegerField(min_value=1, max_value=5)
    residual_impact = serializers.IntegerField(min_value=1, max_value=5)
    rationale = serializers.CharField(max_length=4000)


class AssessmentWriteSerializer(RatingsSerializer):
    lens = inline_choice(
        [(Lens.CIO, "CIO"), (Lens.CISO, "CISO")],
        required=False,
        help_text=("Optional; must be your own lens (the CIO writes the CIO lens, the CISO the CISO lens)."),
    )
    version = serializers.IntegerField(required=False, min_value=1, help_text="The risk's version you read.")


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AcceptanceRequestSerializer(serializers.Serializer):
    justification = serializers.CharField(max_length=4000)
    expires_on = serializers.DateField()
    version = serializers.IntegerField(required=False, min_value=1)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class MitigationSerializer(serializers.ModelSerializer):
    risk = serializers.PrimaryKeyRelatedField(queryset=Risk.objects.none())
    owner = MemberField()
    status = inline_choice(MitigationStatus.choices, required=False)
    is_overdue = serializers.SerializerMethodField()
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=("On change: the version you read; a stale one answers 409.")
    )

    class Meta:
        model = Mitigation
        fields = [
            "id",
            "risk",
            "title",
            "description",
            "owner",
            "status",
            "due_date",
            "cost",
            "completed_on",
            "is_overdue",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["completed_on", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["risk"].queryset = Risk.objects.filter(organization=organization)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["risk"].read_only = True

    def get_is_overdue(self, mitigation) -> bool:
        return mitigation.is_overdue()


class HeatCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    score = serializers.IntegerField()
    level = serializers.CharField()
    count = serializers.IntegerField()


class HeatmapSerializer(serializers.Serializer):
    matrix = inline_choice([("inherent", "Inherent"), ("residual", "Target residual")])
    total = serializers.IntegerField()
    cells = HeatCellSerializer(many=True)


class CsfCategorySerializer(serializers.ModelSerializer):
    function = serializers.CharField(source="function.code")
    function_name = serializers.CharField(source="function.name")

    class Meta:
        model = CsfCategory
        fields = ["code", "name", "function", "function_name", "description"]


class AnnexAControlSerializer(serializers.ModelSerializer):
    theme = inline_choice(ControlTheme.choices, read_only=True)

    class Meta:
        model = AnnexAControl
        fields = ["code", "title", "theme"]
