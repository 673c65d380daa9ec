from django.apps import AppConfig


class TaxpayersConfig(AppConfig):
    name = "tsc.taxpayers"
    verbose_name = "Taxpayer registry"
