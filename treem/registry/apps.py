from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "treem.registry"
    label = "registry"
    verbose_name = _("Child registry")

    def ready(self) -> None:
        from .lookups import WordPrefixes
        from .models import Child

        Child._meta.get_field("name_folded").register_lookup(WordPrefixes)
