"""Forms of the budget pages. They check shape; the services check the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from core.forms import StyledFormMixin
from risks.models import Risk

from .fiscal import fiscal_year_of
from .models import BudgetItem, Category, Domain, ItemOption, ItemRiskLink, Kind, Priority, Proposal

MONEY_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0"}
CHOICES_SHOWN = 20  # rows a long choice list (mitigations, risks) puts on the page; search finds the rest


def _as_pk(value) -> int | None:
    text = str(getattr(value, "pk", value) or "")
    return int(text) if text.isdigit() else None


def choice_options(rows, *, label, empty_label=None, selected=None) -> list[tuple]:
    """(value, label) pairs of a bounded choice list: the empty choice, the
    selected row (kept even when a search does not match it), then ``rows``."""
    options = [("", empty_label)] if empty_label is not None else []
    if selected is not None:
        options.append((selected.pk, label(selected)))
    return options + [(r.pk, label(r)) for r in rows if selected is None or r.pk != selected.pk]


def bound_choices(form, name: str, search_url: str) -> None:
    """Let ``form[name]`` choose among thousands of rows without listing them:
    the page shows the current choice and the first CHOICES_SHOWN rows (one
    query), a search box beside it (``search_url``) fetches others. Validation
    still accepts any row of the field's queryset."""
    field = form.fields[name]
    queryset = field.queryset
    pk = _as_pk(form[name].value())
    if pk is not None:
        first = Case(When(pk=pk, then=Value(0)), default=Value(1), output_field=IntegerField())
        queryset = queryset.order_by(first, *queryset.query.order_by)
    rows = list(queryset[: CHOICES_SHOWN + 1])
    selected = rows[0] if rows and pk is not None and rows[0].pk == pk else None
    field.search_url = search_url
    field.more_choices = len(rows) > CHOICES_SHOWN
    field.widget.choices = choice_options(
        rows[:CHOICES_SHOWN],
        label=field.label_from_instance,
        empty_label=field.empty_label,
        selected=selected,
    )


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
    fiscal_year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        label="Fiscal year",
        help_text="Named after the calendar year in which it ends.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for “Technology and security budget FY…”."
    )
    amortisation_years = forms.IntegerField(
        min_value=1,
        max_value=10,
        initial=3,
        label="CapEx amortisation (years)",
        help_text="CapEx counts in the annual cost spread over this many years.",
    )
    copy_previous = forms.BooleanField(
        required=False,
        label="Start from a copy of the previous year's proposal",
        help_text="Copies its items, options and risk links.",
    )

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organization is not None and not self.is_bound:
            upcoming = fiscal_year_of(timezone.localdate(), organization.fiscal_year_start_month) + 1
            taken = set(
                Proposal.objects.filter(organization=organization).values_list("fiscal_year", flat=True)
            )
            current = upcoming - 1
            self.fields["fiscal_year"].initial = current if current not in taken else upcoming
            self.fields["copy_previous"].initial = (self.fields["fiscal_year"].initial - 1) in taken


class ProposalEditForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Proposal
        fields = ["title", "summary", "amortisation_years"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}


NO_MITIGATION = "None"
NO_RISK = "---------"


def mitigation_label(mitigation) -> str:
    return f"{mitigation.risk.reference} · {mitigation.title}"


def risk_label(risk) -> str:
    return f"{risk.reference} · {risk.title}"


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

    def __init__(self, *args, mitigations=None, has_options=False, search_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mitigation"].queryset = (
            mitigations if mitigations is not None else self.fields["mitigation"].queryset.none()
        )
        self.fields["mitigation"].label_from_instance = mitigation_label
        self.fields["mitigation"].empty_label = NO_MITIGATION
        if search_url:
            bound_choices(self, "mitigation", search_url)
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
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
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
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        label="Expected annual loss before",
        widget=forms.NumberInput(attrs=MONEY_ATTRS),
        help_text="Leave empty to use the risk's expected annual loss from the register.",
    )

    class Meta:
        model = ItemRiskLink
        fields = ["risk", "loss_before", "loss_after", "note"]
        widgets = {"loss_after": forms.NumberInput(attrs=MONEY_ATTRS)}
        labels = {"loss_after": "Expected annual loss after"}

    def __init__(self, *args, risks=None, search_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = risks
        self.fields["risk"].label_from_instance = risk_label
        self.fields["risk"].empty_label = NO_RISK
        if search_url:
            bound_choices(self, "risk", search_url)
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
        widgets = {
            "loss_before": forms.NumberInput(attrs=MONEY_ATTRS),
            "loss_after": forms.NumberInput(attrs=MONEY_ATTRS),
        }


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why the board returned it", max_length=4000
    )


class ApproveForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Board remarks (optional)",
        max_length=4000,
    )
