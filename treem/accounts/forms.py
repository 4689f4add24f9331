from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from treem.audit.services import record

from . import lockout, two_factor
from .lockout import AuthAction
from .models import Role


class LockoutAuthenticationForm(AuthenticationForm):
    """The password form under the throttle (accounts.lockout).

    A throttled attempt is refused before the password is even checked, unless the person also gives a second-factor
    code: a right password with a right code gets in at once. Both wrong, or either, answers the same, so the throttle
    cannot be used to test passwords.
    """

    otp = forms.CharField(label=_("Two-factor code"), required=False, max_length=32)

    error_messages = {
        **AuthenticationForm.error_messages,
        "otp_wrong": _("The two-factor code is wrong or was already used."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.throttle = None
        self.verified_device = None

    def clean(self):
        username = lockout.normalise(self.data.get("username"))
        otp = (self.cleaned_data.get("otp") or "").strip()
        self.throttle = lockout.check(self.request, username)
        if self.throttle and not otp:
            lockout.record_throttled(self.request, username, self.throttle)
            raise forms.ValidationError(self.throttle.message(), code="throttled")
        try:
            super().clean()  # a wrong password is counted by the user_login_failed signal (auth_audit)
        except forms.ValidationError:
            if self.throttle:
                lockout.record_throttled(self.request, username, self.throttle)
                raise forms.ValidationError(self.throttle.message(), code="throttled") from None
            raise
        if otp:
            self.verified_device = two_factor.verify(self.user_cache, otp)
            if self.verified_device is None:
                lockout.note_failure(self.request, username)
                record(None, AuthAction.OTP_FAILED, summary={"username": username}, request=self.request)
                if self.throttle:
                    lockout.record_throttled(self.request, username, self.throttle)
                    raise forms.ValidationError(self.throttle.message(), code="throttled")
                raise forms.ValidationError(self.error_messages["otp_wrong"], code="otp_wrong")
        return self.cleaned_data


class OTPForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)


DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


def _date_field(label, required=False):
    return forms.DateField(label=label, required=required, input_formats=DATE_INPUT,
                           widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "form-control",
                                                                            "placeholder": "dd/mm/yyyy",
                                                                            "inputmode": "numeric"}))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.name  # "Xã Bình Lư", "Tỉnh Lai Châu": the unit's own name says its level


class AssignmentForm(forms.Form):
    """A role on a unit or an agency, for a period. The choices are those the administrator may give."""

    role = forms.ChoiceField(label=_("Role"), widget=forms.Select(attrs={"class": "form-select"}))
    unit = UnitChoiceField(label=_("Province or commune"), queryset=None, required=False,
                           widget=forms.Select(attrs={"class": "form-select"}))
    agency = forms.ModelChoiceField(label=_("Agency (agency reporters only)"), queryset=None, required=False,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    valid_from = _date_field(_("From (dd/mm/yyyy)"), required=True)
    valid_to = _date_field(_("Until (dd/mm/yyyy, empty: no end date)"))

    def __init__(self, *args, roles, units, agencies, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.national = national
        self.fields["role"].choices = [("", _("Choose a role"))] + [(r, Role(r).label) for r in roles]
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("Nationwide") if national else _("Choose a unit")
        self.fields["agency"].queryset = agencies
        self.fields["agency"].empty_label = _("No agency")

    def clean(self):
        data = super().clean()
        if not self.national and not data.get("unit") and not data.get("agency"):
            raise forms.ValidationError(_("Choose a province, a commune or an agency."))
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        return data


class AccountForm(AssignmentForm):
    username = forms.RegexField(
        label=_("Username"), max_length=150, regex=r"^[a-zA-Z0-9.@+_-]+$",
        error_messages={"invalid": _("Letters without diacritics, digits and . @ + - _ only.")},
        help_text=_("For example canbo.binhlu: letters without diacritics, digits and dots."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "autocapitalize": "none"}))
    full_name = forms.CharField(label=_("Full name"), max_length=150,
                                widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    email = forms.EmailField(label=_("Email address"), required=False,
                             widget=forms.EmailInput(attrs={"class": "form-control", "autocomplete": "off"}))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}))

    field_order = ["username", "full_name", "email", "phone", "role", "unit", "agency", "valid_from", "valid_to"]


class EndAssignmentForm(forms.Form):
    on = _date_field(_("Last day (dd/mm/yyyy)"), required=True)
