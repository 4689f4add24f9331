from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    """Data quality of the child register: findings, duplicates, linkage with the population database, cleaning."""

    name = "treem.registry.quality"
    label = "quality"
    verbose_name = _("Register data quality")
