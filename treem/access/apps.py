from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "treem.access"
    label = "access"
    verbose_name = "Access"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app registers the access rules of its models in its access_rules.py (treem.access.rules).
        autodiscover_modules("access_rules")
