from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.members import MemberField

from ...models import AnnexAControl, Mitigation, Risk
from ..models import Evidence
from ..selectors import csf_outcomes


class EvidenceSerializer(serializers.ModelSerializer):
    owner = MemberField()
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    url = serializers.CharField(read_only=True, help_text="The link; empty for a file.")
    added_by = serializers.CharField(source="added_by.email", read_only=True)
    expired = serializers.SerializerMethodField()
    annex_a_controls = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    risks = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    mitigations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    csf_subcategories = serializers.SerializerMethodField(help_text="Codes of the CSF outcomes it supports.")
    download_url = serializers.SerializerMethodField(help_text="For a file: the permission-checked download.")

    class Meta:
        model = Evidence
        fields = [
            "id",
            "title",
            "description",
            "kind",
            "file_name",
            "file_type",
            "file_size",
            "url",
            "download_url",
            "owner",
            "owner_name",
            "added_by",
            "valid_until",
            "expired",
            "csf_subcategories",
            "annex_a_controls",
            "risks",
            "mitigations",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_expired(self, obj) -> bool:
        return obj.expired

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_csf_subcategories(self, obj):
        return [s.code for s in obj.csf_subcategories.all()]

    def get_download_url(self, obj) -> str | None:
        if obj.kind != "file":
            return None
        slug = self.context["organization"].slug
        return reverse("api:evidence-download", kwargs={"org_slug": slug, "pk": obj.pk})


class EvidenceWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, help_text="A new piece: the file (multipart), or give url.")
    url = serializers.URLField(required=False, max_length=1000, help_text="A new piece: the link, or a file.")
    owner = MemberField(required=False)
    valid_until = serializers.DateField(required=False)
    annex_a_controls = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=AnnexAControl.objects.all()
    )
    risks = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Risk.objects.none())
    mitigations = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Mitigation.objects.none()
    )
    csf_subcategories = serializers.ListField(
        child=serializers.CharField(max_length=12),
        required=False,
        help_text="CSF outcome codes, e.g. PR.AA-01.",
    )
    version = serializers.IntegerField(required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.context.get("organization")
        if organization is not None:
            self.fields["risks"].child_relation.queryset = Risk.objects.filter(organization=organization)
            self.fields["mitigations"].child_relation.queryset = Mitigation.objects.filter(
                organization=organization
            )

    def validate_csf_subcategories(self, codes):
        found = list(csf_outcomes().filter(code__in=codes))
        missing = set(codes) - {s.code for s in found}
        if missing:
            raise serializers.ValidationError(f"Unknown CSF outcome: {', '.join(sorted(missing))}.")
        return found


class EvidenceCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    valid = serializers.IntegerField()
    expiring = serializers.IntegerField(help_text="Valid, but expiring within 30 days.")
    expired = serializers.IntegerField()
    files = serializers.IntegerField()
    links = serializers.IntegerField()
