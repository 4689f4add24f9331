"""Forms of the cases module. They validate input only; the services decide and write."""

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from treem.geo.models import Unit, UnitLevel, UnitSystem
from treem.registry.models import Sex

from .models import (
    Case,
    Channel,
    ConcernType,
    Confidentiality,
    DetailedAssessment,
    Distribution,
    DocumentKind,
    EmergencyMeasure,
    InitialAssessment,
    PlanItem,
    ReferralKind,
    ReferralStatus,
    RequestType,
    Review,
    ReviewOutcome,
    Separation,
    ServiceKind,
)
from .reference import assessment_factors

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class DateInput(forms.DateInput):
    """dd/mm/yyyy as text: a native date picker shows the phone's locale format, which may not be Vietnamese."""

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                          **(attrs or {})}, format="%d/%m/%Y")


class DateTimeInput(forms.DateTimeInput):
    def __init__(self, attrs=None):
        super().__init__({"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off", **(attrs or {})},
                         format="%d/%m/%Y %H:%M")


def date_field(label, required=True, **kw):
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, widget=DateInput(), **kw)


def datetime_field(label, required=True, **kw):
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_FORMATS,
                               widget=DateTimeInput(), **kw)


class Bootstrap:
    """Bootstrap classes on every widget (phone-friendly, full width)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css, field.kind = "form-check-input", "check"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css, field.kind = "form-check-input", "multi"
            elif isinstance(widget, forms.Select):
                css, field.kind = "form-select", "input"
            else:
                css, field.kind = "form-control", "input"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)


class VersionedForm(Bootstrap, forms.Form):
    """Every change to a case carries the version the person saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def communes_of(province_id):
    return Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE, province_id=province_id) \
        .order_by("name_folded")


def provinces():
    return Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.PROVINCE).order_by("name_folded")


class PlaceMixin(forms.Form):
    """Province then commune: the commune list follows the province (HTMX), and works without it too."""

    province = forms.ModelChoiceField(label=_("Province"), queryset=Unit.objects.none(),
                                      empty_label=_("— Choose the province —"))
    commune = forms.ModelChoiceField(label=_("Commune where it happened"), queryset=Unit.objects.none(),
                                     empty_label=_("— Choose the commune —"))

    def setup_place(self, default_province=None):
        self.fields["province"].queryset = provinces()
        self.fields["commune"].queryset = Unit.objects.filter(system=UnitSystem.CURRENT, level=UnitLevel.COMMUNE)
        province_id = self.data.get(self.add_prefix("province")) if self.is_bound else None
        province_id = province_id or (default_province.pk if default_province else None)
        if province_id and not self.is_bound:
            self.initial.setdefault("province", province_id)
        widget = self.fields["commune"].widget
        try:
            widget.choices = [("", _("— Choose the commune —"))] + [(u.pk, u.name)
                                                                    for u in communes_of(int(province_id))]
        except (TypeError, ValueError):
            widget.choices = [("", _("— Choose the commune —"))]
        self.fields["province"].widget.attrs.update({
            "hx-get": reverse("cases:communes"), "hx-target": "#id_commune", "hx-trigger": "change",
            "hx-swap": "innerHTML"})

    def clean(self):
        data = super().clean()
        commune, province = data.get("commune"), data.get("province")
        if commune and province and commune.province_id != province.pk:
            self.add_error("commune", _("This commune is not in the chosen province."))
        return data


