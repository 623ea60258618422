from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...evidence.selectors import csf_outcomes
from ..models import ImplementationStatus, OwnerLens


class SoaEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    valid_until = serializers.DateField()
    expired = serializers.BooleanField()


class SoaLineSerializer(serializers.Serializer):
    """One Annex A control's line (a ``risks.soa.selectors.SoaRow``)."""

    control = serializers.CharField(source="control.code")
    title = serializers.CharField(source="control.title")
    theme = serializers.CharField(source="control.theme")
    applicable = serializers.SerializerMethodField(help_text="true, false, or null when not decided yet.")
    justification = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    owner_lens = serializers.SerializerMethodField()
    csf_subcategories = serializers.SerializerMethodField(help_text="The organization's own mapping.")
    evidence = SoaEvidenceSerializer(many=True)
    version = serializers.SerializerMethodField(
        help_text="The line's version (null before its first change)."
    )

    def get_applicable(self, row) -> bool | None:
        return row.entry.applicable if row.entry else None

    def get_justification(self, row) -> str:
        return row.entry.justification if row.entry else ""

    def get_status(self, row) -> str:
        return row.entry.status if row.entry else ""

    def get_owner_lens(self, row) -> str:
        return row.entry.owner_lens if row.entry else ""

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_csf_subcategories(self, row):
        return [s.code for s in row.outcomes]

    def get_version(self, row) -> int | None:
        return row.entry.version if row.entry else None


class SoaLineWriteSerializer(serializers.Serializer):
    applicable = serializers.BooleanField(allow_null=True, required=False)
    justification = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ImplementationStatus.choices, required=False, allow_blank=True)
    owner_lens = serializers.ChoiceField(choices=OwnerLens.choices, required=False, allow_blank=True)
    csf_subcategories = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        help_text="CSF outcome codes, e.g. PR.AA-01.",
    )
    version = serializers.IntegerField(required=False, min_value=1)

    def validate_csf_subcategories(self, codes):
        found = list(csf_outcomes().filter(code__in=codes))
        missing = set(codes) - {s.code for s in found}
        if missing:
            raise serializers.ValidationError(f"Unknown CSF outcome: {', '.join(sorted(missing))}.")
        return found


class SoaStatementSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    approved = serializers.BooleanField(source="is_approved")
    approved_by = serializers.CharField(source="approved_by.email", allow_null=True, default=None)
    approved_at = serializers.DateTimeField(allow_null=True)
    approved_version = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField()
    applicable = serializers.IntegerField()
    excluded = serializers.IntegerField()
    undecided = serializers.IntegerField()
    implemented = serializers.IntegerField()


class SoaApproveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The statement version you read."
    )
