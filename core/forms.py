from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator

from .concurrency import VERSION_MALFORMED, VERSION_MISSING
from .currencies import validate_currency
from .models import Organization, TokenScope
from .roles import Role
from .validation import is_one_line_field, validate_one_line, validate_text


def guard_text_field(field) -> None:
    """Refuse NUL and control characters in a text field: one-line fields
    (titles, names) refuse line breaks and tabs too."""
    if not isinstance(field, forms.CharField) or isinstance(field, forms.EmailField):
        return
    validator = validate_one_line if is_one_line_field(field) else validate_text
    if validator not in field.validators:
        field.validators.append(validator)


class StyledFormMixin:
    """Gives every widget its Bootstrap class and marks invalid fields, so forms
    look the same everywhere without per-template markup.

    Invalid marks are added after validation (in ``full_clean``), never while the
    form is being built, so subclasses can still set choices in ``__init__``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._require_version_when_editing()
        for name, field in self.fields.items():
            guard_text_field(field)
            widget = field.widget
            css = self._widget_class(widget)
            classes = widget.attrs.get("class", "")
            if css and css not in classes.split():
                widget.attrs["class"] = f"{classes} {css}".strip()
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"id_{self.add_prefix(name)}_helptext")

    def _require_version_when_editing(self) -> None:
        """An edit form carries the version the person read (hidden field): when
        the form edits an existing record, a post without it is refused, never
        saved over someone else's change."""
        field = self.fields.get("version")
        if field is None:
            return
        instance = getattr(self, "instance", None)
        editing = (instance is not None and instance.pk is not None) or self.initial.get(
            "version"
        ) is not None
        if editing:
            field.required = True
            field.error_messages["required"] = VERSION_MISSING
            field.error_messages["invalid"] = VERSION_MALFORMED

    @staticmethod
    def _widget_class(widget) -> str:
        if isinstance(widget, forms.CheckboxInput):
            return "form-check-input"
        if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
            return ""
        if isinstance(widget, (forms.Select, forms.SelectMultiple)):
            return "form-select"
        return "form-control"

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            field = self.fields.get(name)
            if field is None:
                continue
            attrs = field.widget.attrs
            if "is-invalid" not in attrs.get("class", "").split():
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
            attrs["aria-invalid"] = "true"


class SignInForm(StyledFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": "That e-mail and password do not match an account. Check both and try again.",
        "inactive": "This account is inactive. Ask your organization admin.",
    }


class InviteForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail")
    full_name = forms.CharField(label="Full name", max_length=150, required=False)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)


class RoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class HandOverForm(StyledFormMixin, forms.Form):
    """Hand the CIO or CISO role to a successor (core.services.membership_hand_over)."""

    successor = forms.TypedChoiceField(
        coerce=int, label="Successor", help_text="A member of this organization who takes the role over."
    )
    LEAVES = "leave"
    outgoing_role = forms.ChoiceField(
        label="The outgoing person then", help_text="Their new role here, or leave the organization."
    )

    def __init__(self, *args, members=(), role: str = "", actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = [("", "Choose a person")] + [
            (m.pk, f"{m.user.display_name} ({m.user.email}), now {m.get_role_display()}")
            for m in members
            if m.role != role and m.user_id != getattr(actor, "pk", None)
        ]
        self.fields["outgoing_role"].choices = (
            [("", "Choose")]
            + [(value, f"Becomes {label}") for value, label in Role.choices if value != role]
            + [(self.LEAVES, "Leaves the organization")]
        )

    def clean_outgoing_role(self):
        value = self.cleaned_data["outgoing_role"]
        return None if value == self.LEAVES else value


class OrganizationSettingsForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    mfa_required_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles that must use two-factor authentication",
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "currency",
            "fiscal_year_start_month",
            "risk_appetite",
            "medium_from",
            "high_from",
            "critical_from",
            "report_schedule",
            "mfa_required_roles",
        ]
        labels = {
            "fiscal_year_start_month": "Fiscal year starts in month",
            "risk_appetite": "Risk appetite (score)",
            "medium_from": "Medium from score",
            "high_from": "High from score",
            "critical_from": "Critical from score",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].validators.append(validate_currency)

    def clean(self):
        data = super().clean()
        medium, high, critical = data.get("medium_from"), data.get("high_from"), data.get("critical_from")
        if None not in (medium, high, critical) and not (medium < high < critical):
            self.add_error("high_from", "Level thresholds must increase: Medium < High < Critical.")
        return data


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label="Token name", max_length=80, help_text="What will use it, e.g. 'SIEM KPI push'."
    )
    scopes = forms.MultipleChoiceField(
        label="It may also",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(s.value, s.label) for s in TokenScope if s != TokenScope.READ],
        help_text="Every token can read what you can read. Anything more asks you to confirm it's you first.",
    )
    days = forms.IntegerField(label="Expires after (days)", min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["days"].max_value = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.API_TOKEN_MAX_DAYS))
        self.fields["days"].widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].help_text = f"At most {settings.API_TOKEN_MAX_DAYS} days."

    @property
    def elevated(self) -> bool:
        """True if the token would do more than read (needs a fresh second factor)."""
        return bool(self.cleaned_data.get("scopes"))


