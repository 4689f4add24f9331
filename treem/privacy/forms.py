from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.registry.export_views import ExportForm

from .models import AccessRequest, RetentionRule

DATE_INPUT = ["%d/%m/%Y", "%Y-%m-%d"]


class AccessRequestForm(ExportForm):
    """Who asked, their relation, when, the identity check; and the password of the file (ExportForm's fields)."""

    format = None  # always an encrypted XLSX workbook: one sheet per kind of data
    requester_name = forms.CharField(label=_("Requester's full name"), max_length=150,
                                     widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}))
    relation = forms.ChoiceField(label=_("Relation to the child"),
                                 choices=AccessRequest._meta.get_field("relation").choices[1:],
                                 widget=forms.Select(attrs={"class": "form-select"}))
    requested_on = forms.DateField(label=_("Date of the request (dd/mm/yyyy)"), input_formats=DATE_INPUT,
                                   widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "form-control"}))
    id_document = forms.ChoiceField(label=_("Identity document checked"),
                                    choices=AccessRequest._meta.get_field("id_document").choices,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    id_checked = forms.BooleanField(
        label=_("I checked the requester's identity document and that they are the child's parent or guardian"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
    note = forms.CharField(label=_("Note"), max_length=250, required=False,
                           widget=forms.TextInput(attrs={"class": "form-control"}))

    field_order = ["requester_name", "relation", "requested_on", "id_document", "id_checked", "note", "password",
                   "password_again"]

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of the request cannot be in the future."))
        return day

    def request_data(self) -> dict:
        return {name: self.cleaned_data[name]
                for name in ["requester_name", "relation", "requested_on", "id_document", "id_checked", "note"]}


class RetentionRuleForm(forms.ModelForm):
    confirmed_on = forms.DateField(label=_("Confirmed on (dd/mm/yyyy)"), input_formats=DATE_INPUT, required=False,
                                   widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "form-control"}))

    class Meta:
        model = RetentionRule
        fields = ["years", "active", "description", "legal_basis", "confirmed_by", "confirmed_on"]
        widgets = {
            "years": forms.NumberInput(attrs={"class": "form-control", "min": 0, "max": 100}),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "description": forms.Textarea(attrs={"class": "form-control", "rows": 4}),
            "legal_basis": forms.Textarea(attrs={"class": "form-control", "rows": 2}),
            "confirmed_by": forms.TextInput(attrs={"class": "form-control"}),
        }

    def clean(self):
        data = super().clean()
        if bool(data.get("confirmed_by")) != bool(data.get("confirmed_on")):
            self.add_error("confirmed_on", _("Give both who confirmed the rule and when, or neither."))
        years = data.get("years")
        if years is not None and years > 100:
            self.add_error("years", _("At most 100 years."))
        return data
