from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from treem.plans.extensions import provide_report_section


class IndicatorsConfig(AppConfig):
    name = "treem.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self):
        from .report import consolidation_section  # the section reads models: after app loading

        # Plans stands below indicators: the consolidated report asks for the indicator table through this hook.
        provide_report_section(consolidation_section)