class HeadlineKpisForm(StyledFormMixin, forms.Form):
    """The board pack's headline KPIs (core.headline): at most eight."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    headline_kpis = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Headline KPIs of the board pack (at most eight)",
        help_text="One of you proposes a selection; it is in force once the other chooses the same.",
    )

    def __init__(self, *args, organization, **kwargs):
        from .headline import headline_state, kpi_choices

        super().__init__(*args, **kwargs)
        state = headline_state(organization)
        self.fields["headline_kpis"].choices = kpi_choices(organization)
        self.fields["version"].initial = organization.version
        self.fields["headline_kpis"].initial = state.proposal or state.in_force


MONTHS = [
    (1, "January"),
    (2, "February"),
    (3, "March"),
    (4, "April"),
    (5, "May"),
    (6, "June"),
    (7, "July"),
    (8, "August"),
    (9, "September"),
    (10, "October"),
    (11, "November"),
    (12, "December"),
]


def _time_zones() -> list[tuple[str, str]]:
    import zoneinfo

    return [
        (z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"
    ]


class OrganizationCreateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(max_length=120, label="Name")
    slug = forms.RegexField(
        regex=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        max_length=60,
        label="Short name (in links)",
        help_text="Lower-case letters, digits and hyphens, e.g. harbor-logistics.",
        error_messages={"invalid": "Use lower-case letters, digits and hyphens."},
    )
    currency = forms.RegexField(
        regex=r"^[A-Z]{3}$",
        required=False,
        max_length=3,
        help_text="Three-letter code, e.g. USD or EUR. Left blank: the copied organization's, else USD.",
        error_messages={"invalid": "Use a three-letter code such as USD or EUR."},
        validators=[validate_currency],
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        choices=[("", "As the copied organization, else January"), *MONTHS],
        coerce=int,
        empty_value=None,
        required=False,
        label="Fiscal year starts in",
    )
    time_zone = forms.ChoiceField(required=False, label="Time zone")
    risk_appetite = forms.IntegerField(
        min_value=1,
        max_value=25,
        required=False,
        label="Risk appetite (score)",
        help_text="Risks scoring above this (likelihood × impact, 1 to 25) must be treated or jointly accepted. "
        "Left blank: the copied organization's, else 9.",
    )
    founder_role = forms.ChoiceField(
        choices=[
            ("admin", "Admin only: I invite the CIO and the CISO"),
            ("ciso", "CISO, and admin"),
            ("cio", "CIO, and admin"),
        ],
        initial="admin",
        widget=forms.RadioSelect,
        label="Your role",
        help_text="You administer the organization. Naming yourself its CIO or CISO here is the one time "
        "anybody gives themselves a role; it is recorded in the audit log.",
    )
    template = forms.ChoiceField(widget=forms.RadioSelect, initial="starter", label="Start from")
    source = forms.ChoiceField(
        required=False,
        label="Organization to copy",
        help_text="Its settings and libraries (KPI definitions, ownership matrix) — never its risks, values, "
        "budgets, requests, reports or people.",
    )

    def __init__(self, *args, led=(), **kwargs):
        super().__init__(*args, **kwargs)
        from .org_templates import Template, libraries

        self.fields["time_zone"].choices = [("", "As the copied organization, else UTC"), *_time_zones()]
        starter = ", ".join(lib.label for lib in libraries())
        choices = [
            ("empty", "Empty"),
            ("starter", f"Starter libraries ({starter})"),
        ]
        if led:
            choices.append((Template.COPY.value, "A copy of another organization I lead"))
        self.fields["template"].choices = choices
        self.fields["source"].choices = [("", "—")] + [(o.slug, o.name) for o in led]
        if not led:
            del self.fields["source"]

    def clean(self):
        data = super().clean()
        if data.get("template") == "copy" and not data.get("source"):
            self.add_error("source", "Choose the organization to copy.")
        return data
