from django.apps import AppConfig


class FilingConfig(AppConfig):
    name = "tsc.filing"
    verbose_name = "Returns"
