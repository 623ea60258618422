"""Forms of the budget pages. They check shape; the services check the rules."""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from core.forms import StyledFormMixin
from risks.models import Risk

from .fiscal import fiscal_year_of
from .models import BudgetItem, Category, Domain, ItemOption, ItemRiskLink, Kind, Priority, Proposal

MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0"}


def _revalidate(form) -> None:
    """StyledFormMixin validates a bound form while marking invalid fields, before
    a subclass can narrow choice lists or disable fields: validate again."""
    if not form.is_bound:
        return
    form._errors = None
    for name, field in form.fields.items():
        attrs = field.widget.attrs
        attrs["class"] = attrs.get("class", "").replace(" is-invalid", "")
        attrs.pop("aria-invalid", None)
        if name in form.errors:
            attrs["class"] += " is-invalid"
            attrs["aria-invalid"] = "true"


class ProposalCreateForm(StyledFormMixin, forms.Form):
    fiscal_year = forms.IntegerField(min_value=2000, max_value=2100, label="Fiscal year",
                                     help_text="Named after the calendar year in which it ends.")
    title = forms.CharField(max_length=200, required=False,
                            help_text="Leave empty for “Technology and security budget FY…”.")
    amortisation_years = forms.IntegerField(min_value=1, max_value=10, initial=3,
                                            label="CapEx amortisation (years)",
                                            help_text="CapEx counts in the annual cost spread over this many years.")
    copy_previous = forms.BooleanField(required=False, label="Start from a copy of the previous year's proposal",
                                       help_text="Copies its items, options and risk links.")

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None and not self.is_bound:
            upcoming = fiscal_year_of(timezone.localdate(), organization.fiscal_year_start_month) + 1
            taken = set(Proposal.objects.filter(organization=organization).values_list("fiscal_year", flat=True))
            current = upcoming - 1
            self.fields["fiscal_year"].initial = current if current not in taken else upcoming
            self.fields["copy_previous"].initial = (self.fields["fiscal_year"].initial - 1) in taken


class ProposalEditForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = ["title", "summary", "amortisation_years"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


class ItemForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BudgetItem
        fields = ["title", "domain", "category", "kind", "amount", "priority", "justification", "mitigation"]
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 2}),
            "amount": forms.NumberInput(attrs=MONEY_ATTRS),
        }
        labels = {"kind": "CapEx / OpEx", "mitigation": "Mitigation it funds"}

    def __init__(self, *args, mitigations=None, has_options=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mitigation"].queryset = mitigations if mitigations is not None else \
            self.fields["mitigation"].queryset.none()
        self.fields["mitigation"].label_from_instance = lambda m: f"{m.risk.reference} · {m.title}"
        self.fields["mitigation"].empty_label = "None"
        if has_options:
            self.fields["amount"].disabled = True
            self.fields["amount"].help_text = "Follows the chosen option. Change it on the item's page."
        _revalidate(self)

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if self.fields["amount"].disabled:
            data.pop("amount", None)
        return data


class ItemFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    domain = forms.ChoiceField(required=False, choices=[("", "All domains"), *Domain.choices])
    category = forms.ChoiceField(required=False, choices=[("", "All categories"), *Category.choices])
    kind = forms.ChoiceField(required=False, choices=[("", "CapEx and OpEx"), *Kind.choices])
    priority = forms.ChoiceField(required=False, choices=[("", "All priorities"), *Priority.choices])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else \
                "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def filters(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class OptionForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ItemOption
        fields = ["name", "cost", "timeline_weeks", "security_score", "pros", "cons"]
        widgets = {
            "cost": forms.NumberInput(attrs=MONEY_ATTRS),
            "pros": forms.Textarea(attrs={"rows": 3}),
            "cons": forms.Textarea(attrs={"rows": 3}),
            "security_score": forms.Select(choices=[(i, f"{i} of 5") for i in range(1, 6)]),
        }
        labels = {"name": "Option", "security_score": "Security score"}

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class LinkForm(StyledFormMixin, forms.ModelForm):
    risk = forms.ModelChoiceField(queryset=Risk.objects.none(), label="Risk it reduces")
    loss_before = forms.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0"), required=False,
        label="Expected annual loss before", widget=forms.NumberInput(attrs=MONEY_ATTRS),
        help_text="Leave empty to use the risk's expected annual loss from the register.",
    )

    class Meta:
        model = ItemRiskLink
        fields = ["risk", "loss_before", "loss_after", "note"]
        widgets = {"loss_after": forms.NumberInput(attrs=MONEY_ATTRS)}
        labels = {"loss_after": "Expected annual loss after"}

    def __init__(self, *args, risks=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = risks
        self.fields["risk"].label_from_instance = lambda r: f"{r.reference} · {r.title}"
        _revalidate(self)

    def clean(self):
        data = super().clean()
        before, after = data.get("loss_before"), data.get("loss_after")
        if before is not None and after is not None and after > before:
            self.add_error("loss_after", "The loss after cannot be higher than the loss before.")
        return data


class LinkEditForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ItemRiskLink
        fields = ["loss_before", "loss_after", "note"]
        widgets = {"loss_before": forms.NumberInput(attrs=MONEY_ATTRS),
                   "loss_after": forms.NumberInput(attrs=MONEY_ATTRS)}


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why the board returned it",
                             max_length=4000)


class ApproveForm(StyledFormMixin, forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           label="Board remarks (optional)", max_length=4000)