class ChildFields(forms.Form):
    child_name = forms.CharField(label=_("Child's name"), max_length=150, required=False,
                                 help_text=_("A first name or a nickname is enough."))
    child_sex = forms.ChoiceField(label=_("Sex"), choices=[("", _("— Choose —")), *Sex.choices], required=False)
    child_birth_date = date_field(_("Date of birth"), required=False)
    child_age = forms.IntegerField(label=_("Approximate age (years)"), min_value=0, max_value=17, required=False)

    def child_entries(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("child_name"):
            return []
        return [{"full_name": data["child_name"], "sex": data.get("child_sex") or "",
                 "birth_date": data.get("child_birth_date"), "age": data.get("child_age")}]

    def clean_child(self, data):
        if data.get("child_name"):
            if not data.get("child_sex"):
                self.add_error("child_sex", _("A new child needs a sex."))
            if data.get("child_birth_date") is None and data.get("child_age") is None:
                self.add_error("child_age", _("Give the date of birth or an approximate age."))


class IntakeForm(Bootstrap, PlaceMixin, ChildFields):
    received_at = datetime_field(_("Received at"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    request_type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices)
    concern_types = forms.MultipleChoiceField(label=_("Abuse or concern"), choices=ConcernType.choices,
                                              widget=forms.CheckboxSelectMultiple)
    narrative = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    place_detail = forms.CharField(label=_("Village, address or place"), max_length=250, required=False)
    children_description = forms.CharField(label=_("Other children concerned (as reported)"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    reporter_anonymous = forms.BooleanField(label=_("The reporter wants to stay anonymous"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=150, required=False)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=20, required=False)
    reporter_relation = forms.CharField(label=_("Reporter's relation to the child"), max_length=100, required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentiality level"), choices=Confidentiality.choices,
                                        initial=Confidentiality.CONFIDENTIAL)
    distribution = forms.ChoiceField(label=_("Distribution scope"), choices=Distribution.choices,
                                     initial=Distribution.PROVINCE)
    # What helps find the child on the register (cases.matching); not stored on a new provisional record.
    child_personal_id = forms.CharField(label=_("Child's personal identification number, if known"), max_length=20,
                                        required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    child_carer_name = forms.CharField(label=_("Name of the child's parent or carer, if known"), max_length=150,
                                       required=False)
    child_carer_phone = forms.CharField(label=_("Phone of the parent or carer, if known"), max_length=20,
                                        required=False, widget=forms.TextInput(attrs={"inputmode": "tel"}))

    field_order = ["received_at", "channel", "request_type", "province", "commune", "place_detail", "concern_types",
                   "narrative", "child_name", "child_sex", "child_birth_date", "child_age", "child_personal_id",
                   "child_carer_name", "child_carer_phone", "children_description",
                   "reporter_anonymous", "reporter_name", "reporter_phone", "reporter_relation", "confidentiality",
                   "distribution"]

    def __init__(self, *args, default_province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_place(default_province)
        self.order_fields(self.field_order)
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))

    def clean(self):
        data = super().clean()
        self.clean_child(data)
        return data

    def child_entries(self) -> list[dict]:
        entries = super().child_entries()
        for entry in entries:
            entry.update(personal_id=self.cleaned_data.get("child_personal_id") or "",
                         carer_name=self.cleaned_data.get("child_carer_name") or "",
                         carer_phone=self.cleaned_data.get("child_carer_phone") or "")
        return entries


class CaseEditForm(VersionedForm):
    received_at = datetime_field(_("Received at"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    request_type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices)
    concern_types = forms.MultipleChoiceField(label=_("Abuse or concern"), choices=ConcernType.choices,
                                              widget=forms.CheckboxSelectMultiple)
    narrative = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 5}))
    place_detail = forms.CharField(label=_("Village, address or place"), max_length=250, required=False)
    children_description = forms.CharField(label=_("Other children concerned (as reported)"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    reporter_anonymous = forms.BooleanField(label=_("The reporter wants to stay anonymous"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=150, required=False)
    reporter_phone = forms.CharField(label=_("Reporter's phone"), max_length=20, required=False)
    reporter_relation = forms.CharField(label=_("Reporter's relation to the child"), max_length=100, required=False)
    confidentiality = forms.ChoiceField(label=_("Confidentiality level"), choices=Confidentiality.choices)
    distribution = forms.ChoiceField(label=_("Distribution scope"), choices=Distribution.choices)

    @classmethod
    def initial_for(cls, case: Case) -> dict:
        data = {f: getattr(case, f) for f in cls.base_fields if f not in {"version", "concern_types"}}
        data["received_at"] = timezone.localtime(case.received_at)
        data["concern_types"] = list(case.concerns.values_list("kind", flat=True))
        data["version"] = case.version
        return data


class PublicReportForm(Bootstrap, PlaceMixin, ChildFields):
    """The public page: the minimum a neighbour can tell. Spam protection fields are added by the view."""

    concern_types = forms.MultipleChoiceField(label=_("What is the concern?"), choices=ConcernType.choices,
                                              widget=forms.CheckboxSelectMultiple)
    narrative = forms.CharField(label=_("What happened? Where and when?"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 6}))
    place_detail = forms.CharField(label=_("Village, address or place"), max_length=250, required=False)
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=150, required=False)
    reporter_phone = forms.CharField(label=_("Your phone number (optional, so that we can call you back)"),
                                     max_length=20, required=False)
    website = forms.CharField(label=_("Leave this field empty"), required=False)  # honeypot, hidden by CSS
    started = forms.CharField(widget=forms.HiddenInput)
    answer = forms.IntegerField(label="", min_value=0, max_value=100)

    field_order = ["province", "commune", "place_detail", "concern_types", "narrative", "child_name", "child_sex",
                   "child_age", "reporter_name", "reporter_phone", "website", "answer", "started"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_place(None)
        del self.fields["child_birth_date"]
        self.order_fields(self.field_order)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def child_entries(self) -> list[dict]:
        return []  # the public cannot create register records: the commune identifies the child

    def children_text(self) -> str:
        data = self.cleaned_data
        parts = [data.get("child_name") or "", dict(Sex.choices).get(data.get("child_sex"), ""),
                 f"{data['child_age']} tuổi" if data.get("child_age") is not None else ""]
        return ", ".join(str(p) for p in parts if p)


class InitialAssessmentForm(VersionedForm, forms.ModelForm):
    assessed_at = datetime_field(_("Assessed at"))

    class Meta:
        model = InitialAssessment
        fields = ["assessed_at", "risk_level", "harm", "life_threatened", "health_threatened", "dignity_threatened",
                  "carer_is_abuser", "conclusion"]


class EmergencyForm(VersionedForm, forms.ModelForm):
    started_at = datetime_field(_("Protected at"))

    class Meta:
        model = EmergencyMeasure
        fields = ["started_at", "measures", "place_of_care"]


class SeparationForm(VersionedForm, forms.ModelForm):
    started_at = datetime_field(_("Separated at"))
    planned_end = date_field(_("Planned end"))

    class Meta:
        model = Separation
        fields = ["started_at", "planned_end", "separated_from", "place_of_care", "reason"]


class SeparationExtendForm(VersionedForm):
    until = date_field(_("Extended until"))
    authority = forms.CharField(label=_("Competent authority that asked for it"), max_length=200)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)


class DetailedAssessmentForm(VersionedForm, forms.ModelForm):
    assessed_at = datetime_field(_("Assessed at"))
    meeting_at = datetime_field(_("Meeting held at"), required=False)

    class Meta:
        model = DetailedAssessment
        fields = ["assessed_at", "needs_summary", "meeting_at", "meeting_chair", "participants", "conclusions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for factor in assessment_factors():
            field = forms.CharField(label=factor["label"], required=False,
                                    widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
            field.kind = "input"
            self.fields[f"factor_{factor['code']}"] = field

    def factors(self) -> dict:
        return {f["code"]: self.cleaned_data.get(f"factor_{f['code']}", "") for f in assessment_factors()
                if self.cleaned_data.get(f"factor_{f['code']}")}


class PlanForm(VersionedForm):
    goals = forms.CharField(label=_("Goals of the plan"), widget=forms.Textarea(attrs={"rows": 4}))


class PlanItemForm(VersionedForm, forms.ModelForm):
    starts_on = date_field(_("Start"))
    ends_on = date_field(_("Expected end"))

    class Meta:
        model = PlanItem
        fields = ["kind", "description", "starts_on", "ends_on", "assignee", "provider", "provider_name", "cost"]

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = agencies if agencies is not None else self.fields["provider"].queryset
        self.fields["kind"].choices = ServiceKind.choices
        self.fields["cost"].widget.attrs["inputmode"] = "numeric"


class ServiceRecordForm(VersionedForm):
    delivered_on = date_field(_("Delivered on"))
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea)
    done = forms.BooleanField(label=_("The service is finished"), required=False)


class ConsentFields(forms.Form):
    consent_by = forms.CharField(label=_("Consent given by"), max_length=150, required=False,
                                 help_text=_("The child and/or the parent or carer."))
    consent_on = date_field(_("Consent given on"), required=False)
    override_reason = forms.CharField(
        label=_("No consent: why (chair or provincial supervisor only)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(VersionedForm, ConsentFields):
    agency = forms.ModelChoiceField(label=_("Refer to"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReferralKind.choices)
    item = forms.ModelChoiceField(label=_("Service of the plan"), queryset=PlanItem.objects.none(), required=False)
    shared_information = forms.CharField(
        label=_("Information shared with the agency"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only this, the service and the child's name are shown to the agency."))

    def __init__(self, *args, agencies, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["item"].queryset = items
        self.order_fields(["agency", "kind", "item", "shared_information", "consent_by", "consent_on",
                           "override_reason"])


class ReferralAnswerForm(Bootstrap, forms.Form):
    status = forms.ChoiceField(label=_("Answer"), choices=[
        (ReferralStatus.ACCEPTED, ReferralStatus.ACCEPTED.label), (ReferralStatus.DECLINED,
                                                                   ReferralStatus.DECLINED.label),
        (ReferralStatus.COMPLETED, ReferralStatus.COMPLETED.label)])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        possible = {ReferralStatus.SENT: [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED],
                    ReferralStatus.ACCEPTED: [ReferralStatus.COMPLETED]}.get(current)
        if possible:
            self.fields["status"].choices = [(s.value, s.label) for s in possible]


class TransferForm(VersionedForm, PlaceMixin, ConsentFields):
    reason = forms.CharField(label=_("Reason (the child moved ...)"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, default_province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_place(default_province)
        self.fields["commune"].label = _("New commune")
        self.order_fields(["province", "commune", "reason", "consent_by", "consent_on", "override_reason"])


class ReviewForm(VersionedForm, forms.ModelForm):
    reviewed_at = datetime_field(_("Reviewed at"))

    class Meta:
        model = Review
        fields = ["reviewed_at", "progress", "child_situation", "outcome"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = ReviewOutcome.choices
        self.fields["outcome"].widget = forms.RadioSelect(choices=ReviewOutcome.choices,
                                                          attrs={"class": "form-check-input"})
        self.fields["outcome"].kind = "multi"


class ReasonForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DocumentForm(VersionedForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF, JPEG, PNG, DOCX, XLSX, ODT; at most 10 MB)"))


class AssignForm(VersionedForm):
    user = forms.ModelChoiceField(label=_("Worker"), queryset=None)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class ChildAddForm(VersionedForm, ChildFields):
    """A child found by the search (`registered`, among the children the search may propose) or a new child."""

    registered = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered"].queryset = children
        self.order_fields(["registered", "child_name", "child_sex", "child_birth_date", "child_age"])


    def clean(self):
        data = super().clean()
        if not data.get("registered") and not data.get("child_name"):
            raise forms.ValidationError(_("Choose a child of the register or enter a new child."))
        if not data.get("registered"):
            self.clean_child(data)
        return data


class ChildSearchForm(Bootstrap, forms.Form):
    q = forms.CharField(label=_("Name or personal identification number"), max_length=100, required=False)
    born = date_field(_("Date of birth (if known)"), required=False)


class ExportForm(Bootstrap, forms.Form):
    password = forms.CharField(label=_("Password for the file"), min_length=10, widget=forms.PasswordInput,
                               help_text=_("At least 10 characters. Give it to the recipient by another channel."))
    stage = forms.CharField(required=False, widget=forms.HiddenInput)
