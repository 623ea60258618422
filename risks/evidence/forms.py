"""Forms of the evidence pages: shape only; the services check the rules
(type, size, links, owner) and their refusal lands on the field it names."""

from __future__ import annotations

from django import forms
from django.conf import settings

from core.forms import StyledFormMixin
from core.members import MemberChoiceField

from ..models import AnnexAControl, Mitigation, Risk
from .models import Evidence, EvidenceKind
from .selectors import csf_outcomes
from .uploads import ALLOWED, ALLOWED_TEXT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ",".join(f".{extension}" for extension in ALLOWED)


class ControlField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.title}"


class OutcomeField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        text = obj.statement if len(obj.statement) <= 90 else obj.statement[:89] + "…"
        return f"{obj.code} {text}"


class RiskField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.reference} {obj.title}"


class MitigationField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.risk.reference}: {obj.title}"


def _multi(size=6):
    return forms.SelectMultiple(attrs={"size": size, "class": "form-select"})


class EvidenceLinksMixin(forms.Form):
    """What a piece of evidence supports (CSF outcomes first)."""

    annex_a_controls = ControlField(
        queryset=AnnexAControl.objects.all(), required=False, label="Annex A controls", widget=_multi(8)
    )
    risks = RiskField(queryset=Risk.objects.none(), required=False, widget=_multi())
    mitigations = MitigationField(queryset=Mitigation.objects.none(), required=False, widget=_multi())

    def setup_links(self, organization):
        self.fields["risks"].queryset = Risk.objects.filter(organization=organization).order_by("number")
        self.fields["mitigations"].queryset = (
            Mitigation.objects.filter(organization=organization)
            .select_related("risk")
            .order_by("risk__number")
        )
        outcomes = OutcomeField(
            queryset=csf_outcomes(), required=False, label="CSF outcomes", widget=_multi(8)
        )
        fields = {}
        for name, field in self.fields.items():  # CSF outcomes just before the Annex A controls
            if name == "annex_a_controls":
                fields["csf_subcategories"] = outcomes
            fields[name] = field
        self.fields = fields

    def links(self) -> dict:
        names = ("csf_subcategories", "annex_a_controls", "risks", "mitigations")
        return {name: list(self.cleaned_data[name]) for name in names if name in self.cleaned_data}


class EvidenceAddForm(StyledFormMixin, EvidenceLinksMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=EvidenceKind.choices,
        widget=forms.RadioSelect,
        initial=EvidenceKind.FILE,
        label="Evidence is a",
    )
    title = forms.CharField(max_length=200)
    file = forms.FileField(
        required=False,
        help_text=f"{ALLOWED_TEXT}; at most {settings.EVIDENCE_MAX_BYTES // 1_048_576} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text="For a document kept elsewhere, e.g. the policy on the intranet.",
    )
    owner = MemberChoiceField(help_text="Who keeps it up to date.")
    valid_until = forms.DateField(
        widget=DATE, help_text="After this date it counts as expired and shows as a to-do."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    field_order = ["kind", "title", "file", "url", "owner", "valid_until", "description"]

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = MemberChoiceField(organization=organization).queryset
        self.setup_links(organization)

    def clean(self):
        data = super().clean()
        if data.get("kind") == EvidenceKind.FILE and not data.get("file") and "file" not in self.errors:
            self.add_error("file", "Choose the file to upload.")
        if data.get("kind") == EvidenceKind.LINK and not data.get("url") and "url" not in self.errors:
            self.add_error("url", "Give the web address.")
        return data


class EvidenceEditForm(StyledFormMixin, EvidenceLinksMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    url = forms.URLField(label="Link", required=False, max_length=1000, assume_scheme="https")

    class Meta:
        model = Evidence
        field_classes = {"owner": MemberChoiceField}
        fields = ["title", "url", "owner", "valid_until", "description"]
        widgets = {"valid_until": DATE, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = MemberChoiceField(organization=organization).queryset
        self.setup_links(organization)
        if self.instance.kind == EvidenceKind.FILE:
            del self.fields["url"]
        else:
            self.fields["url"].required = True
        if self.instance.pk:
            for name in ("csf_subcategories", "annex_a_controls", "risks", "mitigations"):
                if name in self.fields:
                    self.initial[name] = list(getattr(self.instance, name).all())
