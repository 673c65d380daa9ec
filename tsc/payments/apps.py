from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tsc.payments"
    verbose_name = "Payments and banking"
