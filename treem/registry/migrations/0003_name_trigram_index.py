"""Substring search on folded names ("duc" finds "Nguyễn Văn Đức") without a full scan: a pg_trgm GIN index.

PostgreSQL only; on SQLite the b-tree index on name_folded and the commune filter keep a commune's search fast.
"""

from django.db import migrations

INDEX = "registry_child_name_folded_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_child USING gin (name_folded gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_extend_registry")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
