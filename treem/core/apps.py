from django.apps import AppConfig
from django.db.backends.signals import connection_created

from .collation import register_sqlite_collation


class CoreConfig(AppConfig):
    name = "treem.core"
    label = "core"

    def ready(self):
        connection_created.connect(register_sqlite_collation, dispatch_uid="treem-vi-collation")
