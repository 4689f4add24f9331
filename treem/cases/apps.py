from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from treem.registry.extensions import provide_cases_of_child


class CasesConfig(AppConfig):
    name = "treem.cases"
    label = "cases"
    verbose_name = _("Protection cases")

    def ready(self):
        from .selectors import cases_for_child_visible_to  # imports the models: only once the apps are loaded

        # The register's child page lists the child's cases without importing cases (it sits below): install it.
        provide_cases_of_child(cases_for_child_visible_to)
