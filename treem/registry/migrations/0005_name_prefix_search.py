"""A province's list in name order from an index; name search by word prefixes on PostgreSQL: "vo thanh" finds children with a word starting "vo" and one starting
"thanh". Replaces the pg_trgm index of 0003.

Each child gets a generated column `name_prefixes` (every prefix of every word of name_folded: "vo thanh" ->
{v, vo, t, th, tha, than, thanh}) with a GIN index. A search word is then an exact key of the index, and the planner
knows from the column's statistics how many children each key has: it reads the index for rare names and simply
scans for very common ones ("nguyen"), which pg_trgm's guesses could not tell apart. The column is computed by the
database from name_folded on every write (including COPY), so no code has to keep it up to date and the Django model
does not know it. SQLite has no arrays: there, search_children matches the same words with LIKE.
"""

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION treem_name_prefixes(text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT left(word, n)), '{}')
  FROM unnest(string_to_array($1, ' ')) AS word, generate_series(1, length(word)) AS n
  WHERE word <> ''
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute("ALTER TABLE registry_child ADD COLUMN name_prefixes text[] "
                          "GENERATED ALWAYS AS (treem_name_prefixes(name_folded)) STORED")
    schema_editor.execute("CREATE INDEX registry_child_name_prefixes ON registry_child USING gin (name_prefixes)")
    schema_editor.execute("DROP INDEX IF EXISTS registry_child_name_folded_trgm")
    schema_editor.execute("ANALYZE registry_child")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE registry_child DROP COLUMN IF EXISTS name_prefixes")
    schema_editor.execute("DROP FUNCTION IF EXISTS treem_name_prefixes(text)")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS registry_child_name_folded_trgm ON registry_child "
                          "USING gin (name_folded gin_trgm_ops)")


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial"), ("registry", "0004_circumstancesubgroup_valid_from_and_more")]

    operations = [
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["province", "status", "name_folded", "birth_date", "id"],
                               name="registry_ch_provinc_9736b3_idx"),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
