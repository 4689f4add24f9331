"""Fast inserts for imports, demo data and benchmark data: PostgreSQL COPY, bulk_create elsewhere.

Rows are given as model instances (`insert_many`) or, cheaper for hundreds of thousands of rows, as dicts of
attribute values (`insert_dicts`): columns left out take the field's default, auto_now(_add) timestamps are filled
in as Django would, JSON is serialised, and an auto-increment primary key is left to the database. Runs inside the
caller's transaction.
"""

import json
from operator import itemgetter

from django.db import connection, models
from django.utils import timezone

COPY_THRESHOLD = 500  # below this, bulk_create is as fast and simpler


def _auto_pk(model) -> bool:
    return isinstance(model._meta.pk, models.AutoField)


def _plan(model):
    """(fields to write, {attname: default}, {attname: converter}) for COPY."""
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and _auto_pk(model))]
    defaults, converters = {}, {}
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            defaults[f.attname] = now
        elif f.has_default() and callable(f.default) and not f.primary_key:
            defaults[f.attname] = None  # resolved per row
        elif not f.primary_key:
            defaults[f.attname] = f.get_default()
        if isinstance(f, models.JSONField):
            converters[f.attname] = lambda v: json.dumps(v, ensure_ascii=False)
    return fields, defaults, converters


def _copy(model, fields, rows) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_dicts(model: type[models.Model], rows: list[dict]) -> None:
    """Insert rows given as {attname: value}; missing columns take the field default."""
    if not rows:
        return
    if connection.vendor != "postgresql" or len(rows) < COPY_THRESHOLD:
        model.objects.bulk_create([model(**row) for row in rows], batch_size=1000)
        return
    fields, defaults, converters = _plan(model)
    by_name = {f.attname: f for f in fields}
    callables = {name: f.default for name, f in by_name.items() if f.has_default() and callable(f.default)}
    # One COPY per set of keys (rows of one insert share a few): the columns the rows give come first, read with one
    # itemgetter, then the fixed defaults as one tuple, then the defaults computed per row.
    groups: dict[frozenset, list[dict]] = {}
    for row in rows:
        groups.setdefault(frozenset(row), []).append(row)
    for keys, group in groups.items():
        given = [name for name in by_name if name in keys]
        fixed = [name for name in by_name if name not in keys and name not in callables]
        computed = [name for name in by_name if name not in keys and name in callables]
        get = itemgetter(*given)
        convert_given = [(i, converters[name]) for i, name in enumerate(given) if name in converters]
        fixed_values = [converters[name](defaults[name]) if name in converters else defaults[name] for name in fixed]
        makers = [(callables[name], converters.get(name)) for name in computed]

        values = _row_maker(get, len(given) == 1, convert_given, fixed_values, makers)
        _copy(model, [by_name[name] for name in given + fixed + computed], (values(row) for row in group))


def _row_maker(get, single: bool, convert_given: list, fixed_values: list, makers: list):
    def values(row):
        out = [get(row)] if single else list(get(row))
        for i, convert in convert_given:
            out[i] = convert(out[i])
        out += fixed_values
        for make, convert in makers:
            out.append(convert(make()) if convert else make())
        return out

    return values


def insert_many(model: type[models.Model], objs: list[models.Model]) -> None:
    """Insert model instances (primary keys set by the caller, by the field default, or by the database)."""
    if not objs:
        return
    if not _auto_pk(model):
        for obj in objs:
            if obj.pk is None:
                obj.pk = model._meta.pk.get_default()
    if connection.vendor != "postgresql" or len(objs) < COPY_THRESHOLD:
        now = timezone.now()
        for obj in objs:
            for f in model._meta.concrete_fields:
                automatic = isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
                if automatic and not getattr(obj, f.attname):
                    setattr(obj, f.attname, now)
        model.objects.bulk_create(objs, batch_size=1000)
        return
    fields, defaults, converters = _plan(model)

    def values(obj):
        out = []
        for f in fields:
            value = getattr(obj, f.attname)
            if value is None and f.attname in defaults and defaults[f.attname] is not None:
                value = defaults[f.attname]
            out.append(converters[f.attname](value) if f.attname in converters else value)
        return out

    _copy(model, fields, (values(obj) for obj in objs))
