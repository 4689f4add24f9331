"""Forms of bound targets and reported values (numbers typed the Vietnamese way: 71,3)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from treem.core.formats import format_number, parse_decimal_vi

from .services import Entry


class VietnameseDecimalField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if len(value) > 30:
            raise ValidationError(_("Type a number, e.g. 71,3."))
        try:
            return parse_decimal_vi(value)
        except (ValueError, ArithmeticError):
            raise ValidationError(_("Type a number, e.g. 71,3.")) from None


class BindingForm(forms.Form):
    indicator = forms.ChoiceField(label=_("indicator"))
    unit = forms.ChoiceField(label=_("unit"))
    baseline_year = forms.IntegerField(label=_("baseline year"), required=False, min_value=1990, max_value=2100)
    target_year = forms.IntegerField(label=_("target year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, indicators=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [(str(i.pk), f"{i.name} ({i.get_measure_display()})")
                                            for i in indicators]
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]


class ReportedValuesForm(forms.Form):
    """One row per indicator: value, or numerator and denominator, and a comment."""

    def __init__(self, *args, indicators=(), last=None, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        last, current = last or {}, current or {}
        for ind in indicators:
            now = current.get(ind.pk)
            before = last.get(ind.pk)
            prefix = ind.code
            initial = now or before
            self.fields[f"{prefix}-value"] = VietnameseDecimalField(
                label=ind.name, required=False,
                initial=format_number(initial.value, 4, grouping=False, trim=True) if initial else "")
            self.fields[f"{prefix}-numerator"] = VietnameseDecimalField(
                label=_("numerator"), required=False,
                initial=format_number(initial.numerator, 4, grouping=False, trim=True)
                if initial and initial.numerator is not None else "")
            self.fields[f"{prefix}-denominator"] = VietnameseDecimalField(
                label=_("denominator"), required=False,
                initial=format_number(initial.denominator, 4, grouping=False, trim=True)
                if initial and initial.denominator is not None else "")
            self.fields[f"{prefix}-comment"] = forms.CharField(
                label=_("comment"), required=False, max_length=1000,
                initial=now.comment if now else "", widget=forms.TextInput)
            self.rows.append({"indicator": ind, "last": before, "current": now,
                              "fields": [self[f"{prefix}-{n}"] for n in ("value", "numerator", "denominator",
                                                                         "comment")]})

    def entries(self) -> dict[str, Entry]:
        data = self.cleaned_data
        return {row["indicator"].code: Entry(data.get(f"{row['indicator'].code}-value"),
                                             data.get(f"{row['indicator'].code}-numerator"),
                                             data.get(f"{row['indicator'].code}-denominator"),
                                             data.get(f"{row['indicator'].code}-comment") or "")
                for row in self.rows}

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for code, errors in exc.message_dict.items():
                field = f"{code}-value"
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)
