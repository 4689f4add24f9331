from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .lookups import WordPrefixes


class RegistryConfig(AppConfig):
    name = "treem.registry"
    label = "registry"
    verbose_name = _("Child registry")

    def ready(self) -> None:
        from .models import Child  # models only once the apps are loaded

        Child._meta.get_field("name_folded").register_lookup(WordPrefixes)
