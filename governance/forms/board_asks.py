"""The form of a decision asked of the board (governance.services.board_asks)."""

from __future__ import annotations

from django import forms

from core.forms import StyledFormMixin
from governance.models import AskKind
from risks.models import Risk


class BoardAskForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of decision", choices=AskKind.choices)
    title = forms.CharField(label="What the board is asked to decide", max_length=200)
    recommendation = forms.CharField(label="Our recommendation", widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(label="Amount at stake", required=False, min_value=0, max_digits=14)
    deadline = forms.DateField(label="Decide by", widget=forms.DateInput(attrs={"type": "date"}))
    risk = forms.ModelChoiceField(label="Risk concerned", queryset=Risk.objects.none(), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = Risk.objects.in_org(organization).order_by("number")
