"""The cache shared by every web process when there is no Redis: Django's database cache, with a counter fit for
rate limits.

Django's own DatabaseCache.incr reads the value and writes it back with the default timeout: two processes can both
read 4 and both write 5, and the counter's window is silently cut to five minutes. Here the row is locked and only
its value changes, so the expiry set when the counter was created stays.
"""

import base64
import pickle

from django.core.cache.backends import db
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCache(db.DatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        quote = connection.ops.quote_name
        table, value_col, key_col, expires_col = (quote(self._table), quote("value"), quote("cache_key"),
                                                  quote("expires"))
        # SQLite has no FOR UPDATE; its transactions here take the write lock when they begin (IMMEDIATE mode).
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            # Identifiers are quoted names from the settings; the values are parameters.
            cursor.execute(f"SELECT {value_col} FROM {table} WHERE {key_col} = %s AND {expires_col} > %s{lock}",  # noqa: S608
                           [key, now])
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 (our own table)
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(f"UPDATE {table} SET {value_col} = %s WHERE {key_col} = %s", [encoded, key])  # noqa: S608
        return value
