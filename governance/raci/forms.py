from django import forms

from core.forms import StyledFormMixin
from core.members import MemberMultipleChoiceField, members_of
from core.models import User

from . import rules as raci_rules
from .models import CSF_CATEGORIES, PartyKind, ProcessArea


class PartyForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=80, help_text="As people say it, e.g. “Security operations”.")
    kind = forms.ChoiceField(
        label="Kind of party",
        choices=PartyKind.choices,
        initial=PartyKind.OTHER,
        help_text="Concord recognises the CIO and CISO parties for its CIO/CISO check.",
    )
    description = forms.CharField(max_length=200, required=False)
    members = MemberMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Optional: the people who act for this party.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members_of(organization)


class ActivityForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=120)
    process_area = forms.ChoiceField(choices=ProcessArea.choices)
    csf_category = forms.ChoiceField(label="NIST CSF 2.0 category", choices=CSF_CATEGORIES, initial="GV.RR")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class GridFilterForm(forms.Form):
    area = forms.ChoiceField(
        label="Process area", required=False, choices=[("", "All process areas"), *ProcessArea.choices]
    )
    problem = forms.ChoiceField(
        label="Problems",
        required=False,
        choices=[("", "All activities"), ("any", "Any problem"), *raci_rules.PROBLEM_CHOICES],
    )
    q = forms.CharField(label="Search", required=False, max_length=80)
