from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "treem.api"
    label = "api"
    verbose_name = "API"
