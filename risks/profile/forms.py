"""Forms of the profile pages. They parse input; the services decide."""

from __future__ import annotations

from django import forms

from core.forms import StyledFormMixin

from .models import ImplementationLevel, OwnerLens

SCOPE_CHOICES = [("", "In and out of scope"), ("in", "In scope"), ("out", "Out of scope")]
LENS_CHOICES = [("", "Every owner"), *OwnerLens.choices]


class ProfileFilterForm(StyledFormMixin, forms.Form):
    function = forms.ChoiceField(label="Function", required=False)
    lens = forms.ChoiceField(label="Owner", choices=LENS_CHOICES, required=False)
    scope = forms.ChoiceField(label="Scope", choices=SCOPE_CHOICES, required=False)
    gap = forms.BooleanField(label="Gaps only", required=False)
    divergent = forms.BooleanField(label="CIO and CISO differ", required=False)
    q = forms.CharField(label="Search", required=False, max_length=100)

    def __init__(self, *args, functions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = [
            ("", "Every function"),
            *[(f.code, f"{f.code} {f.name}") for f in functions],
        ]


class OutcomeTargetForm(StyledFormMixin, forms.Form):
    """The outcome's part of the target profile (and its notes)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    in_scope = forms.BooleanField(label="In scope", required=False)
    scope_reason = forms.CharField(
        label="Why out of scope", required=False, max_length=300, help_text="Required when out of scope."
    )
    owner_lens = forms.ChoiceField(label="Owner", choices=OwnerLens.choices)
    target_level = forms.TypedChoiceField(
        label="Target level", choices=ImplementationLevel.choices, coerce=int
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AssessForm(StyledFormMixin, forms.Form):
    """The signed-in owner's assessment of the current level."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.TypedChoiceField(label="Current level", choices=ImplementationLevel.choices, coerce=int)


class TiersForm(StyledFormMixin, forms.Form):
    """A current and a target tier per function (blank: none)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    TIER_CHOICES = [
        ("", "—"),
        (1, "1 Partial"),
        (2, "2 Risk informed"),
        (3, "3 Repeatable"),
        (4, "4 Adaptive"),
    ]

    def __init__(self, *args, functions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.functions = list(functions)
        for function in self.functions:
            for kind in ("current", "target"):
                self.fields[f"{kind}_{function.code}"] = forms.TypedChoiceField(
                    label=f"{function.name} ({kind})",
                    choices=self.TIER_CHOICES,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )

    def tiers(self, kind: str) -> dict:
        return {
            f.code: self.cleaned_data[f"{kind}_{f.code}"]
            for f in self.functions
            if self.cleaned_data.get(f"{kind}_{f.code}") is not None
        }


class OutcomeRisksForm(StyledFormMixin, forms.Form):
    risks = forms.ModelMultipleChoiceField(label="Risks this gap leaves open", queryset=None, required=False)

    def __init__(self, *args, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risks"].queryset = risks
