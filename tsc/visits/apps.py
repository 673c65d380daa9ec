from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "tsc.visits"
    verbose_name = "Visit log"
