"""Forms for alignment reports and what they ask of the board."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from core.forms import StyledFormMixin
from governance.alignment.services import (
    MAX_RECOMMENDATION,
    current_period,
    last_closed_period,
    tolerable_risks,
)
from governance.models import AskKind
from risks.models import Risk

CURRENT, PREVIOUS = "current", "previous"


class ReportGenerateForm(forms.Form):
    """Which period to build: the one in progress (to date) or the last closed one.

    Not a StyledFormMixin form: that mixin validates on construction, before
    the period choices (which depend on the organization) are known."""

    period = forms.ChoiceField(
        label="Period", choices=(), initial=CURRENT, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        today = timezone.localdate()
        schedule = organization.report_schedule
        self.periods = {
            CURRENT: current_period(schedule, today),
            PREVIOUS: last_closed_period(schedule, today),
        }
        self.fields["period"].choices = [
            (CURRENT, f"{self.periods[CURRENT][2]} (to date)"),
            (
                PREVIOUS,
                f"{self.periods[PREVIOUS][2]} (last closed {organization.get_report_schedule_display().lower()} period)",
            ),
        ]

    def chosen_period(self) -> tuple:
        return self.periods[self.cleaned_data["period"]]


class BoardAskForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of decision", choices=AskKind.choices)
    title = forms.CharField(label="What the board is asked to decide", max_length=200)
    recommendation = forms.CharField(
        label="Our recommendation",
        max_length=MAX_RECOMMENDATION,
        help_text=f"At most {MAX_RECOMMENDATION:,} characters.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = forms.DecimalField(
        label="Amount at stake", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    deadline = forms.DateField(label="Decide by", widget=forms.DateInput(attrs={"type": "date"}))
    risk = forms.ModelChoiceField(
        label="Risk concerned",
        queryset=Risk.objects.none(),
        required=False,
        help_text="Open risks above appetite: required to ask the board to tolerate one.",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = tolerable_risks(organization)
