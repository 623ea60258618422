from django import forms
from django.conf import settings

from core.forms import StyledFormMixin


class MfaCodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
                "class": "mfa-code",
            }
        ),
    )


class MfaVerifyForm(MfaCodeForm):
    remember = forms.BooleanField(required=False, label="Remember this device")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "code"
        ].help_text = "The 6-digit code from your authenticator app, or one of your recovery codes."
        days = getattr(settings, "MFA_REMEMBER_DAYS", 0)
        if days > 0:
            self.fields["remember"].label = f"Don't ask again on this browser for {days} days"
        else:
            del self.fields["remember"]
