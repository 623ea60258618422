"""Forms of the statement of applicability pages (shape only; the services
check the rules and their refusal lands on the field it names)."""

from __future__ import annotations

from django import forms

from core.forms import StyledFormMixin

from ..evidence.forms import OutcomeField
from ..evidence.selectors import csf_outcomes
from .models import ImplementationStatus, OwnerLens

APPLICABLE_CHOICES = [("", "Not decided yet"), ("yes", "Yes, it applies"), ("no", "No, it is excluded")]
FILTER_APPLICABLE = [("", "Any"), ("yes", "Applies"), ("no", "Excluded"), ("undecided", "Not decided")]


class SoaEntryForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    applicable = forms.ChoiceField(choices=APPLICABLE_CHOICES, required=False, label="Does it apply?")
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why it is included or excluded, in words an auditor accepts (clause 6.1.3 d).",
    )
    status = forms.ChoiceField(
        choices=[("", "—"), *ImplementationStatus.choices], required=False, label="Implementation status"
    )
    owner_lens = forms.ChoiceField(choices=[("", "—"), *OwnerLens.choices], required=False, label="Owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = OutcomeField(
            queryset=csf_outcomes(),
            required=False,
            label="CSF 2.0 outcomes it maps to",
            help_text="Your organization's own mapping; Concord ships none.",
            widget=forms.SelectMultiple(attrs={"size": 8, "class": "form-select"}),
        )
        self.fields["csf_subcategories"] = field

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "applicable": {"yes": True, "no": False}.get(data["applicable"]),
            "justification": data["justification"],
            "status": data["status"],
            "owner_lens": data["owner_lens"],
        }
        values["csf_subcategories"] = list(data["csf_subcategories"])
        return values


def initial_for(entry) -> dict:
    if entry is None:
        return {}
    initial = {
        "version": entry.version,
        "applicable": {True: "yes", False: "no"}.get(entry.applicable, ""),
        "justification": entry.justification,
        "status": entry.status,
        "owner_lens": entry.owner_lens,
    }
    initial["csf_subcategories"] = list(entry.csf_subcategories.all())
    return initial
