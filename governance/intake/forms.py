from django import forms

from core.forms import StyledFormMixin
from core.members import MemberChoiceField, members_of
from core.models import User

from .models import (
    BusinessCriticality,
    DataClassification,
    IntakeDecision,
    IntakeSettings,
    IntakeStatus,
    PersonalData,
    Tier,
)

YES_NO = [(True, "Yes"), (False, "No")]


def _yes_no(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        coerce=lambda value: value in (True, "True", "true", "1"),
    )


class IntakeRequestForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(max_length=160, help_text="A short name, e.g. “Patient portal self-scheduling”.")
    description = forms.CharField(
        label="What is the project?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text="What will be built, bought or changed, and for whom.",
    )
    business_value = forms.CharField(
        label="Why does the business need it?",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The outcome: revenue, savings, compliance, patient or customer benefit.",
    )
    sponsor = forms.CharField(max_length=120, help_text="The executive who backs the project and its budget.")
    target_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When you would like to start using it.",
    )
    estimated_cost = forms.DecimalField(
        label="Estimated cost",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="One-off plus first-year running cost, roughly.",
    )
    data_classification = forms.ChoiceField(
        label="How sensitive is the data it uses?",
        choices=DataClassification.choices,
        widget=forms.RadioSelect,
        help_text="Public: already published. Internal: everyday business data. Confidential: would hurt us if "
        "leaked (contracts, finances). Restricted: regulated or secret (patient records, card data, "
        "passwords).",
    )
    personal_data = forms.ChoiceField(
        label="Does it store or process information about people?",
        choices=PersonalData.choices,
        widget=forms.RadioSelect,
        help_text="Anything that identifies a person counts: staff, patients, customers or suppliers' contacts.",
    )
    internet_facing = _yes_no(
        "Will it be reachable from the internet?",
        "Yes if anyone outside our network can open it: a website, an app, an API, a vendor-hosted portal.",
    )
    third_party = _yes_no(
        "Does a supplier host it, build it, or receive our data?",
        "Yes for SaaS, cloud services, contractors and any data shared with another company.",
    )
    changes_authentication = _yes_no(
        "Does it change how people sign in?",
        "Yes for new logins, single sign-on, multi-factor changes, shared or service "
        "accounts, or new administrator access.",
    )
    business_criticality = forms.ChoiceField(
        label="How bad would it be if it stopped working for a day?",
        choices=BusinessCriticality.choices,
        widget=forms.RadioSelect,
        help_text="Low: an inconvenience. Medium: some teams slow down. High: customers or patients notice. "
        "Critical: we cannot operate or we break a law.",
    )

    TRIAGE_FIELDS = (
        "data_classification",
        "personal_data",
        "internet_facing",
        "third_party",
        "changes_authentication",
        "business_criticality",
    )

    def triage_fields(self):
        return [self[name] for name in self.TRIAGE_FIELDS]

    def detail_fields(self):
        return [self[name] for name in self.fields if name not in self.TRIAGE_FIELDS and name != "version"]


class QuestionForm(StyledFormMixin, forms.Form):
    question = forms.CharField(
        label="Question for the requester", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CommentForm(StyledFormMixin, forms.Form):
    body = forms.CharField(label="Comment", max_length=10000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=120, label="Option")
    cost = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    timeline = forms.CharField(max_length=80, required=False, help_text="e.g. “6 weeks” or “Q3”.")
    security_score = forms.TypedChoiceField(
        label="Security score",
        coerce=int,
        initial=3,
        choices=[
            (i, f"{i} — {t}")
            for i, t in ((1, "weak"), (2, "fair"), (3, "good"), (4, "strong"), (5, "excellent"))
        ],
    )
    pros = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    cons = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    recommended = forms.BooleanField(required=False, label="Reviewers recommend this option")


class ConditionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(label="Condition", max_length=300)
    due_date = forms.DateField(required=False, label="Due", widget=forms.DateInput(attrs={"type": "date"}))


class ProposalForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label="Proposed decision", choices=IntakeDecision.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Why",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The requester reads this with the decision.",
    )


class RiskFromRequestForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, label="Risk title")
    impact_statement = forms.CharField(
        label="What happens to the business if it occurs?",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ChoiceField(choices=[])
    origin = forms.ChoiceField(choices=[])
    owner = MemberChoiceField(queryset=User.objects.none())

    def __init__(self, *args, organization, **kwargs):
        from risks.models import Origin, RiskCategory

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = RiskCategory.choices
        self.fields["origin"].choices = Origin.choices
        self.fields["origin"].initial = "joint"
        self.fields["owner"].queryset = members_of(organization)


class IntakeSettingsForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = IntakeSettings
        fields = ["sla_low_days", "sla_medium_days", "sla_high_days", "at_risk_percent"]

    def clean(self):
        data = super().clean()
        low, medium, high = data.get("sla_low_days"), data.get("sla_medium_days"), data.get("sla_high_days")
        if None not in (low, medium, high) and not (low <= medium <= high):
            self.add_error(
                "sla_medium_days",
                "Higher tiers get a deeper review: the SLAs must not shrink from low to medium to high.",
            )
        return data


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("open", "Open"), ("decided", "Decided"), ("all", "All"), *IntakeStatus.choices],
    )
    tier = forms.ChoiceField(required=False, choices=[("", "All tiers"), *Tier.choices])
    sla = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Any SLA status"),
            ("breached", "Breached"),
            ("at_risk", "At risk"),
            ("on_track", "On track"),
        ],
    )
    q = forms.CharField(required=False, max_length=80)
    sort = forms.CharField(required=False, max_length=20)
