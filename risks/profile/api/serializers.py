"""Serializers of the CSF profile API. They parse and present; the services decide."""

from __future__ import annotations

from rest_framework import serializers

from core.api.base import SignOffSerializer, VersionedSerializerMixin

from ...evidence.levels import lowered_note
from .. import rules
from ..models import CsfProfile, ImplementationLevel, OwnerLens, ProfileOutcome

LEVEL_HELP = "0 not, 1 partially, 2 largely, 3 fully implemented."


class OutcomeSerializer(serializers.ModelSerializer):
    subcategory = serializers.CharField(source="subcategory.code", read_only=True)
    statement = serializers.CharField(source="subcategory.statement", read_only=True)
    category = serializers.CharField(source="subcategory.category.code", read_only=True)
    function = serializers.CharField(source="subcategory.category.function.code", read_only=True)
    current_level_label = serializers.SerializerMethodField()
    target_level_label = serializers.SerializerMethodField()
    is_gap = serializers.BooleanField(read_only=True)
    # Expired evidence lowers the current level it supports (risks.evidence.levels).
    counted_level = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The current level as it counts: one lower while all its evidence has expired.",
    )
    counted_level_note = serializers.SerializerMethodField()
    divergent = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField()

    class Meta:
        model = ProfileOutcome
        fields = [
            "id",
            "subcategory",
            "statement",
            "function",
            "category",
            "in_scope",
            "scope_reason",
            "owner_lens",
            "target_level",
            "target_level_label",
            "cio_level",
            "ciso_level",
            "current_level",
            "current_level_label",
            "counted_level",
            "counted_level_note",
            "is_gap",
            "divergent",
            "notes",
            "risks",
            "assessed_at",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_current_level_label(self, outcome) -> str:
        return "" if outcome.current_level is None else rules.LEVEL_LABELS[outcome.current_level]

    def get_counted_level_note(self, outcome) -> str:
        return lowered_note(outcome)

    def get_target_level_label(self, outcome) -> str:
        return rules.LEVEL_LABELS[outcome.target_level]

    def get_divergent(self, outcome) -> bool:
        return rules.diverges(outcome.owner_lens, outcome.cio_level, outcome.ciso_level)

    def get_risks(self, outcome) -> list[str]:
        """References of the linked risks (empty for roles that may not read the register)."""
        if not self.context.get("can_see_risks"):
            return []
        return [risk.reference for risk in outcome.risks.all()]


class OutcomeUpdateSerializer(VersionedSerializerMixin):
    in_scope = serializers.BooleanField(required=False)
    scope_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    owner_lens = serializers.ChoiceField(choices=OwnerLens.choices, required=False)
    target_level = serializers.ChoiceField(
        choices=ImplementationLevel.choices, required=False, help_text=LEVEL_HELP
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class AssessSerializer(VersionedSerializerMixin):
    level = serializers.ChoiceField(choices=ImplementationLevel.choices, help_text=LEVEL_HELP)


class RisksSerializer(serializers.Serializer):
    risks = serializers.ListField(
        child=serializers.CharField(max_length=20),
        help_text="Risk references such as R-004 (replaces the list).",
    )


class ProgressSerializer(serializers.Serializer):
    met = serializers.IntegerField()
    in_scope = serializers.IntegerField()
    gaps = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)
    sentence = serializers.CharField()


class ProfileSerializer(serializers.ModelSerializer):
    catalogue = serializers.CharField(source="catalogue.version", read_only=True)
    progress = serializers.SerializerMethodField()
    target_signed = serializers.SerializerMethodField()
    signoffs = serializers.SerializerMethodField()

    class Meta:
        model = CsfProfile
        fields = [
            "id",
            "catalogue",
            "current_tiers",
            "target_tiers",
            "progress",
            "target_signed",
            "signoffs",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    def get_progress(self, profile) -> ProgressSerializer:
        progress = self.context["progress"]
        return ProgressSerializer(
            {
                "met": progress.met,
                "in_scope": progress.in_scope,
                "gaps": progress.gaps,
                "percent": progress.percent,
                "sentence": progress.sentence,
            }
        ).data

    def get_target_signed(self, profile) -> bool:
        return bool(self.context.get("signed"))

    def get_signoffs(self, profile) -> SignOffSerializer(many=True):
        return SignOffSerializer(self.context.get("signoffs", []), many=True).data


class TiersSerializer(VersionedSerializerMixin):
    current_tiers = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=4), required=False, help_text='e.g. {"GV": 2}'
    )
    target_tiers = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=4), required=False, help_text='e.g. {"GV": 3}'
    )
