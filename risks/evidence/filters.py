"""Evidence filters, shared by the evidence page, its export and the API list."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone

from core.members import MemberFilter, members_of

from ..models import AnnexAControl
from .models import Evidence, EvidenceKind

VALIDITY_CHOICES = [("valid", "Valid"), ("expiring", "Expiring within 30 days"), ("expired", "Expired")]
EXPIRING_DAYS = 30


class EvidenceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=100)
    validity = django_filters.ChoiceFilter(
        choices=VALIDITY_CHOICES, method="filter_validity", label="Validity", empty_label="Any"
    )
    kind = django_filters.ChoiceFilter(
        choices=EvidenceKind.choices, label="Kind", empty_label="Files and links"
    )
    control = django_filters.ModelChoiceFilter(
        queryset=AnnexAControl.objects.all(),
        to_field_name="code",
        field_name="annex_a_controls",
        label="Annex A control",
    )
    owner = MemberFilter(label="Owner")

    class Meta:
        model = Evidence
        fields = ["q", "validity", "kind", "control", "owner"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, organization=None):
        self.organization = organization
        super().__init__(data, queryset, request=request, prefix=prefix)
        if organization is not None:
            self.filters["owner"].queryset = members_of(organization)
        for name, field in self.form.fields.items():
            field.widget.attrs["class"] = (
                "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            )
        self.form.fields["q"].widget.attrs.update(type="search", placeholder="Title, file name")
        self.form.fields["control"].empty_label = "Any control"
        self.form.fields["control"].label_from_instance = lambda c: f"{c.code} {c.title}"
        self.form.fields["owner"].empty_label = "Anyone"

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(file_name__icontains=value)
        )

    def filter_validity(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(valid_until__lt=today)
        if value == "expiring":
            return queryset.filter(
                valid_until__gte=today, valid_until__lte=today + timedelta(days=EXPIRING_DAYS)
            )
        return queryset.filter(valid_until__gte=today)
