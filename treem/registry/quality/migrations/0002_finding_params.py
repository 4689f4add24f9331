"""A finding stops storing its sentence: the code and its parameters are kept and rendered in the reader's language.
Old rows are read back into parameters when their text is the known sentence of their code (English or
Vietnamese); a row that is not keeps its text as legacy_text, shown as is."""

from django.db import migrations, models

from treem.core.messages import iso_day, params_in_any_language

SEX = {"Nam": "M", "Male": "M", "Nữ": "F", "Female": "F"}
TEXT_KEYS = {"id", "digit", "code", "name"}


def finding_params(code: str, text: str) -> dict | None:
    from treem.registry.quality.findings import FINDING_TEXT, OLD_CARD_TEXT

    templates = [FINDING_TEXT[code]] if code in FINDING_TEXT else []
    if code == "id_length":
        templates.append(OLD_CARD_TEXT)
    for template in templates:
        params = params_in_any_language(text, lambda template=template: str(template))
        if params is None:
            continue
        if template is OLD_CARD_TEXT:
            params["digits"] = 9
        for key, value in list(params.items()):
            if key == "date":
                params[key] = iso_day(value)
            elif key in ("sex", "encoded") and value in SEX:
                params[key] = SEX[value]
            elif key not in TEXT_KEYS and isinstance(value, str) and value.isdigit():
                params[key] = int(value)
        return params
    return None


def forwards(apps, schema_editor):
    Finding = apps.get_model("quality", "Finding")
    for finding in Finding.objects.exclude(legacy_text="").only("pk", "code", "legacy_text", "params").iterator():
        if finding.params:
            continue
        params = finding_params(finding.code, finding.legacy_text)
        if params is not None:
            # a finding without parameters ("Sex is not recorded.") is stored as its code alone
            Finding.objects.filter(pk=finding.pk).update(params=params, legacy_text="")


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [
        migrations.RenameField("finding", "message", "legacy_text"),
        migrations.AlterField(
            model_name="finding",
            name="legacy_text",
            field=models.CharField(blank=True, help_text="an old finding's text that could not be converted",
                                   max_length=300, verbose_name="detail"),
        ),
        migrations.AddField(model_name="finding", name="params", field=models.JSONField(blank=True, default=dict)),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
