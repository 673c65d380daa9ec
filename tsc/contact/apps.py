from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "tsc.contact"
    verbose_name = "Contact us"
