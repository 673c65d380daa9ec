from django.apps import AppConfig


class BackOfficeConfig(AppConfig):
    name = "tsc.backoffice"
    verbose_name = "DRS back office"
