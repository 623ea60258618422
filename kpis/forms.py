"""Forms of the KPI pages. They check shape; services enforce the rules."""

from django import forms

from core.forms import StyledFormMixin
from core.members import MemberChoiceField, members_of

from .models import KPI, Domain, Source
from .selectors import STATUSES


class KPIForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = KPI
        field_classes = {"owner": MemberChoiceField}
        fields = [
            "name",
            "description",
            "domain",
            "unit",
            "direction",
            "target",
            "warning",
            "critical",
            "frequency",
            "owner",
            "csf_function",
            "key",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "target": "The value you aim for.",
            "warning": "The tolerance line: a value that misses the target but is inside this line (or on it) is amber; beyond it, red.",
            "critical": "Drawn on the chart and used to judge the trend. It does not change the colour: red starts "
            "beyond the warning line.",
            "key": "Optional. Machine clients may send values with this key instead of the KPI's number.",
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organization)
        self.fields["owner"].empty_label = "No owner"
        self.fields["csf_function"].required = False
        if self.instance.pk:
            for name in ("target", "warning", "critical"):
                self.initial[name] = format(getattr(self.instance, name).normalize(), "f")
            if self.instance.measurements.exists():
                for name in ("unit", "frequency"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Fixed once values are recorded."
        if self.instance.pk and self.instance.computed:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "Computed KPIs keep their key: Concord finds their function by it."

    def _post_clean(self):
        # The service validates the definition (thresholds against direction, units)
        # and reports it on the right field; skip the model's own full_clean.
        pass


class MeasurementForm(StyledFormMixin, forms.Form):
    period = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the period; Concord files it under the period's start.",
    )
    value = forms.DecimalField(max_digits=18, decimal_places=4)
    note = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Optional: source, context, anything unusual"}),
    )


class ScorecardFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(
        required=False, label="Search", widget=forms.TextInput(attrs={"placeholder": "KPI name"})
    )
    domain = forms.ChoiceField(required=False, choices=[("", "All domains"), *Domain.choices])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status")] + [(s, s.capitalize()) for s in STATUSES]
    )


class MeasurementFilterForm(StyledFormMixin, forms.Form):
    source = forms.ChoiceField(required=False, choices=[("", "Any source"), *Source.choices])
