"""Remove zero-width, control and other invisible characters from the names already stored (children, carers, heads
of households), and make odd spaces plain: a name with U+200B inside was not found by a search. New writes are cleaned
by treem.core.text.clean."""

import sys
import unicodedata

from django.db import migrations

from treem.core.text import clean, fold


def _suspect_pattern() -> str:
    """A regex character class of what clean() changes: Cf and Cc characters (not NUL, which no database stores) and
    spaces other than the plain one. Only rows matching it are read, so the migration is quick on a large register."""
    chars = [chr(c) for c in range(1, sys.maxunicode + 1)
             if not 0xD800 <= c <= 0xDFFF
             and (unicodedata.category(chr(c)) in {"Cf", "Cc"} or (chr(c).isspace() and chr(c) != " "))]
    return "[" + "".join(chars) + "]"


def clean_names(apps, schema_editor):
    pattern = _suspect_pattern()
    Child = apps.get_model("registry", "Child")
    Carer = apps.get_model("registry", "Carer")
    Household = apps.get_model("registry", "Household")
    for model in (Child, Carer):
        for pk, name in model.objects.filter(full_name__regex=pattern).values_list("pk", "full_name").iterator():
            model.objects.filter(pk=pk).update(full_name=clean(name), name_folded=fold(clean(name))[:150])
    for pk, head, village in (Household.objects.filter(head_name__regex=pattern)
                              .values_list("pk", "head_name", "village").iterator()):
        Household.objects.filter(pk=pk).update(head_name=clean(head),
                                               search_folded=fold(f"{clean(head)} {village}")[:275])


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0008_child_source_labels"),
    ]

    operations = [
        migrations.RunPython(clean_names, migrations.RunPython.noop),
    ]
