"""Forms of the register's pages. They check shape; the services check rules
(a service's refusal is shown on the field it names)."""

from __future__ import annotations

from django import forms

from core.forms import StyledFormMixin
from core.members import MemberChoiceField
from core.models import User

from . import scoring
from .models import AnnexAControl, CsfCategory, Mitigation, Risk, RiskStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def member_choices(organization):
    """Only members of the organization can own risks and mitigations."""
    return User.objects.filter(memberships__organization=organization).order_by("full_name", "email")


class CatalogueChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name if hasattr(obj, 'name') else obj.title}"


class RiskForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    csf_categories = CatalogueChoiceField(
        queryset=CsfCategory.objects.select_related("function"),
        required=False,
        label="NIST CSF 2.0 categories",
    )
    annex_a_controls = CatalogueChoiceField(
        queryset=AnnexAControl.objects.all(),
        required=False,
        label="ISO/IEC 27001:2022 Annex A controls",
    )

    class Meta:
        model = Risk
        field_classes = {"owner": MemberChoiceField}
        fields = [
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
        ]
        widgets = {
            "impact_statement": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE,
            "next_review_date": DATE,
        }
        help_texts = {
            "events_per_year": "How often it is expected to happen, e.g. 0.2 for once in five years.",
            "treatment": "Choose how you plan to handle it. Acceptance itself needs both the CIO and the CISO.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_choices(organization)
        current = self.instance.status if self.instance.pk else None
        self.fields["status"].choices = [
            (value, label)
            for value, label in RiskStatus.choices
            if value != RiskStatus.ACCEPTED or current == RiskStatus.ACCEPTED
        ]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for name in ("loss_low", "loss_most_likely", "loss_high"):
            self.fields[name].widget.attrs.update(min="0", step="1")
        self.fields["events_per_year"].widget.attrs.update(min="0", step="0.01")

    def clean(self):
        data = super().clean()
        names = ("loss_low", "loss_most_likely", "loss_high", "events_per_year")
        given = [n for n in names if data.get(n) is not None]
        if given and len(given) < len(names):
            for name in names:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, "Fill in all four figures of the loss estimate, or none of them.")
        elif given:
            if data["loss_most_likely"] < data["loss_low"]:
                self.add_error(
                    "loss_most_likely", "The most likely loss cannot be lower than the low estimate."
                )
            elif data["loss_high"] < data["loss_most_likely"]:
                self.add_error("loss_high", "The high estimate cannot be lower than the most likely loss.")
        return data

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


RATING_CHOICES_L = [(v, f"{v} — {label}") for v, label in scoring.LIKELIHOOD_LABELS.items()]
RATING_CHOICES_I = [(v, f"{v} — {label}") for v, label in scoring.IMPACT_LABELS.items()]


class AssessmentForm(StyledFormMixin, forms.Form):
    """One lens: inherent and target residual likelihood × impact, and why."""

    inherent_likelihood = forms.TypedChoiceField(choices=RATING_CHOICES_L, coerce=int, label="Likelihood")
    inherent_impact = forms.TypedChoiceField(choices=RATING_CHOICES_I, coerce=int, label="Impact")
    residual_likelihood = forms.TypedChoiceField(
        choices=RATING_CHOICES_L, coerce=int, label="Target residual likelihood"
    )
    residual_impact = forms.TypedChoiceField(
        choices=RATING_CHOICES_I, coerce=int, label="Target residual impact"
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Why these values: evidence, assumptions, what would change your mind.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def from_assessment(cls, assessment, *, version=None, prefix=None):
        initial = {"version": version}
        if assessment is not None:
            initial.update(
                {
                    name: getattr(assessment, name)
                    for name in (
                        "inherent_likelihood",
                        "inherent_impact",
                        "residual_likelihood",
                        "residual_impact",
                        "rationale",
                    )
                }
            )
        return cls(initial=initial, prefix=prefix)

    def ratings(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("rationale", "version")}


class DeclineForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Why you decline (required)"}),
        required=False,
        max_length=2000,
        label="Why (required when you decline the other's proposal)",
    )


class AcceptanceRequestForm(StyledFormMixin, forms.Form):
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Why living with this risk for a while is the right business call, and what limits it.",
    )
    expires_on = forms.DateField(
        widget=DATE,
        label="Acceptance expires on",
        help_text="After this date the risk returns to 'assessed' and needs a decision.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class MitigationForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Mitigation
        fields = ["title", "description", "owner", "status", "due_date", "cost"]
        field_classes = {"owner": MemberChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "due_date": DATE}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = member_choices(organization)
        self.fields["cost"].widget.attrs.update(min="0", step="1")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data
