from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PlansConfig(AppConfig):
    name = "treem.plans"
    label = "plans"
    verbose_name = pgettext_lazy("plans", "Plans, targets and tasks")
