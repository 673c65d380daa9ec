from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tsc.api"
    label = "api"
    verbose_name = "API for tax software"
