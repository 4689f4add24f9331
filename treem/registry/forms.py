"""Forms only collect what a person typed; registry.services normalises and validates it (and says why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CarerRelation, Immunisation, PovertyStatus, RiskFlag, Sex, YesNoUnknown
from .quality import columns as cols
from .quality.ethnicity import ethnic_groups

DATE_HINT = _("dd/mm/yyyy")


def _text(label, max_length=150, required=False, **attrs):
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=forms.TextInput(attrs={"class": "form-control", **attrs}))


def _date(label, required=False):
    return forms.CharField(label=label, required=required, max_length=20, widget=forms.TextInput(attrs={
        "class": "form-control", "placeholder": DATE_HINT, "inputmode": "numeric", "autocomplete": "off"}))


def _select(label, choices, required=False, initial=None):
    return forms.ChoiceField(label=label, choices=choices, required=required, initial=initial,
                             widget=forms.Select(attrs={"class": "form-select"}))


class ChildForm(forms.Form):
    full_name = _text(_("Full name"), required=True, autocomplete="off", autocapitalize="words")
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices,
                            widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    birth_date = _date(_("Date of birth"), required=True)
    ethnicity = _text(_("Ethnic group"), max_length=40, list="ethnic-groups")
    personal_id = _text(_("Personal identification number"), max_length=20, inputmode="numeric",
                        autocomplete="off")
    birth_registered = _select(_("Birth registered"), YesNoUnknown.choices, initial=YesNoUnknown.UNKNOWN)
    village = _text(_("Village / hamlet"), max_length=120, list="villages")
    address = _text(_("Address"), max_length=250)
    school = _text(_("School or kindergarten"))
    grade = _text(_("Grade"), max_length=20)
    attends_school = _select(_("Attends school"), YesNoUnknown.choices, initial=YesNoUnknown.UNKNOWN)
    immunisation = _select(_("Immunisation"), Immunisation.choices, initial=Immunisation.UNKNOWN)
    disability = _select(_("Disability"), YesNoUnknown.choices, initial=YesNoUnknown.UNKNOWN)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}))

    @staticmethod
    def ethnic_group_names() -> list[str]:
        return [g.name for g in ethnic_groups()]


class ChildCreateForm(ChildForm):
    commune = forms.ChoiceField(label=_("Commune"), choices=(), widget=forms.Select(attrs={"class": "form-select"}))
    carer_name = _text(_("Carer's full name (father, mother or guardian)"), autocomplete="off")
    carer_relation = _select(_("Relation to the child"), CarerRelation.choices)
    carer_phone = _text(_("Carer's phone"), max_length=20, inputmode="tel")

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.code, c.name) for c in communes]
        if len(self.fields["commune"].choices) == 1:
            self.fields["commune"].initial = self.fields["commune"].choices[0][0]


class ChildEditForm(ChildForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MoveForm(forms.Form):
    to_commune = forms.CharField(label=_("Commune the child moved to"), max_length=8,
                                 widget=forms.HiddenInput)
    moved_on = _date(_("Moved on"))
    note = _text(_("Note (new address, who reported the move)"), max_length=250)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CircumstanceForm(forms.Form):
    group = forms.ChoiceField(label=_("Group (Law on Children, art. 10)"), choices=(),
                              widget=forms.Select(attrs={"class": "form-select"}))
    subgroup = forms.CharField(label=_("Sub-group (Decree 56/2017)"), required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))
    started_on = _date(_("Since"))
    source = _text(_("Source (decision, assessment, case)"))
    supported = forms.BooleanField(label=_("Receiving support"), required=False,
                                   widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args, groups=(), **kwargs):
        from django.utils import timezone

        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["group"].choices = [(g.code, f"{g.code}) {g.name}") for g in groups]
        subgroup_choices = [("", _("(not stated)"))]
        for g in groups:
            subgroup_choices += [(s.code, f"{s.code} {s.name}") for s in g.subgroups.all() if s.valid_on(today)]
        self.fields["subgroup"].widget.choices = subgroup_choices


class EndForm(forms.Form):
    ended_on = _date(_("Ended on"))
    reason = _text(_("Why"), max_length=250)


class RiskForm(forms.Form):
    flag = forms.ModelChoiceField(label=_("Risk"), queryset=RiskFlag.objects.none(), to_field_name="code",
                                  widget=forms.Select(attrs={"class": "form-select"}))
    started_on = _date(_("Since"))
    note = _text(_("Note"), max_length=250)

    def __init__(self, *args, **kwargs):
        from django.utils import timezone

        super().__init__(*args, **kwargs)
        self.fields["flag"].queryset = RiskFlag.objects.valid_on(timezone.localdate())


class CarerForm(forms.Form):
    full_name = _text(_("Full name"), required=True, autocomplete="off")
    relation = _select(_("Relation to the child"), CarerRelation.choices, required=True)
    phone = _text(_("Phone"), max_length=20, inputmode="tel")
    personal_id = _text(_("Personal identification number"), max_length=20, inputmode="numeric")
    primary = forms.BooleanField(label=_("Primary carer"), required=False,
                                 widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))


class MeasurementForm(forms.Form):
    measured_on = _date(_("Date"), required=True)
    height_cm = _text(_("Height (cm)"), max_length=8, inputmode="decimal")
    weight_kg = _text(_("Weight (kg)"), max_length=8, inputmode="decimal")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("deceased", _("Deceased")), ("in_error", _("Recorded in error"))],
                               widget=forms.HiddenInput)
    on = _date(_("Date of death"))
    reason = _text(_("Reason"), max_length=250)


class ImportUploadForm(forms.Form):
    commune = forms.ChoiceField(label=_("Commune"), choices=(), widget=forms.Select(attrs={"class": "form-select"}))
    file = forms.FileField(label=_("Spreadsheet (XLSX, ODS or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"class": "form-control",
                                                                  "accept": ".xlsx,.xls,.ods,.csv,.txt"}))
    sheet = _text(_("Sheet (leave empty for the first sheet with data)"), max_length=120)

    def __init__(self, *args, communes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [(c.code, c.name) for c in communes]


FIELD_CHOICES = [("", _("Ignore this column"))] + [(f, label) for f, label in cols.FIELD_LABELS.items()]


class HouseholdForm(forms.Form):
    head_name = _text(_("Head of household"), autocomplete="off", autocapitalize="words")
    poverty_status = _select(_("Poor or near-poor household"), PovertyStatus.choices, required=True,
                             initial=PovertyStatus.UNKNOWN)
    village = _text(_("Village / hamlet"), max_length=120, list="villages")
    address = _text(_("Address"), max_length=250)


class HouseholdEditForm(HouseholdForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
