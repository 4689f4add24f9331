"""Forms of the plans pages. Dates are typed dd/mm/yyyy, numbers with a decimal comma (97,2)."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import pgettext_lazy

from treem.accounts.models import Agency, AgencyKind
from treem.core.collation import ViOrder
from treem.core.formats import format_number, parse_decimal_vi

from .models import Direction, DocumentType, ScheduleKind, TaskStatus, TimelinessRule

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class VNDateField(forms.DateField):
    widget = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)


def parse_number(text: str) -> Decimal:
    """'97,2' or '1.234,5' (Vietnamese) or '97.2' (typed on an English keyboard): `parse_decimal_vi`'s rules."""
    try:
        return parse_decimal_vi(text or "")
    except ValueError:
        raise ValidationError(pgettext_lazy("plans", "Enter a number, e.g. 97,2."), code="invalid") from None


class VNDecimalField(forms.CharField):
    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_number(value)

    def prepare_value(self, value):
        if isinstance(value, (int, float, Decimal)):
            return format_number(Decimal(str(value)), 4, grouping=False, trim=True)
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _text(label, required=False, max_length=None, rows=None, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if rows else forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


def _int(label, lo=None, hi=None, required=False):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=lo,
        max_value=hi,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class Styled:
    """Bootstrap classes on every widget, set when a field is rendered (forms add fields in __init__)."""

    def __getitem__(self, name):
        bound = super().__getitem__(name)
        widget = bound.field.widget
        if not isinstance(widget, forms.CheckboxSelectMultiple | forms.HiddenInput):
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            widget.attrs["class"] = css
        return bound


# -- upload and review ----------------------------------------------------------------------------------------------


class UploadForm(Styled, forms.Form):
    file = forms.FileField(
        label=pgettext_lazy("plans", "Plan document (DOCX, PDF with text, TXT or Markdown)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf,.txt,.md"}),
    )
    province = forms.ModelChoiceField(label=pgettext_lazy("plans", "Province"), queryset=None, empty_label=None)

    def __init__(self, *args, provinces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces


class ReviewForm(Styled, forms.Form):
    """The parser's proposal, editable: document, implemented documents, targets, agencies, tasks."""

    def __init__(self, proposal: dict, *args, province_agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        doc = proposal["document"]
        f = self.fields
        f["doc_type"] = forms.ChoiceField(
            label=pgettext_lazy("plans", "Type"), choices=DocumentType.choices, initial=doc["doc_type"]
        )
        f["number"] = _text(pgettext_lazy("plans", "Number and symbol"), max_length=80)
        f["issued_on"] = VNDateField(label=pgettext_lazy("plans", "Date issued"), required=False)
        f["place"] = _text(pgettext_lazy("plans", "Place"), max_length=100)
        f["issuer_name"] = _text(pgettext_lazy("plans", "Issuing body"), max_length=250)
        issuers = [("", pgettext_lazy("plans", "Not in the agency table"))]
        if doc.get("issuer_agency") is not None:
            issuer = doc["issuer_agency"]
            issuers.append((str(issuer.pk), f"{issuer.name} ({issuer.province.name if issuer.province else ''})"))
        issuers += [
            (str(a.pk), a.name)
            for a in province_agencies
            if not doc.get("issuer_agency") or a.pk != doc["issuer_agency"].pk
        ]
        f["issuer_agency"] = forms.ChoiceField(
            label=pgettext_lazy("plans", "Issuing agency"), choices=issuers, required=False
        )
        f["issuer_agency"].initial = str(doc["issuer_agency"].pk) if doc.get("issuer_agency") else ""
        f["signer"] = _text(pgettext_lazy("plans", "Signer"), max_length=150)
        f["title"] = _text(pgettext_lazy("plans", "Title"), rows=3)
        areas = proposal["areas"]
        f["area"] = forms.TypedChoiceField(
            label=pgettext_lazy("plans", "Issued for"),
            choices=[(u.pk, str(u)) for u in areas],
            coerce=int,
            initial=doc["area"].pk,
        )
        f["report_day"] = _int(pgettext_lazy("plans", "Yearly report: day"), 1, 31)
        f["report_month"] = _int(pgettext_lazy("plans", "month"), 1, 12)
        for name in ("number", "issued_on", "place", "issuer_name", "signer", "title", "report_day", "report_month"):
            f[name].initial = doc[name]
        self._areas = {u.pk: u for u in areas}

        self.attachment = bool(proposal.get("attachment"))
        set_by = [("self", pgettext_lazy("plans", "This document"))]
        for i, item in enumerate(proposal["implements"]):
            set_by.append((f"impl-{i}", item["number"]))
            actions = (
                [("link", pgettext_lazy("plans", "Link to the registered document"))]
                if item["existing"]
                else [("create", pgettext_lazy("plans", "Register it (known only from this citation)"))]
            )
            actions.append(("ignore", pgettext_lazy("plans", "Ignore")))
            f[f"impl-{i}-action"] = forms.ChoiceField(
                label=pgettext_lazy("plans", "Action"), choices=actions, initial=actions[0][0]
            )
            f[f"impl-{i}-number"] = _text(pgettext_lazy("plans", "Number and symbol"), required=True, max_length=80)
            f[f"impl-{i}-date"] = VNDateField(label=pgettext_lazy("plans", "Date"), required=False)
            f[f"impl-{i}-issuer"] = _text(pgettext_lazy("plans", "Issuing body"), max_length=250)
            f[f"impl-{i}-number"].initial, f[f"impl-{i}-date"].initial = item["number"], item["date"]
            f[f"impl-{i}-issuer"].initial = item["issuer"]

        for i, item in enumerate(proposal["targets"]):
            p = f"tgt-{i}-"
            f[p + "include"] = forms.BooleanField(label=pgettext_lazy("plans", "Keep"), required=False, initial=True)
            f[p + "text"] = _text(pgettext_lazy("plans", "Target"), required=True, rows=2)
            f[p + "value"] = VNDecimalField(label=pgettext_lazy("plans", "Value"), required=True)
            f[p + "unit"] = _text(pgettext_lazy("plans", "Unit"), max_length=40)
            f[p + "direction"] = forms.ChoiceField(label=pgettext_lazy("plans", "Direction"), choices=Direction.choices)
            f[p + "year"] = _int(pgettext_lazy("plans", "Year"), 1990, 2100)
            f[p + "baseline_value"] = VNDecimalField(label=pgettext_lazy("plans", "Baseline"), required=False)
            f[p + "baseline_year"] = _int(pgettext_lazy("plans", "Baseline year"), 1990, 2100)
            f[p + "indicator_code"] = _text(pgettext_lazy("plans", "Indicator code"), max_length=60)
            if self.attachment:
                f[p + "set_by"] = forms.ChoiceField(label=pgettext_lazy("plans", "Set by"), choices=set_by)
            for key in ("text", "value", "unit", "direction", "year", "baseline_value", "baseline_year", "set_by"):
                if p + key not in f:
                    continue
                f[p + key].initial = item[key]

        current = [(f"agency:{a.pk}", a.name) for a in province_agencies]
        for k, proposal_agency in enumerate(proposal["agencies"]):
            p = f"ag-{k}-"
            choices = []
            if proposal_agency.proposed is not None:
                label = proposal_agency.proposed.name
                if proposal_agency.gone:
                    label = pgettext_lazy("plans", "%(name)s (no longer exists; keep as written)") % {"name": label}
                elif proposal_agency.continued:
                    label = pgettext_lazy("plans", "%(name)s, %(province)s (continues %(old)s, %(old_province)s)") % {
                        "name": label,
                        "province": proposal_agency.proposed.province.name,
                        "old": proposal_agency.matched.name,
                        "old_province": proposal_agency.matched.province.name,
                    }
                choices.append((f"agency:{proposal_agency.proposed.pk}", label))
            for successor, functions in proposal_agency.successors:
                label = pgettext_lazy("plans", "%(name)s, successor") % {"name": successor.name}
                choices.append((f"agency:{successor.pk}", f"{label}: {functions}" if functions else label))
            choices.append(("new", pgettext_lazy("plans", "New agency")))
            choices.append(("none", pgettext_lazy("plans", "No agency (keep the name as written)")))
            known = {c[0] for c in choices}
            others = [c for c in current if c[0] not in known]
            if others:
                choices.append((pgettext_lazy("plans", "Other agencies of the province"), others))
            f[p + "decision"] = forms.ChoiceField(
                label=proposal_agency.name, choices=choices, initial=proposal_agency.default
            )
            f[p + "new_name"] = _text(pgettext_lazy("plans", "Name of the new agency"), max_length=200)
            f[p + "new_name"].initial = proposal_agency.name
            f[p + "kind"] = forms.ChoiceField(
                label=pgettext_lazy("plans", "Kind"), choices=AgencyKind.choices, initial=proposal_agency.kind
            )

        schedules = [("none", pgettext_lazy("plans", "No deadline"))]
        if doc["report_month"]:
            when = f"{doc['report_day']:02d}/{doc['report_month']:02d}" if doc["report_day"] else doc["report_month"]
            schedules.append(
                ("report", pgettext_lazy("plans", "Every year before %(d)s (reporting regime)") % {"d": when})
            )
        for j, deadline in enumerate(proposal["deadlines"]):
            schedules.append((f"dl-{j}", _describe_deadline(deadline)))
        for i, item in enumerate(proposal["tasks"]):
            p = f"task-{i}-"
            f[p + "include"] = forms.BooleanField(label=pgettext_lazy("plans", "Keep"), required=False, initial=True)
            f[p + "text"] = _text(pgettext_lazy("plans", "Task"), required=True, rows=3)
            f[p + "schedule"] = forms.ChoiceField(label=pgettext_lazy("plans", "Deadline"), choices=schedules)
            if self.attachment:  # only then may an item belong to another document than the uploaded one
                f[p + "set_by"] = forms.ChoiceField(label=pgettext_lazy("plans", "Set by"), choices=set_by)
            for key in ("text", "schedule", "set_by"):
                if p + key not in f:
                    continue
                f[p + key].initial = item[key]

    # rows for the template
    def implement_rows(self):
        return [
            {"item": item, **{k: self[f"impl-{i}-{k}"] for k in ("action", "number", "date", "issuer")}}
            for i, item in enumerate(self.proposal["implements"])
        ]

    def target_rows(self):
        keys = (
            "include",
            "text",
            "value",
            "unit",
            "direction",
            "year",
            "baseline_value",
            "baseline_year",
            "indicator_code",
            "set_by",
        )
        return [
            {"item": item, **{k: self[f"tgt-{i}-{k}"] for k in keys if f"tgt-{i}-{k}" in self.fields}}
            for i, item in enumerate(self.proposal["targets"])
        ]

    def agency_rows(self):
        return [
            {"proposal": p, **{k: self[f"ag-{k2}-{k}"] for k in ("decision", "new_name", "kind")}}
            for k2, p in enumerate(self.proposal["agencies"])
        ]

    def task_groups(self):
        """Tasks grouped under the agency they are assigned to (the first one named)."""
        groups: dict[str, list] = {}
        for i, item in enumerate(self.proposal["tasks"]):
            first = item["agencies"][0][0] if item["agencies"] else ""
            groups.setdefault(first, []).append(
                {
                    "item": item,
                    "index": i,
                    **{
                        k: self[f"task-{i}-{k}"]
                        for k in ("include", "text", "schedule", "set_by")
                        if f"task-{i}-{k}" in self.fields
                    },
                }
            )
        return list(groups.items())

    def cleaned_review(self) -> dict:
        d = self.cleaned_data
        document = {
            k: d.get(k)
            for k in (
                "doc_type",
                "number",
                "issued_on",
                "place",
                "issuer_name",
                "signer",
                "title",
                "report_day",
                "report_month",
            )
        }
        document["area"] = self._areas.get(d.get("area"))
        document["issuer_agency"] = (
            Agency.objects.filter(pk=int(d["issuer_agency"])).first()
            if (d.get("issuer_agency") or "").isdigit()
            else None
        )
        document["number"] = (document["number"] or "").strip()
        if document["report_month"] and self.proposal["document"]["report_text"]:
            document["report_text"] = self.proposal["document"]["report_text"]
        implements = [
            {
                "action": d[f"impl-{i}-action"],
                "number": d[f"impl-{i}-number"],
                "date": d.get(f"impl-{i}-date"),
                "issuer": d.get(f"impl-{i}-issuer"),
            }
            for i in range(len(self.proposal["implements"]))
        ]
        targets = []
        for i, item in enumerate(self.proposal["targets"]):
            p = f"tgt-{i}-"
            targets.append(
                {
                    "include": d.get(p + "include"),
                    "text": d[p + "text"],
                    "value": d[p + "value"],
                    "unit": d.get(p + "unit") or "",
                    "direction": d[p + "direction"],
                    "year": d.get(p + "year"),
                    "baseline_value": d.get(p + "baseline_value"),
                    "baseline_year": d.get(p + "baseline_year"),
                    "baseline_source": item["baseline_source"],
                    "indicator_code": d.get(p + "indicator_code") or "",
                    "source_lines": item["source_lines"],
                    "set_by": d.get(p + "set_by") or "self",
                }
            )
        agencies = [
            {
                "name": p.name,
                "decision": d[f"ag-{k}-decision"],
                "new_name": d.get(f"ag-{k}-new_name"),
                "kind": d.get(f"ag-{k}-kind"),
            }
            for k, p in enumerate(self.proposal["agencies"])
        ]
        tasks = [
            {
                "include": d.get(f"task-{i}-include"),
                "text": d[f"task-{i}-text"],
                "schedule": d[f"task-{i}-schedule"],
                "set_by": d.get(f"task-{i}-set_by") or "self",
                "agencies": item["agencies"],
                "source_lines": item["source_lines"],
                "section": item["section"],
            }
            for i, item in enumerate(self.proposal["tasks"])
        ]
        return {
            "document": document,
            "implements": implements,
            "targets": targets,
            "agencies": agencies,
            "tasks": tasks,
            "deadlines": self.proposal["deadlines"],
        }

    def clean(self):
        data = super().clean()
        if not (data.get("number") or "").strip() and not (data.get("title") or "").strip():
            raise ValidationError(pgettext_lazy("plans", "Enter the document's number and symbol or its title."))
        if bool(data.get("report_day")) != bool(data.get("report_month")):
            raise ValidationError(pgettext_lazy("plans", "The yearly report deadline needs both a day and a month."))
        return data


def _describe_deadline(deadline: dict) -> str:
    day, month, year = deadline.get("day"), deadline["month"], deadline.get("year")
    if deadline.get("recurrence") == "yearly":
        when = pgettext_lazy("plans", "every year before %(d)s") % {
            "d": f"{day:02d}/{month:02d}" if day else f"{month:02d}"
        }
    elif day and year:
        when = f"{day:02d}/{month:02d}/{year}"
    elif year:
        when = pgettext_lazy("plans", "within %(m)s") % {"m": f"{month:02d}/{year}"}
    else:
        when = f"{day or ''}/{month:02d}"
    text = deadline.get("text", "")
    return f"{when}: {text[:70]}…" if len(text) > 70 else f"{when}: {text}"


# -- documents, tasks -----------------------------------------------------------------------------------------------


class DocumentForm(Styled, forms.Form):
    doc_type = forms.ChoiceField(label=pgettext_lazy("plans", "Type"), choices=DocumentType.choices)
    number = _text(pgettext_lazy("plans", "Number and symbol"), max_length=80)
    issued_on = VNDateField(label=pgettext_lazy("plans", "Date issued"), required=False)
    place = _text(pgettext_lazy("plans", "Place"), max_length=100)
    issuer_name = _text(pgettext_lazy("plans", "Issuing body"), max_length=250)
    signer = _text(pgettext_lazy("plans", "Signer"), max_length=150)
    title = _text(pgettext_lazy("plans", "Title"), rows=3)
    report_day = _int(pgettext_lazy("plans", "Yearly report: day"), 1, 31)
    report_month = _int(pgettext_lazy("plans", "month"), 1, 12)
    implements = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("plans", "Implements"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, documents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["implements"].queryset = documents


class TaskUpdateForm(Styled, forms.Form):
    text = _text(pgettext_lazy("plans", "What was done"), required=True, rows=4)
    status = forms.ChoiceField(label=pgettext_lazy("plans", "Status"), choices=TaskStatus.choices)
    period_year = _int(pgettext_lazy("plans", "For year"), 2000, 2100)
    figure_1_label = _text(pgettext_lazy("plans", "Figure"), max_length=120)
    figure_1_value = VNDecimalField(label=pgettext_lazy("plans", "Value"), required=False)
    figure_2_label = _text(pgettext_lazy("plans", "Figure"), max_length=120)
    figure_2_value = VNDecimalField(label=pgettext_lazy("plans", "Value"), required=False)
    files = MultipleFileField(label=pgettext_lazy("plans", "Evidence (PDF, DOCX, XLSX, images)"))

    def figures(self) -> list[dict]:
        out = []
        for i in (1, 2):
            label, value = self.cleaned_data.get(f"figure_{i}_label"), self.cleaned_data.get(f"figure_{i}_value")
            if label and value is not None:
                out.append({"label": label, "value": f"{value.normalize():f}"})
        return out


class TaskScheduleForm(Styled, forms.Form):
    schedule_kind = forms.ChoiceField(label=pgettext_lazy("plans", "Deadline"), choices=ScheduleKind.choices)
    due_date = VNDateField(label=pgettext_lazy("plans", "Due date"), required=False)
    due_day = _int(pgettext_lazy("plans", "Day"), 1, 31)
    due_month = _int(pgettext_lazy("plans", "Month"), 1, 12)
    due_year = _int(pgettext_lazy("plans", "Year"), 2000, 2100)


# -- rounds and submissions -----------------------------------------------------------------------------------------


class RoundForm(Styled, forms.Form):
    title = _text(pgettext_lazy("plans", "Title"), required=True, max_length=300)
    period_year = _int(pgettext_lazy("plans", "Year reported on"), 2000, 2100, required=True)
    deadline = VNDateField(label=pgettext_lazy("plans", "Deadline"))
    focal_agency = forms.ModelChoiceField(
        label=pgettext_lazy("plans", "Consolidating agency"), queryset=None, required=False
    )
    agencies = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("plans", "Agencies expected to report"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    reminder_days = _text(pgettext_lazy("plans", "Reminders (days before the deadline)"), max_length=40)
    timeliness_rule = forms.ChoiceField(
        label=pgettext_lazy("plans", "Which submission time counts"), choices=TimelinessRule.choices
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focal_agency"].queryset = agencies
        self.fields["agencies"].queryset = agencies

    def clean_reminder_days(self):
        value = self.cleaned_data.get("reminder_days") or ""
        if value and not re.fullmatch(r"\s*\d+(\s*[,;]\s*\d+)*\s*", value):
            raise ValidationError(pgettext_lazy("plans", "Write days separated by commas, e.g. 7,3,1."))
        return value


class RoundEditForm(Styled, forms.Form):
    deadline = VNDateField(label=pgettext_lazy("plans", "Deadline"))
    closed = forms.BooleanField(label=pgettext_lazy("plans", "Closed (no more submissions)"), required=False)


class SubmissionForm(Styled, forms.Form):
    text = _text(pgettext_lazy("plans", "Results"), rows=8)
    version = forms.IntegerField(widget=forms.HiddenInput)
    files = MultipleFileField(label=pgettext_lazy("plans", "Attachments (PDF, DOCX, XLSX, images)"))

    def __init__(self, *args, targets=(), figures=None, **kwargs):
        super().__init__(*args, **kwargs)
        figures = figures or {}
        self.targets = list(targets)
        for target in self.targets:
            existing = figures.get(target.pk)
            self.fields[f"fig-{target.pk}"] = VNDecimalField(
                label=target.text, required=False, initial=existing.value if existing else None
            )
            self.fields[f"note-{target.pk}"] = _text(pgettext_lazy("plans", "Note"), max_length=300)
            self.fields[f"note-{target.pk}"].initial = existing.note if existing else ""

    def figure_rows(self):
        return [{"target": t, "value": self[f"fig-{t.pk}"], "note": self[f"note-{t.pk}"]} for t in self.targets]

    def figures(self) -> dict:
        return {
            t.pk: (self.cleaned_data.get(f"fig-{t.pk}"), self.cleaned_data.get(f"note-{t.pk}")) for t in self.targets
        }


class ReturnForm(Styled, forms.Form):
    note = _text(pgettext_lazy("plans", "What needs correcting"), required=True, rows=3)


def agency_choices(province) -> "forms.models.QuerySet":
    from django.utils import timezone

    return (
        Agency.objects.filter(province=province)
        .exclude(kind=AgencyKind.COMMUNE_COMMITTEE)
        .valid_on(timezone.localdate())
        .order_by(ViOrder("name"))
    )


class TargetForm(Styled, forms.Form):
    """A target after import: wording, baseline, indicator binding, the agencies reporting it, values by year."""

    text = _text(pgettext_lazy("plans", "Target"), required=True, rows=3)
    unit = _text(pgettext_lazy("plans", "Unit"), max_length=40)
    baseline_value = VNDecimalField(label=pgettext_lazy("plans", "Baseline"), required=False)
    baseline_year = _int(pgettext_lazy("plans", "Baseline year"), 1990, 2100)
    baseline_source = _text(pgettext_lazy("plans", "baseline source"), rows=2)
    indicator_code = _text(pgettext_lazy("plans", "Indicator code"), max_length=60)
    agencies = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("plans", "agencies reporting on it"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    ROWS = 4

    def __init__(self, *args, agencies=None, values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies
        values = list(values)
        for i in range(max(self.ROWS, len(values) + 1)):
            existing = values[i] if i < len(values) else None
            self.fields[f"v-{i}-year"] = _int(pgettext_lazy("plans", "Year"), 1990, 2100)
            self.fields[f"v-{i}-direction"] = forms.ChoiceField(
                label=pgettext_lazy("plans", "Direction"), choices=[("", "—"), *Direction.choices], required=False
            )
            self.fields[f"v-{i}-value"] = VNDecimalField(label=pgettext_lazy("plans", "Value"), required=False)
            if existing is not None:
                self.fields[f"v-{i}-year"].initial = existing.year
                self.fields[f"v-{i}-direction"].initial = existing.direction
                self.fields[f"v-{i}-value"].initial = existing.value
        self.rows = len([n for n in self.fields if n.endswith("-year")])

    def value_rows(self):
        return [{k: self[f"v-{i}-{k}"] for k in ("year", "direction", "value")} for i in range(self.rows)]

    def values(self) -> list[dict]:
        out = []
        for i in range(self.rows):
            value, direction = self.cleaned_data.get(f"v-{i}-value"), self.cleaned_data.get(f"v-{i}-direction")
            if value is not None and direction:
                out.append({"year": self.cleaned_data.get(f"v-{i}-year"), "value": value, "direction": direction})
        return out

    def clean(self):
        data = super().clean()
        for i in range(self.rows):
            if (data.get(f"v-{i}-value") is None) != (not data.get(f"v-{i}-direction")):
                raise ValidationError(pgettext_lazy("plans", "Each target value needs a number and a direction."))
        return data
