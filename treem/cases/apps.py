from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "treem.cases"
    label = "cases"
    verbose_name = _("Protection cases")

    def ready(self):
        # The register's child page lists the child's cases without importing cases (it sits below): install the
        # selector. Imported here, not at the top: the models cannot be imported before Django's app loading.
        from treem.registry.extensions import provide_cases_of_child

        from .selectors import cases_for_child_visible_to

        provide_cases_of_child(cases_for_child_visible_to)
