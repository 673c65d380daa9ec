from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "tsc.bulk"
    verbose_name = "Third Party Bulk Filers"
