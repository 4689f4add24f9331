"""Settings of the real background worker (`manage.py db_worker`) that tests/core/test_faults.py starts and kills:
the test settings with the database queue (django-tasks-db) instead of running tasks at once."""

from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
