"""Forms for alignment reports."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from governance.alignment.services import current_period, last_closed_period

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
